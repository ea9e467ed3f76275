// Limit: OFFSET (a number, or the cursor a previous page returned) and LIMIT over the sorted
// positions, counting traces rather than spans when the traces shape lists spans.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    /// The positions of this page, and the cursor of the next one (nil on the last page).
    func limit(_ plan: LogicalPlan, order: [Int], rows: Rows, _ ev: Evaluator, tracesCount: Bool) -> (selected: [Int], next: String?) {
        // LIMIT counts traces in the traces shape when listing spans.
        let offset = max(0, Int(plan.cursor ?? "0") ?? 0)
        var selected: [Int]
        var next: String?
        if tracesCount, plan.limit != nil || offset > 0 {
            let of = ev.table.traceStructure.ofRow
            var seen: [Int: Int] = [:]
            selected = []
            for r in order {
                let t = of[rows.base[r]]
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
        return (selected, next)
    }
}
