// The app's working pages: the query editor (with positioned errors, a results table and a chart), the
// review queues and datasets (the only pages that write, each form carrying the CSRF token), and the
// pipeline's status.

import Foundation
import SiftActions
import SiftEngine
import SiftExecutor
import SiftModel
import SiftQuery
import SiftStore

extension WebApp {
    // MARK: - Query

    struct QueryOutcome {
        var result: QueryResult?
        var error: String?
        var line: Int?
        var column: Int?
        var seconds = 0.0
    }

    func runQuery(_ project: String, _ q: String) -> QueryOutcome {
        var options = QueryOptions()
        options.project = project
        let t0 = Date()
        do {
            let result = try server.reading { _, session in try session.run(q, options: options) }
            return QueryOutcome(result: result, seconds: Date().timeIntervalSince(t0))
        } catch let e as QueryError {
            let (line, column) = Self.position(of: e.diagnostic.range.start, in: e.text)
            return QueryOutcome(error: e.description, line: line, column: column)
        } catch {
            return QueryOutcome(error: "\(error)")
        }
    }

    /// 1-based line and character column of a byte offset.
    static func position(of offset: Int, in text: String) -> (Int, Int) {
        let bytes = Array(text.utf8)
        let o = min(max(offset, 0), bytes.count)
        var lineStart = 0, line = 1
        for i in 0..<o where bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
        return (line, String(decoding: bytes[lineStart..<o], as: UTF8.self).count + 1)
    }

    func queryPage(_ p: String, _ q: String?) -> HTTPResponse {
        let esc = Self.esc
        let example = "SELECT classifications.Issues[0].label AS issue, count(1) AS traces\nFROM project_logs('\(p.replacingOccurrences(of: "'", with: "''"))', shape => 'traces')\nGROUP BY issue ORDER BY traces DESC"
        let text = q ?? example
        var b = """
            <section><form method="get" action="\(esc(Self.projectURL(p)))/query">
            <textarea name="q" id="q" rows="8" spellcheck="false">\(esc(text))</textarea>
            <p><button type="submit" id="run">Run</button> <span class="muted">SQL, pipe (<code>select: … | filter: …</code>) or a bare filter (<code>error IS NOT NULL</code>) over this project. Ctrl+Enter runs.</span></p>
            </form></section>
            <script>document.getElementById('q').addEventListener('keydown',function(e){if(e.key==='Enter'&&(e.ctrlKey||e.metaKey)){e.preventDefault();this.form.submit();}});</script>
            """
        if let q, !q.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let out = runQuery(p, q)
            if let error = out.error {
                b += "<section id=\"query-error\" data-line=\"\(out.line ?? 0)\" data-column=\"\(out.column ?? 0)\"><h2 class=\"error\">Error\(out.line.map { " at line \($0), column \(out.column ?? 0)" } ?? "")</h2><pre class=\"error\">\(esc(error))</pre></section>"
            } else if let r = out.result {
                b += chart(r)
                b += "<section><h2>\(r.rows.count) row\(r.rows.count == 1 ? "" : "s") <span class=\"muted\">in \(String(format: "%.0f", out.seconds * 1000)) ms</span></h2><table class=\"cells\" id=\"results\"><tr>"
                for c in r.columns { b += "<th>\(esc(c))</th>" }
                b += "</tr>"
                for row in r.rows.prefix(1000) {
                    b += "<tr>"
                    for (i, d) in row.enumerated() {
                        var t = d.text
                        if t.count > 300 { t = String(t.prefix(300)) + "…" }
                        // Trace ids link to their trace.
                        let col = i < r.columns.count ? r.columns[i] : ""
                        if ["id", "root_span_id", "trace_id"].contains(col), case .string(let id) = d {
                            b += "<td><a href=\"\(esc(Self.traceURL(p, id)))\">\(esc(t))</a></td>"
                        } else {
                            b += "<td\(d.number != nil ? " class=\"n\"" : "")>\(esc(t))</td>"
                        }
                    }
                    b += "</tr>"
                }
                b += "</table>\(r.rows.count > 1000 ? "<p class=\"muted\">first 1,000 rows shown</p>" : "")</section>"
            }
        }
        return Self.page(title: "Query \(p)", project: p, body: b)
    }

    /// A bar chart when the result has a time or category column and a numeric one: the first of each,
    /// at most 60 bars (time in order, categories as returned).
    func chart(_ r: QueryResult) -> String {
        guard r.rows.count >= 2, r.columns.count >= 2 else { return "" }
        func isTime(_ c: Int) -> Bool { r.rows.allSatisfy { if case .timestamp = $0[c] { return true }; return $0[c].isNull } }
        func isNumber(_ c: Int) -> Bool { r.rows.allSatisfy { $0[c].number != nil || $0[c].isNull } && r.rows.contains { $0[c].number != nil } }
        func isCategory(_ c: Int) -> Bool { r.rows.allSatisfy { if case .string = $0[c] { return true }; return $0[c].isNull } }
        let cols = Array(0..<r.columns.count)
        guard let key = cols.first(where: { isTime($0) }) ?? cols.first(where: { isCategory($0) }),
              let value = cols.first(where: { $0 != key && isNumber($0) && !isTime($0) }) else { return "" }
        var points = r.rows.map { (label: $0[key].text, time: $0[key].asTimestamp, v: $0[value].number ?? 0) }
        if isTime(key) { points.sort { ($0.time ?? 0) < ($1.time ?? 0) } }
        points = Array(points.prefix(60))
        let maxV = max(points.map(\.v).max() ?? 1, 1e-9)
        let w = 900.0, h = 220.0, barW = w / Double(points.count)
        var s = "<section><h2>\(Self.esc(r.columns[value])) by \(Self.esc(r.columns[key]))</h2><svg id=\"chart\" width=\"\(Int(w))\" height=\"\(Int(h + 20))\" role=\"img\">"
        for (i, pt) in points.enumerated() {
            let bh = max(pt.v > 0 ? 1 : 0, pt.v / maxV * h)
            s += "<rect x=\"\(String(format: "%.1f", Double(i) * barW + 1))\" y=\"\(String(format: "%.1f", h - bh))\" width=\"\(String(format: "%.1f", max(1, barW - 2)))\" height=\"\(String(format: "%.1f", bh))\" fill=\"#4e79a7\"><title>\(Self.esc(pt.label)): \(Self.esc(Datum.double(pt.v).text))</title></rect>"
        }
        s += "<text x=\"0\" y=\"\(Int(h + 15))\" font-size=\"11\" fill=\"#666\">\(Self.esc(points.first?.label ?? ""))</text>"
        s += "<text x=\"\(Int(w))\" y=\"\(Int(h + 15))\" font-size=\"11\" fill=\"#666\" text-anchor=\"end\">\(Self.esc(points.last?.label ?? ""))</text></svg></section>"
        return s
    }

    func queryJSON(_ req: HTTPRequest) -> HTTPResponse {
        guard let q = req.query["q"] else { return .text(400, "give the query as ?q=\n") }
        let project = req.query["project"] ?? ((try? server.reading { ws, _ in try ws.projectNames() })?.first ?? "default")
        let out = runQuery(project, q)
        var o = JSONObject()
        if let e = out.error {
            o["error"] = .object(["message": .string(e), "line": out.line.map { .int(Int64($0)) } ?? .null, "column": out.column.map { .int(Int64($0)) } ?? .null])
            return HTTPResponse(status: 400, contentType: "application/json", body: Array(JSONWriter.string(.object(o)).utf8))
        }
        let r = out.result!
        o["columns"] = .array(r.columns.map(Value.string))
        o["rows"] = .array(r.rows.map { .array($0.map(\.value)) })
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(JSONWriter.string(.object(o)).utf8))
    }

    // MARK: - Review queues and datasets

    func reviewPage(_ p: String, message: String?) throws -> HTTPResponse {
        let esc = Self.esc
        let (items, datasets) = try server.reading { ws, _ in
            (try Reviews(store: ws.store).items(includeDone: true).filter { $0.project == p }, try Datasets(store: ws.store).list())
        }
        var b = message.map { "<section><p>\(esc($0))</p></section>" } ?? ""
        b += "<section><h2>Assign traces for review</h2>"
        b += form(Self.projectURL(p) + "/review/assign", """
            <input name="reviewer" placeholder="reviewer" required> <input name="filter" size="60" placeholder="filter, e.g. classifications.Issues[0].label = 'Tool retried'" required>
            <input name="cap" size="5" placeholder="cap" value="20"> 
            """, button: "Assign")
        b += "</section><section><h2>Queue</h2>"
        if items.isEmpty { b += "<p class=\"muted\">Nothing assigned yet.</p>" }
        else {
            b += "<table id=\"queue\"><tr><th>#</th><th>reviewer</th><th>trace</th><th>topic</th><th>status</th><th>verdict</th></tr>"
            for it in items {
                let action = Self.projectURL(p) + "/review/\(it.id)"
                let verdictCell = it.status == "done"
                    ? esc([it.verdict, it.newLabel, it.comment].compactMap { $0 }.joined(separator: " · "))
                    : form(action, "<select name=\"verdict\"><option>confirm</option><option>reject</option><option>relabel</option></select> <input name=\"label\" size=\"14\" placeholder=\"new label\"> <input name=\"comment\" size=\"18\" placeholder=\"comment\"> ", button: "Record")
                b += "<tr data-item=\"\(it.id)\"><td>\(it.id)</td><td>\(esc(it.reviewer))</td><td><a href=\"\(esc(Self.traceURL(p, it.trace)))\">\(esc(String(it.trace.prefix(16))))</a></td><td>\(esc(it.topicLabel ?? ""))</td><td>\(esc(it.status))</td><td>\(verdictCell)</td></tr>"
            }
            b += "</table>"
        }
        b += "</section><section><h2>Datasets</h2>"
        if !datasets.isEmpty {
            b += "<table id=\"datasets\"><tr><th>dataset</th><th>records</th><th>description</th></tr>"
            for d in datasets { b += "<tr><td>\(esc(d.name))</td><td class=\"n\">\(d.records)</td><td>\(esc(d.description ?? ""))</td></tr>" }
            b += "</table>"
        }
        b += "<p>Promote the traces a filter matches (confirmed reviews, a topic) to a dataset:</p>"
        b += form(Self.projectURL(p) + "/datasets", """
            <input name="name" placeholder="dataset" required> <input name="filter" size="60" placeholder="filter, e.g. classifications.Issues[0].metadata.review.verdict = 'confirm'" required> 
            """, button: "Promote")
        b += "</section>"
        return Self.page(title: "Review · \(p)", project: p, body: b)
    }

    func assign(_ p: String, _ form: [String: String]) throws -> HTTPResponse {
        let cap = form["cap"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        do {
            let r = try server.reading { ws, _ in
                try Reviews(store: ws.store).assign(reviewer: form["reviewer"] ?? "", project: p, filter: form["filter"] ?? "", cap: cap)
            }
            return .redirect(Self.projectURL(p) + "/review?done=" + Self.urlComponent("assigned \(r.assigned) traces (\(r.existing) already queued, \(r.matched) matched)"))
        } catch {
            return .redirect(Self.projectURL(p) + "/review?done=" + Self.urlComponent("not assigned: \(error)"))
        }
    }

    func verdict(_ p: String, id: String, _ form: [String: String]) throws -> HTTPResponse {
        guard let n = Int64(id) else { throw NotFound(message: "no review item \(id)") }
        do {
            let label = form["label"].flatMap { $0.isEmpty ? nil : $0 }
            let comment = form["comment"].flatMap { $0.isEmpty ? nil : $0 }
            _ = try server.reading { ws, session in
                defer { session.invalidate() }
                return try Reviews(store: ws.store).done(n, verdict: form["verdict"] ?? "", label: label, comment: comment)
            }
            return .redirect(Self.projectURL(p) + "/review?done=" + Self.urlComponent("recorded item \(n)"))
        } catch {
            return .redirect(Self.projectURL(p) + "/review?done=" + Self.urlComponent("not recorded: \(error)"))
        }
    }

    func promote(_ p: String, _ form: [String: String]) throws -> HTTPResponse {
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let r = try server.reading { ws, _ -> (added: Int, existing: Int) in
                let ds = Datasets(store: ws.store)
                if try !ds.list().contains(where: { $0.name == name }) { try ds.create(name) }
                return try ds.add(name, project: p, filter: form["filter"] ?? "")
            }
            return .redirect(Self.projectURL(p) + "/review?done=" + Self.urlComponent("added \(r.added) traces to \(name) (\(r.existing) already there)"))
        } catch {
            return .redirect(Self.projectURL(p) + "/review?done=" + Self.urlComponent("not promoted: \(error)"))
        }
    }

    // MARK: - Status

    func status() -> HTTPResponse {
        let esc = Self.esc
        let w = server.writer.snapshot
        let l = server.live.snapshot
        func ago(_ d: Date?) -> String { d.map { String(format: "%.0f s ago", Date().timeIntervalSince($0)) } ?? "never" }
        var b = "<section><h2>Ingest</h2><table id=\"ingest\">"
        b += "<tr><th>OTLP endpoint</th><td><code>POST http://\(esc(server.options.host)):\(server.port)/v1/traces</code> (protobuf or JSON, gzip)</td></tr>"
        b += "<tr><th>requests committed</th><td>\(w.requests)</td></tr><tr><th>spans committed</th><td>\(w.spans)</td></tr>"
        b += "<tr><th>spans rejected</th><td>\(w.rejectedSpans)</td></tr><tr><th>transactions</th><td>\(w.batches)</td></tr>"
        b += "<tr><th>spans waiting to be written</th><td>\(w.pendingSpans)</td></tr><tr><th>last commit</th><td>\(ago(w.lastCommit))</td></tr>"
        if let e = w.lastError { b += "<tr><th>last write error</th><td class=\"error\">\(esc(e))</td></tr>" }
        b += "</table></section><section><h2>Topics pipeline</h2><table id=\"pipeline\">"
        b += "<tr><th>state</th><td>\(esc(l.state))</td></tr>"
        b += "<tr><th>spans arrived since the last classification</th><td>\(l.pendingSpans.values.reduce(0, +))</td></tr>"
        b += "<tr><th>last classification</th><td>\(ago(l.lastClassify)) (\(l.lastClassified) traces; \(l.classifiedTotal) since start)</td></tr>"
        b += "<tr><th>last re-clustering</th><td>\(ago(l.lastRecluster))</td></tr>"
        b += "<tr><th>next re-clustering</th><td>\(l.nextRecluster.map { String(format: "in %.0f s", $0.timeIntervalSinceNow) } ?? "on demand (sift serve --recluster-every 24h schedules it)")</td></tr>"
        b += "</table>"
        if !l.errors.isEmpty {
            b += "<h2>Errors</h2><ul>" + l.errors.reversed().map { "<li class=\"error\">\(esc(String(format: "%.0f s ago", Date().timeIntervalSince($0.when)))): \(esc($0.message))</li>" }.joined() + "</ul>"
        }
        b += "</section>"
        let runs = (try? server.reading { ws, _ in try ws.projectNames().map { ($0, (try? ws.topicRuns(project: $0, limit: 3)) ?? []) } }) ?? []
        if runs.contains(where: { !$0.1.isEmpty }) {
            b += "<section><h2>Topic runs</h2><table><tr><th>project</th><th>run</th><th>status</th><th>started</th></tr>"
            for (p, list) in runs {
                for r in list { b += "<tr><td>\(esc(p))</td><td>\(r.id)</td><td>\(esc(r.status))</td><td>\(Self.when(r.started))</td></tr>" }
            }
            b += "</table></section>"
        }
        return Self.page(title: "Status", subtitle: "up \(Int(Date().timeIntervalSince(server.started))) s", body: b, refresh: 5)
    }

    func statusJSON() -> HTTPResponse {
        let w = server.writer.snapshot
        let l = server.live.snapshot
        let o: JSONObject = [
            "ingest": .object(["requests": .int(Int64(w.requests)), "spans": .int(Int64(w.spans)), "rejected_spans": .int(Int64(w.rejectedSpans)),
                               "transactions": .int(Int64(w.batches)), "pending_spans": .int(Int64(w.pendingSpans)),
                               "last_error": w.lastError.map(Value.string) ?? .null]),
            "topics": .object(["state": .string(l.state), "pending_spans": .int(Int64(l.pendingSpans.values.reduce(0, +))),
                               "classified_total": .int(Int64(l.classifiedTotal)),
                               "last_classify": l.lastClassify.map { .double($0.timeIntervalSince1970) } ?? .null,
                               "last_recluster": l.lastRecluster.map { .double($0.timeIntervalSince1970) } ?? .null,
                               "next_recluster": l.nextRecluster.map { .double($0.timeIntervalSince1970) } ?? .null,
                               "errors": .array(l.errors.map { .string($0.message) })]),
        ]
        return HTTPResponse(status: 200, contentType: "application/json", body: Array(JSONWriter.string(.object(o)).utf8))
    }
}
