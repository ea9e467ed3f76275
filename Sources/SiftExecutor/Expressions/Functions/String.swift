// String functions: lower, upper, trim, length, len, concat, substr/substring, contains/includes.

import Foundation
import SiftModel
import SiftQuery

enum StringFunctions {
    static let all: [String: ScalarFunction] = [
        "lower": lower, "upper": upper, "trim": trim, "length": length, "len": len, "concat": concat,
        "substr": substr, "substring": substr, "contains": contains, "includes": contains,
    ]

    static func lower(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { if case .string(let s) = $0 { return .string(s.lowercased()) }; return $0.isNull ? .null : .string($0.text.lowercased()) }
    }

    static func upper(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { if case .string(let s) = $0 { return .string(s.uppercased()) }; return $0.isNull ? .null : .string($0.text.uppercased()) }
    }

    static func trim(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { $0.isNull ? .null : .string($0.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Characters of a string, elements of an array, characters of anything else's text.
    static func length(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { d in
            switch d {
            case .null: return .null
            case .string(let s): return .int(Int64(s.count))
            default: return d.elements.map { .int(Int64($0.count)) } ?? .int(Int64(d.text.count))
            }
        }
    }

    /// Like length, and an object's number of keys; NULL for other scalars.
    static func len(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { d in
            switch d {
            case .null: return .null
            case .json(.object(let o)): return .int(Int64(o.count))
            case .string(let s): return .int(Int64(s.count))
            default: return d.elements.map { .int(Int64($0.count)) } ?? .null
            }
        }
    }

    static func concat(_ c: FunctionCall) throws -> [Datum] {
        let cols = try c.allArgs()
        return (0..<c.count).map { r in .string(cols.map { $0[r].isNull ? "" : $0[r].text }.joined()) }
    }

    /// substr(s, start [, length]): 1-based; a start of 0 or below counts from the end.
    static func substr(_ c: FunctionCall) throws -> [Datum] {
        let s = try c.arg(0), start = try c.arg(1), len = c.args.count > 2 ? try c.arg(2) : nil
        return (0..<c.count).map { r in
            guard !s[r].isNull, let stNumber = start[r].number else { return .null }
            let chars = Array(s[r].text)
            // Clamp before converting: a start or length of 1e300 must not trap.
            let st = Int(max(-1e15, min(1e15, stNumber.isNaN ? 1 : stNumber)))
            var from = st - 1
            if st <= 0 { from = max(0, chars.count + st) }
            from = min(max(0, from), chars.count)
            var to = chars.count
            if let len {
                guard let l = len[r].number, !l.isNaN else { return .null }
                to = min(chars.count, from + Int(max(0, min(1e15, l))))
            }
            return .string(String(chars[from..<max(from, to)]))
        }
    }

    /// A substring of a string, an element of an array, or equality for other values.
    static func contains(_ c: FunctionCall) throws -> [Datum] {
        let hay = try c.arg(0), needle = try c.arg(1)
        return (0..<c.count).map { r in
            switch hay[r] {
            case .null: return .null
            case .string(let s): return needle[r].isNull ? .null : .bool(s.contains(needle[r].text))
            default:
                if let el = hay[r].elements { return .bool(el.contains { Datum.equals($0, needle[r]) == true }) }
                return .bool(Datum.equals(hay[r], needle[r]) == true)
            }
        }
    }
}
