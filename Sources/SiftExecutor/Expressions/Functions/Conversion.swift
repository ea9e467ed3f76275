// Conversion functions: to_string, to_number, to_integer, to_boolean, to_datetime, to_date (NULL for
// what they cannot convert) and CAST (an error naming the value).

import Foundation
import SiftModel
import SiftQuery

enum ConversionFunctions {
    static let all: [String: ScalarFunction] = [
        "to_string": toString, "to_number": to(.number), "to_integer": to(.integer), "to_boolean": to(.boolean),
        "to_datetime": to(.datetime), "to_date": to(.date),
    ]

    static func toString(_ c: FunctionCall) throws -> [Datum] { try c.map1 { $0.isNull ? .null : .string($0.text) } }

    static func to(_ type: CastType) -> ScalarFunction {
        { c in try c.map1 { try Evaluator.cast($0, to: type, strict: false, range: c.range) } }
    }
}

extension Evaluator {
    // MARK: - Casts

    /// CAST raises an error naming a value it cannot convert; the to_* functions give NULL instead.
    static func cast(_ d: Datum, to type: CastType, strict: Bool, range: SourceRange) throws -> Datum {
        if d.isNull { return .null }
        func fail() throws -> Datum {
            if strict {
                // The value as the query would write it (a double beyond range is inf, not JSON's null).
                var shown = "\(d.value)"
                if case .double(let x) = d, !x.isFinite { shown = d.text }
                throw ExecutionError("cannot cast \(shown) to \(type.rawValue)", at: range)
            }
            return .null
        }
        switch type {
        case .string: return .string(d.text)
        case .number:
            switch d {
            case .int, .double: return d
            case .bool(let b): return .double(b ? 1 : 0)
            case .string(let s): if let v = Double(s.trimmingCharacters(in: .whitespaces)) { return .double(v) }; return try fail()
            default: return try fail()
            }
        case .integer:
            switch d {
            case .int: return d
            case .double(let v):
                guard v.isFinite, abs(v) < 9.2e18 else { return try fail() }
                return .int(Int64(v.rounded(.toNearestOrAwayFromZero)))
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int64(t) { return .int(i) }
                if let v = Double(t), v.isFinite, abs(v) < 9.2e18 { return .int(Int64(v.rounded(.toNearestOrAwayFromZero))) }
                return try fail()
            default: return try fail()
            }
        case .boolean:
            switch d {
            case .bool: return d
            case .int(let i): return .bool(i != 0)
            case .double(let v): return .bool(v != 0)
            case .string(let s):
                switch s.lowercased() {
                case "true", "t", "yes", "1": return .bool(true)
                case "false", "f", "no", "0": return .bool(false)
                default: return try fail()
                }
            default: return try fail()
            }
        case .datetime, .date:
            var t: Int64?
            switch d {
            case .timestamp(let v): t = v
            case .string(let s): t = Timestamp(iso8601: s)?.microseconds
            case .int, .double: t = Timestamp(d.value).map(\.microseconds)
            default: t = nil
            }
            guard var v = t else { return try fail() }
            if type == .date {
                let day = Int64(86_400_000_000)
                v = max(Int64.min / 2, min(Int64.max / 2, v))
                v = (v >= 0 ? v / day : (v - day + 1) / day) * day
            }
            return .timestamp(v)
        }
    }
}
