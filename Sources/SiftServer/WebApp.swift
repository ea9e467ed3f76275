// The web app `sift serve` shows: server-rendered pages with a little JavaScript, built into the binary.
// Every URL is stable and linkable:
//   /                                       projects with trace counts and time range
//   /projects/<p>                           a project: its facets, recent traces, links
//   /projects/<p>/topics/<facet>            scatterplot, legend, trends, sentiment cross-slice
//   /projects/<p>/topics/<facet>/<topic>    the traces of one topic
//   /projects/<p>/traces/<trace id>         the trace as a tree, with facets, topics, evidence, scores
//   /projects/<p>/query?q=...               the dialect: editor, positioned errors, table, chart
//   /projects/<p>/review                    review queues and datasets: assign, verdicts, promote
//   /status                                 ingest and topics pipeline state
//   /api/query, /api/status                 the same as JSON
// Every piece of trace content goes through `esc` (text and attributes) or `scriptJSON` (inline JSON).

import Foundation
import SiftActions
import SiftEngine
import SiftExecutor
import SiftModel
import SiftReport
import SiftStore

struct WebApp {
    struct NotFound: Error { var message: String }

    let server: SiftServer

    static func esc(_ s: String) -> String { Report.escape(s) }

    /// A path component, percent-encoded.
    static func urlComponent(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func projectURL(_ p: String) -> String { "/projects/" + urlComponent(p) }
    static func traceURL(_ p: String, _ id: String) -> String { projectURL(p) + "/traces/" + urlComponent(id) }
    static func topicsURL(_ p: String, _ facet: String) -> String { projectURL(p) + "/topics/" + urlComponent(facet) }
    static func queryURL(_ p: String, _ q: String) -> String { projectURL(p) + "/query?q=" + urlComponent(q) }

    /// Only local paths are followed after a login.
    static func safeNext(_ next: String?) -> String {
        // Browsers drop tabs and newlines from URLs ("/\t/evil" is "//evil"): no whitespace or controls at all.
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"), !n.contains("\\"),
              !n.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0.properties.isWhitespace }) else { return "/" }
        return n
    }

    // MARK: - Routing

    func route(_ req: HTTPRequest) throws -> HTTPResponse {
        let parts = req.rawPath.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        switch (req.method, parts.count) {
        case ("GET", 0): return try index()
        case ("GET", 1) where parts[0] == "status": return status()
        case ("GET", 1) where parts[0] == "login": return .redirect("/")
        case ("GET", 2) where parts == ["api", "status"]: return statusJSON()
        case ("GET", 2) where parts == ["api", "query"]: return queryJSON(req)
        case ("GET", 1) where parts[0] == "favicon.ico": return HTTPResponse(status: 204, contentType: "image/x-icon", body: [])
        default: break
        }
        guard parts.count >= 2, parts[0] == "projects" else { throw NotFound(message: "no page at \(req.path)") }
        let project = parts[1]
        let rest = Array(parts.dropFirst(2))
        let known = try server.reading { ws, _ in try ws.projectNames() }
        guard known.contains(project) else { throw NotFound(message: "no project named '\(project)'") }
        switch (req.method, rest.count) {
        case ("GET", 0): return try projectPage(project)
        case ("GET", 2) where rest[0] == "topics": return try topicsPage(project, facet: rest[1])
        case ("GET", 3) where rest[0] == "topics": return try topicTraces(project, facet: rest[1], topic: rest[2])
        case ("GET", 2) where rest[0] == "traces": return try tracePage(project, id: rest[1])
        case ("GET", 1) where rest[0] == "query": return queryPage(project, req.query["q"])
        case ("GET", 1) where rest[0] == "review": return try reviewPage(project, message: req.query["done"])
        case ("POST", 2) where rest == ["review", "assign"]: return try assign(project, req.form)
        case ("POST", 2) where rest[0] == "review": return try verdict(project, id: rest[1], req.form)
        case ("POST", 1) where rest[0] == "datasets": return try promote(project, req.form)
        case ("POST", 1) where rest[0] == "recluster":
            server.live.requestRecluster(project)
            return .redirect("/status")
        default: throw NotFound(message: "no page at \(req.path)")
        }
    }

    // MARK: - Layout

    static let css = """
        body{font:14px/1.45 -apple-system,system-ui,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
        header{padding:14px 28px;background:#1d2733;color:#fff}header h1{margin:4px 0 0;font-size:19px}header p{margin:4px 0 0;color:#b8c4d0}
        nav a{color:#b8c4d0;margin-right:14px;text-decoration:none}nav a:hover{color:#fff}
        main{padding:18px 28px;max-width:1280px}
        section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:14px 18px;margin:0 0 16px}
        h2{font-size:16px;margin:0 0 10px}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        th{font-weight:600;background:#f5f5f5}td.n{text-align:right}
        a{color:#2b5d8f}pre,code,textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
        pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;background:#f7f7f7;padding:6px 8px;border-radius:4px;max-height:420px;overflow:auto}
        textarea{width:100%;box-sizing:border-box;padding:8px}
        .error{color:#b3261e}.muted{color:#777}.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;background:#eef3f8;margin-right:4px}
        .tag.llm{background:#e8f0fe}.tag.tool{background:#eef7ea}.tag.task{background:#f3ecf9}.tag.err{background:#fde2e1;color:#a4262c}
        .span{border-left:2px solid #dde3ea;margin:6px 0 6px 0;padding:2px 0 2px 12px}
        .msg{margin:3px 0}.msg b{display:inline-block;min-width:72px;color:#555}
        .cells td{max-width:480px;overflow:hidden;text-overflow:ellipsis}
        form.inline{display:inline}button{cursor:pointer}
        """

    static func nav(_ project: String? = nil) -> String {
        var n = "<nav><a href=\"/\">Sift</a><a href=\"/status\">Status</a>"
        if let p = project {
            n += "<a href=\"\(esc(projectURL(p)))\">\(esc(p))</a><a href=\"\(esc(topicsURL(p, "Issues")))\">Issues</a>"
            n += "<a href=\"\(esc(topicsURL(p, "Task")))\">Tasks</a><a href=\"\(esc(projectURL(p)))/query\">Query</a><a href=\"\(esc(projectURL(p)))/review\">Review</a>"
        }
        return n + "</nav>"
    }

    static func page(status: Int = 200, title: String, project: String? = nil, subtitle: String = "", body: String, refresh: Int? = nil) -> HTTPResponse {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            \(refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
            <title>\(esc(title)) · Sift</title><style>\(css)</style></head><body>
            <header>\(nav(project))<h1>\(esc(title))</h1>\(subtitle.isEmpty ? "" : "<p>\(subtitle)</p>")</header>
            <main>
            \(body)
            </main>
            <script>
            (function(){var errs=[];window.addEventListener('error',function(e){errs.push(String(e.message));document.body.setAttribute('data-errors',errs.join(' | '));});
            if(!errs.length)document.body.setAttribute('data-status','ok');})();
            </script>
            </body></html>
            """
        return .html(status, html, headers: securityHeaders)
    }

    static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
    ]

    static func login(next: String, failed: Bool) -> HTTPResponse {
        page(status: failed ? 401 : 200, title: "Sign in", body: """
            <section><form method="post" action="/login">\(failed ? "<p class=\"error\">That token is not this server's.</p>" : "")
            <p>This server needs its token (the <code>SIFT_TOKEN</code> it was started with).</p>
            <input type="hidden" name="next" value="\(esc(safeNext(next)))">
            <input type="password" name="token" size="48" autofocus> <button type="submit">Sign in</button></form></section>
            """)
    }

    func form(_ action: String, _ fields: String, button: String) -> String {
        "<form class=\"inline\" method=\"post\" action=\"\(Self.esc(action))\"><input type=\"hidden\" name=\"csrf\" value=\"\(server.csrf)\">\(fields)<button type=\"submit\">\(Self.esc(button))</button></form>"
    }

    static func when(_ t: Timestamp?) -> String { t.map { String($0.iso8601.prefix(19)).replacingOccurrences(of: "T", with: " ") } ?? "-" }

    // MARK: - Pages

    func index() throws -> HTTPResponse {
        let projects = try server.reading { ws, _ in try ws.projects() }
        var b = "<section><h2>Projects</h2>"
        if projects.isEmpty {
            b += "<p>No traces yet. Point an OpenTelemetry exporter at <code>http://\(Self.esc(server.options.host)):\(server.port)/v1/traces</code>, or run <code>sift ingest FILE --db \(Self.esc(server.options.path))</code>.</p>"
        } else {
            b += "<table><tr><th>project</th><th>traces</th><th>spans</th><th>first</th><th>last</th><th></th></tr>"
            for p in projects {
                let u = Self.projectURL(p.name)
                b += "<tr><td><a href=\"\(Self.esc(u))\">\(Self.esc(p.name))</a></td><td class=\"n\">\(p.traces)</td><td class=\"n\">\(p.spans)</td><td>\(Self.when(p.first))</td><td>\(Self.when(p.last))</td>"
                b += "<td><a href=\"\(Self.esc(Self.topicsURL(p.name, "Issues")))\">issues</a> · <a href=\"\(Self.esc(u))/query\">query</a> · <a href=\"\(Self.esc(u))/review\">review</a></td></tr>"
            }
            b += "</table>"
        }
        b += "</section>"
        return Self.page(title: "Projects", subtitle: "store \(Self.esc(server.options.path))", body: b)
    }

    func projectPage(_ p: String) throws -> HTTPResponse {
        let (facets, recent, topics) = try server.reading { ws, _ in
            (try ws.facetCounts(project: p), try ws.recentTraces(project: p, limit: 50), try ws.topics(project: p))
        }
        var b = "<section><h2>Facets and topics</h2>"
        if facets.isEmpty {
            b += "<p>No facets yet: topics appear once the project has 100 traces (or run <code>sift topics run --project \(Self.esc(p))</code>).</p>"
        } else {
            b += "<table><tr><th>facet</th><th>traces summarised</th><th>topics</th></tr>"
            for f in facets {
                let n = topics.filter { $0.facet == f.name && $0.status.isLive }.count
                b += "<tr><td><a href=\"\(Self.esc(Self.topicsURL(p, f.name)))\">\(Self.esc(f.name))</a></td><td class=\"n\">\(f.traces)</td><td class=\"n\">\(n)</td></tr>"
            }
            b += "</table>"
        }
        b += " " + form(Self.projectURL(p) + "/recluster", "", button: "Re-cluster now") + "</section>"
        b += "<section><h2>Recent traces</h2>" + traceTable(p, recent.map { ($0.id, $0.created, $0.name, $0.input, $0.spans, $0.errors) }) + "</section>"
        return Self.page(title: p, project: p, body: b)
    }

    func traceTable(_ p: String, _ rows: [(id: String, created: Timestamp, name: String?, input: String?, spans: Int, errors: Int)]) -> String {
        var b = "<table class=\"cells\"><tr><th>trace</th><th>started</th><th>name</th><th>input</th><th>spans</th><th>errors</th></tr>"
        for r in rows {
            let input = r.input.map { $0.count > 140 ? String($0.prefix(140)) + "…" : $0 } ?? ""
            b += "<tr><td><a href=\"\(Self.esc(Self.traceURL(p, r.id)))\">\(Self.esc(String(r.id.prefix(16))))</a></td><td>\(Self.when(r.created))</td><td>\(Self.esc(r.name ?? ""))</td><td>\(Self.esc(input))</td><td class=\"n\">\(r.spans)</td><td class=\"n\">\(r.errors)</td></tr>"
        }
        return b + "</table>"
    }

    func topicsPage(_ p: String, facet: String) throws -> HTTPResponse {
        let data = try? server.reading { ws, _ in try ReportBuilder.build(store: ws.store, project: p, facet: facet) }
        guard let data, !data.topics.isEmpty else {
            return Self.page(title: "\(facet) topics in \(p)", project: p, body: "<section><p>No \(Self.esc(facet)) topics yet in this project. They appear once it has 100 traces; " + form(Self.projectURL(p) + "/recluster", "", button: "Cluster now") + "</p></section>")
        }
        let links = ReportLinks(nav: Self.nav(p), trace: { Self.traceURL(p, $0) }, topic: { Self.topicsURL(p, facet) + "/" + Self.urlComponent($0) })
        return .html(200, Report.html(data, links: links), headers: Self.securityHeaders)
    }

    func topicTraces(_ p: String, facet: String, topic: String) throws -> HTTPResponse {
        let (topics, cls, summaries) = try server.reading { ws, _ in
            (try ws.topics(project: p, facet: facet), try ws.classifications(project: p, facet: facet), try ws.facetValues(project: p, facet: facet))
        }
        guard let t = topics.first(where: { $0.id == topic }) else { throw NotFound(message: "no \(facet) topic '\(topic)' in \(p)") }
        let members = cls.filter { $0.topic == topic }.sorted { ($0.confidence ?? 0) > ($1.confidence ?? 0) }
        var b = "<section><p>\(Self.esc(t.description ?? ""))</p>"
        if !t.terms.isEmpty { b += "<p class=\"muted\">Distinctive terms: \(Self.esc(t.terms.joined(separator: ", ")))</p>" }
        let q = "SELECT id, created, input FROM project_logs('\(p.replacingOccurrences(of: "'", with: "''"))', shape => 'traces') WHERE classifications.\(facet)[0].id = '\(topic.replacingOccurrences(of: "'", with: "''"))' ORDER BY created DESC LIMIT 100"
        b += "<p><a href=\"\(Self.esc(Self.queryURL(p, q)))\">open as a query</a> · <a href=\"\(Self.esc(Self.topicsURL(p, facet)))\">all \(Self.esc(facet)) topics</a></p></section>"
        b += "<section><h2>\(members.count) traces</h2><table class=\"cells\"><tr><th>trace</th><th>confidence</th><th>summary</th></tr>"
        for m in members.prefix(500) {
            b += "<tr><td><a href=\"\(Self.esc(Self.traceURL(p, m.trace)))\">\(Self.esc(String(m.trace.prefix(16))))</a></td><td class=\"n\">\(m.confidence.map { String(format: "%.2f", $0) } ?? "")</td><td>\(Self.esc(summaries[m.trace] ?? ""))</td></tr>"
        }
        b += "</table>\(members.count > 500 ? "<p class=\"muted\">first 500 shown</p>" : "")</section>"
        return Self.page(title: t.label, project: p, subtitle: "\(Self.esc(facet)) topic \(Self.esc(t.id)) · \(members.count) traces", body: b)
    }

    // MARK: - A trace

    func tracePage(_ p: String, id: String) throws -> HTTPResponse {
        let (trace, evidence) = try server.reading { ws, _ -> (Trace, [String: [(issue: String, quote: String, span: String?)]]) in
            let trace: Trace
            do { trace = try ws.trace(id: id, project: p) } catch { throw NotFound(message: "no trace '\(id)' in \(p)") }
            var ev: [String: [(issue: String, quote: String, span: String?)]] = [:]
            for facet in trace.root.classifications.map(\.key) {
                let e = try ws.evidence(project: p, facet: facet, trace: trace.id)
                if !e.isEmpty { ev[facet] = e }
            }
            return (trace, ev)
        }
        let root = trace.root
        var b = "<section><h2>Summary</h2><table>"
        b += "<tr><th>started</th><td>\(Self.when(root.created))</td></tr><tr><th>spans</th><td>\(trace.spans.count)</td></tr>"
        b += "<tr><th>duration</th><td>\(Self.esc(TraceFormatter.duration(trace.duration)))</td></tr>"
        if let t = trace.totalTokens { b += "<tr><th>tokens</th><td>\(t)</td></tr>" }
        b += "<tr><th>errors</th><td>\(trace.errorCount)</td></tr>"
        for (facet, value) in root.facets {
            b += "<tr><th>\(Self.esc(facet))</th><td>\(Self.esc(value.stringValue ?? JSONWriter.string(value)))</td></tr>"
        }
        b += "</table></section>"
        if !root.classifications.isEmpty {
            b += "<section><h2>Topics</h2><table><tr><th>facet</th><th>topic</th><th>confidence</th><th>evidence</th></tr>"
            for (facet, list) in root.classifications {
                for c in list.arrayValue ?? [] {
                    let label = c["label"]?.stringValue ?? "?"
                    let topic = c["id"]?.stringValue
                    let link = topic.map { "<a href=\"\(Self.esc(Self.topicsURL(p, facet) + "/" + Self.urlComponent($0)))\">\(Self.esc(label))</a>" } ?? Self.esc(label)
                    let ev = (evidence[facet] ?? []).map { "<div>\(Self.esc($0.issue)): “\(Self.esc($0.quote))”\($0.span.map { " <span class=\"muted\">(span \(Self.esc(String($0.prefix(12)))))</span>" } ?? "")</div>" }.joined()
                    b += "<tr><td>\(Self.esc(facet))</td><td>\(link)</td><td>\(c["confidence"]?.doubleValue.map { String(format: "%.2f", $0) } ?? "")</td><td>\(ev)</td></tr>"
                }
            }
            b += "</table></section>"
        }
        let scored = trace.spans.filter { !$0.scores.isEmpty }
        if !scored.isEmpty {
            b += "<section><h2>Scores</h2><table><tr><th>span</th><th>score</th><th>value</th></tr>"
            for s in scored {
                for (k, v) in s.scores { b += "<tr><td>\(Self.esc(s.name ?? s.spanID))</td><td>\(Self.esc(k))</td><td>\(Self.esc(JSONWriter.string(v)))</td></tr>" }
            }
            b += "</table></section>"
        }
        b += "<section><h2>Spans</h2><div id=\"tree\">"
        var depthStack: [Int] = []
        for (depth, i) in trace.walk() {
            while let last = depthStack.last, last >= depth { b += "</div>"; depthStack.removeLast() }
            b += spanBlock(trace.spans[i])
            depthStack.append(depth)
        }
        b += String(repeating: "</div>", count: depthStack.count) + "</div></section>"
        let title = TraceFormatter.opening(root.input, limit: 90)
        return Self.page(title: title.isEmpty ? "trace \(trace.id)" : title, project: p, subtitle: "trace \(Self.esc(trace.id))", body: b)
    }

    /// A span's block, left open: its children are written inside it.
    func spanBlock(_ s: Span) -> String {
        let type = s.type ?? "span"
        var b = "<div class=\"span\" data-span=\"\(Self.esc(s.spanID))\"><div><span class=\"tag \(Self.esc(type))\">\(Self.esc(type))</span><b>\(Self.esc(s.name ?? s.spanID))</b>"
        b += " <span class=\"muted\">\(Self.esc(TraceFormatter.duration(s.duration)))\(s.totalTokens.map { " · \($0) tokens" } ?? "")</span>"
        if !s.error.isNull { b += " <span class=\"tag err\">error</span>" }
        b += "</div>"
        if !s.input.isNull { b += "<div class=\"io\"><span class=\"muted\">input</span>" + Self.content(s.input) + "</div>" }
        if !s.output.isNull { b += "<div class=\"io\"><span class=\"muted\">output</span>" + Self.content(s.output) + "</div>" }
        if !s.error.isNull { b += "<div class=\"error\"><pre>\(Self.esc(Self.pretty(s.error)))</pre></div>" }
        if !s.metadata.isEmpty { b += "<details><summary class=\"muted\">metadata</summary><pre>\(Self.esc(Self.pretty(.object(s.metadata))))</pre></details>" }
        return b
    }

    /// Chat messages as role and text (tool calls named), anything else as indented JSON.
    static func content(_ v: Value) -> String {
        let messages: [Value]
        if case .array(let a) = v, !a.isEmpty, a.allSatisfy({ $0["role"] != nil }) { messages = a }
        else if case .object(let o) = v, o["role"] != nil { messages = [v] }
        else if case .string(let s) = v { return "<pre>\(esc(s))</pre>" }
        else { return "<pre>\(esc(pretty(v)))</pre>" }
        var b = ""
        for m in messages {
            let role = m["role"]?.stringValue ?? "?"
            var text = ""
            if let c = m["content"], !c.isNull { text = c.stringValue ?? pretty(c) }
            for call in m["tool_calls"]?.arrayValue ?? [] {
                let f = call["function"] ?? call
                text += (text.isEmpty ? "" : "\n") + "→ \(f["name"]?.stringValue ?? "?")(\(f["arguments"]?.stringValue ?? JSONWriter.string(f["arguments"] ?? .null)))"
            }
            b += "<div class=\"msg\"><b>\(esc(role))</b><pre style=\"display:inline-block;vertical-align:top;margin:0;max-width:90%\">\(esc(text))</pre></div>"
        }
        return b
    }

    /// Indented JSON.
    static func pretty(_ v: Value, indent: String = "") -> String {
        switch v {
        case .array(let a) where !a.isEmpty:
            let inner = indent + "  "
            return "[\n" + a.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let o) where !o.isEmpty:
            let inner = indent + "  "
            return "{\n" + o.map { inner + JSONText.quote($0.key) + ": " + pretty($0.value, indent: inner) }.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return JSONWriter.string(v)
        }
    }
}
