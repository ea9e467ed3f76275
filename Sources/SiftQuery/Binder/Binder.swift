// Binder checks a parsed Statement against the span model and a Catalog and turns it into a
// LogicalPlan: it resolves the source and shape, aliases and positions, checks every name and call
// (with "did you mean" hints), sorts out aggregation, and pushes the time range on `created` and the
// set of fields read down to the scan. It never touches storage.

public struct Binder {
    let catalog: Catalog

    public init(catalog: Catalog) { self.catalog = catalog }

    /// Binds a statement. `defaultProject` and `defaultShape` serve bare filters and sourceless pipe queries.
    public func bind(_ s: Statement, defaultProject: String? = nil, defaultShape: Shape = .spans) throws -> LogicalPlan {
        var plan = LogicalPlan(source: try bindSource(s.source, defaultProject: defaultProject, defaultShape: defaultShape))
        let shape: Shape
        if case .projectLogs(_, let sh) = plan.source { shape = sh } else { shape = .spans }

        // Names an expression may start with: the source's fields and unpivoted values.
        switch plan.source {
        case .dataset: plan.sourceFields = SourceFields.dataset
        case .topics: plan.sourceFields = SourceFields.topics
        case .projectLogs: plan.sourceFields = SpanFields.all
        }
        let sourceFields = plan.sourceFields
        var roots = Set(sourceFields)
        for u in s.unpivots {
            roots.insert(u.valueName)
            if u.keyName != "_" { roots.insert(u.keyName) }
        }

        // Select items, pipe dimensions and measures.
        var items: [SelectItem] = s.items
        var groupBy: [Expr] = s.groupBy
        if s.form == .pipe && (!s.dimensions.isEmpty || !s.measures.isEmpty) {
            for d in s.dimensions {
                if case .integer(let n) = d.expr.kind {
                    guard n >= 1 && Int(n) <= s.items.count else {
                        throw Diagnostic("dimension \(n) is not a position in select: (1 to \(s.items.count))", at: d.expr.range)
                    }
                    groupBy.append(d.expr)
                } else {
                    items.append(d)
                    groupBy.append(d.expr)
                }
            }
            items.append(contentsOf: s.measures)
        }
        if items.isEmpty { plan.selectStar = true }
        if items.count == 1, case .star = items[0].expr.kind { plan.selectStar = true; items = [] }

        var names: [String] = []
        var aliases: [String: Expr] = [:]
        var ambiguous = Set<String>()
        for item in items {
            if case .star = item.expr.kind {
                throw Diagnostic("* cannot be mixed with other select items", at: item.expr.range)
            }
            // An unnamed expression is named by its text, shortened: a 1 MB literal must not become the
            // key of every row of JSON output.
            let name = item.alias ?? item.expr.implicitAlias ?? Binder.columnName(printing: item.expr)
            if names.contains(name) {
                throw Diagnostic("duplicate column name '\(name)'", at: item.expr.range, hint: "give one of them a name with AS")
            }
            names.append(name)
            if aliases[name] != nil { ambiguous.insert(name) }
            aliases[name] = item.expr
        }

        // Resolve aliases and positions in the other clauses.
        func position(_ e: Expr, _ clause: String) throws -> Expr {
            if case .integer(let n) = e.kind {
                guard n >= 1 && Int(n) <= items.count else {
                    throw Diagnostic("\(clause) position \(n) is not in the select list (1 to \(items.count))", at: e.range)
                }
                return items[Int(n) - 1].expr
            }
            return e
        }
        func substitute(_ e: Expr, allowAggregateAliases: Bool) throws -> Expr {
            try e.rewrite { node in
                // Span fields win over aliases of the same name.
                guard case .name(let n, _) = node.kind, !roots.contains(n), let target = aliases[n] else { return nil }
                if ambiguous.contains(n) { throw Diagnostic("'\(n)' names more than one select item", at: node.range) }
                if !allowAggregateAliases && target.containsAggregate {
                    throw Diagnostic("'\(n)' is an aggregate and cannot be used in WHERE", at: node.range, hint: "use HAVING")
                }
                return target
            }
        }

        plan.groupBy = try groupBy.map { try substitute(position($0, "GROUP BY"), allowAggregateAliases: false) }
        var filter = try s.filter.map { try substitute($0, allowAggregateAliases: false) }
        plan.having = try s.having.map { try substitute($0, allowAggregateAliases: true) }
        plan.orderBy = try s.orderBy.map { o in
            var o = o
            o.expr = try position(o.expr, "ORDER BY")
            if case .name(let n, _) = o.expr.kind, names.contains(n), !roots.contains(n) {
                return o  // an output column by name: sorted after projection
            }
            o.expr = try substitute(o.expr, allowAggregateAliases: true)
            return o
        }
        plan.unpivots = s.unpivots
        plan.items = zip(items, names).map { PlanItem(expr: $0.0.expr, name: $0.1) }

        // FILTER_SPANS at the top of WHERE narrows the returned spans; pipe span_filter does the same.
        if let f = filter {
            var kept: [Expr] = []
            for c in f.conjuncts {
                if case .call("filter_spans", let args, _, _) = c.kind, args.count == 1 {
                    plan.spanFilter = plan.spanFilter.map { Expr(.binary(.and, $0, args[0], negated: false), $0.range) } ?? args[0]
                } else {
                    kept.append(c)
                }
            }
            filter = kept.isEmpty ? nil : kept.dropFirst().reduce(kept[0]) { Expr(.binary(.and, $0, $1, negated: false), $0.range.union($1.range)) }
        }
        if let sf = s.spanFilter { plan.spanFilter = sf }
        if let tf = s.traceFilter {
            let any = Expr(.function("any_span", [tf]), tf.range)
            filter = filter.map { Expr(.binary(.and, $0, any, negated: false), $0.range) } ?? any
        }
        plan.filter = filter

        // Check names and calls everywhere, and collect the fields the scan must read.
        var fields = Set<String>()
        let project: String? = { if case .projectLogs(let p, _) = plan.source { return p }; return nil }()
        func check(_ e: Expr, clause: String, aggregatesAllowed: Bool) throws {
            // `*` is an argument only of count(*).
            var countStars = Set<Int>()
            try e.visit { node, _ in
                if case .call("count", let args, _, _) = node.kind, args.count == 1, args[0].kind == .star { countStars.insert(args[0].range.start) }
            }
            try e.visit { node, insideAggregate in
                switch node.kind {
                case .name(let n, let quoted):
                    if roots.contains(n) {
                        if sourceFields.contains(n) { fields.insert(n) }
                    } else if quoted {
                        break  // a standalone double-quoted token that names nothing is a string
                    } else if let lower = sourceFields.first(where: { $0.lowercased() == n.lowercased() }) {
                        throw Diagnostic("unknown field '\(n)'", at: node.range, hint: "did you mean \(lower)?")
                    } else {
                        let candidates = (Array(roots) + names).filter { $0 != n }  // not the misspelling itself
                        let best = candidates.min { Parser.editDistance($0, n) < Parser.editDistance($1, n) }
                        let hint = best.flatMap { Parser.editDistance($0, n) <= max(2, n.count / 3) ? "did you mean \($0)?" : nil }
                        throw Diagnostic("unknown field '\(n)'", at: node.range, hint: hint ?? "fields are: \(sourceFields.joined(separator: ", "))")
                    }
                case .field(let base, let child, _):
                    if case .name(let root, _) = base.kind, SpanFields.caseInsensitiveChildren.contains(root), let project {
                        let known = catalog.knownPaths(project: project, root: root).filter { $0.hasPrefix(root + ".") }.map { String($0.dropFirst(root.count + 1)) }
                        let topLevel = Set(known.map { String($0.split(separator: ".").first ?? "") })
                        if !topLevel.isEmpty && !topLevel.contains(child) && !topLevel.contains(where: { $0.lowercased() == child.lowercased() }) {
                            let best = topLevel.min { Parser.editDistance($0.lowercased(), child.lowercased()) < Parser.editDistance($1.lowercased(), child.lowercased()) }
                            if let best, Parser.editDistance(best.lowercased(), child.lowercased()) <= max(2, child.count / 3) {
                                throw Diagnostic("unknown field '\(root).\(child)'", at: node.range, hint: "did you mean \(root).\(best)?")
                            }
                        }
                    }
                case .call(let f, let args, let distinct, _):
                    guard let info = Functions.info(f) else {
                        let best = Functions.names.min { Parser.editDistance($0, f) < Parser.editDistance($1, f) }
                        let hint = best.flatMap { Parser.editDistance($0, f) <= 2 ? "did you mean \($0)()?" : nil }
                        throw Diagnostic("unknown function \(f)()", at: node.range, hint: hint)
                    }
                    if f != "count", let star = args.first(where: { $0.kind == .star }) {
                        throw Diagnostic("* is only allowed as SELECT * or count(*)", at: star.range)
                    }
                    let count = args.count == 1 && args[0].kind == .star ? 0 : args.count
                    if f == "count" && args.count == 1 && args[0].kind == .star {} else if count < info.minArgs || count > info.maxArgs {
                        let expected = info.minArgs == info.maxArgs ? "\(info.minArgs)" : "\(info.minArgs) to \(info.maxArgs)"
                        throw Diagnostic("\(f)() takes \(expected) argument\(info.maxArgs == 1 ? "" : "s"), not \(count)", at: node.range)
                    }
                    if distinct && f != "count" { throw Diagnostic("DISTINCT is only supported in count(DISTINCT x)", at: node.range) }
                    if info.isAggregate {
                        if !aggregatesAllowed { throw Diagnostic("aggregate \(f)() is not allowed in \(clause)", at: node.range, hint: clause == "WHERE" ? "use HAVING" : nil) }
                        if insideAggregate { throw Diagnostic("aggregate \(f)() cannot be nested inside another aggregate", at: node.range) }
                    }
                    if (f == "any_span" || f == "filter_spans") && clause != "WHERE" {
                        throw Diagnostic("\(f.uppercased())() belongs in WHERE (or filter:)", at: node.range)
                    }
                    if f == "filter_spans" { throw Diagnostic("FILTER_SPANS() must stand alone in WHERE, joined by AND", at: node.range) }
                    if f == "search" { fields.formUnion(["input", "output", "expected", "metadata", "span_attributes"]) }
                case .star:
                    if !countStars.contains(node.range.start) {
                        throw Diagnostic("* is only allowed as SELECT * or count(*)", at: node.range)
                    }
                default: break
                }
            }
        }
        for item in plan.items { try check(item.expr, clause: "SELECT", aggregatesAllowed: true) }
        for g in plan.groupBy { try check(g, clause: "GROUP BY", aggregatesAllowed: false) }
        if let f = plan.filter { try check(f, clause: "WHERE", aggregatesAllowed: false) }
        if let f = plan.spanFilter { try check(f, clause: "WHERE", aggregatesAllowed: false) }
        if let h = plan.having { try check(h, clause: "HAVING", aggregatesAllowed: true) }
        for o in plan.orderBy {
            if case .name(let n, _) = o.expr.kind, names.contains(n), !roots.contains(n) { continue }
            try check(o.expr, clause: "ORDER BY", aggregatesAllowed: true)
        }
        for u in s.unpivots { try check(u.source, clause: "UNPIVOT", aggregatesAllowed: false) }
        if plan.selectStar { fields.formUnion(sourceFields) }

        plan.isAggregate = !plan.groupBy.isEmpty || plan.items.contains { $0.expr.containsAggregate } || (plan.having?.containsAggregate ?? false)
        if plan.isAggregate && plan.selectStar {
            throw Diagnostic("SELECT * cannot be combined with GROUP BY or aggregates", at: s.items.first?.expr.range ?? .none)
        }
        if plan.isAggregate {
            for item in plan.items where !item.expr.containsAggregate && !plan.groupBy.contains(item.expr) {
                throw Diagnostic("'\(item.name)' must appear in GROUP BY or be inside an aggregate", at: item.expr.range,
                                 hint: "add it to GROUP BY, or wrap it in any_value()")
            }
        }
        if shape != .spans || plan.filter?.mentions("any_span") == true || plan.spanFilter != nil {
            fields.formUnion(["root_span_id", "is_root"])
        }
        plan.fields = fields

        // LIMIT and OFFSET.
        if let l = s.limit {
            guard case .integer(let n) = l.kind, n >= 0 else { throw Diagnostic("LIMIT takes a whole number", at: l.range) }
            plan.limit = Int(n)
        }
        if let o = s.offset {
            switch o.kind {
            case .string(let c):
                // Cursors are what a previous page returned (the position of its next row).
                guard let n = Int(c), n >= 0 else {
                    throw Diagnostic("OFFSET '\(c.prefix(40))' is not a cursor from a previous page", at: o.range, hint: "use the cursor a page printed, or a row count: OFFSET 100")
                }
                plan.cursor = String(n)
            case .integer(let n) where n >= 0: plan.cursor = String(n)
            default: throw Diagnostic("OFFSET takes a cursor string from a previous page", at: o.range)
            }
        }
        if let p = s.previewLength {
            guard case .integer(let n) = p.kind, n >= 0 else { throw Diagnostic("preview_length takes a whole number", at: p.range) }
            plan.previewLength = Int(n)
        }

        TimeRangePushdown.apply(to: &plan, shape: shape)
        return plan
    }

    /// The name of an unnamed select item: its text, at most 64 characters.
    static func columnName(printing e: Expr) -> String {
        let text = Printer.print(e)
        return text.count <= 64 ? text : String(text.prefix(61)) + "..."
    }

    private func bindSource(_ source: SourceCall?, defaultProject: String?, defaultShape: Shape) throws -> SourceKind {
        guard let source else {
            guard let p = defaultProject else {
                throw Diagnostic("the query names no source", at: .none, hint: "add from: project_logs('my-project'), or pass --project")
            }
            return .projectLogs(project: p, shape: defaultShape)
        }
        func stringArgument(_ what: String) throws -> String {
            guard let first = source.arguments.first else {
                throw Diagnostic("\(source.name)() needs the \(what)", at: source.range)
            }
            switch first.kind {
            case .string(let s), .name(let s, quoted: true): return s
            default: throw Diagnostic("\(source.name)() takes the \(what) as a string: \(source.name)('name')", at: first.range)
            }
        }
        switch source.name.lowercased() {
        case "project_logs":
            let project = try stringArgument("project name")
            let known = catalog.projectNames()
            if !known.isEmpty && !known.contains(project) {
                let best = known.min { Parser.editDistance($0, project) < Parser.editDistance($1, project) }
                throw Diagnostic("no project named '\(project)'", at: source.arguments[0].range,
                                 hint: best.map { "projects: \(known.sorted().joined(separator: ", "))" + (Parser.editDistance($0, project) <= 3 ? "; did you mean '\($0)'?" : "") })
            }
            var shape = defaultShape
            if let e = source.named["shape"] {
                guard case .string(let s) = e.kind, let sh = Shape(rawValue: s.lowercased()) else {
                    throw Diagnostic("shape must be 'spans', 'traces' or 'summary'", at: e.range)
                }
                shape = sh
            }
            if let bad = source.named.keys.first(where: { $0 != "shape" }) {
                throw Diagnostic("project_logs() has no argument named \(bad)", at: source.range, hint: "it takes shape => 'spans' | 'traces' | 'summary'")
            }
            return .projectLogs(project: project, shape: shape)
        case "dataset": return .dataset(try stringArgument("dataset name"))
        case "topics":
            let project = try stringArgument("project name")
            let known = catalog.projectNames()
            if !known.isEmpty && !known.contains(project) {
                throw Diagnostic("no project named '\(project)'", at: source.arguments[0].range, hint: "projects: \(known.sorted().joined(separator: ", "))")
            }
            return .topics(project)
        default:
            throw Diagnostic("unknown source \(source.name)()", at: source.range, hint: "sources are project_logs('p'), dataset('name') and topics('p')")
        }
    }
}

extension Expr {
    /// The top-level AND-ed parts.
    public var conjuncts: [Expr] {
        if case .binary(.and, let a, let b, false) = kind { return a.conjuncts + b.conjuncts }
        return [self]
    }

    /// Whether the expression is fixed once now() is: literals, intervals, now() and arithmetic on them.
    public var isConstant: Bool {
        switch kind {
        case .null, .bool, .integer, .decimal, .string, .interval: return true
        case .call(let f, let args, _, _): return ["now", "current_timestamp", "current_date"].contains(f) && args.isEmpty
        case .binary(let op, let a, let b, _): return [.add, .subtract, .multiply, .divide].contains(op) && a.isConstant && b.isConstant
        case .unary(.negate, let x): return x.isConstant
        case .cast(let x, _): return x.isConstant
        default: return false
        }
    }

    public var containsAggregate: Bool {
        var found = false
        try? visit { node, _ in
            if case .call(let f, _, _, _) = node.kind, Functions.info(f)?.isAggregate == true { found = true }
        }
        return found
    }

    public func mentions(_ function: String) -> Bool {
        var found = false
        try? visit { node, _ in if case .call(let f, _, _, _) = node.kind, f == function { found = true } }
        return found
    }

    /// Pre-order walk; `insideAggregate` says whether an aggregate call encloses the node.
    public func visit(_ body: (Expr, Bool) throws -> Void) throws {
        try visit(insideAggregate: false, body)
    }

    private func visit(insideAggregate: Bool, _ body: (Expr, Bool) throws -> Void) throws {
        try body(self, insideAggregate)
        var inside = insideAggregate
        if case .call(let f, _, _, _) = kind, Functions.info(f)?.isAggregate == true { inside = true }
        for c in children { try c.visit(insideAggregate: inside, body) }
    }

    public var children: [Expr] { kind.children }
}

extension ExprKind {
    /// The sub-expressions of a node, left to right.
    public var children: [Expr] {
        switch self {
        case .null, .bool, .integer, .decimal, .string, .name, .star, .interval: return []
        case .field(let b, _, _): return [b]
        case .index(let b, let i): return [b, i]
        case .call(_, let args, _, _): return args
        case .unary(_, let x): return [x]
        case .binary(_, let a, let b, _): return [a, b]
        case .isNull(let x, _): return [x]
        case .inList(let x, let items, _): return [x] + items
        case .between(let x, let a, let b, _): return [x, a, b]
        case .caseWhen(let o, let branches, let e): return (o.map { [$0] } ?? []) + branches.flatMap { [$0.when, $0.then] } + (e.map { [$0] } ?? [])
        case .cast(let x, _): return [x]
        case .ternary(let c, let a, let b): return [c, a, b]
        case .array(let items): return items
        }
    }
}

extension Expr {
    /// Rebuilds the tree top-down: `transform` may replace a node, and a replacement is not revisited.
    public func rewrite(_ transform: (Expr) throws -> Expr?) throws -> Expr {
        if let replaced = try transform(self) { return replaced }
        func r(_ e: Expr) throws -> Expr { try e.rewrite(transform) }
        var k = kind
        switch kind {
        case .null, .bool, .integer, .decimal, .string, .name, .star, .interval: break
        case .field(let b, let n, let q): k = .field(try r(b), n, quoted: q)
        case .index(let b, let i): k = .index(try r(b), try r(i))
        case .call(let f, let args, let d, let id): k = .call(f, try args.map(r), distinct: d, function: id)
        case .unary(let op, let x): k = .unary(op, try r(x))
        case .binary(let op, let a, let b, let n): k = .binary(op, try r(a), try r(b), negated: n)
        case .isNull(let x, let n): k = .isNull(try r(x), negated: n)
        case .inList(let x, let items, let n): k = .inList(try r(x), try items.map(r), negated: n)
        case .between(let x, let a, let b, let n): k = .between(try r(x), try r(a), try r(b), negated: n)
        case .caseWhen(let o, let branches, let e):
            k = .caseWhen(operand: try o.map(r), branches: try branches.map { CaseBranch(when: try r($0.when), then: try r($0.then)) }, otherwise: try e.map(r))
        case .cast(let x, let t): k = .cast(try r(x), t)
        case .ternary(let c, let a, let b): k = .ternary(try r(c), try r(a), try r(b))
        case .array(let items): k = .array(try items.map(r))
        }
        return Expr(k, range)
    }
}
