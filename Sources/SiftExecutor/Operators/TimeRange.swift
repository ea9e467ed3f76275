// The time range the planner pushed down (lowerTime/upperTime on `created`), applied again in memory:
// a table kept between queries holds every row, not only the range's.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
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

}
