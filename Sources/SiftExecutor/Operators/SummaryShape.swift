// The summary shape: one row per chosen trace, with the root's fields, previews of its text fields,
// metrics summed over its spans and scores averaged over them; HAVING filters these rows.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    func summaryShape(_ plan: LogicalPlan, _ ev: Evaluator) throws -> QueryResult {
        let table = ev.table
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
