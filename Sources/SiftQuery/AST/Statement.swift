// Statement is what a query parses to, whichever surface form it was written in: the SQL form, the
// pipe form, or a bare filter. The pipe form's `dimensions` and `measures` become select items plus
// GROUP BY, and `final_filter` becomes HAVING, so later stages see one shape.

public enum SurfaceForm: String, Hashable, Sendable { case sql, pipe, filter }

public struct SelectItem: Hashable, Sendable {
    public var expr: Expr
    public var alias: String?
    public init(expr: Expr, alias: String? = nil) { self.expr = expr; self.alias = alias }
}

public struct OrderItem: Hashable, Sendable {
    public var expr: Expr
    public var descending: Bool
    /// Explicit NULLS FIRST / NULLS LAST; nil means the default (last).
    public var nullsFirst: Bool?
    public init(expr: Expr, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.expr = expr; self.descending = descending; self.nullsFirst = nullsFirst
    }
}

/// `name(arg, ..., key => value)`: project_logs, dataset, topics.
public struct SourceCall: Hashable, Sendable {
    public var name: String
    public var arguments: [Expr]
    public var named: [String: Expr]
    public var range: SourceRange
    public init(name: String, arguments: [Expr], named: [String: Expr], range: SourceRange) {
        self.name = name; self.arguments = arguments; self.named = named; self.range = range
    }
    public static func == (a: SourceCall, b: SourceCall) -> Bool { a.name == b.name && a.arguments == b.arguments && a.named == b.named }
    public func hash(into h: inout Hasher) { h.combine(name); h.combine(arguments) }
}

/// `UNPIVOT (value FOR key IN (expr))`; key `_` for arrays.
public struct Unpivot: Hashable, Sendable {
    public var valueName: String
    public var keyName: String
    public var source: Expr
    public init(valueName: String, keyName: String, source: Expr) { self.valueName = valueName; self.keyName = keyName; self.source = source }
}

public struct Statement: Hashable, Sendable {
    public var form: SurfaceForm
    public var items: [SelectItem] = []
    public var source: SourceCall?
    public var unpivots: [Unpivot] = []
    public var filter: Expr?
    public var groupBy: [Expr] = []
    public var having: Expr?
    public var orderBy: [OrderItem] = []
    public var limit: Expr?
    /// A cursor from a previous page (`OFFSET '<cursor>'`, pipe `cursor:`), or a row count.
    public var offset: Expr?
    /// Pipe form only: `dimensions:` (group keys, or 1-based positions into `select:`) and
    /// `measures:` (aggregates), kept as written; the binder merges them into items and GROUP BY.
    public var dimensions: [SelectItem] = []
    public var measures: [SelectItem] = []
    /// Pipe form only.
    public var previewLength: Expr?
    public var spanFilter: Expr?
    public var traceFilter: Expr?

    public init(form: SurfaceForm) { self.form = form }
}
