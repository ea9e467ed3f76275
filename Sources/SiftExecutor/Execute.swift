// The executor runs a LogicalPlan over a Table: unpivot, filter (by span, or by trace for the traces
// and summary shapes), span filter, hash aggregation or projection, HAVING, sort with NULLs last, and
// LIMIT with cursors. Each step works on a selection vector of the rows still in play; expressions
// over many rows are evaluated a batch at a time (Batches.swift).

import Foundation
import SiftModel
import SiftQuery

public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[Datum]]
    /// Pass as OFFSET '<cursor>' to get the next page; nil on the last page.
    public var nextCursor: String?
}

public struct Executor {
    public var now: Int64
    public var tzOffsetMinutes: Int

    public init(now: Int64, tzOffsetMinutes: Int = 0) {
        self.now = now
        self.tzOffsetMinutes = tzOffsetMinutes
    }

    /// A constant of the plan (a time bound), evaluated with this query's now().
    public func constant(_ e: Expr) throws -> Datum {
        let ev = Evaluator(table: Table(columns: [:], count: 1), now: now, tzOffsetMinutes: tzOffsetMinutes)
        return try ev.eval(e, Rows(base: [0]))[0]
    }

    public func run(_ plan: LogicalPlan, on table: Table) throws -> QueryResult {
        let ev = Evaluator(table: table, now: now, tzOffsetMinutes: tzOffsetMinutes)
        var shape = Shape.spans
        if case .projectLogs(_, let s) = plan.source { shape = s }
        var rows = Rows(base: table.allRows)

        // Time bounds again in memory: a cached table holds every row.
        rows = try applyTimeBounds(plan, rows, ev)

        for u in plan.unpivots { rows = try unpivot(u, rows, ev) }

        switch shape {
        case .spans:
            if let f = plan.filter { rows = try keep(f, rows, ev) }
            if let sf = plan.spanFilter {
                // FILTER_SPANS in the spans shape: the spans that satisfy it, of traces the rest chose.
                rows = try keep(sf, rows, ev)
            }
            return try finish(plan, rows, ev, tracesCount: false)
        case .traces:
            let selected = try selectTraces(plan.filter, ev)
            let of = table.traceStructure.ofRow
            if plan.isAggregate {
                // Aggregates range over traces: one row each, its root span.
                var isChosenRoot = [Bool](repeating: false, count: table.count)
                for (t, r) in table.traceStructure.roots.enumerated() where selected[t] { isChosenRoot[r] = true }
                rows = rows.select(rows.base.indices.filter { isChosenRoot[rows.base[$0]] })
                return try finish(plan, rows, ev, tracesCount: false)
            }
            rows = rows.select(rows.base.indices.filter { selected[of[rows.base[$0]]] })
            if let sf = plan.spanFilter { rows = try keep(sf, rows, ev) }
            return try finish(plan, rows, ev, tracesCount: true)
        case .summary:
            let selected = try selectTraces(plan.filter, ev)
            let summary = try summaryTable(table, selected: selected, previewLength: plan.previewLength)
            let sev = Evaluator(table: summary, now: now, tzOffsetMinutes: tzOffsetMinutes)
            var srows = Rows(base: summary.allRows)
            if !plan.isAggregate, let h = plan.having {
                srows = try keep(h, srows, sev)
                var p = plan
                p.having = nil
                return try finish(p, srows, sev, tracesCount: false)
            }
            return try finish(plan, srows, sev, tracesCount: false)
        }
    }

    func applyTimeBounds(_ plan: LogicalPlan, _ rows: Rows, _ ev: Evaluator) throws -> Rows {
        guard plan.lowerTime != nil || plan.upperTime != nil else { return rows }
        var lo: Int64 = .min, hi: Int64 = .max
        if let l = plan.lowerTime, let t = try constant(l.value).asTimestamp { lo = l.inclusive ? t : t &+ 1 }
        if let u = plan.upperTime, let t = try constant(u.value).asTimestamp { hi = u.inclusive ? t : t &- 1 }
        if ev.table.isAvailable("created"), let typed = ev.table.timestamps(of: "created") {
            let keep = typed.values.withUnsafeBufferPointer { v in
                typed.isNull.withUnsafeBufferPointer { null in rows.positions { !null[$0] && v[$0] >= lo && v[$0] <= hi } }
            }
            return rows.select(keep)
        }
        let created = try ev.table.column("created")
        return rows.select(rows.base.indices.filter { i in
            guard case .timestamp(let t) = created[rows.base[i]] else { return false }
            return t >= lo && t <= hi
        })
    }

    /// The rows where `cond` is true. AND-ed parts narrow the selection one after another, so each
    /// later part is evaluated only on the rows the earlier ones kept (a selection vector).
    func keep(_ cond: Expr, _ rows: Rows, _ ev: Evaluator) throws -> Rows {
        try ev.narrow(rows, by: cond)
    }

    /// Traces with at least one span satisfying `filter` (every trace without one).
    func selectTraces(_ filter: Expr?, _ ev: Evaluator) throws -> [Bool] {
        guard let filter else { return Array(repeating: true, count: ev.table.traceStructure.roots.count) }
        return try ev.anySpanHits(filter)
    }

    func unpivot(_ u: Unpivot, _ rows: Rows, _ ev: Evaluator) throws -> Rows {
        let source = try ev.evalBatched(u.source, rows)
        var keep: [Int] = [], values: [Datum] = [], keys: [Datum] = []
        for (i, d) in source.enumerated() {
            switch d {
            case .json(.array(let a)):
                for (j, v) in a.enumerated() { keep.append(i); values.append(Datum(v)); keys.append(.int(Int64(j))) }
            case .json(.object(let o)):
                for (k, v) in o { keep.append(i); values.append(Datum(v)); keys.append(.string(k)) }
            default: break  // NULL, empty or a scalar: no rows
            }
        }
        var out = rows.select(keep)
        out.extra[u.valueName] = values
        if u.keyName != "_" { out.extra[u.keyName] = keys }
        return out
    }

    // MARK: - Projection, aggregation, order, limit

    func finish(_ plan: LogicalPlan, _ rows: Rows, _ ev: Evaluator, tracesCount: Bool) throws -> QueryResult {
        var columns: [String]
        var out: [[Datum]]          // column-major: out[c][r]
        var orderKeys: [[Datum]] = []
        var outRows: Rows = rows

        if plan.isAggregate {
            (columns, out, orderKeys) = try aggregate(plan, rows, ev)
        } else {
            if plan.selectStar {
                columns = plan.sourceFields
                out = try columns.map { name in let c = try ev.table.column(name); return rows.base.map { c[$0] } }
                for (name, col) in rows.extra.sorted(by: { $0.key < $1.key }) { columns.append(name); out.append(col) }
            } else {
                columns = plan.items.map(\.name)
                out = try plan.items.map { try ev.evalBatched($0.expr, rows) }
            }
            orderKeys = try plan.orderBy.map { o in
                if case .name(let n, _) = o.expr.kind, let c = columns.firstIndex(of: n), !plan.sourceFields.contains(n) || plan.items.contains(where: { $0.name == n }) {
                    return out[c]
                }
                return try ev.evalBatched(o.expr, rows)
            }
            outRows = rows
        }
        let count = out.first?.count ?? (plan.isAggregate ? 0 : rows.count)
        var order = Array(0..<count)
        if !plan.orderBy.isEmpty {
            let less: (Int, Int) -> Bool = { a, b in
                for (k, o) in plan.orderBy.enumerated() {
                    let x = orderKeys[k][a], y = orderKeys[k][b]
                    if x.isNull || y.isNull {
                        if x.isNull && y.isNull { continue }
                        let nullsFirst = o.nullsFirst ?? false
                        return x.isNull ? nullsFirst : !nullsFirst
                    }
                    let c = Datum.sortCompare(x, y)
                    if c != 0 { return o.descending ? c > 0 : c < 0 }
                }
                return a < b
            }
            // ORDER BY ... LIMIT n keeps only the first offset + n rows: a bounded heap instead of a
            // full sort when that is a small part of the input (the order is total, so results match).
            let cursor = max(0, Int(plan.cursor ?? "0") ?? 0)
            if !tracesCount, let l = plan.limit, cursor + l < count / 8 {
                order = TopK.select(count: count, k: cursor + l, less: less)
            } else {
                order.sort(by: less)
            }
        }
        // LIMIT counts traces in the traces shape when listing spans.
        let offset = max(0, Int(plan.cursor ?? "0") ?? 0)
        var selected: [Int]
        var next: String?
        if tracesCount, plan.limit != nil || offset > 0 {
            let of = ev.table.traceStructure.ofRow
            var seen: [Int: Int] = [:]
            selected = []
            for r in order {
                let t = of[outRows.base[r]]
                let rank = seen[t] ?? { let k = seen.count; seen[t] = k; return k }()
                if rank >= offset && (plan.limit.map { rank - offset < $0 } ?? true) { selected.append(r) }
            }
            if let l = plan.limit, seen.count - offset > l { next = String(offset + l) }
        } else {
            let start = min(offset, order.count)
            let end = plan.limit.map { min(order.count - start, $0) + start } ?? order.count
            selected = Array(order[start..<end])
            if end < order.count && plan.limit != nil { next = String(end) }
        }
        let rowsOut = selected.map { r in out.map { $0[r] } }
        return QueryResult(columns: columns, rows: rowsOut, nextCursor: next)
    }

    /// Hash aggregation: groups by the GROUP BY keys, evaluates each aggregate call per group, then the
    /// select items, HAVING and ORDER BY over one representative row per group.
    func aggregate(_ plan: LogicalPlan, _ rows: Rows, _ ev: Evaluator) throws -> ([String], [[Datum]], [[Datum]]) {
        var groupOf = [Int](repeating: 0, count: rows.count)
        var representative: [Int] = []
        // One or two keys that are dictionary-encoded columns: groups from the codes, no hashing of values.
        let encodings = plan.groupBy.count <= 2 ? try plan.groupBy.map { try ev.encoded($0, rows) } : []
        let keys: [[Datum]]
        if !encodings.isEmpty, encodings.allSatisfy({ $0 != nil }), encodings.reduce(1, { $0 * $1!.values.count }) <= 1 << 22 {
            keys = []
            let e0 = encodings[0]!, e1 = encodings.count > 1 ? encodings[1] : nil
            let width = e1?.values.count ?? 1
            var groupOfCode = [Int32](repeating: -1, count: e0.values.count * width)
            e0.codes.withUnsafeBufferPointer { c0 in
                let c1 = e1?.codes ?? []
                c1.withUnsafeBufferPointer { c1 in
                    for (i, r) in rows.base.enumerated() {
                        let code = Int(c0[r]) * width + (c1.isEmpty ? 0 : Int(c1[r]))
                        var g = groupOfCode[code]
                        if g < 0 { g = Int32(representative.count); groupOfCode[code] = g; representative.append(i) }
                        groupOf[i] = Int(g)
                    }
                }
            }
        } else {
            keys = try plan.groupBy.map { try ev.evalBatched($0, rows) }
        }
        if plan.groupBy.isEmpty {
            representative = rows.count > 0 ? [0] : []
            if rows.count == 0 { representative = [] }
        } else if !keys.isEmpty {
            // One and two keys (the usual cases) hash the values themselves, not a key array per row.
            func assign<K: Hashable>(_ key: (Int) -> K) {
                var index: [K: Int] = [:]
                for r in 0..<rows.count {
                    let k = key(r)
                    if let g = index[k] { groupOf[r] = g } else {
                        index[k] = representative.count
                        groupOf[r] = representative.count
                        representative.append(r)
                    }
                }
            }
            switch keys.count {
            case 1: let k0 = keys[0]; assign { k0[$0] }
            case 2: let k0 = keys[0], k1 = keys[1]; assign { KeyPair(a: k0[$0], b: k1[$0]) }
            default: assign { r in keys.map { $0[r] } }
            }
        }
        let groups = plan.groupBy.isEmpty ? 1 : representative.count
        // Every aggregate call in items, HAVING and ORDER BY, computed per group.
        var calls: [Expr] = []
        func collect(_ e: Expr) {
            try? e.visit { node, inside in
                if !inside, case .call(let f, _, _) = node.kind, Functions.info(f)?.isAggregate == true, !calls.contains(node) { calls.append(node) }
            }
        }
        plan.items.forEach { collect($0.expr) }
        plan.having.map(collect)
        plan.orderBy.forEach { collect($0.expr) }
        ev.aggregates = [:]
        var results: [Expr: [Datum]] = [:]
        for call in calls {
            results[call] = try Aggregates.compute(call, rows, groupOf: groupOf, groups: groups, ev)
        }
        ev.aggregates = results
        // A query with no GROUP BY over no rows still has one group (count(*) = 0).
        var repRows: Rows
        if plan.groupBy.isEmpty && representative.isEmpty {
            repRows = Rows(base: ev.table.count > 0 ? [0] : [], extra: [:])
            if ev.table.count == 0 {
                // Nothing to stand for the group: non-aggregate parts evaluate to NULL.
                let columns = plan.items.map(\.name)
                let out = try plan.items.map { item -> [Datum] in
                    if let v = ev.aggregates[item.expr] { return v }
                    return item.expr.containsAggregate ? try ev.evalWithNulls(item.expr) : [.null]
                }
                return (columns, out, try plan.orderBy.map { _ in [Datum.null] })
            }
            if rows.count == 0 { repRows = Rows(base: [0], extra: rows.extra.mapValues { _ in [.null] }) }
        } else {
            repRows = rows.select(representative)
        }
        var out = try plan.items.map { try ev.eval($0.expr, repRows) }
        let columns = plan.items.map(\.name)
        var orderKeys = try plan.orderBy.map { o -> [Datum] in
            if case .name(let n, _) = o.expr.kind, let c = columns.firstIndex(of: n) { return out[c] }
            return try ev.eval(o.expr, repRows)
        }
        if let h = plan.having {
            let v = try ev.eval(h, repRows)
            let keep = v.indices.filter { v[$0] == .bool(true) }
            out = out.map { col in keep.map { col[$0] } }
            orderKeys = orderKeys.map { col in keep.map { col[$0] } }
        }
        ev.aggregates = [:]
        return (columns, out, orderKeys)
    }

    // MARK: - Summary rows

    /// One row per selected trace: root fields, previews, summed metrics, averaged scores.
    func summaryTable(_ t: Table, selected: [Bool], previewLength: Int) throws -> Table {
        let (of, roots, ids) = t.traces
        let traceRows = roots.indices.filter { selected[$0] }
        var members = [[Int]](repeating: [], count: roots.count)
        for r in 0..<t.count where selected[of[r]] { members[of[r]].append(r) }
        func col(_ name: String) throws -> [Datum] { try t.column(name) }
        let created = try col("created"), metrics = try col("metrics"), attrs = try col("span_attributes"),
            errors = try col("error"), scores = try col("scores")
        func preview(_ d: Datum) -> Datum {
            guard !d.isNull else { return .null }
            let s = d.text
            return .string(s.count > previewLength ? String(s.prefix(previewLength)) + "..." : s)
        }
        var columns: [String: [Datum]] = [:]
        let count = traceRows.count
        columns["id"] = traceRows.map { .string(ids[$0]) }
        columns["root_span_id"] = columns["id"]
        columns["span_id"] = columns["id"]
        columns["is_root"] = Array(repeating: .bool(true), count: count)
        columns["created"] = traceRows.map { created[roots[$0]] }
        for f in ["input", "output", "expected", "error", "metadata"] {
            let c = try col(f)
            columns[f] = traceRows.map { preview(c[roots[$0]]) }
        }
        for f in ["facets", "classifications", "tags", "project_id", "span_parents"] {
            let c = try col(f)
            columns[f] = traceRows.map { c[roots[$0]] }
        }
        columns["span_attributes"] = traceRows.map { attrs[roots[$0]] }
        var metricRows: [Datum] = [], scoreRows: [Datum] = []
        for tr in traceRows {
            var sums: [String: Double] = ["prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "llm_calls": 0, "tool_calls": 0, "errors": 0, "llm_errors": 0, "tool_errors": 0]
            var start = Double.infinity, end = -Double.infinity
            var scoreSum: [String: (Double, Int)] = [:]
            var scoreNames: [String] = []
            for r in members[tr] {
                let m = metrics[r].value, type = attrs[r].value["type"]?.stringValue
                for k in ["prompt_tokens", "completion_tokens", "total_tokens"] { sums[k]! += m[k]?.doubleValue ?? 0 }
                if m["total_tokens"] == nil, let p = m["prompt_tokens"]?.doubleValue { sums["total_tokens"]! += p + (m["completion_tokens"]?.doubleValue ?? 0) }
                if let s = m["start"]?.doubleValue { start = min(start, s) }
                if let e = m["end"]?.doubleValue { end = max(end, e) }
                let failed = !errors[r].isNull
                if type == "llm" { sums["llm_calls"]! += 1; if failed { sums["llm_errors"]! += 1 } }
                if type == "tool" { sums["tool_calls"]! += 1; if failed { sums["tool_errors"]! += 1 } }
                if failed { sums["errors"]! += 1 }
                if case .json(.object(let o)) = scores[r] {
                    for (k, v) in o {
                        if scoreSum[k] == nil { scoreNames.append(k) }
                        if let d = v.doubleValue { let (s, n) = scoreSum[k] ?? (0, 0); scoreSum[k] = (s + d, n + 1) } else if scoreSum[k] == nil { scoreSum[k] = (0, 0) }
                    }
                }
            }
            var mo = JSONObject()
            for k in ["prompt_tokens", "completion_tokens", "total_tokens", "llm_calls", "tool_calls", "errors", "llm_errors", "tool_errors"] { mo[k] = .int(Int64(sums[k]!)) }
            if start.isFinite { mo["start"] = .double(start) }
            if end.isFinite { mo["end"] = .double(end) }
            if start.isFinite && end.isFinite { mo["duration"] = .double(end - start) }
            metricRows.append(.json(.object(mo)))
            var so = JSONObject()
            for k in scoreNames { let (s, n) = scoreSum[k]!; so[k] = n > 0 ? .double(s / Double(n)) : .null }
            scoreRows.append(so.isEmpty ? .null : .json(.object(so)))
        }
        columns["metrics"] = metricRows
        columns["scores"] = scoreRows
        return Table(columns: columns, count: count)
    }
}

extension Evaluator {
    /// An aggregate-bearing expression over an empty input with no group rows: aggregates from the
    /// precomputed results, everything else NULL.
    func evalWithNulls(_ e: Expr) throws -> [Datum] {
        let empty = Table(columns: Dictionary(uniqueKeysWithValues: SpanFields.all.map { ($0, [Datum.null]) }), count: 1)
        let ev = Evaluator(table: empty, now: now, tzOffsetMinutes: tzOffsetMinutes)
        ev.aggregates = aggregates
        return try ev.eval(e, Rows(base: [0]))
    }
}

/// A two-part group key.
struct KeyPair: Hashable {
    var a: Datum
    var b: Datum
}

/// The first k of 0..<count in the order `less` gives (a total order), sorted: a max-heap of size k.
public enum TopK {
    public static func select(count: Int, k: Int, less: (Int, Int) -> Bool) -> [Int] {
        guard k > 0 else { return [] }
        var heap: [Int] = []
        heap.reserveCapacity(k)
        func siftUp(_ i0: Int) {
            var i = i0
            while i > 0 {
                let p = (i - 1) / 2
                if less(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { break }
            }
        }
        func siftDown(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[m], heap[l]) { m = l }
                if r < heap.count && less(heap[m], heap[r]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for x in 0..<count {
            if heap.count < k { heap.append(x); siftUp(heap.count - 1) }
            else if less(x, heap[0]) { heap[0] = x; siftDown(0) }
        }
        return heap.sorted(by: less)
    }
}
