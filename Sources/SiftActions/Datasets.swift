// Evaluation datasets promoted from production traces: the traces matching a filter (or a seeded
// sample of N of them) become records with the input, the expected output (the answer given, editable),
// the source trace id and its topic. Adding a trace twice does not duplicate it. Exported as JSONL in
// the Braintrust dataset record shape, and queryable with FROM dataset('name').

import Foundation
import SiftModel
import SiftStore
import SiftTopics

public final class Datasets {
    public let store: Store

    public init(store: Store) { self.store = store }

    func datasetID(_ name: String) throws -> Int64 {
        guard let id = try store.datasetRow(named: name) else {
            let names = try list().map(\.name)
            throw StoreError.notFound("no dataset named '\(name)'" + (names.isEmpty ? " (create one with sift datasets create)" : " (datasets: \(names.joined(separator: ", ")))"))
        }
        return id
    }

    public func create(_ name: String, description: String? = nil) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 128 else { throw ActionError("a dataset needs a name of 1 to 128 characters") }
        if try store.datasetRow(named: name) != nil { throw ActionError("dataset '\(name)' already exists") }
        try store.createDataset(name: name, description: description)
    }

    public func list() throws -> [(name: String, description: String?, records: Int, created: Timestamp)] {
        try store.datasets()
    }

    /// Adds the traces of `project` matching `filter` (all of them, or a seeded sample of `sample`).
    /// Returns (added, already there).
    public func add(_ name: String, project: String, filter: String, sample: Int? = nil, seed: UInt64 = 42, topicFacet: String = "Issues") throws -> (added: Int, existing: Int) {
        let did = try datasetID(name)
        let pid = try store.projectRow(named: project)
        var ids = try Scorers.matchingTraces(store: store, project: project, filter: filter).sorted()
        if let sample, sample < ids.count {
            // Seeded: order by a hash of (seed, id) and take the first N.
            ids = ids.map { ($0, Self.mix($0, seed)) }.sorted { $0.1 < $1.1 }.prefix(sample).map(\.0).sorted()
        }
        let topics = Dictionary(try store.classifications(projectRow: pid, facet: topicFacet).compactMap { c in c.label.map { (c.trace, $0) } }, uniquingKeysWith: { a, _ in a })
        let traces = try store.traces(projectRow: pid, ids: ids)
        let rows = traces.map { t in
            let thread = TraceThread(trace: t)
            let input: Value = t.root.input.isNull ? (thread.userTurns.first.map(Value.string) ?? .null) : t.root.input
            let expected: Value = t.root.output.isNull ? (thread.finalAnswer.map(Value.string) ?? .null) : t.root.output
            var meta: JSONObject = ["source_trace_id": .string(t.id), "project": .string(project)]
            if let topic = topics[t.id] { meta["topic"] = .string(topic); meta["topic_facet"] = .string(topicFacet) }
            return DatasetRecordRow(id: "\(project):\(t.id)", projectRow: pid, sourceTrace: t.id, input: JSONWriter.string(input),
                                    expected: JSONWriter.string(expected), metadata: JSONWriter.string(.object(meta)), topic: topics[t.id])
        }
        let added = try store.addDatasetRecords(datasetRow: did, rows)
        return (added, traces.count - added)
    }

    /// A seeded, stable order for sampling.
    static func mix(_ s: String, _ seed: UInt64) -> UInt64 { StableHash.fnv(s, seed: seed) }

    /// Replaces a record's expected output (JSON, or a plain string).
    public func setExpected(_ name: String, record: String, expected: String) throws {
        let did = try datasetID(name)
        let value = (try? JSONReader.parse(expected)) ?? .string(expected)
        guard try store.setDatasetExpected(datasetRow: did, record: record, expected: JSONWriter.string(value)) else {
            throw StoreError.notFound("dataset '\(name)' has no record '\(record)'")
        }
    }

    /// The records in the Braintrust dataset record shape.
    public func records(_ name: String) throws -> [Value] {
        _ = try datasetID(name)
        return try store.datasetRecords(name).map { r in
            .object(["id": r["id"] ?? .null, "input": r["input"] ?? .null, "expected": r["expected"] ?? .null,
                     "metadata": r["metadata"] ?? .null, "tags": .array([]), "created": r["created"] ?? .null,
                     "origin": ["object_type": "project_logs", "id": r["source_trace_id"] ?? .null]])
        }
    }

    /// Writes the records as JSON lines; returns how many.
    public func export(_ name: String, to path: String) throws -> Int {
        let recs = try records(name)
        let text = recs.map { JSONWriter.string($0) }.joined(separator: "\n") + (recs.isEmpty ? "" : "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return recs.count
    }
}
