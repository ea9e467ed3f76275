// The datasets and dataset_records tables: evaluation datasets promoted from production traces.
// Which traces become records, and in what shape, is SiftActions' business; the rows are kept here.

import Foundation
import SiftModel

/// One record to add to a dataset (JSON texts for input, expected and metadata).
public struct DatasetRecordRow: Sendable {
    public var id: String
    public var projectRow: Int64
    public var sourceTrace: String
    public var input: String
    public var expected: String
    public var metadata: String
    public var topic: String?

    public init(id: String, projectRow: Int64, sourceTrace: String, input: String, expected: String, metadata: String, topic: String?) {
        self.id = id; self.projectRow = projectRow; self.sourceTrace = sourceTrace
        self.input = input; self.expected = expected; self.metadata = metadata; self.topic = topic
    }
}

extension Store {
    /// The row id of the named dataset, if there is one.
    public func datasetRow(named name: String) throws -> Int64? {
        try db.scalarInt("SELECT id FROM datasets WHERE name = ?", [.text(name)])
    }

    public func createDataset(name: String, description: String?) throws {
        try db.transaction {
            let s = try db.prepare("INSERT INTO datasets(name, description, created) VALUES (?, ?, ?)")
            try s.bind([.text(name), description.map(SQLValue.text) ?? .null, .int(Self.nowMicros())])
            try s.run()
        }
    }

    /// Every dataset by name, with its record count.
    public func datasets() throws -> [(name: String, description: String?, records: Int, created: Timestamp)] {
        let s = try db.prepare("SELECT name, description, (SELECT count(*) FROM dataset_records r WHERE r.dataset_id = d.id), created FROM datasets d ORDER BY name")
        var out: [(String, String?, Int, Timestamp)] = []
        while try s.step() { out.append((s.text(0)!, s.text(1), Int(s.int(2)), Timestamp(microseconds: s.int(3)))) }
        return out
    }

    /// Adds records in one transaction; a trace already in the dataset is not added twice. Returns
    /// how many were added.
    public func addDatasetRecords(datasetRow did: Int64, _ rows: [DatasetRecordRow]) throws -> Int {
        var added = 0
        try db.transaction {
            let s = try db.prepare("""
                INSERT OR IGNORE INTO dataset_records(dataset_id, id, project_id, source_trace_id, input, expected, metadata, topic, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in rows {
                s.reset()
                try s.bind([.int(did), .text(r.id), .int(r.projectRow), .text(r.sourceTrace), .text(r.input), .text(r.expected),
                            .text(r.metadata), r.topic.map(SQLValue.text) ?? .null, .int(Self.nowMicros())])
                try s.run()
                added += db.changes
            }
        }
        return added
    }

    /// Replaces the expected output (JSON text) of the record with this id or source trace id;
    /// false when the dataset has no such record.
    public func setDatasetExpected(datasetRow did: Int64, record: String, expected: String) throws -> Bool {
        try db.transaction {
            let s = try db.prepare("UPDATE dataset_records SET expected = ? WHERE dataset_id = ? AND (id = ? OR source_trace_id = ?)")
            try s.bind([.text(expected), .int(did), .text(record), .text(record)])
            try s.run()
            return db.changes > 0
        }
    }

    /// The records of a dataset, as field -> value rows in insertion order (empty when there is no
    /// such dataset: datasets are created by `sift datasets`).
    public func datasetRecords(_ name: String) throws -> [[String: Value]] {
        let s = try db.prepare("""
            SELECT r.id, r.input, r.expected, r.metadata, r.source_trace_id, r.topic, p.name, r.created
            FROM dataset_records r JOIN datasets d ON d.id = r.dataset_id LEFT JOIN projects p ON p.id = r.project_id
            WHERE d.name = ? ORDER BY r.created, r.id
            """)
        try s.bind([.text(name)])
        var out: [[String: Value]] = []
        func json(_ c: Int32) -> Value { s.text(c).flatMap { try? JSONReader.parse($0) } ?? .null }
        while try s.step() {
            out.append(["id": .string(s.text(0) ?? ""), "input": json(1), "expected": json(2), "metadata": json(3),
                        "source_trace_id": s.text(4).map(Value.string) ?? .null, "topic": s.text(5).map(Value.string) ?? .null,
                        "project_id": s.text(6).map(Value.string) ?? .null,
                        "created": .string(Timestamp(microseconds: s.int(7)).iso8601)])
        }
        return out
    }

}
