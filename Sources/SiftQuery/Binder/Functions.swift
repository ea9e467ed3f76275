// The function table: every function the dialect knows (DIALECT.md section 5), with its arity and
// whether it aggregates. The binder checks calls against it; the executor implements each entry.

public struct FunctionInfo: Sendable {
    public var name: String
    public var minArgs: Int
    public var maxArgs: Int
    public var isAggregate: Bool
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
        return t
    }()

    public static func info(_ name: String) -> FunctionInfo? { table[name.lowercased()] }
    public static var names: [String] { table.keys.sorted() }
}
