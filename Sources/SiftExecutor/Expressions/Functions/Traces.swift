// Functions over a span's whole trace: ANY_SPAN(cond) is true on every span of a trace with a span
// where cond holds. FILTER_SPANS is not a function but a clause (it must stand alone in WHERE).

import Foundation
import SiftModel
import SiftQuery

enum TraceFunctions {
    static let all: [String: ScalarFunction] = ["any_span": anySpan, "filter_spans": filterSpans]

    static func anySpan(_ c: FunctionCall) throws -> [Datum] {
        let hits = try c.ev.anySpanHits(c.args[0])
        let traces = c.ev.table.traceStructure.ofRow
        return c.rows.base.map { .bool(hits[traces[$0]]) }
    }

    static func filterSpans(_ c: FunctionCall) throws -> [Datum] {
        throw ExecutionError("FILTER_SPANS() must stand alone in WHERE", at: c.range)
    }
}

extension Evaluator {
    /// For each trace, whether any of its spans satisfies `cond` (computed over the whole table once).
    func anySpanHits(_ cond: Expr) throws -> [Bool] {
        if let h = anySpan[cond] { return h }
        let rows = try narrow(Rows(base: table.allRows), by: cond)
        var hits = [Bool](repeating: false, count: table.traceStructure.roots.count)
        let of = table.traceStructure.ofRow
        for r in rows.base { hits[of[r]] = true }
        anySpan[cond] = hits
        return hits
    }
}
