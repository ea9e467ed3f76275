// Discovery: texts -> topics, the part of the pipeline shared by `sift topics run` (facet summaries of
// traces) and `sift topics eval` (any labelled texts). Identical texts are embedded and clustered
// once, weighted by their count.

import Foundation
import SiftModel

public protocol EmbeddingCache {
    func cached(model: String, keys: [String]) throws -> [String: [Float]]
    func store(model: String, _ items: [(key: String, vector: [Float])]) throws
}

public struct StageTimes: Sendable {
    public var embed = 0.0
    public var cluster = 0.0
    public var label = 0.0
    public var classify = 0.0
    public var project = 0.0
    public init() {}
}

public struct DiscoveryResult: Sendable {
    /// The distinct texts, their vectors (rows) and counts.
    public var uniqueTexts: [String]
    public var vectors: Matrix
    public var counts: [Int]
    /// For each input text, its row in `uniqueTexts`.
    public var uniqueIndex: [Int]
    public var clustering: Clustering
    public var labels: [TopicLabel]
    /// Per topic, its parent topic (an index into `parentLabels`); nil when the topics are too few to group.
    public var parents: [Int]?
    public var parentLabels: [TopicLabel]
    /// Per unique text: its topic (nil: unclustered), distance and confidence.
    public var assignments: [Assignment]
    /// Per unique text: 2-D coordinates.
    public var coordinates: [(Float, Float)]
    public var times: StageTimes
    public var embeddedNew: Int
}

public struct Discovery {
    public var embedder: EmbeddingModel
    public var clusterer: AutoKMeans
    public var cache: EmbeddingCache?
    /// When set, graph communities decide the topics (for 50 or more distinct texts; k-means below).
    public var graph: GraphClusterer? = GraphClusterer()
    public var progress: ((String) -> Void)?

    public init(embedder: EmbeddingModel, clusterer: AutoKMeans = AutoKMeans(), cache: EmbeddingCache? = nil) {
        self.embedder = embedder
        self.clusterer = clusterer
        self.cache = cache
    }

    /// With `exact`, each distinct text is a topic of its own (the texts are group keys, such as a
    /// structured behaviour signature), and nothing is merged by similarity.
    /// With `labelTexts` (one per text), topics are named from those instead of the clustered texts
    /// (the Task facet clusters on the actions taken and is named by what users asked for).
    public func run(texts: [String], exact: Bool = false, labelTexts: [String]? = nil) throws -> DiscoveryResult {
        var times = StageTimes()
        // Distinct texts, in first-seen order.
        var index: [String: Int] = [:]
        var unique: [String] = [], counts: [Int] = [], uniqueIndex: [Int] = []
        uniqueIndex.reserveCapacity(texts.count)
        for t in texts {
            if let i = index[t] { counts[i] += 1; uniqueIndex.append(i) } else {
                index[t] = unique.count; uniqueIndex.append(unique.count); unique.append(t); counts.append(1)
            }
        }
        var t0 = Date()
        let (vectors, fresh) = try embed(unique)
        times.embed = Date().timeIntervalSince(t0)
        progress?("embedded \(unique.count) distinct texts (\(fresh) new)")

        t0 = Date()
        let weights = counts.map(Double.init)
        let clustering: Clustering
        if exact { clustering = Self.exactGroups(vectors) }
        else if let graph, unique.count >= 50 { clustering = graph.fit(vectors, weights: weights) }
        else { clustering = clusterer.fit(vectors, weights: weights) }
        times.cluster = Date().timeIntervalSince(t0)

        t0 = Date()
        var members = [[(text: String, weight: Double, distance: Float)]](repeating: [], count: clustering.k)
        if let labelTexts, labelTexts.count == texts.count {
            var seen = [[String: Int]](repeating: [:], count: clustering.k)
            for (j, text) in labelTexts.enumerated() {
                let u = uniqueIndex[j], c = clustering.assignment[u]
                guard c >= 0 else { continue }
                if let at = seen[c][text] { members[c][at].weight += 1 } else {
                    seen[c][text] = members[c].count
                    members[c].append((text, 1, clustering.distance[u]))
                }
            }
        } else {
            for i in unique.indices where clustering.assignment[i] >= 0 {
                members[clustering.assignment[i]].append((unique[i], weights[i], clustering.distance[i]))
            }
        }
        // Labels read at most `labelSample` members per topic, the heaviest and most central first:
        // enough for the terms that set a topic apart, and bounded at any traffic.
        for c in members.indices where members[c].count > Self.labelSample {
            members[c] = Array(members[c].sorted { ($0.weight, -$0.distance, $1.text) > ($1.weight, -$1.distance, $0.text) }.prefix(Self.labelSample))
        }
        let labels = Labeler.label(members, phrases: labelTexts != nil)
        var mass = [Double](repeating: 0, count: clustering.k)
        for i in unique.indices where clustering.assignment[i] >= 0 { mass[clustering.assignment[i]] += weights[i] }
        let parents = TopicHierarchy.group(clustering.centroids, weights: mass)
        let parentLabels = parents.map { TopicHierarchy.labels(parents: $0, members: members, topicLabels: labels, phrases: labelTexts != nil) } ?? []
        times.label = Date().timeIntervalSince(t0)

        t0 = Date()
        let confidences = clustering.k > 1 ? Classifier.nearestTwo(vectors, clustering.centroids).map(\.confidence)
            : [Float](repeating: 1, count: unique.count)
        let assignments = unique.indices.map { i -> Assignment in
            let c = clustering.assignment[i]
            return Assignment(topic: c >= 0 ? c : nil, distance: clustering.distance[i], confidence: confidences[i])
        }
        times.classify = Date().timeIntervalSince(t0)

        t0 = Date()
        let coords = Projection.project(vectors, jitterKeys: unique.map { StableHash.fnv($0, seed: 5) })
        times.project = Date().timeIntervalSince(t0)
        return DiscoveryResult(uniqueTexts: unique, vectors: vectors, counts: counts, uniqueIndex: uniqueIndex, clustering: clustering,
                               labels: labels, parents: parents, parentLabels: parentLabels, assignments: assignments, coordinates: coords, times: times, embeddedNew: fresh)
    }

    static let labelSample = 500

    /// One cluster per row, centred on it; a new text joins only a topic whose key it repeats.
    static func exactGroups(_ x: Matrix) -> Clustering {
        let rows = (0..<x.rows).map { Array(x.row($0)) }
        return Clustering(assignment: Array(0..<x.rows), distance: [Float](repeating: 0, count: x.rows), centroids: rows,
                          radius: [Float](repeating: 0.001, count: x.rows), candidates: [(x.rows, 1)])
    }

    /// Vectors for the texts, from the cache where possible; returns how many were embedded now.
    public func embed(_ texts: [String]) throws -> (Matrix, Int) {
        var result = [[Float]?](repeating: nil, count: texts.count)
        var keys: [String] = []
        if let cache {
            keys = texts.map(StableHash.textKey)
            let hit = try cache.cached(model: embedder.name, keys: keys)
            for i in texts.indices { result[i] = hit[keys[i]] }
        }
        let missing = texts.indices.filter { result[$0] == nil || result[$0]!.count != embedder.dimensions }
        var done = 0
        let batch = 4096
        var fresh: [(key: String, vector: [Float])] = []
        while done < missing.count {
            let slice = Array(missing[done..<min(missing.count, done + batch)])
            let vecs = try embedder.embed(slice.map { texts[$0] })
            for (j, i) in slice.enumerated() {
                result[i] = vecs[j]
                if cache != nil { fresh.append((keys[i], vecs[j])) }
            }
            done += slice.count
            if missing.count > batch { progress?("embedding \(done)/\(missing.count)") }
        }
        if let cache, !fresh.isEmpty { try cache.store(model: embedder.name, fresh) }
        return (Matrix(result.map { $0 ?? [Float](repeating: 0, count: embedder.dimensions) }, cols: embedder.dimensions), missing.count)
    }
}
