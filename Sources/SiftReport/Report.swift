// The report: one self-contained HTML file (inline CSS, SVG and a little JavaScript; no network) that
// shows a facet's topics: a scatterplot of every trace coloured by topic, a legend with label, share
// and count (click to highlight a topic), daily volume per topic with growing topics flagged, the
// sentiment-by-topic cross-slice, and a section per topic with its description, distinctive terms and
// sample traces rendered readably, so a person can check that the label fits.

import Foundation

public struct ReportPoint: Sendable {
    public var x: Double
    public var y: Double
    /// Index into `topics`, or -1 for unclustered.
    public var topic: Int
    public var trace: String
    public var summary: String
    public init(x: Double, y: Double, topic: Int, trace: String, summary: String) {
        self.x = x; self.y = y; self.topic = topic; self.trace = trace; self.summary = summary
    }
}

public struct ReportSample: Sendable {
    public var trace: String
    public var created: String
    public var summary: String
    /// The thread, one (kind, text) per line; kind is user, assistant, tool, error or retrieval.
    public var lines: [(kind: String, text: String)]
    /// Why the trace is in its topic: quoted evidence, with the span it came from.
    public var evidence: [String]
    public init(trace: String, created: String, summary: String, lines: [(kind: String, text: String)], evidence: [String] = []) {
        self.trace = trace; self.created = created; self.summary = summary; self.lines = lines; self.evidence = evidence
    }
}

public struct ReportTopic: Sendable {
    public var id: String
    public var label: String
    public var description: String
    public var terms: [String]
    public var count: Int
    /// Traces per day, aligned with `ReportData.days`.
    public var daily: [Int]
    /// Why the topic is flagged as growing, or nil.
    public var growing: String?
    public var samples: [ReportSample]
    public var sentiment: [Int]
    /// The parent topic's label, when the facet's topics are grouped.
    public var parent: String?
    public init(id: String, label: String, description: String, terms: [String], count: Int, daily: [Int], growing: String?, samples: [ReportSample], sentiment: [Int],
                parent: String? = nil) {
        self.id = id; self.label = label; self.description = description; self.terms = terms; self.count = count
        self.daily = daily; self.growing = growing; self.samples = samples; self.sentiment = sentiment; self.parent = parent
    }
}

public struct ReportData: Sendable {
    public var project: String
    public var facet: String
    public var generated: String
    public var window: String
    public var traces: Int
    public var days: [String]
    public var topics: [ReportTopic]
    public var points: [ReportPoint]
    /// Points not drawn (the plot samples very large projects).
    public var pointsOmitted: Int
    public var sentimentLabels: [String]
    public init(project: String, facet: String, generated: String, window: String, traces: Int, days: [String], topics: [ReportTopic],
                points: [ReportPoint], pointsOmitted: Int, sentimentLabels: [String]) {
        self.project = project; self.facet = facet; self.generated = generated; self.window = window; self.traces = traces
        self.days = days; self.topics = topics; self.points = points; self.pointsOmitted = pointsOmitted; self.sentimentLabels = sentimentLabels
    }
}

/// Where the report's traces and topics link to, when it is a page of `sift serve` rather than a file.
public struct ReportLinks: Sendable {
    /// HTML shown above the title (navigation); the caller escapes what it puts there.
    public var nav: String
    public var trace: @Sendable (String) -> String
    public var topic: @Sendable (String) -> String
    public init(nav: String, trace: @escaping @Sendable (String) -> String, topic: @escaping @Sendable (String) -> String) {
        self.nav = nav; self.trace = trace; self.topic = topic
    }
}

public enum Report {
    /// Colours for topics (a qualitative palette), grey for unclustered.
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
                          "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#aec7e8", "#ffbb78"]

    static func color(_ i: Int) -> String { i < 0 ? "#c8c8c8" : palette[i % palette.count] }

    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func pct(_ n: Int, _ total: Int) -> String { String(format: "%.1f%%", total > 0 ? 100 * Double(n) / Double(total) : 0) }

    public static func html(_ d: ReportData, links: ReportLinks? = nil) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sift report: \(escape(d.project)) / \(escape(d.facet))</title>
            <style>
            body{font:14px/1.45 -apple-system,system-ui,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
            header{padding:18px 28px;background:#1d2733;color:#fff}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#b8c4d0}
            main{padding:18px 28px;max-width:1280px}
            section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:16px 20px;margin:0 0 18px}
            h2{font-size:16px;margin:0 0 10px}h3{font-size:15px;margin:0 0 6px}
            .plot{display:flex;gap:18px;flex-wrap:wrap}.plot svg{background:#fff;border:1px solid #eee;border-radius:6px}
            .legend{flex:1;min-width:320px;max-height:560px;overflow:auto}
            .legend div{display:flex;align-items:center;gap:8px;padding:3px 6px;border-radius:4px;cursor:pointer}
            .legend div:hover,.legend div.on{background:#eef3f8}.legend .sw{width:12px;height:12px;border-radius:50%;flex:none}
            .legend .n{margin-left:auto;color:#666;font-variant-numeric:tabular-nums;white-space:nowrap}
            circle{stroke:none}svg.dim circle{opacity:.08}svg.dim circle.hl{opacity:1}
            table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:right}
            td:first-child,th:first-child{text-align:left}th{font-weight:600;background:#f5f5f5}
            .flag{display:inline-block;background:#fde2e1;color:#a4262c;border-radius:10px;padding:0 8px;font-size:12px;margin-left:6px}
            .terms{color:#555}.terms span{display:inline-block;background:#f0f0f0;border-radius:4px;padding:0 6px;margin:2px 4px 2px 0}
            .sample{border-left:3px solid #ddd;margin:10px 0;padding:4px 10px;background:#fcfcfc}
            .sample .meta{color:#666;font-size:12px}.line{white-space:pre-wrap;word-break:break-word;font-size:13px}
            .evidence{color:#8a4b00;background:#fff6e5}.user{color:#1d4f91}.assistant{color:#222}.tool{color:#555;font-family:ui-monospace,monospace;font-size:12px}
            .error{color:#b3261e;font-family:ui-monospace,monospace;font-size:12px}.retrieval{color:#6b4e16;font-family:ui-monospace,monospace;font-size:12px}
            #tip{position:fixed;pointer-events:none;background:#1d2733;color:#fff;padding:6px 9px;border-radius:5px;font-size:12px;max-width:420px;display:none;z-index:9}
            .spark rect{fill:#9fb6cf}.spark rect.recent{fill:#4e79a7}
            nav a{color:#b8c4d0;margin-right:14px;text-decoration:none}nav a:hover{color:#fff}.legend a.open{font-size:12px;color:#4e79a7;margin-left:6px}
            svg#scatter{cursor:crosshair}
            </style></head><body>
            <header>\(links?.nav ?? "")<h1>Sift: \(escape(d.facet)) topics in \(escape(d.project))</h1>
            <p>\(d.traces) traces · \(d.topics.count) topics · \(escape(d.window)) · generated \(escape(d.generated))</p></header>
            <main>

            """
        // Scatterplot + legend.
        let w = 640.0, hgt = 520.0, pad = 16.0
        let xs = d.points.map(\.x), ys = d.points.map(\.y)
        let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        func sx(_ x: Double) -> Double { pad + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (w - 2 * pad) }
        func sy(_ y: Double) -> Double { pad + (y1 > y0 ? (y1 - y) / (y1 - y0) : 0.5) * (hgt - 2 * pad) }
        h += "<section><h2>Every trace, coloured by topic</h2>\n"
        h += "<p>The dense centre is common behaviour; small isolated groups are worth opening. Hover a point for its summary; click a topic to highlight it; scroll to zoom, drag to pan, double-click to reset\(links != nil ? "; click a point to open its trace" : "").</p>\n"
        h += "<div class=\"plot\"><svg id=\"scatter\" width=\"\(Int(w))\" height=\"\(Int(hgt))\" viewBox=\"0 0 \(Int(w)) \(Int(hgt))\" role=\"img\" aria-label=\"scatterplot of traces\">\n"
        // Larger topics first, so small groups draw on top and stay visible.
        let order = d.points.indices.sorted { (d.points[$0].topic < 0 ? -1 : d.topics[d.points[$0].topic].count, $0) > (d.points[$1].topic < 0 ? -1 : d.topics[d.points[$1].topic].count, $1) }
        for i in order {
            let p = d.points[i]
            h += "<circle cx=\"\(String(format: "%.1f", sx(p.x)))\" cy=\"\(String(format: "%.1f", sy(p.y)))\" r=\"3\" fill=\"\(color(p.topic))\" data-t=\"\(p.topic)\" data-s=\"\(escape(p.summary.count > 200 ? String(p.summary.prefix(200)) + "…" : p.summary))\" data-id=\"\(escape(p.trace))\"\(links.map { " data-href=\"\(escape($0.trace(p.trace)))\"" } ?? "")></circle>\n"
        }
        h += "</svg>\n<div class=\"legend\" id=\"legend\">\n"
        for (i, t) in d.topics.enumerated() {
            h += "<div data-t=\"\(i)\"><span class=\"sw\" style=\"background:\(color(i))\"></span><span>\(escape(t.label))\(t.growing != nil ? "<span class=\"flag\">growing</span>" : "")</span><span class=\"n\">\(pct(t.count, d.traces)) · \(t.count)\(links.map { "<a class=\"open\" href=\"\(escape($0.topic(t.id)))\">traces</a>" } ?? "")</span></div>\n"
        }
        let unclustered = d.points.filter { $0.topic < 0 }.count
        if unclustered > 0 { h += "<div data-t=\"-1\"><span class=\"sw\" style=\"background:\(color(-1))\"></span><span>unclustered (no_match)</span><span class=\"n\">\(unclustered)</span></div>\n" }
        h += "</div></div>\n"
        if d.pointsOmitted > 0 { h += "<p class=\"terms\">Showing \(d.points.count) of \(d.points.count + d.pointsOmitted) traces (a seeded sample that keeps every point of small topics).</p>\n" }
        h += "</section>\n"

        // Two levels: parent topics with their topics, largest first.
        var parentOrder: [String] = []
        var children: [String: [Int]] = [:]
        for (i, t) in d.topics.enumerated() {
            guard let p = t.parent else { continue }
            if children[p] == nil { parentOrder.append(p) }
            children[p, default: []].append(i)
        }
        if !parentOrder.isEmpty {
            let total = { (p: String) in children[p]!.reduce(0) { $0 + d.topics[$1].count } }
            parentOrder.sort { total($0) > total($1) || (total($0) == total($1) && $0 < $1) }
            h += "<section id=\"parents\"><h2>Topics in two levels</h2>\n<table><tr><th>parent topic</th><th>traces</th><th>share</th><th style=\"text-align:left\">topics</th></tr>\n"
            for p in parentOrder {
                let kids = children[p]!.map { i in "<a href=\"#topic-\(i)\">\(escape(d.topics[i].label))</a> (\(d.topics[i].count))" }.joined(separator: " · ")
                h += "<tr><td>\(escape(p))</td><td>\(total(p))</td><td>\(pct(total(p), d.traces))</td><td style=\"text-align:left\">\(kids)</td></tr>\n"
            }
            h += "</table></section>\n"
        }

        // Volume over time.
        h += "<section><h2>Daily volume per topic</h2>\n<table><tr><th>topic</th><th>traces</th><th>share</th><th style=\"text-align:left\">\(escape(d.days.first ?? "")) … \(escape(d.days.last ?? ""))</th><th style=\"text-align:left\">trend</th></tr>\n"
        for (i, t) in d.topics.enumerated() {
            let maxDay = max(1, t.daily.max() ?? 1)
            let bw = 8.0, sh = 24.0
            var spark = "<svg class=\"spark\" width=\"\(Int(Double(t.daily.count) * bw))\" height=\"\(Int(sh))\">"
            for (j, n) in t.daily.enumerated() {
                let bh = max(n > 0 ? 1 : 0, Double(n) / Double(maxDay) * sh)
                spark += "<rect\(j >= t.daily.count - 3 ? " class=\"recent\"" : "") x=\"\(Int(Double(j) * bw))\" y=\"\(String(format: "%.1f", sh - bh))\" width=\"\(Int(bw - 1))\" height=\"\(String(format: "%.1f", bh))\"><title>\(escape(d.days[j])): \(n)</title></rect>"
            }
            spark += "</svg>"
            h += "<tr><td><span class=\"sw\" style=\"display:inline-block;width:10px;height:10px;border-radius:50%;background:\(color(i))\"></span> <a href=\"#topic-\(i)\">\(escape(t.label))</a></td><td>\(t.count)</td><td>\(pct(t.count, d.traces))</td><td style=\"text-align:left\">\(spark)</td><td style=\"text-align:left\">\(t.growing.map { "<span class=\"flag\">\(escape($0))</span>" } ?? "")</td></tr>\n"
        }
        h += "</table></section>\n"

        // Sentiment cross-slice.
        if !d.sentimentLabels.isEmpty {
            h += "<section><h2>User sentiment by topic</h2>\n<table><tr><th>topic</th>"
            for s in d.sentimentLabels { h += "<th>\(escape(s))</th>" }
            h += "<th>negative or frustrated</th></tr>\n"
            for t in d.topics {
                let total = max(1, t.sentiment.reduce(0, +))
                h += "<tr><td>\(escape(t.label))</td>"
                for n in t.sentiment {
                    let a = Double(n) / Double(total)
                    h += "<td style=\"background:rgba(78,121,167,\(String(format: "%.2f", a * 0.6)))\">\(n)</td>"
                }
                let bad = d.sentimentLabels.enumerated().filter { $0.element == "NEGATIVE" || $0.element == "FRUSTRATED" }.reduce(0) { $0 + t.sentiment[$1.offset] }
                h += "<td>\(pct(bad, total))</td></tr>\n"
            }
            h += "</table></section>\n"
        }

        // One section per topic.
        for (i, t) in d.topics.enumerated() {
            h += "<section id=\"topic-\(i)\"><h3><span class=\"sw\" style=\"display:inline-block;width:12px;height:12px;border-radius:50%;background:\(color(i))\"></span> \(escape(t.label)) <span class=\"terms\">[\(escape(t.id))]\(t.parent.map { " in " + escape($0) + "," } ?? "") \(t.count) traces, \(pct(t.count, d.traces))</span>\(t.growing.map { "<span class=\"flag\">\(escape($0))</span>" } ?? "")</h3>\n"
            if !t.description.isEmpty { h += "<p>\(escape(t.description))</p>\n" }
            if !t.terms.isEmpty { h += "<p class=\"terms\">Distinctive terms: " + t.terms.map { "<span>\(escape($0))</span>" }.joined() + "</p>\n" }
            for s in t.samples {
                let traceRef = links.map { "<a href=\"\(escape($0.trace(s.trace)))\">\(escape(s.trace))</a>" } ?? escape(s.trace)
                h += "<div class=\"sample\"><div class=\"meta\">trace \(traceRef) · \(escape(s.created)) · \(escape(s.summary))</div>\n"
                for e in s.evidence { h += "<div class=\"line evidence\">why: \(escape(e))</div>\n" }
                for l in s.lines { h += "<div class=\"line \(escape(l.kind))\">\(escape(l.text))</div>\n" }
                h += "</div>\n"
            }
            h += "</section>\n"
        }
        h += """
            </main><div id="tip"></div>
            <script>
            (function(){
              var errs=[];window.addEventListener('error',function(e){errs.push(String(e.message));document.body.setAttribute('data-errors',errs.join(' | '));});
              var svg=document.getElementById('scatter'),tip=document.getElementById('tip'),legend=document.getElementById('legend'),current=null;
              svg.addEventListener('mousemove',function(e){var c=e.target;if(c.tagName!=='circle'){tip.style.display='none';return;}
                tip.textContent=c.getAttribute('data-s')+'  ('+c.getAttribute('data-id').slice(0,12)+')';tip.style.display='block';
                tip.style.left=(e.clientX+14)+'px';tip.style.top=(e.clientY+10)+'px';});
              svg.addEventListener('mouseleave',function(){tip.style.display='none';});
              function highlight(t){var rows=legend.querySelectorAll('div');current=(current===t)?null:t;
                svg.classList.toggle('dim',current!==null);
                var cs=svg.querySelectorAll('circle');for(var i=0;i<cs.length;i++){cs[i].classList.toggle('hl',cs[i].getAttribute('data-t')===current);}
                for(var j=0;j<rows.length;j++){rows[j].classList.toggle('on',rows[j].getAttribute('data-t')===current);}}
              legend.addEventListener('click',function(e){if(e.target.tagName==='A')return;var d=e.target.closest('div[data-t]');if(d)highlight(d.getAttribute('data-t'));});
              var W=svg.viewBox.baseVal.width,H=svg.viewBox.baseVal.height,vb=[0,0,W,H],drag=null,moved=false;
              function setVB(){svg.setAttribute('viewBox',vb.join(' '));document.body.setAttribute('data-zoom',(W/vb[2]).toFixed(2));}
              svg.addEventListener('wheel',function(e){e.preventDefault();var r=svg.getBoundingClientRect();
                var px=vb[0]+(e.clientX-r.left)/r.width*vb[2],py=vb[1]+(e.clientY-r.top)/r.height*vb[3];
                var k=e.deltaY<0?0.8:1.25;var w=Math.min(W,Math.max(W/40,vb[2]*k)),h=w*H/W;
                vb=[px-(px-vb[0])*w/vb[2],py-(py-vb[1])*h/vb[3],w,h];setVB();},{passive:false});
              svg.addEventListener('mousedown',function(e){drag=[e.clientX,e.clientY,vb[0],vb[1]];moved=false;});
              window.addEventListener('mousemove',function(e){if(!drag)return;var r=svg.getBoundingClientRect();
                var dx=(e.clientX-drag[0])/r.width*vb[2],dy=(e.clientY-drag[1])/r.height*vb[3];if(Math.abs(dx)+Math.abs(dy)>1)moved=true;
                vb[0]=drag[2]-dx;vb[1]=drag[3]-dy;setVB();});
              window.addEventListener('mouseup',function(){drag=null;});
              svg.addEventListener('dblclick',function(){vb=[0,0,W,H];setVB();});
              svg.addEventListener('click',function(e){var c=e.target;if(moved||c.tagName!=='circle')return;var href=c.getAttribute('data-href');
                if(href){window.location.href=href;}else{highlight(c.getAttribute('data-t'));}});
              document.body.setAttribute('data-topics',String(legend.querySelectorAll('div[data-t]:not([data-t="-1"])').length));
              document.body.setAttribute('data-points',String(svg.querySelectorAll('circle').length));
              if(!errs.length)document.body.setAttribute('data-status','ok');
            })();
            </script>
            </body></html>

            """
        return h
    }
}
