// Gathers what `sift report` shows from the store: a facet's topics, every trace's 2-D position and
// summary, daily volume and trend flags, the sentiment cross-slice, and sample traces rendered as
// threads. SiftReport turns it into HTML.

import Foundation
import SiftModel
import SiftReport
import SiftStore
import SiftTopics

public enum ReportBuilder {
    public static let maxPoints = 15_000

    public static func build(store: Store, project: String, facet: String = "Issues", since: Int64? = nil, samples: Int = 3, now: Date = Date()) throws -> ReportData {
        let pid = try store.projectRow(named: project)
        let all = try store.topics(projectRow: pid, facet: facet)
        guard !all.isEmpty else {
            let facets = Set(try store.topics(projectRow: pid).map(\.facet)).sorted()
            throw StoreError.notFound("no \(facet) topics in '\(project)'" + (facets.isEmpty ? ": run sift topics run first" : " (facets with topics: \(facets.joined(separator: ", ")))"))
        }
        let facetName = all[0].facet
        let starts = Dictionary(try store.traceStarts(projectRow: pid, since: since).map { ($0.id, $0.created) }, uniquingKeysWith: { a, _ in a })
        guard !starts.isEmpty else { throw StoreError.notFound("no traces in '\(project)' in that window") }
        let cls = try store.classifications(projectRow: pid, facet: facetName).filter { starts[$0.trace] != nil }
        let summaries = try store.facetValues(projectRow: pid, facet: facetName)
        let sentiment = Dictionary(try store.classifications(projectRow: pid, facet: "Sentiment").compactMap { c in c.label.map { (c.trace, $0) } }, uniquingKeysWith: { a, _ in a })
        let sentimentLabels = sentiment.isEmpty ? [] : FacetDefinition.sentimentLabels

        // Topics present in the window, largest first.
        var count: [String: Int] = [:]
        for c in cls { if let t = c.topic { count[t, default: 0] += 1 } }
        let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let shown = count.keys.filter { $0 != TopicID.unclustered(facet: facetName) }.sorted { (count[$0]!, $1) > (count[$1]!, $0) }
        let index = Dictionary(uniqueKeysWithValues: shown.enumerated().map { ($1, $0) })

        // Days: from the first to the last trace in the window (at most 90).
        let day: Int64 = 86_400_000_000
        let lastDay = (starts.values.max() ?? 0) / day
        let firstDay = max((starts.values.min() ?? 0) / day, lastDay - 89)
        let nDays = Int(lastDay - firstDay + 1)
        let dayNames = (0..<nDays).map { TopicTrends.dayName(Int(firstDay) + $0) }
        var daily = [[Int]](repeating: [Int](repeating: 0, count: nDays), count: shown.count)
        var sent = [[Int]](repeating: [Int](repeating: 0, count: sentimentLabels.count), count: shown.count)
        for c in cls {
            guard let t = c.topic, let i = index[t] else { continue }
            let d = Int(starts[c.trace]! / day - firstDay)
            if d >= 0 && d < nDays { daily[i][d] += 1 }
            if let s = sentiment[c.trace], let j = sentimentLabels.firstIndex(of: s) { sent[i][j] += 1 }
        }
        let trends = try? TopicTrends.compute(store: store, project: project, facet: facetName, days: min(14, nDays))
        let flags = Dictionary((trends?.topics ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        // Points: clustered traces where the run placed them; label topics (NONE, Sentiment labels) have no
        // coordinates and are placed as groups: NONE in the centre (common behaviour), others on a ring.
        let xs = cls.compactMap(\.x), ys = cls.compactMap(\.y)
        let cx = xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count), cy = ys.isEmpty ? 0 : ys.reduce(0, +) / Double(ys.count)
        let spread = max(0.3, (xs.max() ?? 1) - (xs.min() ?? -1)) / 2
        var points: [ReportPoint] = []
        var perTopic: [Int: Int] = [:]
        for c in cls { perTopic[c.topic.flatMap { index[$0] } ?? -1, default: 0] += 1 }
        let budget = Double(maxPoints) / Double(max(cls.count, 1))
        var omitted = 0
        for c in cls {
            let ti = c.topic.flatMap { index[$0] } ?? -1
            let h = hash(c.trace)
            // Keep every point of small topics; sample big ones down to the budget.
            if cls.count > maxPoints && (perTopic[ti] ?? 0) > 300 && Double(h % 10_000) / 10_000 >= budget { omitted += 1; continue }
            var x = c.x, y = c.y
            if x == nil || y == nil {
                let a = Double(h & 0xffff) / 65535 * 2 * .pi, r = (Double((h >> 16) & 0xffff) / 65535).squareRoot()
                let isNone = c.label == "NONE"
                let ring = Double(ti < 0 ? 0 : ti) / Double(max(shown.count, 1)) * 2 * .pi
                let (gx, gy) = isNone ? (cx, cy) : (cx + spread * 1.2 * cos(ring), cy + spread * 1.2 * sin(ring))
                let radius = isNone ? spread * 0.35 : spread * 0.12
                x = gx + radius * r * cos(a); y = gy + radius * r * sin(a)
            }
            points.append(ReportPoint(x: x!, y: y!, topic: ti, trace: c.trace, summary: summaries[c.trace] ?? c.label ?? ""))
        }

        var topics: [ReportTopic] = []
        for (i, id) in shown.enumerated() {
            let t = byID[id]
            let members = cls.filter { $0.topic == id }.sorted { ($0.distance ?? 0, $0.trace) < ($1.distance ?? 0, $1.trace) }
            var picks: [Int] = []
            let n = min(samples, members.count)
            for k in 0..<n { let p = n == 1 ? 0 : k * (members.count - 1) / (n - 1); if !picks.contains(p) { picks.append(p) } }
            let rendered = try picks.map { p -> ReportSample in
                let m = members[p]
                let trace = try store.trace(id: m.trace, project: project)
                let why = (try store.classificationMetadata(projectRow: pid, facet: facetName, trace: m.trace))
                    .flatMap { try? JSONReader.parse($0) }?["evidence"]?.arrayValue ?? []
                let evidence = why.prefix(3).compactMap { e in
                    e["quote"]?.stringValue.map { q in (e["issue"]?.stringValue.map { $0 + ": " } ?? "") + q + (e["span_id"]?.stringValue.map { " (span " + $0 + ")" } ?? "") }
                }
                return ReportSample(trace: m.trace, created: Timestamp(microseconds: starts[m.trace] ?? 0).iso8601, summary: summaries[m.trace] ?? "",
                                    lines: lines(TraceThread(trace: trace)), evidence: evidence)
            }
            let trend = flags[id]
            let growing = trend.flatMap { $0.flags.isEmpty ? nil : $0.flags.joined(separator: ", ") + ($0.detail.isEmpty ? "" : ": " + $0.detail) }
            topics.append(ReportTopic(id: id, label: t?.label ?? id, description: t?.description ?? "", terms: t?.terms ?? [], count: count[id] ?? 0,
                                      daily: daily[i], growing: growing, samples: rendered, sentiment: sent[i], parent: t?.parentLabel))
        }
        let window = since.map { "since " + Timestamp(microseconds: $0).iso8601.prefix(10) } ?? "all traces"
        return ReportData(project: project, facet: facetName, generated: String(Timestamp(seconds: now.timeIntervalSince1970).iso8601.prefix(19)) + "Z",
                          window: String(window) + " (\(dayNames.first ?? "") to \(dayNames.last ?? ""))", traces: cls.count, days: dayNames, topics: topics,
                          points: points, pointsOmitted: omitted, sentimentLabels: sentimentLabels)
    }

    static func lines(_ t: TraceThread) -> [(kind: String, text: String)] {
        t.events.map { e in
            switch e {
            case .user(let s): return ("user", "User: " + clip(s, 400))
            case .assistant(let s): return ("assistant", "Agent: " + clip(s, 400))
            case .tool(let c):
                if c.failed { return ("error", "\(c.name)(\(clip(c.arguments, 120))) -> ERROR \(c.errorType ?? ""): \(clip(c.errorMessage ?? "", 200))") }
                return (c.isRetrieval ? "retrieval" : "tool", "\(c.name)(\(clip(c.arguments, 120))) -> \(clip(c.result, 240))")
            }
        }
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count > n ? String(s.prefix(n)) + "…" : s }

    static func hash(_ s: String) -> UInt64 { StableHash.fnv(s, seed: 0) }
}
