// The topic tables `sift topics run|list|show` print: topics with share, trend and status, and one
// topic with its terms and sample traces.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftTopics
import SiftReport

/// Shared renderings of topics for the CLI (and the demo).
enum TopicsOutput {
    static func runSummary(_ r: TopicsRunReport) -> String {
        var lines = [String(format: "Topics for '%@': %@ traces in %.1fs (load %.1fs, summarise %.1fs, write %.1fs)",
                            r.project, grouped(r.traces), r.totalSeconds, r.loadSeconds, r.summarizeSeconds, r.writeSeconds)]
        lines.append("")
        let rows = r.facets.map { f -> [String] in
            [f.facet, f.labelled ? "labels" : "clusters", grouped(f.summaries), grouped(f.distinct), "\(f.topics)",
             f.labelled ? "-" : grouped(f.unclustered), f.labelled ? "-" : "\(f.newTopics)/\(f.keptTopics)/\(f.retired)/\(f.merged)",
             f.labelled ? "-" : String(format: "%.2fs", f.times.embed + f.times.cluster + f.times.label + f.times.classify + f.times.project)]
        }
        lines.append(table(["facet", "kind", "summaries", "distinct", "topics", "unclustered", "new/kept/retired/merged", "cluster time"], rows, rightAligned: [2, 3, 4, 5, 7]))
        return lines.joined(separator: "\n")
    }

    static func facetsWithTopics(_ ws: Workspace, project: String, only: String?) throws -> [String] {
        var names: [String] = []
        for t in try ws.topics(project: project) where !names.contains(t.facet) { names.append(t.facet) }
        if let only {
            guard let f = names.first(where: { $0.lowercased() == only.lowercased() }) else {
                throw ValidationError("no topics for facet '\(only)' in '\(project)'" + (names.isEmpty ? "" : " (facets with topics: \(names.joined(separator: ", ")))"))
            }
            return [f]
        }
        let order = ["Issues", "Task", "Sentiment"]
        return names.sorted { (order.firstIndex(of: $0) ?? 9, $0) < (order.firstIndex(of: $1) ?? 9, $1) }
    }

    /// Per topic: traces in the last 3 days and before (for the trend arrow).
    static func trend(_ recent: Int, _ recentTotal: Int, _ before: Int, _ beforeTotal: Int) -> String {
        guard recentTotal > 0, beforeTotal > 0 else { return " " }
        let a = Double(recent) / Double(recentTotal), b = Double(before) / Double(beforeTotal)
        // Too few traces to say anything.
        if recent + before < 10 { return "·" }
        if a >= b * 1.5 && recent >= 5 { return "↑" }
        if a <= b / 1.5 && before >= 5 { return "↓" }
        return "→"
    }

    static func topicTable(_ ws: Workspace, project: String, facet: String, limit: Int?, includeRetired: Bool = false, tree: Bool = false) throws -> String {
        let topics = try ws.topics(project: project, facet: facet).filter { includeRetired || $0.status.isLive }
        let cls = try ws.classifications(project: project, facet: facet)
        let starts = Dictionary(try ws.traceStarts(project: project).map { ($0.id, $0.created) }, uniquingKeysWith: { a, _ in a })
        let latest = starts.values.max() ?? 0
        let cut = latest - 3 * 86_400_000_000
        var recent: [String: Int] = [:], before: [String: Int] = [:]
        var recentTotal = 0, beforeTotal = 0
        for c in cls {
            let key = c.topic ?? "no_match"
            if (starts[c.trace] ?? 0) >= cut { recent[key, default: 0] += 1; recentTotal += 1 } else { before[key, default: 0] += 1; beforeTotal += 1 }
        }
        let total = max(cls.count, 1)
        var sorted = topics.sorted { ($0.size, $1.id) > ($1.size, $0.id) }
        func row(_ t: StoredTopic, indent: String = "") -> [String] {
            [indent + t.id, indent + t.label.clipped(60), String(format: "%.1f%%", 100 * Double(t.size) / Double(total)), grouped(t.size),
             trend(recent[t.id] ?? 0, recentTotal, before[t.id] ?? 0, beforeTotal), t.status == .active ? "" : t.status.rawValue]
        }
        var rows: [[String]] = []
        if tree, sorted.contains(where: { $0.parent != nil && $0.status.isLive }) {
            // Parents (largest first), each followed by its live topics; the rest after them.
            var children: [String: [StoredTopic]] = [:]
            for t in sorted where t.status.isLive { if let p = t.parent { children[p, default: []].append(t) } }
            let size = { (p: String) in children[p]!.reduce(0) { $0 + $1.size } }
            for p in children.keys.sorted(by: { (size($0), $1) > (size($1), $0) }) {
                let kids = children[p]!, ps = size(p)
                let r = kids.reduce(0) { $0 + (recent[$1.id] ?? 0) }, b = kids.reduce(0) { $0 + (before[$1.id] ?? 0) }
                rows.append([p, (kids[0].parentLabel ?? p).clipped(60), String(format: "%.1f%%", 100 * Double(ps) / Double(total)), grouped(ps),
                             trend(r, recentTotal, b, beforeTotal), ""])
                rows += kids.map { row($0, indent: "  ") }
            }
            sorted = sorted.filter { $0.parent == nil || !$0.status.isLive }
        }
        let shown = limit.map { Array(sorted.prefix($0)) } ?? sorted
        rows += shown.map { row($0) }
        if let limit, sorted.count > limit { rows.append(["...", "\(sorted.count - limit) more: sift topics list --facet \(facet)", "", "", "", ""]) }
        return "\(facet) (\(grouped(cls.count)) traces)\n" + table(["id", "label", "share", "traces", "trend", "status"], rows, rightAligned: [2, 3])
    }

    static func show(_ ws: Workspace, project: String, id: String, samples: Int) throws -> String {
        let all = try ws.topics(project: project)
        guard let t = all.first(where: { $0.id == id }) ?? all.first(where: { $0.label.lowercased() == id.lowercased() && $0.status != .retired }) else {
            let near = all.filter { $0.id.hasPrefix(id) || $0.label.lowercased().contains(id.lowercased()) }.prefix(5).map(\.id)
            throw ValidationError("no topic '\(id)' in '\(project)'" + (near.isEmpty ? " (sift topics list shows them)" : " (did you mean \(near.joined(separator: ", "))?)"))
        }
        let cls = try ws.classifications(project: project, facet: t.facet)
        let members = cls.filter { $0.topic == t.id }.sorted { ($0.distance ?? 0, $0.trace) < ($1.distance ?? 0, $1.trace) }
        var lines = ["\(t.label)  [\(t.id), facet \(t.facet)\(t.status == .active ? "" : ", " + t.status.rawValue + (t.mergedInto.map { " into " + $0 } ?? ""))]"]
        lines.append(String(format: "%@ traces (%.1f%% of %@)", grouped(members.count), 100 * Double(members.count) / Double(max(cls.count, 1)), grouped(cls.count)))
        if let d = t.description, !d.isEmpty { lines.append("description: " + d) }
        if !t.terms.isEmpty { lines.append("distinctive terms: " + t.terms.joined(separator: ", ")) }
        let facetValues = try ws.facetValues(project: project, facet: t.facet)
        lines.append("")
        lines.append("sample traces (nearest the centre first):")
        // Samples: spread over the topic (nearest, then evenly by distance), so the odd ones show too.
        var picks: [Int] = []
        if !members.isEmpty {
            let n = min(samples, members.count)
            for i in 0..<n { picks.append(n == 1 ? 0 : i * (members.count - 1) / (n - 1)) }
        }
        for i in Array(Set(picks)).sorted() {
            let m = members[i]
            let trace = try? ws.trace(id: m.trace, project: project)
            let first = trace.map { TraceThread(trace: $0).userTurns.first ?? "" } ?? ""
            lines.append("  \(m.trace)  distance \(String(format: "%.3f", m.distance ?? 0))")
            if let v = facetValues[m.trace] { lines.append("    \(t.facet): \(v.clipped(160))") }
            if !first.isEmpty { lines.append("    user: \(first.clipped(160))") }
            for e in (try? ws.evidence(project: project, facet: t.facet, trace: m.trace))?.prefix(3) ?? [] {
                lines.append("    evidence (\(e.issue)\(e.span.map { ", span " + $0 } ?? "")): \(terminalSafe(e.quote).clipped(160))")
            }
        }
        lines.append("")
        lines.append("open one: sift traces show <id>;  all of them: sift query --where \"classifications.\(t.facet)[0].id = '\(t.id)'\" --shape traces")
        return lines.joined(separator: "\n")
    }
}
