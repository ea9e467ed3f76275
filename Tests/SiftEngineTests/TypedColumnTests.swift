import SiftDemo
import SiftEngine
import XCTest
@testable import SiftExecutor
import SiftModel
import SiftStore

/// Typed columns (integers, doubles, booleans, timestamps as plain arrays) give the answers the
/// general path and SQLite give, from decoded columns and from kept bytes alike.
extension ColumnCacheTests {
    func testTypedCodecRoundTripsAndRefusesWhatIsNotOneKind() throws {
        func typed(_ c: [Datum]) -> TypedColumn? { ColumnCodec.typed(ColumnCodec.encode(c)) }
        let ints = try XCTUnwrap(typed([.int(3), .null, .int(-7)]))
        guard case .ints(let iv) = ints.values else { return XCTFail("\(ints.values)") }
        XCTAssertEqual(iv, [3, 0, -7]); XCTAssertEqual(ints.isNull, [false, true, false])
        let doubles = try XCTUnwrap(typed([.null, .double(2.5), .double(-0.125)]))
        guard case .doubles(let dv) = doubles.values else { return XCTFail("\(doubles.values)") }
        XCTAssertEqual(dv, [0, 2.5, -0.125]); XCTAssertEqual(doubles.isNull, [true, false, false])
        let bools = try XCTUnwrap(typed([.bool(true), .bool(false), .null]))
        guard case .bools(let bv) = bools.values else { return XCTFail("\(bools.values)") }
        XCTAssertEqual(bv, [true, false, false]); XCTAssertEqual(bools.isNull, [false, false, true])
        XCTAssertNil(typed([.int(1), .double(1.5)]), "integers and doubles mixed stay Datums")
        XCTAssertNil(typed([.string("a"), .int(1)]))
        XCTAssertNil(typed([.null, .null]))
        XCTAssertNil(typed([.json(.array([.int(1)]))]))
        // The same from decoded values.
        XCTAssertNotNil(TypedColumn([.null, .int(4)]))
        XCTAssertNil(TypedColumn([.int(4), .double(4.5)]))
        XCTAssertNil(TypedColumn([.string("x")]))
        // Damaged bytes: never a trap.
        var bytes = ColumnCodec.encode([.int(1), .int(2), .null, .int(4)])
        for cut in 0..<bytes.count { _ = ColumnCodec.typed(Array(bytes[0..<cut])) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            _ = ColumnCodec.typed(bytes)
        }
    }

    func testTypedColumnsAnswerAsTheGeneralPathAndSQLite() throws {
        let path = dir.appendingPathComponent("t.db").path
        _ = try Demo.run(path: path, traces: 3000, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        let filters: [(String, String)] = [
            ("metrics.total_tokens > 1000", "total_tokens > 1000"),
            ("metrics.total_tokens <= 300", "total_tokens <= 300"),
            ("metrics.total_tokens = 623", "total_tokens = 623"),
            ("metrics.total_tokens != 623", "total_tokens != 623"),
            ("metrics.total_tokens >= 999.5", "total_tokens >= 999.5"),
            ("metrics.start > 1794960000", "start > 1794960000"),
            ("metrics.end < 1794960000.5", "\"end\" < 1794960000.5"),
            ("is_root = true", "is_root = 1"),
            ("is_root != true", "is_root = 0"),
        ]
        let aggregate = """
            SELECT span_attributes.type AS t,
              sum(metrics.total_tokens) AS s1, sum(metrics.total_tokens + 0) AS s2,
              min(metrics.total_tokens) AS n1, min(metrics.total_tokens + 0) AS n2,
              max(metrics.total_tokens) AS x1, max(metrics.total_tokens + 0) AS x2,
              avg(metrics.total_tokens) AS a1, avg(metrics.total_tokens + 0) AS a2,
              sum(metrics.start) AS d1, sum(metrics.start + 0) AS d2,
              min(metrics.start) AS e1, min(metrics.start + 0) AS e2,
              max(metrics.end) AS f1, max(metrics.end + 0) AS f2,
              avg(metrics.end) AS g1, avg(metrics.end + 0) AS g2
            FROM project_logs('demo') GROUP BY t ORDER BY t
            """
        for (label, persist) in [("direct", false), ("kept", true), ("read back", true)] {
            for (filter, sql) in filters {
                let got = try sift(store, "SELECT count(*) AS c FROM project_logs('demo') WHERE \(filter)", persist: persist)
                XCTAssertEqual(got, try sqliteRows(store, "SELECT count(*) FROM spans WHERE \(sql)"), "\(label): \(filter)")
            }
            let rows = try sift(store, aggregate, persist: persist)
            XCTAssertGreaterThanOrEqual(rows.count, 3)
            for row in rows {
                for k in stride(from: 1, to: row.count, by: 2) {
                    XCTAssertEqual(row[k], row[k + 1], "\(label): type \(row[0]), column \(k): typed \(row[k]) vs general \(row[k + 1])")
                }
            }
            XCTAssertEqual(try sift(store, "SELECT sum(metrics.total_tokens) AS s FROM project_logs('demo')", persist: persist),
                           try sqliteRows(store, "SELECT sum(total_tokens) FROM spans"), label)
        }
    }
}
