// Hash aggregation: rows grouped by the GROUP BY keys (from dictionary codes when the keys are
// encoded columns, else by hashing one or two values or a key array), every aggregate call computed
// per group in one pass, then the select items, HAVING and ORDER BY over one row per group.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
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
                if !inside, case .call(let f, _, _, _) = node.kind, Functions.info(f)?.isAggregate == true, !calls.contains(node) { calls.append(node) }
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
