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
        var memberRows: [Int] = []
        for r in 0..<t.count where selected[of[r]] { members[of[r]].append(r); memberRows.append(r) }
        // Values at the rows a summary reads (the selected traces' spans, or their roots), without
        // decoding whole columns that are still in their kept bytes: a selective filter then reads
        // only its traces' text.
        func values(_ name: String, at rows: [Int]) throws -> [Datum] {
            if rows.count < t.count / 2, let few = t.gatherParts(name, rows) { return few }
            let c = try t.column(name)
            return rows.map { c[$0] }
        }
        // Per member row (indexed by position in memberRows).
        var memberIndex = [Int](repeating: -1, count: t.count)
        for (i, r) in memberRows.enumerated() { memberIndex[r] = i }
        let rootRows = traceRows.map { roots[$0] }
        // Metrics, span types and errors from typed path columns when the table has them (column
        // chunks): no JSON is parsed per span. Otherwise from the parsed objects.
        let fast = SummaryInputs(t)
        let created = try values("created", at: memberRows), scores = try values("scores", at: memberRows)
        let metrics = fast == nil ? try values("metrics", at: memberRows) : [],
            attrs = fast == nil ? try values("span_attributes", at: memberRows) : [],
            errors = fast == nil ? try values("error", at: memberRows) : []
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
        columns["created"] = rootRows.map { created[memberIndex[$0]] }
        if fast == nil { columns["span_attributes"] = rootRows.map { attrs[memberIndex[$0]] } }
        var metricRows: [Datum] = [], scoreRows: [Datum] = []
        // Spans with prompt_tokens but a NULL total_tokens: whether the key is absent (then prompt plus
        // completion stand in) or JSON null is read from their metrics objects, all in one pass.
        var totalAbsent = Set<Int>()
        if let f = fast {
            let check = memberRows.filter { f.total($0) == nil && f.prompt($0) != nil }
            if !check.isEmpty {
                let objects = try values("metrics", at: check)
                for (row, m) in zip(check, objects) where m.value["total_tokens"] == nil { totalAbsent.insert(row) }
            }
        }
        for tr in traceRows {
            var sums: [String: Double] = ["prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "llm_calls": 0, "tool_calls": 0, "errors": 0, "llm_errors": 0, "tool_errors": 0]
            var start = Double.infinity, end = -Double.infinity
            var scoreSum: [String: (Double, Int)] = [:]
            var scoreNames: [String] = []
            for row in members[tr] {
                let r = memberIndex[row]
                let type: String?, failed: Bool
                if let f = fast {
                    let p = f.prompt(row), c = f.completion(row), total = f.total(row)
                    sums["prompt_tokens"]! += p ?? 0
                    sums["completion_tokens"]! += c ?? 0
                    sums["total_tokens"]! += total ?? 0
                    // total_tokens absent (not null) and prompt_tokens present: their sum stands in.
                    if total == nil, let p, totalAbsent.contains(row) { sums["total_tokens"]! += p + (c ?? 0) }
                    if let s = f.start(row) { start = min(start, s) }
                    if let e = f.end(row) { end = max(end, e) }
                    type = f.type(row)
                    failed = !f.errorIsNull[row]
                } else {
                    let m = metrics[r].value
                    type = attrs[r].value["type"]?.stringValue
                    for k in ["prompt_tokens", "completion_tokens", "total_tokens"] { sums[k]! += m[k]?.doubleValue ?? 0 }
                    if m["total_tokens"] == nil, let p = m["prompt_tokens"]?.doubleValue { sums["total_tokens"]! += p + (m["completion_tokens"]?.doubleValue ?? 0) }
                    if let s = m["start"]?.doubleValue { start = min(start, s) }
                    if let e = m["end"]?.doubleValue { end = max(end, e) }
                    failed = !errors[r].isNull
                }
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
        // The roots' previews and other fields are read when the query uses them: most summary
        // queries sort on the sums and show a few fields of a few traces, and a text column of every
        // selected root is the bulk of what a summary would otherwise read.
        let made = columns
        return Table(count: count) { field in
            if let c = made[field] { return c }
            switch field {
            case "input", "output", "expected", "error", "metadata": return try values(field, at: rootRows).map(preview)
            case "facets", "classifications", "tags", "project_id", "span_parents", "span_attributes": return try values(field, at: rootRows)
            default: return Array(repeating: .null, count: count)
            }
        }
    }
}

/// What the summary shape reads of each span, from typed path columns: the five metrics, the span
/// type (as dictionary codes) and whether `error` is NULL. Nil when the table lacks any of them as such
/// (then the summary parses each span's objects).
struct SummaryInputs {
    let prompt, completion, total, start, end: (Int) -> Double?
    let type: (Int) -> String?
    let errorIsNull: [Bool]

    init?(_ t: Table) {
        func number(_ key: String) -> ((Int) -> Double?)? {
            let name = "path:metrics." + key
            guard t.isAvailable(name) else { return nil }
            if let mask = t.nullMask(of: name), !mask.contains(false) { return { _ in nil } }   // all NULL
            guard let typed = t.typed(of: name) else { return nil }
            let isNull = typed.isNull
            switch typed.values {
            case .ints(let v): return { isNull[$0] ? nil : Double(v[$0]) }
            case .doubles(let v): return { isNull[$0] ? nil : v[$0] }
            default: return nil
            }
        }
        guard let p = number("prompt_tokens"), let c = number("completion_tokens"), let tt = number("total_tokens"),
              let s = number("start"), let e = number("end"),
              t.isAvailable("path:span_attributes.type"), let types = t.encoding(of: "path:span_attributes.type"),
              let errors = t.nullMask(of: "error") else { return nil }
        let codes = types.codes, names = types.values.map { d -> String? in if case .string(let s) = d { return s }; return nil }
        prompt = p; completion = c; total = tt; start = s; end = e
        type = { names[Int(codes[$0])] }
        errorIsNull = errors
    }
}
