// Datum is one value during execution: JSON's kinds plus timestamps and intervals, which queries
// compute (`now() - interval 7 day`, `day(created)`). Comparison, ordering and display rules of
// DIALECT.md sections 4 and 8 live here.

import Foundation
import SiftModel

public enum Datum: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case timestamp(Int64)                       // microseconds since the epoch, UTC
    case interval(months: Int64, micros: Int64)
    case json(Value)                            // arrays and objects

    public init(_ v: Value) {
        switch v {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array, .object: self = .json(v)
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Elements when the datum is an array.
    public var elements: [Datum]? {
        if case .json(.array(let a)) = self { return a.map(Datum.init) }
        return nil
    }

    /// The datum as JSON, for output and for to_string on objects.
    public var value: Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .timestamp(let t): return .string(Timestamp(microseconds: t).iso8601)
        case .interval: return .string(text)
        case .json(let v): return v
        }
    }

    /// Text as shown in a table or CSV cell.
    public var text: String {
        switch self {
        case .null: return "NULL"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Datum.format(d)
        case .string(let s): return s
        case .timestamp(let t): return Timestamp(microseconds: t).iso8601
        case .interval(let m, let us):
            var parts: [String] = []
            if m != 0 { parts.append("\(m) month\(m == 1 ? "" : "s")") }
            if us != 0 || m == 0 { parts.append(Datum.format(Double(us) / 1e6) + " seconds") }
            return parts.joined(separator: " ")
        case .json(let v): return JSONWriter.string(v)
        }
    }

    /// Shortest round-trip text, without a trailing ".0" on whole numbers.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity") }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// A string read as a timestamp, for comparing ISO-8601 text with timestamps.
    public var asTimestamp: Int64? {
        switch self {
        case .timestamp(let t): return t
        case .string(let s): return Timestamp(iso8601: s)?.microseconds
        default: return nil
        }
    }
}

extension Datum {
    /// SQL comparison: nil when either side is NULL or the kinds cannot be compared.
    static func compare(_ a: Datum, _ b: Datum) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.string(let x), .string(let y)): return codePointCompare(x, y)
        case (.timestamp, _), (_, .timestamp):
            guard let x = a.asTimestamp, let y = b.asTimestamp else { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.interval(let m1, let u1), .interval(let m2, let u2)):
            // In doubles: months as average lengths, without overflow at the ends of the range.
            let x = Double(m1) * 2_629_746_000_000 + Double(u1), y = Double(m2) * 2_629_746_000_000 + Double(u2)
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.json(let x), .json(let y)): return x == y ? 0 : codePointCompare(JSONWriter.string(x), JSONWriter.string(y))
        default:
            if let x = a.number, let y = b.number { return x < y ? -1 : (x > y ? 1 : 0) }
            return nil
        }
    }

    static func codePointCompare(_ x: String, _ y: String) -> Int {
        if x == y { return 0 }
        return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) { $0.value < $1.value } ? -1 : 1
    }

    /// Equality as `=` sees it: NULL-aware (nil), numbers across int and double, text against timestamps.
    static func equals(_ a: Datum, _ b: Datum) -> Bool? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.json(let x), .json(let y)): return x == y
        case (.json, _), (_, .json): return false
        default:
            if let c = compare(a, b) { return c == 0 }
            return false
        }
    }

    /// Total order for ORDER BY: NULLs handled by the caller; kinds ordered bool < number < text < time < json.
    static func sortCompare(_ a: Datum, _ b: Datum) -> Int {
        if let c = compare(a, b) { return c }
        func rank(_ d: Datum) -> Int {
            switch d {
            case .null: return 0
            case .bool: return 1
            case .int, .double: return 2
            case .string: return 3
            case .timestamp: return 4
            case .interval: return 5
            case .json: return 6
            }
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        return codePointCompare(a.text, b.text)
    }
}
