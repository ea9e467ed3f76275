import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

final class StoreTests: XCTestCase {
    func testNewStoreIsMigratedInWALMode() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        XCTAssertEqual(store.schemaVersion, Schema.latestVersion)
        XCTAssertEqual(try store.db.scalarText("PRAGMA journal_mode"), "wal")
        for table in ["projects", "spans", "facets", "classifications", "topics", "topic_runs", "scorers", "scores", "datasets", "dataset_records", "review_items", "embeddings", "ingest_runs"] {
            XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)]), 1, table)
        }
        // Reopening does not migrate again.
        let again = try Store(path: dir.path("s.db"))
        XCTAssertEqual(again.schemaVersion, Schema.latestVersion)
    }

    /// The generation moves with every statement that may write what queries read, and only then.
    func testGenerationFollowsWritesOfQueriedTables() throws {
        XCTAssertTrue(Database.mayWriteWatched("INSERT INTO facets(project_id) VALUES (1)"))
        XCTAssertTrue(Database.mayWriteWatched("update Classifications set label = 'x'"))
        XCTAssertTrue(Database.mayWriteWatched("DELETE FROM scores WHERE scorer = ?"))
        XCTAssertTrue(Database.mayWriteWatched("INSERT INTO spans(id) VALUES ('a') ON CONFLICT(id) DO UPDATE SET id = excluded.id"))
        XCTAssertFalse(Database.mayWriteWatched("SELECT * FROM spans"))
        XCTAssertFalse(Database.mayWriteWatched("INSERT OR REPLACE INTO column_cache(project_id, key) VALUES (1, 'k')"))
        XCTAssertFalse(Database.mayWriteWatched("UPDATE topics SET label = 'x'"))
        let dir = TempDir()
        let store = try Store(path: dir.path("g.db"))
        let g0 = try store.generation()
        _ = try store.db.scalarInt("SELECT count(*) FROM spans")
        try store.db.execute("UPDATE topics SET label = 'x' WHERE 0")
        XCTAssertEqual(try store.generation(), g0, "reads and writes of other tables leave it")
        let pid = try XCTUnwrap(try store.projectID(named: "p", create: true))
        try store.db.transaction {
            let s = try store.db.prepare("INSERT INTO facets(project_id, trace_id, facet, value, source, updated) VALUES (?, 't', 'F', 'v', 'test', 0)")
            try s.bind([.int(pid)])
            try s.run()
        }
        XCTAssertEqual(try store.generation(), g0 + 1, "one bump per writing transaction")
        try store.db.execute("DELETE FROM facets WHERE facet = 'F'")
        XCTAssertEqual(try store.generation(), g0 + 2, "a statement outside a transaction bumps it by itself")
        try? store.db.transaction { try store.db.execute("DELETE FROM scores"); throw StoreError.invalid("rolled back") }
        XCTAssertEqual(try store.generation(), g0 + 2, "a rolled-back write does not")
    }

    func testOlderStoreIsMigratedKeepingItsSpans() throws {
        let dir = TempDir()
        // A store as version 1 left it, with a span in it.
        let old = try Database(path: dir.path("v1.db"))
        try old.execute(Schema.migrations[0])
        try old.execute("PRAGMA user_version = 1")
        try old.execute("INSERT INTO projects(id, name, created) VALUES (1, 'p', 0)")
        try old.execute("INSERT INTO spans(project_id, id, span_id, root_span_id, is_root, created) VALUES (1, 'a', 'a', 'a', 1, 0)")
        let store = try Store(path: dir.path("v1.db"))
        XCTAssertEqual(store.schemaVersion, Schema.latestVersion)
        XCTAssertEqual(try store.db.scalarText("SELECT sql FROM sqlite_master WHERE name = 'spans_by_trace'"),
                       "CREATE INDEX spans_by_trace ON spans(project_id, root_span_id, is_root, created)")
        XCTAssertEqual(try store.trace(id: "a").spans.count, 1)
    }

    func testRefusesForeignAndNewerFiles() throws {
        let dir = TempDir()
        let other = try Database(path: dir.path("other.db"))
        try other.execute("CREATE TABLE t(x)")
        XCTAssertThrowsError(try Store(path: dir.path("other.db"))) { e in
            XCTAssertTrue("\(e)".contains("not a Sift store"), "\(e)")
        }
        let newer = try Database(path: dir.path("newer.db"))
        try newer.execute("PRAGMA user_version = 999")
        XCTAssertThrowsError(try Store(path: dir.path("newer.db"))) { e in
            XCTAssertTrue("\(e)".contains("schema version 999"), "\(e)")
        }
        dir.write("text.db", "hello, this is not sqlite at all, just some text that is long enough to matter")
        XCTAssertThrowsError(try Store(path: dir.path("text.db"))) { e in
            XCTAssertTrue("\(e)".contains("not a Sift store") || "\(e)".contains("not a database"), "\(e)")
        }
        XCTAssertThrowsError(try Store(path: dir.path("missing.db"), create: false)) { e in
            XCTAssertTrue("\(e)".contains("no Sift store at"), "\(e)")
        }
    }

    func testTraceLookupByIdSpanIdAndPrefix() throws {
        let dir = TempDir()
        let file = dir.write("t.jsonl", """
            {"id":"abcdef123456","created":"2024-01-01T00:00:00Z"}
            {"id":"child-1","root_span_id":"abcdef123456","span_parents":["abcdef123456"],"created":"2024-01-01T00:00:01Z"}
            {"id":"abcdef999999","created":"2024-01-01T00:00:00Z"}
            """)
        let store = try Store(path: dir.path("s.db"))
        _ = try ingest(store, [file])
        XCTAssertEqual(try store.trace(id: "abcdef123456").spans.count, 2)
        XCTAssertEqual(try store.trace(id: "child-1").id, "abcdef123456")
        XCTAssertEqual(try store.trace(id: "abcdef1").id, "abcdef123456")
        XCTAssertThrowsError(try store.trace(id: "abcdef")) { e in XCTAssertTrue("\(e)".contains("ambiguous"), "\(e)") }
        XCTAssertThrowsError(try store.trace(id: "zzz")) { e in XCTAssertEqual("\(e)", "no trace with id 'zzz'") }
        let recent = try store.recentTraces(project: nil, limit: 10)
        XCTAssertEqual(recent.count, 2)
        XCTAssertEqual(recent.first(where: { $0.id == "abcdef123456" })?.spans, 2)
    }

    /// Span columns come back in row order for a project that is most of the store (a plain scan),
    /// for a small one (through an index), and for a time range, whatever order SQLite reads them in.
    func testSpanColumnsAreInRowOrderWhicheverWayTheyAreRead() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("c.db"))
        // Two projects interleaved over several ingests; created times out of row order.
        for batch in 0..<5 {
            var big = "", small = ""
            for i in 0..<8 {
                let n = batch * 8 + i
                let minute = (n * 37) % 60
                big += "{\"id\":\"b\(n)\",\"created\":\"2024-01-01T00:\(minute < 10 ? "0" : "")\(minute):00Z\",\"output\":{\"n\":\(n)}}\n"
            }
            small += "{\"id\":\"s\(batch)\",\"created\":\"2024-01-01T00:\(50 - batch * 7):00Z\",\"output\":\"small \(batch)\"}\n"
            _ = try ingest(store, [dir.write("b\(batch).jsonl", big)], project: "big")
            _ = try ingest(store, [dir.write("s\(batch).jsonl", small)], project: "small")
        }
        let lower = Timestamp(iso8601: "2024-01-01T00:10:00Z")!.microseconds, upper = Timestamp(iso8601: "2024-01-01T00:40:00Z")!.microseconds
        for project in ["big", "small"] {
            let pid = try XCTUnwrap(try store.projectID(named: project))
            for (lo, hi) in [(nil, nil), (lower, upper)] as [(Int64?, Int64?)] {
                let columns = try store.spanColumns(project: project, lower: lo, upper: hi)
                var sql = "SELECT id, output FROM spans WHERE project_id = ?"
                var binds: [SQLValue] = [.int(pid)]
                if let lo, let hi { sql += " AND created >= ? AND created <= ?"; binds += [.int(lo), .int(hi)] }
                let s = try store.db.prepare(sql + " ORDER BY row")
                try s.bind(binds)
                var ids: [Value] = [], outputs: [Value] = []
                while try s.step() { ids.append(.string(s.text(0)!)); outputs.append(try JSONReader.parse(s.text(1)!)) }
                XCTAssertGreaterThan(ids.count, 2, "\(project) \(String(describing: lo))")
                XCTAssertEqual(try columns.column("id"), ids, "\(project) \(String(describing: lo))")
                XCTAssertEqual(try columns.column("output"), outputs, "\(project) \(String(describing: lo))")
            }
        }
    }
}
