// The traces shape: a trace is chosen when any of its spans matches the filter; its spans are listed
// (FILTER_SPANS narrows them) and LIMIT counts traces, or aggregates range over one root row per trace.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    func tracesShape(_ plan: LogicalPlan, _ rows: Rows, _ ev: Evaluator) throws -> QueryResult {
        var rows = rows
        let table = ev.table
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
    }
}
