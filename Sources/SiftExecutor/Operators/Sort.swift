// Sort: ORDER BY with NULLs last (unless NULLS FIRST) and ties broken by input position, so the order
// is total; with a small LIMIT, a bounded heap of offset + n rows (TopK) instead of a full sort.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    /// Positions 0..<count in ORDER BY order (input order without ORDER BY).
    func sortOrder(_ plan: LogicalPlan, count: Int, keys orderKeys: [[Datum]], tracesCount: Bool) -> [Int] {
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
        return order
    }
}
