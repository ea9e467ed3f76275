// What the topics pipeline reads and writes: traces in bulk, facet summaries, topics, classifications
// (with the 2-D projection), topic runs, the embedding cache, and custom facet definitions. Callers
// wrap a run's writes in one transaction, so a killed run leaves the previous results in place.

import CSQLite
import Foundation
import SiftModel

extension Store {
    // MARK: - Traces

    /// Trace ids of a project with their start (the earliest span), oldest first; only traces that
    /// started at or after `since` when given.
    public func traceStarts(projectRow pid: Int64, since: Int64? = nil) throws -> [(id: String, created: Int64)] {
        try readPreferring(index: "spans_by_trace") { hint in
            let s = try db.prepare("""
                SELECT root_span_id, min(created) AS c FROM spans \(hint) WHERE project_id = ?1
                GROUP BY root_span_id \(since != nil ? "HAVING c >= ?2" : "") ORDER BY c, root_span_id
                """)
            try s.bind([.int(pid)] + (since.map { [SQLValue.int($0)] } ?? []))
            var out: [(id: String, created: Int64)] = []
            while try s.step() { out.append((s.text(0) ?? "", s.int(1))) }
            return out
        }
    }

    /// The traces with these ids (in the given order; ids with no spans are skipped).
    public func traces(projectRow pid: Int64, ids: [String]) throws -> [Trace] {
        let s = try db.prepare("SELECT \(Self.spanColumns) FROM spans s JOIN projects p ON p.id = s.project_id WHERE s.project_id = ? AND s.root_span_id = ?")
        var out: [Trace] = []
        out.reserveCapacity(ids.count)
        for id in ids {
            s.reset()
            try s.bind([.int(pid), .text(id)])
            var spans: [Span] = []
            while try s.step() {
                // A span whose stored JSON no longer parses is left out rather than failing the trace.
                if let span = try? readSpan(s) { spans.append(span) }
            }
            if let t = Trace(spans: spans) { out.append(t) }
        }
        return out
    }

    // MARK: - Topic runs

    public func beginTopicRun(projectRow pid: Int64, facet: String, facetModel: String, embeddingModel: String?, params: Value) throws -> Int64 {
        let s = try db.prepare("INSERT INTO topic_runs(project_id, facet, started, status, facet_model, embedding_model, params) VALUES (?, ?, ?, '\(TopicRunStatus.running.rawValue)', ?, ?, ?)")
        try s.bind([.int(pid), .text(facet), .int(Self.nowMicros()), .text(facetModel), embeddingModel.map(SQLValue.text) ?? .null, .text(JSONWriter.string(params))])
        try s.run()
        return try db.scalarInt("SELECT last_insert_rowid()") ?? 0
    }

    public func finishTopicRun(_ run: Int64, status: TopicRunStatus, counts: Value) throws {
        let s = try db.prepare("UPDATE topic_runs SET finished = ?, status = ?, counts = ? WHERE id = ?")
        try s.bind([.int(Self.nowMicros()), .text(status.rawValue), .text(JSONWriter.string(counts)), .int(run)])
        try s.run()
    }

    public func topicRuns(projectRow pid: Int64, limit: Int = 20) throws -> [TopicRunInfo] {
        let s = try db.prepare("""
            SELECT id, facet, started, finished, status, facet_model, embedding_model, params, counts FROM topic_runs
            WHERE project_id = ? ORDER BY id DESC LIMIT ?
            """)
        try s.bind([.int(pid), .int(Int64(limit))])
        var out: [TopicRunInfo] = []
        while try s.step() {
            out.append(TopicRunInfo(id: s.int(0), facet: s.text(1) ?? "", started: Timestamp(microseconds: s.int(2)),
                                    finished: s.optionalInt(3).map(Timestamp.init(microseconds:)), status: s.text(4) ?? "",
                                    facetModel: s.text(5), embeddingModel: s.text(6),
                                    params: s.text(7).flatMap { try? JSONReader.parse($0) } ?? .null,
                                    counts: s.text(8).flatMap { try? JSONReader.parse($0) } ?? .null))
        }
        return out
    }

    // MARK: - Facets and classifications

    /// Writes facet summaries (replacing earlier ones for the same trace and facet).
    public func writeFacets(projectRow pid: Int64, rows: [FacetRow], run: Int64?) throws {
        let s = try db.prepare("""
            INSERT INTO facets(project_id, trace_id, facet, value, source, run_id, updated) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(project_id, trace_id, facet) DO UPDATE SET value = excluded.value, source = excluded.source,
              run_id = excluded.run_id, updated = excluded.updated
            """)
        let now = Self.nowMicros()
        for r in rows {
            s.reset()
            s.bind(pid, at: 1)
            try s.bind(r.trace, at: 2)
            try s.bind(r.facet, at: 3)
            try s.bind(r.value, at: 4)
            try s.bind(r.source, at: 5)
            s.bind(run, at: 6)
            s.bind(now, at: 7)
            try s.run()
        }
    }

    /// Facet summaries of a project: trace -> value, for one facet.
    public func facetValues(projectRow pid: Int64, facet: String) throws -> [String: String] {
        let s = try db.prepare("SELECT trace_id, value FROM facets WHERE project_id = ? AND facet = ? COLLATE NOCASE")
        try s.bind([.int(pid), .text(facet)])
        var out: [String: String] = [:]
        while try s.step() { if let v = s.text(1) { out[s.text(0)!] = v } }
        return out
    }

    /// Facet names present in a project, with how many traces have each.
    public func facetNames(projectRow pid: Int64) throws -> [(name: String, traces: Int)] {
        let s = try db.prepare("SELECT facet, count(*) FROM facets WHERE project_id = ? GROUP BY facet ORDER BY facet")
        try s.bind([.int(pid)])
        var out: [(String, Int)] = []
        while try s.step() { out.append((s.text(0) ?? "", Int(s.int(1)))) }
        return out
    }

    /// Replaces the classification (position 0) of each listed trace for `facet`.
    public func writeClassifications(projectRow pid: Int64, facet: String, rows: [ClassificationRow], source: String, run: Int64?) throws {
        let del = try db.prepare("DELETE FROM classifications WHERE project_id = ? AND trace_id = ? AND facet = ?")
        let ins = try db.prepare("""
            INSERT INTO classifications(project_id, trace_id, facet, position, topic_id, label, confidence, distance, metadata, source, run_id, x, y)
            VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in rows {
            del.reset()
            try del.bind([.int(pid), .text(r.trace), .text(facet)])
            try del.run()
            ins.reset()
            ins.bind(pid, at: 1)
            try ins.bind(r.trace, at: 2)
            try ins.bind(facet, at: 3)
            try ins.bind(r.topicID, at: 4)
            try ins.bind(r.label, at: 5)
            ins.bind(r.confidence, at: 6)
            ins.bind(r.distance, at: 7)
            try ins.bind(r.metadata, at: 8)
            try ins.bind(source, at: 9)
            ins.bind(run, at: 10)
            ins.bind(r.x, at: 11)
            ins.bind(r.y, at: 12)
            try ins.run()
        }
    }

    /// Removes every classification of `facet` in a project (before a full re-run writes new ones).
    public func clearClassifications(projectRow pid: Int64, facet: String) throws {
        let s = try db.prepare("DELETE FROM classifications WHERE project_id = ? AND facet = ?")
        try s.bind([.int(pid), .text(facet)])
        try s.run()
    }

    /// Classifications of one facet: trace -> (topic id, label, distance, confidence, x, y, created).
    public func classifications(projectRow pid: Int64, facet: String) throws -> [(trace: String, topic: String?, label: String?, distance: Double?, confidence: Double?, x: Double?, y: Double?)] {
        let s = try db.prepare("""
            SELECT trace_id, topic_id, label, distance, confidence, x, y FROM classifications
            WHERE project_id = ? AND facet = ? COLLATE NOCASE AND position = 0 ORDER BY trace_id
            """)
        try s.bind([.int(pid), .text(facet)])
        var out: [(String, String?, String?, Double?, Double?, Double?, Double?)] = []
        while try s.step() { out.append((s.text(0)!, s.text(1), s.text(2), s.optionalDouble(3), s.optionalDouble(4), s.optionalDouble(5), s.optionalDouble(6))) }
        return out
    }

    /// The metadata (JSON text) of one trace's first classification along a facet.
    public func classificationMetadata(projectRow pid: Int64, facet: String, trace: String) throws -> String? {
        let s = try db.prepare("""
            SELECT metadata FROM classifications WHERE project_id = ? AND facet = ? COLLATE NOCASE AND trace_id = ? AND position = 0
            """)
        try s.bind([.int(pid), .text(facet), .text(trace)])
        return try s.step() ? s.text(0) : nil
    }

    // MARK: - Topics

    public func topics(projectRow pid: Int64, facet: String? = nil) throws -> [StoredTopic] {
        let s = try db.prepare("""
            SELECT id, facet, label, description, terms, centroid, radius, size, status, merged_into, confirmation, embedding_model, first_run, last_run,
                   parent, parent_label
            FROM topics WHERE project_id = ?1 \(facet != nil ? "AND facet = ?2 COLLATE NOCASE" : "") ORDER BY facet, size DESC, id
            """)
        try s.bind([.int(pid)] + (facet.map { [SQLValue.text($0)] } ?? []))
        var out: [StoredTopic] = []
        while try s.step() {
            let terms = s.text(4).flatMap { try? JSONReader.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
            let centroid: [Float] = s.blob(5).map { b in b.count % 4 == 0 ? b.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } : [] } ?? []
            out.append(StoredTopic(id: s.text(0) ?? "", facet: s.text(1) ?? "", label: s.text(2) ?? "", description: s.text(3), terms: terms,
                                   centroid: centroid, radius: s.optionalDouble(6), size: Int(s.int(7)), status: TopicStatus(rawValue: s.text(8) ?? "") ?? .active,
                                   mergedInto: s.text(9), confirmation: s.text(10), embeddingModel: s.text(11),
                                   firstRun: s.optionalInt(12), lastRun: s.optionalInt(13), parent: s.text(14), parentLabel: s.text(15)))
        }
        return out
    }

    /// Inserts or updates topics (keyed by project, facet and id).
    public func saveTopics(projectRow pid: Int64, _ topics: [StoredTopic]) throws {
        let s = try db.prepare("""
            INSERT INTO topics(project_id, facet, id, label, description, terms, centroid, radius, size, status, merged_into, embedding_model, first_run, last_run,
                               parent, parent_label)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(project_id, facet, id) DO UPDATE SET label = excluded.label, description = excluded.description,
              terms = excluded.terms, centroid = excluded.centroid, radius = excluded.radius, size = excluded.size,
              status = excluded.status, merged_into = excluded.merged_into, embedding_model = excluded.embedding_model,
              first_run = coalesce(topics.first_run, excluded.first_run), last_run = excluded.last_run,
              parent = excluded.parent, parent_label = excluded.parent_label
            """)
        for t in topics {
            s.reset()
            let centroid: SQLValue = t.centroid.isEmpty ? .null : .blob(t.centroid.withUnsafeBytes { Array($0) })
            try s.bind([.int(pid), .text(t.facet), .text(t.id), .text(t.label), t.description.map(SQLValue.text) ?? .null,
                        .text(JSONWriter.string(.array(t.terms.map(Value.string)))), centroid, t.radius.map(SQLValue.double) ?? .null,
                        .int(Int64(t.size)), .text(t.status.rawValue), t.mergedInto.map(SQLValue.text) ?? .null,
                        t.embeddingModel.map(SQLValue.text) ?? .null, t.firstRun.map(SQLValue.int) ?? .null, t.lastRun.map(SQLValue.int) ?? .null,
                        t.parent.map(SQLValue.text) ?? .null, t.parentLabel.map(SQLValue.text) ?? .null])
            try s.run()
        }
    }

    /// Sizes of topics as classified now: the facet's classifications counted in one pass.
    public func refreshTopicSizes(projectRow pid: Int64, facet: String) throws {
        let count = try db.prepare("""
            SELECT topic_id, count(*) FROM classifications WHERE project_id = ? AND facet = ? AND position = 0 AND topic_id IS NOT NULL GROUP BY topic_id
            """)
        try count.bind([.int(pid), .text(facet)])
        var sizes: [String: Int64] = [:]
        while try count.step() { sizes[count.text(0)!] = count.int(1) }
        let zero = try db.prepare("UPDATE topics SET size = 0 WHERE project_id = ? AND facet = ?")
        try zero.bind([.int(pid), .text(facet)])
        try zero.run()
        try addToTopicSizes(projectRow: pid, facet: facet, sizes)
    }

    /// Adds traces newly classified to each topic's size (live classification of new traces).
    public func addToTopicSizes(projectRow pid: Int64, facet: String, _ added: [String: Int64]) throws {
        let s = try db.prepare("UPDATE topics SET size = size + ? WHERE project_id = ? AND facet = ? AND id = ?")
        for (topic, n) in added.sorted(by: { $0.key < $1.key }) where n != 0 {
            s.reset()
            try s.bind([.int(n), .int(pid), .text(facet), .text(topic)])
            try s.run()
        }
    }

    // MARK: - Embedding cache

    public func cachedEmbeddings(model: String, keys: [String]) throws -> [String: [Float]] {
        let s = try db.prepare("SELECT vector FROM embeddings WHERE model = ? AND text_hash = ?")
        var out: [String: [Float]] = [:]
        for k in keys {
            s.reset()
            try s.bind([.text(model), .text(k)])
            if try s.step(), let b = s.blob(0), b.count % 4 == 0 { out[k] = b.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
        }
        return out
    }

    public func cacheEmbeddings(model: String, _ items: [(key: String, vector: [Float])]) throws {
        let s = try db.prepare("INSERT OR REPLACE INTO embeddings(model, text_hash, vector) VALUES (?, ?, ?)")
        for (k, v) in items {
            s.reset()
            try s.bind([.text(model), .text(k), .blob(v.withUnsafeBytes { Array($0) })])
            try s.run()
        }
    }

    // MARK: - Custom facet definitions

    public func facetDefinitions() throws -> [(name: String, definition: String)] {
        let s = try db.prepare("SELECT name, definition FROM facet_definitions ORDER BY created, name")
        var out: [(String, String)] = []
        while try s.step() { out.append((s.text(0) ?? "", s.text(1) ?? "")) }
        return out
    }

    public func saveFacetDefinition(name: String, definition: String) throws {
        try db.transaction {
            let s = try db.prepare("""
                INSERT INTO facet_definitions(name, definition, created) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET definition = excluded.definition
                """)
            try s.bind([.text(name), .text(definition), .int(Self.nowMicros())])
            try s.run()
        }
    }

    @discardableResult
    public func removeFacetDefinition(name: String) throws -> Bool {
        try db.transaction {
            let s = try db.prepare("DELETE FROM facet_definitions WHERE name = ?")
            try s.bind([.text(name)])
            try s.run()
            return db.changes > 0
        }
    }
}
