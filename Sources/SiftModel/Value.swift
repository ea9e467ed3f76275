// Value is Sift's JSON-like datum: what span fields such as `input`, `metadata` and `scores` hold,
// and what the query engine compares. Objects keep their key order so a record round-trips as written.

/// A JSON value with integers kept apart from doubles.
///
///     let v: Value = .object(["model": "gpt-4o", "tokens": 812])
///     v["model"]?.stringValue   // "gpt-4o"
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Value])
    case object(JSONObject)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    public var arrayValue: [Value]? { if case .array(let a) = self { return a } else { return nil } }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// The value as a double when it is a number (integers widen).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The value as an integer when it is an integer, or a double with no fractional part.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded() == d, abs(d) < 9.2e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    /// Member lookup on objects; nil for other kinds or a missing key.
    public subscript(key: String) -> Value? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Element lookup on arrays, negative indexes counting from the end.
    public subscript(index: Int) -> Value? {
        guard case .array(let a) = self else { return nil }
        let i = index < 0 ? a.count + index : index
        return a.indices.contains(i) ? a[i] : nil
    }

    /// Short name of the kind, for messages ("expected an object, found a string").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object that keeps its members in the order they were written.
public struct JSONObject: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String]
    public private(set) var values: [Value]

    public init() { keys = []; values = [] }

    public init(keys: [String], values: [Value]) {
        precondition(keys.count == values.count)
        self.keys = keys; self.values = values
    }

    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Lookup by exact key; setting nil removes the member, setting an existing key replaces it in place.
    public subscript(key: String) -> Value? {
        get {
            if let i = keys.firstIndex(of: key) { return values[i] }
            return nil
        }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                keys.append(key); values.append(newValue)
            }
        }
    }

    /// Appends without checking for an existing key (the reader uses it; JSON keeps the last duplicate).
    mutating func appendUnchecked(_ key: String, _ value: Value) {
        keys.append(key); values.append(value)
    }

    public func makeIterator() -> AnyIterator<(key: String, value: Value)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension Value: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONWriter.string(self) }
}
