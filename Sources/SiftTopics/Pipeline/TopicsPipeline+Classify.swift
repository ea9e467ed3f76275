// `sift topics classify`: traces that arrived since the last run are summarised and placed against
// the existing topics, without re-clustering; topic ids and statuses do not change.

import Foundation
import SiftModel

extension TopicsPipeline {
    public struct ClassifyReport: Sendable {
        public var facet: String
        public var classified: Int
        public var noMatch: Int
        public var seconds: Double
    }

    /// Classifies traces that have no classification yet for each facet that has topics, against
    /// the existing topics, without re-clustering.
    public func classifyNew(_ options: TopicsOptions) throws -> [ClassifyReport] {
        let pid = try store.projectRow(named: options.project)
        let facets = try facetDefinitions(options.facets)
        let options = prepared(options, facets)
        let starts = try store.traceStarts(projectRow: pid, since: options.since)
        var reports: [ClassifyReport] = []
        var writes: [(FacetDefinition, [FacetRow], [ClassificationRow])] = []
        // Which traces each facet still lacks; all facets are summarised in one pass over the union.
        var todo: [(facet: FacetDefinition, topics: [StoredTopic], missing: Set<String>)] = []
        for facet in facets {
            let stored = try store.topics(projectRow: pid, facet: facet.name)
            guard !stored.isEmpty else { continue }
            let existing = Set(try store.classifications(projectRow: pid, facet: facet.name).map(\.trace))
            todo.append((facet, stored, Set(starts.map(\.id).filter { !existing.contains($0) })))
        }
        let union = starts.map(\.id).filter { id in todo.contains { $0.missing.contains(id) } }
        let t00 = Date()
        let summaries = union.isEmpty ? [] : try summarize(union, pid: pid, facets: todo.map(\.facet), options: options)
        let summarizeShare = Date().timeIntervalSince(t00) / Double(max(todo.count, 1))
        for (fi, (facet, stored, missing)) in todo.enumerated() {
            let t0 = Date()
            guard !missing.isEmpty else { reports.append(ClassifyReport(facet: facet.name, classified: 0, noMatch: 0, seconds: 0)); continue }
            var facetRows: [FacetRow] = []
            var items: [(trace: String, output: FacetOutput)] = []
            for (i, o) in summaries[fi].enumerated() where missing.contains(union[i]) {
                guard let o else { continue }
                facetRows.append(FacetRow(trace: union[i], facet: facet.name, value: o.summary, source: options.facetModel.name))
                items.append((union[i], o))
            }
            let rows: [ClassificationRow], noMatch: Int
            if facet.hasLabelSet {
                rows = items.map { TopicLifecycle.labelRow(trace: $0.trace, output: $0.output, facet: facet.name) }
                noMatch = items.filter { $0.output.label == nil }.count
            } else {
                (rows, noMatch) = try placeAgainstTopics(items, facet: facet, stored: stored, pid: pid, options: options)
            }
            writes.append((facet, facetRows, rows))
            reports.append(ClassifyReport(facet: facet.name, classified: rows.count, noMatch: noMatch, seconds: Date().timeIntervalSince(t0) + summarizeShare))
        }
        try store.transaction {
            for (facet, facetRows, rows) in writes {
                try store.writeFacets(projectRow: pid, rows: facetRows, run: nil)
                try store.writeClassifications(projectRow: pid, facet: facet.name, rows: rows, source: options.facetModel.name, run: nil)
                let unclustered = TopicID.unclustered(facet: facet.name)
                if rows.contains(where: { $0.topicID == unclustered }),
                   try store.topics(projectRow: pid, facet: facet.name).first(where: { $0.id == unclustered }) == nil {
                    try store.saveTopics(projectRow: pid, [TopicLifecycle.unclusteredTopic(facet: facet.name, size: 0, run: nil)])
                }
                // The traces were unclassified along the facet: each adds one to its topic.
                var added: [String: Int64] = [:]
                for r in rows { if let t = r.topicID { added[t, default: 0] += 1 } }
                try store.addToTopicSizes(projectRow: pid, facet: facet.name, added)
            }
        }
        return reports
    }

    /// Clustered facets: each summary embedded and given its nearest live topic, or no_match beyond
    /// every topic's radius. A placed trace sits near its topic's centre on the scatterplot.
    /// Returns the rows and how many are no_match (fixed answers and unplaced summaries).
    func placeAgainstTopics(_ items: [(trace: String, output: FacetOutput)], facet: FacetDefinition, stored: [StoredTopic], pid: Int64,
                            options: TopicsOptions) throws -> (rows: [ClassificationRow], noMatch: Int) {
        let live = stored.filter { !$0.centroid.isEmpty && $0.status.isLive }
        if let model = live.first?.embeddingModel, model != options.embedder.name {
            throw TopicsError.model("the \(facet.name) topics were made with the embedder \(model), not \(options.embedder.name): classify with the same embedder, or run sift topics run again")
        }
        let infos = live.map { TopicInfo(id: $0.id, label: $0.label, description: $0.description ?? "", terms: $0.terms, centroid: $0.centroid,
                                         radius: Float($0.radius ?? 0.5), size: $0.size) }
        // Where each topic sits on the scatterplot: the mean of its traces' coordinates.
        var centres: [String: (Double, Double, Double)] = [:]
        for c in try store.classifications(projectRow: pid, facet: facet.name) {
            guard let t = c.topic, let x = c.x, let y = c.y else { continue }
            let p = centres[t] ?? (0, 0, 0)
            centres[t] = (p.0 + x, p.1 + y, p.2 + 1)
        }
        let toEmbed = items.filter { !$0.output.isFixedAnswer }
        let discovery = Discovery(embedder: options.embedder, cache: TopicStoreEmbeddingCache(store: store))
        let (matrix, _) = try discovery.embed(toEmbed.map { $0.output.clusterText ?? $0.output.summary })
        let assigned = Classifier.classify(matrix, topics: infos)
        let parents = Dictionary(live.map { t in (t.id, t.parent.map { (id: $0, label: t.parentLabel ?? "") }) }, uniquingKeysWith: { a, _ in a })
        var k = 0
        let placed = TopicLifecycle.classificationRows(items, facet: facet.name, spread: 0.05) {
            let a = assigned[k]
            k += 1
            let topic = a.topic.map { infos[$0] }
            let parent = topic.flatMap { t in parents[t.id] ?? nil }
            return Placement(topic: topic.map { ($0.id, $0.label) }, parent: parent, distance: a.distance, confidence: a.confidence,
                             point: topic.flatMap { t in centres[t.id].map { ($0.0 / $0.2, $0.1 / $0.2) } }, unclusteredPoint: nil)
        }
        return (placed.rows, placed.noMatch + placed.unclustered)
    }
}
