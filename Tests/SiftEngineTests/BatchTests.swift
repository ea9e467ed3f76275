import SiftDemo
import SiftEngine
import XCTest
@testable import SiftExecutor
import SiftModel
import SiftStore

/// Expressions over many rows run a batch at a time. Whatever the batch size, the answers are the
/// ones whole-column evaluation gives, and the ones SQLite's own evaluation gives.
extension ColumnCacheTests {
    func testBatchedEvaluationMatchesWholeColumnsAndSQLite() throws {
        let path = dir.appendingPathComponent("b.db").path
        _ = try Demo.run(path: path, traces: 3000, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        func sqlite(_ sql: String) throws -> [[String]] { try sqliteRows(store, sql) }
        defer { Evaluator.batchSize = 4096 }
        let spans = Int(try sqlite("SELECT count(*) FROM spans")[0][0])!
        XCTAssertGreaterThan(spans, 3 * 4096, "enough spans for several full batches and a partial one")
        // Each needs the general path (computed values, OR, CASE, functions), not the coded shortcuts.
        let cases: [(String, String?)] = [
            ("SELECT count(*) AS c FROM project_logs('demo') WHERE lower(span_attributes.name) LIKE '%refund%' OR metrics.total_tokens * 2 > 3000",
             "SELECT count(*) FROM spans WHERE lower(span_name) LIKE '%refund%' OR total_tokens * 2 > 3000"),
            ("SELECT span_attributes.type AS t, sum(metrics.prompt_tokens + metrics.completion_tokens) AS s, max(metrics.total_tokens - 1) AS mx, min(metrics.total_tokens + 1) AS mn, count(metrics.total_tokens + 0) AS n FROM project_logs('demo') GROUP BY t ORDER BY t",
             "SELECT span_type, sum(json_extract(metrics, '$.prompt_tokens') + json_extract(metrics, '$.completion_tokens')), max(total_tokens - 1), min(total_tokens + 1), count(total_tokens) FROM span_text GROUP BY 1 ORDER BY 1"),
            ("SELECT hour(created) AS h, count(*) AS c FROM project_logs('demo') WHERE created > now() - interval 2 day GROUP BY h ORDER BY h",
             "SELECT strftime('%Y-%m-%dT%H:00:00.000Z', created / 1000000, 'unixepoch'), count(*) FROM spans WHERE created > \(Timestamp(iso8601: "2026-11-18T00:00:00Z")!.microseconds) GROUP BY 1 ORDER BY 1"),
            ("SELECT count(DISTINCT lower(span_attributes.name)) AS d FROM project_logs('demo')",
             "SELECT count(DISTINCT lower(span_name)) FROM spans"),
            ("SELECT id, CASE WHEN error IS NULL THEN 'ok' ELSE 'failed' END AS s, metrics.total_tokens * 10 AS t FROM project_logs('demo') WHERE span_attributes.type = 'tool' OR metrics.total_tokens > 2500 ORDER BY id",
             "SELECT id, CASE WHEN error IS NULL THEN 'ok' ELSE 'failed' END, total_tokens * 10 FROM spans WHERE span_type = 'tool' OR total_tokens > 2500 ORDER BY id"),
            ("SELECT count(*) AS c FROM project_logs('demo', shape => 'traces') WHERE metrics.total_tokens > 2000 OR span_attributes.name = 'issue_refund'",
             "SELECT count(DISTINCT root_span_id) FROM spans WHERE total_tokens > 2000 OR span_name = 'issue_refund'"),
            ("SELECT avg(metrics.total_tokens * 1.0) AS a, percentile(metrics.total_tokens + 0, 0.5) AS p FROM project_logs('demo') WHERE span_attributes.type = 'llm'", nil),
        ]
        for (q, sql) in cases {
            Evaluator.batchSize = Int.max   // whole columns
            let whole = try sift(store, q, persist: false)
            XCTAssertFalse(whole.isEmpty, q)
            if let sql {
                let expected = try sqlite(sql)
                XCTAssertTrue(whole == expected, "whole columns vs SQLite: \(q): \(whole.prefix(3)) vs \(expected.prefix(3))")
            }
            // Batches that divide the rows evenly, leave a remainder, or hold one row each stretch.
            for size in [4096, 1000, 7] {
                Evaluator.batchSize = size
                let got = try sift(store, q, persist: false)
                XCTAssertTrue(got == whole, "batches of \(size): \(q): \(got.prefix(3)) vs \(whole.prefix(3))")
            }
        }
    }
}
