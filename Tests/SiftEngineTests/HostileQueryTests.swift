import Foundation
import XCTest
import SiftTestSupport
import SiftEngine
import SiftModel
import SiftStore

/// No query, however hostile its values, crashes the process: it answers or gives a QueryError.
final class HostileQueryTests: XCTestCase {
    func testExtremeValuesAndRandomExpressionsNeverCrash() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f.jsonl").path
        try """
        {"id":"a","created":"2026-01-01T00:00:00Z","input":"hello world","metadata":{"n":9223372036854775807,"m":-9223372036854775808,"d":1e308,"s":"x","arr":[1,"two",null,{"k":3}],"o":{}},"tags":["t"]}
        {"id":"b","created":1e17,"metadata":{"n":-1,"d":-1e308,"s":""},"metrics":{"start":-1e12,"end":1e12}}
        {"id":"c","created":"9999-12-31T23:59:59.999999Z","metadata":{"n":0}}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let store = try Store(path: dir.appendingPathComponent("s.db").path)
        var o = IngestOptions()
        o.project = "p"
        _ = try Ingester(store: store, options: o).ingest(paths: [file])
        let session = Session(store: store, caching: true)
        var options = QueryOptions()
        options.now = Timestamp(iso8601: "2026-01-10T00:00:00Z")

        let atoms = ["metadata.n", "metadata.m", "metadata.d", "metadata.s", "metadata.arr", "metadata.arr[1]", "metadata.o", "tags",
                     "created", "input", "NULL", "0", "-1", "9223372036854775807", "-9223372036854775807", "1e308", "0.5", "'x'", "''",
                     "'2026-01-01'", "now()", "interval 1e300 day", "interval 9223372036854775807 month", "interval 1 day", "metrics.start"]
        let unary = ["day(%)", "week(%)", "month(%)", "year(%)", "to_datetime(%)", "to_date(%)", "to_integer(%)", "to_number(%)",
                     "abs(%)", "round(%, 400)", "round(%, -400)", "length(%)", "len(%)", "lower(%)", "-%", "NOT %", "% IS NULL",
                     "substr('abc', %)", "substr('abc', 1, %)", "date_trunc('7 minutes', %)", "date_trunc('0 minutes', %)",
                     "CAST(% AS string)", "to_string(%)", "json_extract(%, 'k')", "coalesce(%, 1)"]
        let binary = ["% + %", "% - %", "% * %", "% / %", "% % %", "% = %", "% < %", "% <=> %", "% LIKE %", "% IN (%, 1)",
                      "% BETWEEN % AND 1", "greatest(%, %)", "least(%, %)", "concat(%, %)", "% ? % : 1", "contains(%, %)"]
        var rng = SeededRandom(seed: 2026)
        func next(_ n: Int) -> Int { rng.below(n) }
        func expr(_ depth: Int) -> String {
            if depth == 0 || next(3) == 0 { return atoms[next(atoms.count)] }
            if next(2) == 0 { return unary[next(unary.count)].replacingOccurrences(of: "%", with: "(" + expr(depth - 1) + ")") }
            var t = binary[next(binary.count)]
            while let r = t.range(of: "%") { t.replaceSubrange(r, with: "(" + expr(depth - 1) + ")") }
            return t
        }
        var answered = 0
        for _ in 0..<1500 {
            let e = expr(3)
            let q = "SELECT \(e) AS v, count(1) AS n FROM project_logs('p') GROUP BY v ORDER BY v LIMIT 9223372036854775807"
            do { _ = try session.run(q, options: options); answered += 1 } catch is QueryError {}
        }
        XCTAssertGreaterThan(answered, 500, "most random expressions are valid and answered")
        // Specific extremes, each answered without trapping.
        for q in ["SELECT now() + interval 1e300 day FROM project_logs('p')",
                  "SELECT created - interval 9223372036854775807 month FROM project_logs('p')",
                  "SELECT to_datetime(1e300), to_datetime(-1e300), day(to_datetime(1e300)) FROM project_logs('p')",
                  "SELECT -(created - created) FROM project_logs('p')",
                  "SELECT substr(input, 1e300, -1e300) FROM project_logs('p')",
                  "SELECT id FROM project_logs('p') LIMIT 9223372036854775807 OFFSET '9223372036854775807'",
                  "SELECT id FROM project_logs('p', shape => 'traces') LIMIT 9223372036854775807 OFFSET '5'"] {
            XCTAssertNoThrow(try session.run(q, options: options), q)
        }
    }

    /// A chain just under the parser's limit runs through every stage (bind, plan, print, execute);
    /// one past it is a positioned error from every entry point, never a crash.
    func testLongChainsRunOrStopWithAnError() throws {
        let temp = TempDir("sift-chains")
        let file = temp.write("f.jsonl", #"{"id":"a","created":"2026-01-01T00:00:00Z","metadata":{"n":1}}"# + "\n")
        let store = try Store(path: temp.path("s.db"))
        var o = IngestOptions()
        o.project = "p"
        _ = try Ingester(store: store, options: o).ingest(paths: [file])
        let session = Session(store: store, caching: false)
        let sum = Array(repeating: "1", count: 900).joined(separator: "+")
        XCTAssertEqual(try session.run("SELECT \(sum) AS x FROM project_logs('p')", options: QueryOptions()).rows.map { $0.map(\.text) }, [["900"]])
        let ors = Array(repeating: "metadata.n = 2", count: 900).joined(separator: " OR ") + " OR metadata.n = 1"
        XCTAssertEqual(try session.run("SELECT id FROM project_logs('p') WHERE \(ors)", options: QueryOptions()).rows.count, 1)
        XCTAssertTrue(try session.plan("SELECT id FROM project_logs('p') WHERE \(ors)", options: QueryOptions()).explain.contains("Filter"))
        let tooLong = Array(repeating: "1", count: 10_000).joined(separator: "+")
        XCTAssertThrowsError(try session.run("SELECT \(tooLong) AS x FROM project_logs('p')", options: QueryOptions())) { e in
            XCTAssertTrue("\(e)".contains("expression is too long") && "\(e)".contains("LINE 1"), "\(e)")
        }
    }
}
