// The function table: every function the dialect knows (DIALECT.md section 5), with its arity and
// whether it aggregates. The parser resolves each call to its FunctionID as it builds the node
// (`ExprKind.function`), the binder checks calls against the table, and the executor keeps its
// implementations in an array indexed by that id.

/// The function a call was resolved to: its position in `Functions.all` (names sorted), so the
/// executor finds the implementation by index, never by name while rows are evaluated.
public struct FunctionID: Hashable, Sendable {
    public let index: Int
    public var name: String { Functions.all[index].name }
}

public struct FunctionInfo: Sendable {
    public var name: String
    public var minArgs: Int
    public var maxArgs: Int
    public var isAggregate: Bool
    /// Set once the table is built: the function's place in `Functions.all`.
    public internal(set) var id = FunctionID(index: -1)
}

public enum Functions {
    static let table: [String: FunctionInfo] = {
        var t: [String: FunctionInfo] = [:]
        func add(_ names: [String], _ lo: Int, _ hi: Int, aggregate: Bool = false) {
            for n in names { t[n] = FunctionInfo(name: n, minArgs: lo, maxArgs: hi, isAggregate: aggregate) }
        }
        add(["second", "minute", "hour", "day", "week", "month", "year"], 1, 1)
        add(["date_trunc"], 2, 2)
        add(["now", "current_timestamp", "current_date"], 0, 0)
        add(["lower", "upper", "length", "trim", "len", "abs", "to_string", "to_number", "to_integer", "to_boolean", "to_datetime", "to_date"], 1, 1)
        add(["concat"], 1, 64)
        add(["substr", "substring"], 2, 3)
        add(["contains", "includes", "nullif", "json_extract"], 2, 2)
        add(["coalesce", "least", "greatest"], 1, 64)
        add(["round"], 1, 2)
        add(["search"], 1, 1)
        add(["any_span", "filter_spans"], 1, 1)
        add(["count"], 0, 1, aggregate: true)
        add(["count_distinct", "sum", "avg", "min", "max", "any_value"], 1, 1, aggregate: true)
        add(["percentile"], 2, 2, aggregate: true)
        for (i, name) in t.keys.sorted().enumerated() { t[name]!.id = FunctionID(index: i) }
        return t
    }()

    /// Every function, sorted by name; `FunctionID.index` is a position here.
    public static let all: [FunctionInfo] = table.values.sorted { $0.id.index < $1.id.index }

    public static func info(_ name: String) -> FunctionInfo? { table[name.lowercased()] }
    public static var names: [String] { all.map(\.name) }
}
