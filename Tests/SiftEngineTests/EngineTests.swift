import Foundation
import XCTest
import SiftTestSupport
import SiftDemo
import SiftEngine
import SiftExecutor
import SiftModel
import SiftQuery
import SiftSimulator
@testable import SiftStore

final class EngineTests: XCTestCase {
    var temp: TempDir!
    var dir: URL { temp.url }
    var store: Store!

    override func setUpWithError() throws {
        temp = TempDir("sift-engine")
        _ = try Demo.run(path: dir.appendingPathComponent("s.db").path, traces: 400, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        store = try Store(path: dir.appendingPathComponent("s.db").path)
    }

    override func tearDown() { temp = nil }

    func rows(_ sql: String) throws -> [[String]] {
        let s = try store.db.prepare(sql)
        var out: [[String]] = []
        while try s.step() {
            out.append((0..<sqlite3ColumnCount(s)).map { c in s.isNull(Int32(c)) ? "NULL" : (s.text(Int32(c)) ?? "NULL") })
        }
        return out
    }

    func sift(_ query: String, caching: Bool = false) throws -> [[String]] {
        var o = QueryOptions()
        o.now = Timestamp(iso8601: "2026-11-20T00:00:00Z")
        return try Session(store: store, caching: caching).run(query, options: o).rows.map { $0.map { $0.isNull ? "NULL" : $0.text } }
    }

    /// The same questions asked of SQLite's own evaluation (json_extract over the stored spans) and of
    /// Sift's executor give the same answers.
    func testResultsMatchSQLite() throws {
        let cases: [(String, String)] = [
            ("SELECT span_attributes.type AS t, count(*) AS n FROM project_logs('demo') GROUP BY t ORDER BY t",
             "SELECT span_type, count(*) FROM spans GROUP BY span_type ORDER BY span_type"),
            ("SELECT metadata.model AS m, count(1) AS n, sum(metrics.total_tokens) AS tok FROM project_logs('demo') WHERE span_attributes.type = 'llm' GROUP BY m ORDER BY m",
             "SELECT json_extract(sift_text(metadata), '$.model') AS m, count(1), sum(total_tokens) FROM spans WHERE span_type = 'llm' GROUP BY m ORDER BY m"),
            ("SELECT span_attributes.name AS tool, count(error) AS errors, count(1) AS calls FROM project_logs('demo') WHERE span_attributes.type = 'tool' GROUP BY tool ORDER BY tool",
             "SELECT span_name, sum(error IS NOT NULL), count(1) FROM spans WHERE span_type = 'tool' GROUP BY span_name ORDER BY span_name"),
            ("SELECT id FROM project_logs('demo') WHERE input ILIKE '%refund%' AND is_root ORDER BY id",
             "SELECT id FROM spans WHERE is_root AND json_extract(sift_text(input), '$') LIKE '%refund%' ORDER BY id"),
            ("SELECT day(created) AS d, count(*) AS n FROM project_logs('demo') WHERE created > now() - interval 5 day GROUP BY d ORDER BY d",
             "SELECT strftime('%Y-%m-%dT00:00:00.000Z', created / 1000000, 'unixepoch') AS d, count(*) FROM spans WHERE created > \(Timestamp(iso8601: "2026-11-15T00:00:00Z")!.microseconds) GROUP BY d ORDER BY d"),
            ("SELECT count(*) AS n, max(metrics.total_tokens) AS mx, min(metrics.total_tokens) AS mn FROM project_logs('demo') WHERE metrics.total_tokens > 1000",
             "SELECT count(*), max(total_tokens), min(total_tokens) FROM spans WHERE total_tokens > 1000"),
            ("SELECT count(*) AS traces FROM project_logs('demo', shape => 'traces') WHERE error IS NOT NULL",
             "SELECT count(DISTINCT root_span_id) FROM spans WHERE error IS NOT NULL"),
        ]
        for (q, sql) in cases {
            XCTAssertEqual(try sift(q), try rows(sql), q)
            XCTAssertEqual(try sift(q, caching: true), try rows(sql), "cached: " + q)
        }
    }

    /// A query without a source reads the store's only project; with two projects it says to pick one.
    func testSourcelessQueriesDefaultToTheOnlyProject() throws {
        XCTAssertEqual(try sift("select: count(1) AS n\nfilter: is_root"), try sift("SELECT count(1) AS n FROM project_logs('demo') WHERE is_root"))
        XCTAssertEqual(try sift("is_root AND span_attributes.type = 'task'").count, try sift("SELECT id FROM project_logs('demo') WHERE is_root AND span_attributes.type = 'task'").count)
        let file = dir.appendingPathComponent("other.jsonl")
        try #"{"id": "x", "created": "2026-11-19T10:00:00Z", "input": "hi"}"#.appending("\n").write(to: file, atomically: true, encoding: .utf8)
        var io = IngestOptions()
        io.project = "other"
        _ = try Ingester(store: store, options: io).ingest(paths: [file.path])
        XCTAssertThrowsError(try sift("select: count(1) AS n\nfilter: is_root"))
        XCTAssertEqual(try sift("SELECT count(1) AS n FROM project_logs('other')"), [["1"]])
    }

    /// Readers go on while a bulk ingest in another process has dropped the trace index (issue 16: 308 of
    /// 378 queries failed with "no such index: spans_by_trace").
    func testReadsWorkWhileABulkIngestHasDroppedTheIndexes() throws {
        let q = "SELECT count(1) AS n FROM project_logs('demo', shape => 'traces') WHERE created > '2026-11-10'"
        let before = try sift(q)
        let pid = try store.projectRow(named: "demo")
        let starts = try store.traceStarts(projectRow: pid)
        try store.db.execute("DROP INDEX spans_by_trace; DROP INDEX spans_by_created; DELETE FROM column_cache")
        XCTAssertEqual(try sift(q), before)
        XCTAssertEqual(try store.traceStarts(projectRow: pid).map(\.id), starts.map(\.id))
        XCTAssertEqual(try store.recentTraces(project: "demo", limit: 3).count, 3)
    }

    /// A caching session (the REPL) answers from new data after another connection writes (issue 16:
    /// a REPL kept answering 1,000 spans after an ingest brought 3,019), new fields included.
    func testCachingSessionSeesAnotherWritersData() throws {
        let session = Session(store: store, caching: true)
        let count = "SELECT count(1) AS n, max(metadata.fresh) AS f FROM project_logs('demo')"
        let before = try session.run(count, options: QueryOptions()).rows[0]
        XCTAssertTrue(before[1].isNull)
        let other = try Store(path: dir.appendingPathComponent("s.db").path)   // as another process would
        let file = dir.appendingPathComponent("more.jsonl")
        try #"{"id": "late", "created": "2026-11-19T10:00:00Z", "input": "hi", "metadata": {"fresh": 7}}"#.appending("\n").write(to: file, atomically: true, encoding: .utf8)
        var io = IngestOptions()
        io.project = "demo"
        _ = try Ingester(store: other, options: io).ingest(paths: [file.path])
        let after = try session.run(count, options: QueryOptions()).rows[0]
        guard case .int(let n) = before[0] else { return XCTFail("\(before)") }
        XCTAssertEqual(after[0], .int(n + 1))
        XCTAssertEqual(after[1], .int(7))
    }

    func testExplainSnapshots() throws {
        let session = Session(store: store)
        var o = QueryOptions()
        o.now = Timestamp(iso8601: "2026-11-20T00:00:00Z")
        let plan = try session.plan("""
            SELECT facets.sentiment, classifications.Task[0].label as topic, count(*) as count
            FROM project_logs('demo', shape => 'traces')
            WHERE facets.sentiment IS NOT NULL AND created > now() - interval 7 day
            GROUP BY facets.sentiment, topic ORDER BY count DESC LIMIT 20
            """, options: o)
        XCTAssertEqual(plan.explain, """
            Limit 20
              Sort count DESC
                Aggregate by facets.sentiment, classifications.Task[0].label -> sentiment = facets.sentiment, topic = classifications.Task[0].label, count = count(*)
                  TraceFilter (a trace matches if any span does) (facets.sentiment IS NOT NULL) AND (created > (now() - INTERVAL 7 DAY))
                    Scan project_logs('demo') shape=traces fields=[classifications, created, facets, is_root, root_span_id]
            """)
        let mirrored = try session.plan("SELECT id FROM project_logs('demo') WHERE '2026-11-01' <= created AND now() > created", options: o)
        XCTAssertTrue(mirrored.explain.hasSuffix("time=[created >= '2026-11-01' AND created < now()]"), mirrored.explain)
        let spans = try session.plan("SELECT id FROM project_logs('demo') WHERE created >= '2026-11-01' AND created < now() AND metadata.model = 'gpt-4o'", options: o)
        XCTAssertEqual(spans.explain, """
            Project id = id
              Filter ((created >= '2026-11-01') AND (created < now())) AND (metadata.model = 'gpt-4o')
                Scan project_logs('demo') shape=spans fields=[created, id, metadata] time=[created >= '2026-11-01' AND created < now()]
            """)
    }

    func testDidYouMeanUsesTheCatalog() throws {
        try store.db.execute("INSERT INTO facets(project_id, trace_id, facet, value, source, updated) SELECT id, 'x', 'Sentiment', 'NEUTRAL', 'test', 0 FROM projects WHERE name = 'demo'")
        XCTAssertThrowsError(try sift("SELECT facets.Sentimant FROM project_logs('demo')")) { e in
            XCTAssertEqual((e as? QueryError)?.diagnostic.hint, "did you mean facets.Sentiment?")
            XCTAssertTrue("\(e)".contains("LINE 1: SELECT facets.Sentimant FROM project_logs('demo')"), "\(e)")
        }
        XCTAssertThrowsError(try sift("SELECT id FROM project_logs('dmeo')")) { e in
            XCTAssertEqual((e as? QueryError)?.diagnostic.hint, "projects: demo; did you mean 'demo'?")
        }
    }

    /// dataset(...) and topics(...) read their own tables, with their own fields.
    func testDatasetAndTopicsSources() throws {
        // A dataset that does not exist is an error that points at its name (issue 16), not zero rows.
        XCTAssertThrowsError(try sift("SELECT count(*) FROM dataset('golden')")) { e in
            XCTAssertTrue("\(e)".contains("no dataset named 'golden'") && "\(e)".contains("^^^^^^^^"), "\(e)")
        }
        try store.db.execute("""
            INSERT INTO datasets(id, name, created) VALUES (1, 'golden', 0);
            INSERT INTO dataset_records(dataset_id, id, project_id, source_trace_id, input, expected, metadata, topic, created)
              SELECT 1, 'rec-1', id, 'trace-a', '"where is my order?"', '"It ships today."', '{"k":1}', 'order status', 1000000 FROM projects WHERE name = 'demo';
            INSERT INTO dataset_records(dataset_id, id, project_id, source_trace_id, input, expected, metadata, topic, created)
              SELECT 1, 'rec-2', id, 'trace-b', '"refund please"', NULL, NULL, 'refunds', 2000000 FROM projects WHERE name = 'demo';
            INSERT INTO topics(project_id, facet, id, label, description, size, status)
              SELECT id, 'Issues', 't1', 'Tool retry storms', 'A tool fails four to six times', 42, 'active' FROM projects WHERE name = 'demo';
            """)
        XCTAssertEqual(try sift("SELECT id, input, expected, topic, project_id FROM dataset('golden') ORDER BY id"),
                       [["rec-1", "where is my order?", "It ships today.", "order status", "demo"],
                        ["rec-2", "refund please", "NULL", "refunds", "demo"]])
        XCTAssertEqual(try sift("SELECT count(*) FROM dataset('golden') WHERE expected IS NULL"), [["1"]])
        XCTAssertEqual(try sift("SELECT label, size FROM topics('demo') WHERE facet = 'Issues'"), [["Tool retry storms", "42"]])
        XCTAssertThrowsError(try sift("SELECT topc FROM dataset('golden')")) { e in
            XCTAssertEqual((e as? QueryError)?.diagnostic.hint, "did you mean topic?")
        }
        XCTAssertThrowsError(try sift("SELECT label FROM topics('nope')")) { e in
            XCTAssertEqual((e as? QueryError)?.diagnostic.message, "no project named 'nope'")
        }
    }
}

extension EngineTests {
    /// The bounded heap behind ORDER BY ... LIMIT gives exactly the prefix of the full sort, ties included.
    func testTopKMatchesTheFullSort() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let n = Int.random(in: 0..<400, using: &rng)
            let values = (0..<n).map { _ in Int.random(in: 0..<10, using: &rng) }
            let less: (Int, Int) -> Bool = { a, b in values[a] != values[b] ? values[a] > values[b] : a < b }
            let k = Int.random(in: 0...60, using: &rng)
            XCTAssertEqual(TopK.select(count: n, k: k, less: less), Array((0..<n).sorted(by: less).prefix(k)))
        }
        // And through the engine: a small LIMIT over many rows equals the head of the unlimited answer.
        let q = "SELECT id, metrics.total_tokens AS t FROM project_logs('demo') ORDER BY t DESC NULLS LAST, created"
        let all = try sift(q)
        XCTAssertEqual(try sift(q + " LIMIT 7"), Array(all.prefix(7)))
        XCTAssertEqual(try sift(q + " LIMIT 5 OFFSET '3'"), Array(all.dropFirst(3).prefix(5)))
    }
}
