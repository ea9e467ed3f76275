import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftQuery

/// The queries of DIALECT.md section 7, which must run unchanged.
let dialectQueries: [String] = [
    """
    SELECT
      facets.sentiment,
      classifications.Task[0].label as topic,
      count(*) as count,
      avg(metrics.total_tokens) as avg_tokens
    FROM project_logs('my-project-id', shape => 'traces')
    WHERE facets.sentiment IS NOT NULL
      AND classifications.Task IS NOT NULL
      AND created > now() - interval 7 day
    GROUP BY facets.sentiment, topic
    ORDER BY count DESC
    LIMIT 20
    """,
    """
    SELECT metadata.model AS model, day(created) AS date, count(1) AS total_calls,
      avg(scores.Factuality) AS avg_score, percentile(metrics.total_tokens, 0.95) AS p95_tokens
    FROM project_logs('my-project-id')
    WHERE created > now() - interval 7 day
    GROUP BY metadata.model, day(created)
    """,
    """
    SELECT metadata.model AS model, avg(scores.Factuality) AS avg_score, count(1) AS total_calls
    FROM project_logs('my-project-id')
    WHERE created > now() - interval 7 day
    GROUP BY metadata.model
    HAVING avg(scores.Factuality) > 0.8 AND count(1) > 100
    ORDER BY avg_score DESC
    """,
    """
    SELECT id, facets.task, classifications.Task[0].label as topic
    FROM project_logs('my-project-id')
    WHERE classifications.Task[0].label = 'Creating datasets'
      AND classifications.Task[0].metadata.distance < 0.5
      AND created > now() - interval 7 day
    ORDER BY classifications.Task[0].metadata.distance ASC
    LIMIT 50
    """,
    """
    SELECT classification.id, COUNT(1) AS count
    FROM project_logs('my-project-id')
    UNPIVOT (classification FOR _ IN (classifications.Issues))
    WHERE created >= NOW() - INTERVAL 3 DAY
    GROUP BY classification.id
    """,
    """
    select: tags[0] AS primary_tag, metadata.model AS model, count(1) AS feedback_count,
            avg(scores.Factuality > 0.8 ? 1 : 0) AS high_quality_rate
    | from: project_logs('my-project-id')
    | filter: tags INCLUDES 'feedback' AND created > now() - interval 30 day
    | dimensions: 1, 2
    | sort: feedback_count DESC
    """,
    """
    filter: error IS NOT NULL and error.type NOT IN ["rate_limit", "timeout"] and created > now() - interval 1 day
    """,
    #"classifications.Task.label IN ("Dataset creation", "API errors")"#,
    #"metrics.total_tokens > (metadata.model = "gpt-4-turbo" ? 1000 : 500)"#,
    "NOT ANY_SPAN(span_attributes.type = 'score' AND span_attributes.name = 'null_score')",
    #"metadata.description LIKE '%50\% off%'"#,
]

final class ParserTests: XCTestCase {
    func expr(_ text: String) throws -> String { Printer.print(try Parser.parseFilter(text)) }

    func testEveryDialectQueryParsesAndRoundTrips() throws {
        for q in dialectQueries {
            let first = try Parser.parse(q)
            let printed = Printer.print(first)
            let second = try Parser.parse(printed)
            XCTAssertEqual(first, second, "round trip changed the tree:\n\(q)\n---\n\(printed)")
            XCTAssertEqual(Printer.print(second), printed, "printing is stable")
        }
    }

    func testCrossSliceQueryShape() throws {
        let s = try Parser.parse(dialectQueries[0])
        XCTAssertEqual(s.form, .sql)
        XCTAssertEqual(s.items.map(\.alias), [nil, "topic", "count", "avg_tokens"])
        XCTAssertEqual(s.items.map(\.expr.implicitAlias), ["sentiment", "label", nil, nil])
        XCTAssertEqual(s.items[1].expr.pathComponents, ["classifications", "Task", "[0]", "label"])
        XCTAssertEqual(s.source?.name, "project_logs")
        XCTAssertEqual(s.source?.named["shape"]?.kind, .string("traces"))
        XCTAssertEqual(s.groupBy.count, 2)
        XCTAssertEqual(s.orderBy.first?.descending, true)
        XCTAssertEqual(s.limit?.kind, .integer(20))
        XCTAssertEqual(Printer.print(s.filter!), "((facets.sentiment IS NOT NULL) AND (classifications.Task IS NOT NULL)) AND (created > (now() - INTERVAL 7 DAY))")
    }

    func testPipeForm() throws {
        let s = try Parser.parse(dialectQueries[5])
        XCTAssertEqual(s.form, .pipe)
        XCTAssertEqual(s.items.count, 4)
        XCTAssertEqual(s.dimensions.map(\.expr.kind), [.integer(1), .integer(2)])
        XCTAssertEqual(s.orderBy.first?.expr.kind, .name("feedback_count", quoted: false))
        guard case .binary(.and, let left, _, _)? = s.filter?.kind, case .binary(.includes, _, _, _) = left.kind else {
            return XCTFail("INCLUDES should parse in the pipe form: \(String(describing: s.filter))")
        }
        let shaped = try Parser.parse("from: project_logs('p') traces | filter: x = 1 | limit: 5")
        XCTAssertEqual(shaped.source?.named["shape"]?.kind, .string("traces"))
        let unpivot = try Parser.parse("from: project_logs('p')\nunpivot: scores AS (name, score)\nmeasures: count(1) AS n")
        XCTAssertEqual(unpivot.unpivots, [Unpivot(valueName: "score", keyName: "name", source: Expr(.name("scores", quoted: false), .none))])
        XCTAssertEqual(unpivot.measures.first?.alias, "n")
    }

    func testBareFilterForm() throws {
        let s = try Parser.parse(dialectQueries[6].trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(s.form, .pipe)
        let f = try Parser.parse("error.type = 'timeout'")
        XCTAssertEqual(f.form, .filter)
    }

    func testPrecedence() throws {
        XCTAssertEqual(try expr("a OR b AND c"), "a OR (b AND c)")
        XCTAssertEqual(try expr("NOT a = b"), "NOT (a = b)")
        XCTAssertEqual(try expr("NOT a AND b"), "(NOT a) AND b")
        XCTAssertEqual(try expr("a + b * c - d"), "(a + (b * c)) - d")
        XCTAssertEqual(try expr("-a.b * 2"), "(-a.b) * 2")
        XCTAssertEqual(try expr("a ? b : c ? d : e"), "a ? b : (c ? d : e)")
        XCTAssertEqual(try expr("x BETWEEN 1 AND 2 AND y"), "(x BETWEEN 1 AND 2) AND y")
        XCTAssertEqual(try expr("x NOT BETWEEN 1 + 1 AND 5"), "x NOT BETWEEN (1 + 1) AND 5")
        XCTAssertEqual(try expr("a NOT IN (1, 2) OR b NOT LIKE 'x%'"), "(a NOT IN (1, 2)) OR (b NOT LIKE 'x%')")
        XCTAssertEqual(try expr("a = 1 ? 'y' : 'n'"), "(a = 1) ? 'y' : 'n'")
        XCTAssertEqual(try expr("tags[-1] = 'x'"), "tags[-1] = 'x'")
        XCTAssertEqual(try expr("\"classifications\".\"Task\".\"id\" IS NULL"), "\"classifications\".\"Task\".\"id\" IS NULL")
        XCTAssertEqual(try expr("metadata.order.first"), "metadata.order.first")
        XCTAssertEqual(try expr("a <=> NULL AND b <!=> 1"), "(a <=> NULL) AND (b <!=> 1)")
        XCTAssertEqual(try expr("x MATCH 'apple'"), "x MATCH 'apple'")
    }

    func testOtherForms() throws {
        XCTAssertEqual(try expr("CASE WHEN a > 1 THEN 'big' WHEN a IS NULL THEN NULL ELSE 'small' END"),
                       "CASE WHEN a > 1 THEN 'big' WHEN a IS NULL THEN NULL ELSE 'small' END")
        XCTAssertEqual(try expr("CASE x WHEN 1 THEN 'one' END"), "CASE x WHEN 1 THEN 'one' END")
        XCTAssertEqual(try expr("CAST(metadata.n AS int) + cast(x as TEXT)"), "CAST(metadata.n AS integer) + CAST(x AS string)")
        XCTAssertEqual(try expr("count(DISTINCT metadata.user)"), "count(DISTINCT metadata.user)")
        XCTAssertEqual(try expr("created > now() - interval '7 days'"), "created > (now() - INTERVAL 7 DAY)")
        XCTAssertEqual(try expr("INTERVAL 86400 SECONDS"), "INTERVAL 86400 SECOND")
        XCTAssertEqual(try expr("contains(tags, 'x')"), "contains(tags, 'x')")
        XCTAssertEqual(try expr("date_trunc('15 minutes', created)"), "date_trunc('15 minutes', created)")
        let s = try Parser.parse("SELECT *, x y FROM project_logs('p') ORDER BY 1 DESC NULLS FIRST, y LIMIT 10 OFFSET 'cursor-abc';")
        XCTAssertEqual(s.items.map(\.alias), [nil, "y"])
        XCTAssertEqual(s.orderBy.map(\.nullsFirst), [true, nil])
        XCTAssertEqual(s.offset?.kind, .string("cursor-abc"))
    }

    func testDiagnosticsPointAtTheToken() throws {
        let q = "SELECT facets.sentiment\nFROM project_logs('p')\nWHERE facets.sentiment IS NOT NUL"
        XCTAssertThrowsError(try Parser.parse(q)) { e in
            let d = e as! Diagnostic
            XCTAssertEqual(d.render(in: q), """
                ERROR: expected NULL after IS NOT, found 'NUL'
                LINE 3: WHERE facets.sentiment IS NOT NUL
                                                      ^^^
                HINT: did you mean NULL?
                """)
        }
    }

    func testHelpfulErrors() {
        func error(_ text: String) -> String {
            do { _ = try Parser.parse(text); return "no error" } catch let d as Diagnostic {
                return d.message + (d.hint.map { " [\($0)]" } ?? "")
            } catch { return "\(error)" }
        }
        XCTAssertEqual(error("SELECT a FROM project_logs('p') WHERE tags INCLUDES 'x'"), "INCLUDES is pipe-form only [use IN: 'x' IN tags]")
        XCTAssertEqual(error("SELECT a FORM project_logs('p')"), "expected FROM after the select list, found 'FORM' [did you mean FROM?]")
        XCTAssertEqual(error("SELECT a, FROM project_logs('p')"), "expected an expression, found 'FROM' [remove the trailing comma]")
        XCTAssertEqual(error("SELECT a FROM project_logs('p') WHERE x == 1"), "expected an expression, found '=' [use = for equality]")
        XCTAssertEqual(error("SELECT a FROM project_logs('p') WEHRE x = 1"), "unexpected 'WEHRE' [did you mean WHERE?]")
        XCTAssertEqual(error("SELECT count( FROM project_logs('p')"), "expected an expression, found 'FROM'")
        XCTAssertEqual(error("SELECT a FROM project_logs('p'"), "expected ')' to close project_logs(, found the end of the query")
        XCTAssertEqual(error("WITH x AS (SELECT 1) SELECT * FROM x"), "WITH (common table expressions) is not supported [write the query as a single SELECT]")
        XCTAssertEqual(error("created > now() - interval 7 fortnights"), "expected a unit after INTERVAL 7, found 'fortnights' [units: year, month, week, day, hour, minute, second, millisecond, microsecond]")
        XCTAssertEqual(error("CAST(x AS blob)"), "unknown type 'blob' in CAST [use string, integer, number, boolean, datetime or date]")
        XCTAssertEqual(error("filter: a = 1 | filter: b = 2"), "the filter: clause appears twice")
        XCTAssertEqual(error("filter: a = 1 sort: b"), "expected '|' or a new line before the next clause, found 'sort'")
        XCTAssertEqual(error(""), "the query is empty")
        XCTAssertEqual(error("a = 1 b"), "expected the end of the query, found 'b'")
        XCTAssertEqual(error("a IN ()"), "expected at least one value in IN (...), found ')'")
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        XCTAssertThrowsError(try Parser.parse(deep)) { e in
            XCTAssertEqual((e as? Diagnostic)?.message, "expression is nested too deeply (more than 200 levels)")
        }
        let nots = String(repeating: "NOT ", count: 5_000) + "x"
        XCTAssertThrowsError(try Parser.parse(nots))
        let minus = String(repeating: "-", count: 5_000) + "1"
        XCTAssertThrowsError(try Parser.parse(minus))
        XCTAssertNoThrow(try Parser.parse(String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150)))
    }

    /// Long flat chains are as deep as nesting for every later stage: they stop at Parser.maxHeight with
    /// a positioned error, whatever the operator (issue 16: 10,000 `+1` terms crashed the binary).
    func testLongChainsAreAnErrorNotACrash() {
        let chains = [
            "SELECT " + Array(repeating: "1", count: 10_000).joined(separator: "+") + " AS x FROM project_logs('p')",
            Array(repeating: "a = 1", count: 10_000).joined(separator: " AND "),
            "metadata" + String(repeating: ".a", count: 50_000) + " = 1",
            "tags" + String(repeating: "[0]", count: 50_000) + " = 1",
            "x" + String(repeating: " || 'a'", count: 5_000),
        ]
        for q in chains {
            XCTAssertThrowsError(try Parser.parse(q)) { e in
                guard let d = e as? Diagnostic else { return XCTFail("\(e)") }
                if q.contains("||") { return }   // not an operator of the dialect: an ordinary syntax error
                XCTAssertTrue(d.message.hasPrefix("expression is too long"), d.message)
                XCTAssertTrue(d.range.start > 0 && d.range.end <= q.utf8.count)
            }
        }
        // Up to the limit, a chain parses and keeps its height: 399 ORs over comparisons of height 2.
        let ok = try? Parser.parse(Array(repeating: "a = 1", count: 400).joined(separator: " OR "))
        XCTAssertEqual(ok?.filter?.height, 401)
    }

    /// Seeded random token soup and random bytes. Every input either parses, and then printing it and
    /// parsing the print gives the same tree (and the same print), or gives a Diagnostic whose range lies
    /// within the text and renders with a LINE and a caret.
    func testArbitraryInputParsesStablyOrGivesAPositionedError() {
        let pieces = ["SELECT", "FROM", "WHERE", "GROUP", "BY", "(", ")", "[", "]", ",", ".", ":", "?", "|", "a", "b.c", "'s'",
                      "\"q\"", "1", "2.5", "=", "<=>", "NOT", "IN", "IS", "NULL", "AND", "OR", "CASE", "WHEN", "THEN", "END",
                      "CAST", "AS", "INTERVAL", "day", "*", "-", "count", "filter:", "select:", "\n", "UNPIVOT", "FOR", "BETWEEN"]
        var rng = SeededRandom(seed: 99)
        var parsed = 0, rejected = 0
        func check(_ text: String) {
            do {
                let tree = try Parser.parse(text)
                parsed += 1
                let printed = Printer.print(tree)
                guard let again = try? Parser.parse(printed) else { return XCTFail("the print of \(text.debugDescription) does not parse: \(printed)") }
                XCTAssertEqual(again, tree, "parse -> print -> parse changed the tree of \(text.debugDescription)")
                XCTAssertEqual(Printer.print(again), printed, "printing is not stable for \(text.debugDescription)")
            } catch let d as Diagnostic {
                rejected += 1
                XCTAssertTrue(d.range.start >= 0 && d.range.start <= d.range.end && d.range.end <= text.utf8.count,
                              "\(d.range) outside \(text.utf8.count) bytes of \(text.debugDescription)")
                XCTAssertFalse(d.message.isEmpty)
                let shown = d.render(in: text)
                XCTAssertTrue(shown.contains("LINE ") && shown.contains("^"), shown)
            } catch {
                XCTFail("non-diagnostic error for \(text.debugDescription): \(error)")
            }
        }
        for _ in 0..<20_000 {
            let n = rng.below(14)
            check((0..<n).map { _ in pieces[rng.below(pieces.count)] }.joined(separator: " "))
        }
        for _ in 0..<5_000 {
            let bytes = (0..<rng.below(30)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            check(String(decoding: bytes, as: UTF8.self))
        }
        // Both outcomes are exercised, so the properties above are tested at all.
        XCTAssertGreaterThan(parsed, 500)
        XCTAssertGreaterThan(rejected, 5_000)
    }
}
