// The storage the topics pipeline needs, as a role: traces to read, and facets, topics,
// classifications and runs to write. SiftStore's Store plays it (conformance in SiftEngine), so
// SiftTopics never imports the store.

import SiftModel

public protocol TopicStore: AnyObject {
    /// The id of a project, or an error naming the projects there are.
    func projectRow(named name: String) throws -> Int64
    /// Custom facet definitions (JSON text), oldest first.
    func facetDefinitions() throws -> [(name: String, definition: String)]
    /// Trace ids of a project with their start, oldest first; only those started at or after `since`.
    func traceStarts(projectRow: Int64, since: Int64?) throws -> [(id: String, created: Int64)]
    /// The traces with these ids, in that order (ids with no spans are skipped).
    func traces(projectRow: Int64, ids: [String]) throws -> [Trace]

    func beginTopicRun(projectRow: Int64, facet: String, facetModel: String, embeddingModel: String?, params: Value) throws -> Int64
    func finishTopicRun(_ run: Int64, status: TopicRunStatus, counts: Value) throws
    func topics(projectRow: Int64, facet: String?) throws -> [StoredTopic]
    func classifications(projectRow: Int64, facet: String) throws
        -> [(trace: String, topic: String?, label: String?, distance: Double?, confidence: Double?, x: Double?, y: Double?)]

    func writeFacets(projectRow: Int64, rows: [FacetRow], run: Int64?) throws
    func saveTopics(projectRow: Int64, _ topics: [StoredTopic]) throws
    func writeClassifications(projectRow: Int64, facet: String, rows: [ClassificationRow], source: String, run: Int64?) throws
    /// Sets each topic's size to the number of traces classified to it now.
    func refreshTopicSizes(projectRow: Int64, facet: String) throws
    /// Adds traces newly classified (none classified along the facet before) to their topics' sizes.
    func addToTopicSizes(projectRow: Int64, facet: String, _ added: [String: Int64]) throws

    func cachedEmbeddings(model: String, keys: [String]) throws -> [String: [Float]]
    func cacheEmbeddings(model: String, _ items: [(key: String, vector: [Float])]) throws

    /// Runs `body` in one transaction: all of its writes land, or none.
    func transaction<T>(_ body: () throws -> T) throws -> T
}

/// The embedding cache over a topic store: each batch of new vectors in a transaction of its own.
struct TopicStoreEmbeddingCache: EmbeddingCache {
    let store: TopicStore
    func cached(model: String, keys: [String]) throws -> [String: [Float]] { try store.cachedEmbeddings(model: model, keys: keys) }
    func store(model: String, _ items: [(key: String, vector: [Float])]) throws {
        try store.transaction { try store.cacheEmbeddings(model: model, items) }
    }
}
