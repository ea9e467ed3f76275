// Projection: the select items evaluated over the rows (or every source field for SELECT *, plus
// unpivoted columns), and the ORDER BY keys, reusing a select item's values where ORDER BY names it.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    /// Columns, values (column-major: out[c][r]) and ORDER BY keys of a query without aggregates.
    func project(_ plan: LogicalPlan, _ rows: Rows, _ ev: Evaluator) throws -> ([String], [[Datum]], [[Datum]]) {
        let columns: [String]
        var out: [[Datum]]
        if plan.selectStar {
            var names = plan.sourceFields
            out = try names.map { name in let c = try ev.table.column(name); return rows.base.map { c[$0] } }
            for (name, col) in rows.extra.sorted(by: { $0.key < $1.key }) { names.append(name); out.append(col) }
            columns = names
        } else {
            columns = plan.items.map(\.name)
            out = try plan.items.map { try ev.evalBatched($0.expr, rows) }
        }
        let orderKeys = try plan.orderBy.map { o in
            if case .name(let n, _) = o.expr.kind, let c = columns.firstIndex(of: n), !plan.sourceFields.contains(n) || plan.items.contains(where: { $0.name == n }) {
                return out[c]
            }
            return try ev.evalBatched(o.expr, rows)
        }
        return (columns, out, orderKeys)
    }
}
