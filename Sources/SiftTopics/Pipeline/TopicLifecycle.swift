// The topic lifecycle: how one run's clusters become topics with ids that last. A cluster whose
// centroid matches an earlier topic continues it (same id, status active); one that matches none is
// new; earlier topics not found again are merged (into the cluster that took their traces) or
// retired. Every facet also has two fixed topics: NONE (nothing to report) and no_match (traces far
// from every topic, kept aside rather than forced into one). Label-set facets have one topic per label.
// Both `topics run` and `topics classify` turn assignments into classification rows here.

import Foundation
import SiftModel

/// What a facet's run produced: topics to save, one classification row per summarised trace, counts.
struct FacetOutcome {
    var topics: [StoredTopic]
    var rows: [ClassificationRow]
    var report: FacetRunReport
}

/// Where one summarised trace of a clustered facet goes: its topic (nil: no_match), how near, and
/// where it sits on the scatterplot when it has a topic or when it has none.
struct Placement {
    var topic: (id: String, label: String)?
    /// The topic's parent, when the facet's topics are grouped.
    var parent: (id: String, label: String)? = nil
    var distance: Float
    var confidence: Float
    var point: (Double, Double)?
    var unclusteredPoint: (Double, Double)?
}

extension FacetOutput {
    /// The answer of a trace with nothing to report.
    public static let none = "NONE"
    /// The answer of a trace a facet does not apply to (or that no topic fits).
    public static let noMatch = "no_match"
    /// NONE and no_match are labels, not text to cluster.
    public var isFixedAnswer: Bool { summary == Self.none || summary == Self.noMatch }
}

enum TopicLifecycle {
    static let unclusteredDescription = "Traces far from every topic (kept aside, not forced into one)."

    /// This run's clusters as topics: continued, new, merged or retired against the facet's `earlier`
    /// topics (every status), made with `embedder`. The first `centroids.count` topics are the
    /// clusters, in order; `ids` holds their ids.
    static func carryForward(facet: String, centroids: [[Float]], radius: [Float], labels: [TopicLabel], sizes: [Int],
                             earlier all: [StoredTopic], embedder: String, run: Int64)
        -> (ids: [String], topics: [StoredTopic], newCount: Int, kept: Int, retired: Int, merged: Int) {
        let slug = TopicID.slug(facet)
        let previous = all.filter { !$0.centroid.isEmpty && $0.embeddingModel == embedder && $0.status.isLive }
        let (continues, mergedInto) = Classifier.match(new: centroids, previous: previous.map(\.centroid))
        var nextNumber = (all.compactMap { t -> Int? in
            guard t.id.hasPrefix(slug + "-") else { return nil }
            return Int(t.id.dropFirst(slug.count + 1))
        }.max() ?? 0) + 1
        var ids: [String] = []
        var topics: [StoredTopic] = []
        var newCount = 0
        for c in centroids.indices {
            let id: String, status: TopicStatus
            if let p = continues[c] { id = previous[p].id; status = .active } else { id = "\(slug)-\(nextNumber)"; nextNumber += 1; status = .new; newCount += 1 }
            ids.append(id)
            let l = labels[c]
            topics.append(StoredTopic(id: id, facet: facet, label: l.label, description: l.description, terms: l.terms,
                                      centroid: centroids[c], radius: Double(radius[c]), size: sizes[c],
                                      status: status, embeddingModel: embedder, firstRun: run, lastRun: run))
        }
        var retired = 0, merged = 0
        // Topics made with another embedder cannot be matched (their centroids live in another space):
        // this run replaces them.
        for p in all where !p.centroid.isEmpty && p.embeddingModel != embedder && p.status.isLive {
            var t = p
            t.status = .retired; t.size = 0; t.lastRun = run
            topics.append(t)
            retired += 1
        }
        for (j, p) in previous.enumerated() where !continues.contains(j) {
            var t = p
            if let into = mergedInto[j] { t.status = .merged; t.mergedInto = ids[into]; merged += 1 } else { t.status = .retired; retired += 1 }
            t.size = 0
            t.lastRun = run
            topics.append(t)
        }
        // A first run has no "new" topics: everything is new, which says nothing.
        if previous.isEmpty { for i in topics.indices where topics[i].status == .new { topics[i].status = .active }; newCount = 0 }
        return (ids, topics, newCount, continues.compactMap { $0 }.count, retired, merged)
    }

    /// Gives the first `parents.count` topics (this run's clusters) their parent's id and label. A
    /// parent keeps the id of the earlier parent most of its topics had (each earlier id goes to one
    /// parent, the one with most such topics first); the others are numbered after the facet's highest.
    static func assignParents(_ topics: inout [StoredTopic], parents: [Int]?, labels: [TopicLabel], earlier: [StoredTopic], facet: String) {
        guard let parents else { return }
        let before = Dictionary(earlier.map { ($0.id, $0.parent) }, uniquingKeysWith: { a, _ in a })
        let prefix = TopicID.slug(facet) + "-group-"
        var next = (earlier.compactMap { $0.parent.flatMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil } }.max() ?? 0) + 1
        var votes: [(count: Int, group: Int, id: String)] = []
        for g in labels.indices {
            var tally: [String: Int] = [:]
            for (t, p) in parents.enumerated() where p == g { if let old = before[topics[t].id] ?? nil { tally[old, default: 0] += 1 } }
            votes += tally.map { (count: $0.value, group: g, id: $0.key) }
        }
        votes.sort { ($0.count, $1.group, $1.id) > ($1.count, $0.group, $0.id) }
        var ids = [String?](repeating: nil, count: labels.count)
        var taken = Set<String>()
        for v in votes where ids[v.group] == nil && !taken.contains(v.id) { ids[v.group] = v.id; taken.insert(v.id) }
        for g in labels.indices where ids[g] == nil { ids[g] = TopicID.parent(next, facet: facet); next += 1 }
        for (t, p) in parents.enumerated() { topics[t].parent = ids[p]; topics[t].parentLabel = labels[p].label }
    }

    /// The NONE and no_match topics of a clustered facet, for the traces that have them.
    static func fixedTopics(facet: String, none: Int, unclustered: Int, run: Int64?) -> [StoredTopic] {
        var out: [StoredTopic] = []
        if none > 0 {
            out.append(StoredTopic(id: TopicID.none(facet: facet), facet: facet, label: FacetOutput.none, description: "Nothing went wrong in these traces.", terms: [],
                                   centroid: [], radius: nil, size: none, status: .active, firstRun: run, lastRun: run))
        }
        if unclustered > 0 {
            out.append(unclusteredTopic(facet: facet, size: unclustered, run: run))
        }
        return out
    }

    static func unclusteredTopic(facet: String, size: Int, run: Int64?) -> StoredTopic {
        StoredTopic(id: TopicID.unclustered(facet: facet), facet: facet, label: FacetOutput.noMatch, description: unclusteredDescription,
                    terms: [], centroid: [], radius: nil, size: size, status: .active, firstRun: run, lastRun: run)
    }

    /// One row per item of a clustered facet: fixed answers as their own topics, the rest placed by
    /// `place` (called once per item to cluster, in order). `spread` is how far a trace is jittered
    /// around its point, so traces with the same summary do not hide each other on the scatterplot.
    /// Counts traces left unclustered and fixed no_match answers.
    static func classificationRows(_ items: [(trace: String, output: FacetOutput)], facet: String, spread: Double,
                                   place: () -> Placement) -> (rows: [ClassificationRow], unclustered: Int, noMatch: Int) {
        var rows: [ClassificationRow] = []
        rows.reserveCapacity(items.count)
        var unclustered = 0, noMatch = 0
        for (trace, o) in items {
            if o.isFixedAnswer {
                if o.summary == FacetOutput.noMatch { noMatch += 1 }
                rows.append(fixedRow(trace: trace, answer: o.summary, facet: facet))
                continue
            }
            let p = place()
            let h = StableHash.fnv(trace, seed: 0)
            let jx = Double(h & 0xffff) / 65535 - 0.5, jy = Double((h >> 16) & 0xffff) / 65535 - 0.5
            var m: JSONObject = ["distance": .double(Double(p.distance))]
            // What a reviewer needs to see why: the trace's own summary and, where the model gives
            // it, the evidence (span ids and quoted text).
            if o.grouped || !o.evidence.isEmpty { m["summary"] = .string(o.summary) }
            if !o.evidence.isEmpty { m["evidence"] = .array(o.evidence) }
            if let parent = p.parent { m["parent"] = .string(parent.id); m["parent_label"] = .string(parent.label) }
            let meta = JSONWriter.string(.object(m))
            if let t = p.topic {
                rows.append(ClassificationRow(trace: trace, topicID: t.id, label: t.label, confidence: Double(p.confidence), distance: Double(p.distance),
                                              metadata: meta, x: p.point.map { $0.0 + jx * spread }, y: p.point.map { $0.1 + jy * spread }))
            } else {
                unclustered += 1
                rows.append(ClassificationRow(trace: trace, topicID: TopicID.unclustered(facet: facet), label: FacetOutput.noMatch, confidence: 0,
                                              distance: Double(p.distance), metadata: meta,
                                              x: p.unclusteredPoint.map { $0.0 + jx * spread }, y: p.unclusteredPoint.map { $0.1 + jy * spread }))
            }
        }
        return (rows, unclustered, noMatch)
    }

    /// A trace of a label-set facet: its label's topic, or no_match.
    static func labelRow(trace: String, output o: FacetOutput, facet: String) -> ClassificationRow {
        guard let l = o.label else {
            return ClassificationRow(trace: trace, topicID: nil, label: FacetOutput.noMatch, confidence: nil, distance: nil, metadata: JSONWriter.string(["summary": .string(o.summary)]))
        }
        return ClassificationRow(trace: trace, topicID: TopicID.label(l, facet: facet), label: l, confidence: 1, distance: 0,
                                 metadata: JSONWriter.string(["distance": 0.0, "summary": .string(o.summary)]))
    }

    /// A trace of a clustered facet whose answer is fixed (NONE, no_match) rather than text to cluster.
    static func fixedRow(trace: String, answer: String, facet: String) -> ClassificationRow {
        ClassificationRow(trace: trace, topicID: answer == FacetOutput.none ? TopicID.none(facet: facet) : nil, label: answer, confidence: 1, distance: 0,
                          metadata: JSONWriter.string(["distance": 0.0]))
    }

    /// Facets with a fixed label set: each label is a topic; traces are classified by their label.
    static func labelTopics(facet: FacetDefinition, items: [(trace: String, output: FacetOutput)], run: Int64) -> FacetOutcome {
        var counts: [String: Int] = [:]
        var rows: [ClassificationRow] = []
        var noMatch = 0
        for (trace, o) in items {
            if let label = o.label { counts[label, default: 0] += 1 } else { noMatch += 1 }
            rows.append(labelRow(trace: trace, output: o, facet: facet.name))
        }
        let known = facet.labels.map(\.label)
        let labels = known + counts.keys.filter { !known.contains($0) }.sorted()
        let topics = labels.map { l in
            StoredTopic(id: TopicID.label(l, facet: facet.name), facet: facet.name, label: l,
                        description: facet.labels.first { $0.label == l }?.example ?? "\(facet.name) is \(l)", terms: [], centroid: [], radius: nil,
                        size: counts[l] ?? 0, status: .active, firstRun: run, lastRun: run)
        }
        let report = FacetRunReport(facet: facet.name, summaries: items.count, distinct: counts.count, topics: counts.count, unclustered: 0, noMatch: noMatch,
                                    newTopics: 0, keptTopics: counts.count, retired: 0, merged: 0, labelled: true, times: StageTimes())
        return FacetOutcome(topics: topics, rows: rows, report: report)
    }
}
