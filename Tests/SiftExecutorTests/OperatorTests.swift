// Operators one at a time, over hand-built columns: three traces of spans whose values are chosen so
// each operator's rule (NULLs, arrays, ties, trace counting) decides the answer. Expressions come
// from bound plans, as the executor receives them.

import XCTest
import SiftModel
@testable import SiftExecutor
@testable import SiftQuery

final class OperatorTests: XCTestCase {
    static let t0 = Timestamp(iso8601: "2026-11-01T00:00:00Z")!.microseconds
    static let hour: Int64 = 3_600_000_000

    /// Spans: trace r1 = r1, a, b; trace r2 = r2; trace r3 = r3, c.
    func table() -> Table {
        let ids = ["r1", "a", "b", "r2", "r3", "c"]
        let roots = ["r1", "r1", "r1", "r2", "r3", "r3"]
        let n: [Value?] = [3, 1, nil, 2, 5, 1]
        let model: [String?] = ["m1", "m2", "m1", nil, "m2", "m1"]
        let tags: [Value] = [["x", "y"], [], ["y"], ["z"], .null, ["x"]]
        let tokens: [Int64] = [0, 10, 20, 0, 0, 5]
        var metadata: [Datum] = [], metrics: [Datum] = []
        for i in ids.indices {
            var o = JSONObject()
            if let v = n[i] { o["n"] = v }
            if let m = model[i] { o["model"] = .string(m) }
            metadata.append(.json(.object(o)))
            metrics.append(.json(["total_tokens": .int(tokens[i])]))
        }
        let columns: [String: [Datum]] = [
            "id": ids.map(Datum.string), "span_id": ids.map(Datum.string), "root_span_id": roots.map(Datum.string),
            "is_root": ids.indices.map { .bool(ids[$0] == roots[$0]) },
            "created": ids.indices.map { .timestamp(Self.t0 + Int64($0) * Self.hour) },
            "metadata": metadata, "metrics": metrics, "tags": tags.map { $0.isNull ? .null : Datum($0) },
            "error": ids.map { $0 == "b" ? .json(["type": "timeout"]) : .null },
            "span_attributes": ids.indices.map { .json(["type": ids[$0] == roots[$0] ? "task" : "llm"]) },
        ]
        return Table(columns: columns, count: ids.count)
    }

    func plan(_ q: String) throws -> LogicalPlan { try Binder(catalog: OpenCatalog()).bind(try Parser.parse(q)) }
    func query(_ q: String, _ t: Table? = nil) throws -> [[String]] {
        try Executor(now: Self.t0 + 24 * Self.hour).run(try plan(q), on: t ?? table()).rows.map { $0.map { $0.isNull ? "NULL" : $0.text } }
    }
    func ids(_ rows: Rows, _ t: Table) throws -> [String] { let c = try t.column("id"); return rows.base.map { c[$0].text } }

    // MARK: - Filter

    func testFilterKeepsRowsWhereTrueAndDropsNull() throws {
        let t = table()
        let ev = Evaluator(table: t, now: 0, tzOffsetMinutes: 0)
        let all = Rows(base: t.allRows)
        let cond = try XCTUnwrap(try plan("SELECT id FROM project_logs('p') WHERE metadata.n > 1").filter)
        XCTAssertEqual(try ids(Executor(now: 0).keep(cond, all, ev), t), ["r1", "r2", "r3"], "NULL > 1 is not true")
        let both = try XCTUnwrap(try plan("SELECT id FROM project_logs('p') WHERE metadata.n > 1 AND metadata.model = 'm2'").filter)
        XCTAssertEqual(try ids(Executor(now: 0).keep(both, all, ev), t), ["r3"])
        let isNull = try XCTUnwrap(try plan("SELECT id FROM project_logs('p') WHERE metadata.model IS NULL").filter)
        XCTAssertEqual(try ids(Executor(now: 0).keep(isNull, all, ev), t), ["r2"])
        // An array compared with a scalar: true when any element is.
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') WHERE tags = 'y'"), [["r1"], ["b"]])
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') WHERE contains(tags, 'x')"), [["r1"], ["c"]])
    }

    /// IN over a long list of constants is one lookup per row (issue 16: 50,000 values took 46 s) and
    /// keeps SQL's NULL rule and code-point equality.
    func testInListOfConstants() throws {
        let many = (0..<50_000).map { "'v\($0)'" } + ["'r3'", "'b'"]
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') WHERE id IN (\(many.joined(separator: ", ")))"), [["b"], ["r3"]])
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') WHERE metadata.model IN ('m2', 'none')"), [["a"], ["r3"]])
        XCTAssertEqual(try query("SELECT id, id IN ('zz', NULL) AS x, id NOT IN ('zz', NULL) AS y FROM project_logs('p') WHERE id = 'a'"), [["a", "NULL", "NULL"]])
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') WHERE metadata.n IN (1, 2.0)"), [["a"], ["r2"], ["c"]])
        // "é" written as one code point is not "e" + a combining accent: equality is by code point.
        XCTAssertEqual(try query("SELECT count(1) AS n FROM project_logs('p') WHERE 'caf\u{E9}' IN ('cafe\u{301}')"), [["0"]])
        XCTAssertEqual(try query("SELECT count(1) AS n FROM project_logs('p') WHERE 'caf\u{E9}' IN ('caf\u{E9}', 'x')"), [["6"]])
    }

    func testTimeRangeFromThePlan() throws {
        let t = table()
        let p = try plan("SELECT id FROM project_logs('p') WHERE created >= '2026-11-01T02:00:00Z' AND created < '2026-11-01T05:00:00Z'")
        XCTAssertNotNil(p.lowerTime)
        let kept = try Executor(now: 0).applyTimeBounds(p, Rows(base: t.allRows), Evaluator(table: t, now: 0, tzOffsetMinutes: 0))
        XCTAssertEqual(try ids(kept, t), ["b", "r2", "r3"])
    }

    // MARK: - Unpivot

    func testUnpivotGivesOneRowPerElementAndNoneForEmptyOrNull() throws {
        XCTAssertEqual(try query("SELECT id, tag FROM project_logs('p') UNPIVOT (tag FOR _ IN (tags))"),
                       [["r1", "x"], ["r1", "y"], ["b", "y"], ["r2", "z"], ["c", "x"]])
        XCTAssertEqual(try query("SELECT tag, count(1) AS n FROM project_logs('p') UNPIVOT (tag FOR _ IN (tags)) GROUP BY tag ORDER BY tag"),
                       [["x", "2"], ["y", "2"], ["z", "1"]])
    }

    // MARK: - Project

    func testProjectEvaluatesItemsAndOrderKeys() throws {
        let t = table()
        let p = try plan("SELECT id, metadata.n * 2 AS twice FROM project_logs('p') ORDER BY twice DESC")
        let (columns, out, keys) = try Executor(now: 0).project(p, Rows(base: t.allRows), Evaluator(table: t, now: 0, tzOffsetMinutes: 0))
        XCTAssertEqual(columns, ["id", "twice"])
        XCTAssertEqual(out[1], [.int(6), .int(2), .null, .int(4), .int(10), .int(2)])
        XCTAssertEqual(keys[0], out[1], "ORDER BY a select alias reuses its values")
    }

    // MARK: - Hash aggregate

    func testHashAggregateGroupsNullAsAGroupAndAppliesHaving() throws {
        XCTAssertEqual(try query("SELECT metadata.model AS m, count(1) AS n, sum(metadata.n) AS s, avg(metrics.total_tokens) AS t FROM project_logs('p') GROUP BY m ORDER BY m"),
                       [["m1", "3", "4", "8.333333333333334"], ["m2", "2", "6", "5"], ["NULL", "1", "2", "0"]])
        XCTAssertEqual(try query("SELECT metadata.model AS m, count(1) AS n FROM project_logs('p') GROUP BY m HAVING count(1) > 1 ORDER BY n DESC"),
                       [["m1", "3"], ["m2", "2"]])
        // No GROUP BY over no rows is still one group.
        XCTAssertEqual(try query("SELECT count(1) AS n, sum(metadata.n) AS s FROM project_logs('p') WHERE id = 'none'"), [["0", "NULL"]])
    }

    // MARK: - Sort, top-k, limit

    func testSortPutsNullsLastUnlessAskedAndBreaksTiesByPosition() throws {
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') ORDER BY metadata.n").map { $0[0] }, ["a", "c", "r2", "r1", "r3", "b"])
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') ORDER BY metadata.n DESC").map { $0[0] }, ["r3", "r1", "r2", "a", "c", "b"])
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') ORDER BY metadata.n NULLS FIRST").map { $0[0] }, ["b", "a", "c", "r2", "r1", "r3"])
    }

    func testTopKMatchesTheFullSortForEveryK() {
        var rng = SeededRandom(seed: 5)
        let values = (0..<500).map { _ in Int(rng.next() % 50) }
        let less: (Int, Int) -> Bool = { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }
        let full = Array(0..<values.count).sorted(by: less)
        for k in [0, 1, 2, 7, 49, 50, 499, 500, 600] {
            XCTAssertEqual(TopK.select(count: values.count, k: k, less: less), Array(full.prefix(k)), "k = \(k)")
        }
    }

    func testLimitPagesWithACursor() throws {
        let t = table()
        let p = try plan("SELECT id FROM project_logs('p') LIMIT 4")
        let (page, next) = Executor(now: 0).limit(p, order: Array(0..<6), rows: Rows(base: t.allRows), Evaluator(table: t, now: 0, tzOffsetMinutes: 0), tracesCount: false)
        XCTAssertEqual(page, [0, 1, 2, 3])
        XCTAssertEqual(next, "4")
        XCTAssertEqual(try query("SELECT id FROM project_logs('p') LIMIT 4 OFFSET '4'").map { $0[0] }, ["r3", "c"])
    }

    // MARK: - The traces and summary shapes

    func testTracesShapeChoosesWholeTracesAndLimitCountsTraces() throws {
        // b has the error: all of trace r1 is listed.
        XCTAssertEqual(try query("SELECT id FROM project_logs('p', shape => 'traces') WHERE error IS NOT NULL").map { $0[0] }, ["r1", "a", "b"])
        XCTAssertEqual(try query("SELECT id FROM project_logs('p', shape => 'traces') LIMIT 2").map { $0[0] }, ["r1", "a", "b", "r2"], "two traces, not two spans")
        XCTAssertEqual(try query("SELECT count(1) AS n FROM project_logs('p', shape => 'traces') WHERE metadata.model = 'm1'"), [["2"]], "aggregates count traces")
    }

    func testSummaryShapeSumsMetricsPerTrace() throws {
        XCTAssertEqual(try query("SELECT id, metrics.total_tokens AS tok, metrics.errors AS e FROM project_logs('p', shape => 'summary') ORDER BY id"),
                       [["r1", "30", "1"], ["r2", "0", "0"], ["r3", "5", "0"]])
    }

    // MARK: - Functions

    /// Every call is resolved to its function once, when the parser builds it; the executor finds the
    /// implementation by index, and each id leads to the function of that name.
    func testCallsAreResolvedOnceAndEveryScalarFunctionHasItsImplementation() throws {
        XCTAssertEqual(ScalarFunctions.byID.count, Functions.all.count)
        for info in Functions.all {
            XCTAssertEqual(info.id.name, info.name)
            if info.isAggregate {
                XCTAssertNil(ScalarFunctions.byID[info.id.index], "\(info.name) is computed by HashAggregate")
            } else {
                XCTAssertNotNil(ScalarFunctions.byID[info.id.index], "\(info.name)() has no implementation")
            }
        }
        let p = try plan("SELECT upper(coalesce(metadata.model, 'none')) AS m, count(*) AS n FROM project_logs('p') "
                         + "WHERE ANY_SPAN(contains(tags, 'x')) GROUP BY 1 ORDER BY lower(m)")
        var calls: [(String, FunctionID?)] = []
        for e in p.items.map(\.expr) + [p.filter].compactMap { $0 } + p.orderBy.map(\.expr) {
            try e.visit { node, _ in if case .call(let f, _, _, let id) = node.kind { calls.append((f, id)) } }
        }
        // ORDER BY lower(m) reads the alias m as its expression, so upper and coalesce come twice.
        XCTAssertEqual(calls.map(\.0).sorted(), ["any_span", "coalesce", "coalesce", "contains", "count", "lower", "upper", "upper"])
        for (f, id) in calls { XCTAssertEqual(id?.name, f, "\(f)() was not resolved") }
        // A node built by hand without an id still runs (by name), with the same answer.
        let t = table(), ev = Evaluator(table: t, now: 0, tzOffsetMinutes: 0), all = Rows(base: t.allRows)
        let model = Expr(.field(Expr(.name("metadata", quoted: false), .none), "model", quoted: false), .none)
        let resolved = try ev.eval(Expr(.function("upper", [model]), .none), all)
        let byName = try ev.eval(Expr(.call("upper", [model], distinct: false), .none), all)
        XCTAssertEqual(resolved.map(\.text), ["M1", "M2", "M1", "NULL", "M2", "M1"])
        XCTAssertEqual(byName.map(\.text), resolved.map(\.text))
    }
}
