// LogicalPlan is a checked query, ready to run: the source and shape, what the scan must read (fields
// and a time range, pushed down from WHERE), and the steps after it. EXPLAIN prints it as a tree,
// innermost (the scan) last, as database engines do.

public enum Shape: String, Sendable { case spans, traces, summary }

public enum SourceKind: Sendable, Equatable {
    case projectLogs(project: String, shape: Shape)
    case dataset(String)
    case topics(String)
}

/// A bound on `created` the scan can apply before any row is decoded.
public struct TimeBound: Sendable, Equatable {
    public var value: Expr      // constant once now() is fixed: a string, number or now() +- interval
    public var inclusive: Bool
}

public struct PlanItem: Sendable, Equatable {
    public var expr: Expr
    public var name: String
}

public struct LogicalPlan: Sendable, Equatable {
    public var source: SourceKind
    /// The fields rows of this source have (the span model, or a dataset's or topics' fields).
    public var sourceFields: [String] = SpanFields.all
    /// Top-level fields the query reads (the scan loads only these).
    public var fields: Set<String> = []
    public var lowerTime: TimeBound?
    public var upperTime: TimeBound?
    public var unpivots: [Unpivot] = []
    /// Row filter (spans shape), or the trace-selecting condition (traces and summary shapes).
    public var filter: Expr?
    /// FILTER_SPANS(cond) and pipe span_filter: which spans of the selected traces come back.
    public var spanFilter: Expr?
    public var items: [PlanItem] = []
    public var selectStar = false
    public var groupBy: [Expr] = []
    public var isAggregate = false
    public var having: Expr?
    public var orderBy: [OrderItem] = []
    public var limit: Int?
    public var cursor: String?
    public var previewLength = 125

    public init(source: SourceKind) { self.source = source }

    /// The height of the plan's tallest expression (its recursion depth when evaluated).
    public var maxHeight: Int {
        var exprs: [Expr] = items.map(\.expr) + groupBy + orderBy.map(\.expr) + unpivots.map(\.source)
        exprs += [filter, spanFilter, having, lowerTime?.value, upperTime?.value].compactMap { $0 }
        return exprs.map(\.height).max() ?? 0
    }

    /// The plan as indented text: one operator a line, the scan last.
    public var explain: String {
        var lines: [String] = []
        var depth = 0
        func add(_ s: String) { lines.append(String(repeating: "  ", count: depth) + s); depth += 1 }
        if let limit { add("Limit \(limit)" + (cursor.map { " after cursor '\($0)'" } ?? "")) }
        if !orderBy.isEmpty {
            add("Sort " + orderBy.map { Printer.print($0.expr) + ($0.descending ? " DESC" : " ASC") + ($0.nullsFirst == true ? " NULLS FIRST" : "") }.joined(separator: ", "))
        }
        if let having { add("Filter (having) " + Printer.print(having)) }
        if isAggregate {
            add("Aggregate " + (groupBy.isEmpty ? "(one group)" : "by " + groupBy.map(Printer.print).joined(separator: ", "))
                + " -> " + items.map { "\($0.name) = \(Printer.print($0.expr))" }.joined(separator: ", "))
        } else {
            add("Project " + (selectStar ? "*" : items.map { "\($0.name) = \(Printer.print($0.expr))" }.joined(separator: ", ")))
        }
        if let spanFilter { add("SpanFilter " + Printer.print(spanFilter)) }
        if let filter {
            switch source {
            case .projectLogs(_, let shape) where shape != .spans:
                add("TraceFilter (a trace matches if any span does) " + Printer.print(filter))
            default: add("Filter " + Printer.print(filter))
            }
        }
        for u in unpivots.reversed() {
            add("Unpivot \(Printer.print(u.source)) -> \(u.keyName == "_" ? u.valueName : "(\(u.keyName), \(u.valueName))")")
        }
        var scan: String
        switch source {
        case .projectLogs(let p, let shape): scan = "Scan project_logs('\(p)') shape=\(shape.rawValue)"
        case .dataset(let d): scan = "Scan dataset('\(d)')"
        case .topics(let p): scan = "Scan topics('\(p)')"
        }
        scan += " fields=[" + fields.sorted().joined(separator: ", ") + "]"
        if lowerTime != nil || upperTime != nil {
            var parts: [String] = []
            if let l = lowerTime { parts.append("created \(l.inclusive ? ">=" : ">") \(Printer.print(l.value))") }
            if let u = upperTime { parts.append("created \(u.inclusive ? "<=" : "<") \(Printer.print(u.value))") }
            scan += " time=[" + parts.joined(separator: " AND ") + "]"
        }
        add(scan)
        return lines.joined(separator: "\n")
    }
}
