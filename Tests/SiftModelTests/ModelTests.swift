import XCTest
@testable import SiftModel

final class TimestampTests: XCTestCase {
    func testParsesISO8601Forms() {
        XCTAssertEqual(Timestamp(iso8601: "1970-01-01T00:00:00Z")?.microseconds, 0)
        XCTAssertEqual(Timestamp(iso8601: "2024-05-15T15:00:00.250Z")?.iso8601, "2024-05-15T15:00:00.250Z")
        XCTAssertEqual(Timestamp(iso8601: "2024-05-15T17:00:00+02:00")?.iso8601, "2024-05-15T15:00:00.000Z")
        XCTAssertEqual(Timestamp(iso8601: "2024-05-15 15:00:00.000001")?.iso8601, "2024-05-15T15:00:00.000001Z")
        XCTAssertEqual(Timestamp(iso8601: "2024-05-15")?.iso8601, "2024-05-15T00:00:00.000Z")
        XCTAssertNil(Timestamp(iso8601: "2024-13-01"))
        XCTAssertNil(Timestamp(iso8601: "yesterday"))
        XCTAssertNil(Timestamp(iso8601: "2024-05-15T15:00:00Zjunk"))
    }

    func testCivilRoundTripAndNegative() {
        for days in stride(from: -800_000, to: 800_000, by: 997) {
            let (y, m, d) = Timestamp.civil(fromDays: days)
            XCTAssertEqual(Timestamp.daysFromCivil(year: y, month: m, day: d), days)
        }
        XCTAssertEqual(Timestamp(microseconds: -1).iso8601, "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(Timestamp(microseconds: Int64.min).iso8601, "-290308-12-21T19:59:05.224192Z")
        XCTAssertEqual(Timestamp(microseconds: Int64.max).iso8601, "294247-01-10T04:00:54.775807Z")
        XCTAssertEqual(Timestamp(seconds: 1e300).microseconds, Int64.max, "saturates instead of trapping")
    }

    func testNumbersByMagnitude() {
        XCTAssertEqual(Timestamp(.int(1_700_000_000))?.microseconds, 1_700_000_000_000_000)
        XCTAssertEqual(Timestamp(.int(1_700_000_000_000))?.microseconds, 1_700_000_000_000_000)
        XCTAssertEqual(Timestamp(.int(1_700_000_000_000_000_000))?.microseconds, 1_700_000_000_000_000)
        XCTAssertEqual(Timestamp(.double(1_700_000_000.5))?.microseconds, 1_700_000_000_500_000)
    }
}

final class SpanTests: XCTestCase {
    func testReadsBraintrustSpanAndWritesItBack() throws {
        let text = #"{"id":"s1","span_id":"s1","root_span_id":"r","span_parents":["r"],"created":"2024-05-15T15:00:00.000Z","input":{"q":"hi"},"output":"yo","scores":{"Factuality":0.5,"x":null},"metadata":{"model":"gpt-4o"},"tags":["a"],"metrics":{"start":1.5,"end":2.5,"prompt_tokens":3},"span_attributes":{"name":"chat","type":"llm"},"_xact_id":"9"}"#
        let span = try Span(json: JSONReader.parse(text))
        XCTAssertEqual(span.type, "llm")
        XCTAssertEqual(span.duration, 1.0)
        XCTAssertFalse(span.isRoot)
        XCTAssertEqual(span.extra["_xact_id"], .string("9"))
        let again = try Span(json: span.jsonValue)
        XCTAssertEqual(again, span)
    }

    func testWrongTypesNameTheField() {
        func error(_ text: String) -> String {
            do { _ = try Span(json: JSONReader.parse(text)); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error(#"{"id":"a","created":"2024-01-01","tags":"x"}"#), "tags: expected an array of strings, found a string")
        XCTAssertEqual(error(#"{"id":"a","created":"2024-01-01","scores":{"f":7}}"#), "scores.f: a score must be between 0 and 1, found 7")
        XCTAssertEqual(error(#"{"id":"a","created":"soon"}"#), #"created: expected an ISO-8601 timestamp or Unix seconds, found "soon""#)
        XCTAssertEqual(error(#"{"created":"2024-01-01"}"#), "id: the record has neither `id` nor `span_id`")
        XCTAssertEqual(error(#"[1]"#), "expected a span object, found an array")
        XCTAssertEqual(error(#"{"id":"a","created":"2024-01-01","metrics":{"start":"x"}}"#), "metrics.start: expected a number, found a string")
    }

    func testTraceTreeKeepsOrphansAndSurvivesCycles() throws {
        let t0 = Timestamp(seconds: 100)
        var root = Span(id: "r", created: t0)
        root.metrics["start"] = 100
        var a = Span(id: "a", rootSpanID: "r", spanParents: ["r"], created: t0)
        a.metrics["start"] = 101
        let orphan = Span(id: "o", rootSpanID: "r", spanParents: ["missing"], created: t0)
        let c1 = Span(id: "c1", rootSpanID: "r", spanParents: ["c2"], created: t0)
        let c2 = Span(id: "c2", rootSpanID: "r", spanParents: ["c1"], created: t0)
        let trace = try XCTUnwrap(Trace(spans: [a, orphan, root, c1, c2]))
        XCTAssertEqual(trace.root.id, "r")
        let walked = trace.walk()
        XCTAssertEqual(walked.count, 5, "every span is reachable exactly once")
        XCTAssertEqual(Set(walked.map { trace.spans[$0.index].id }), ["r", "a", "o", "c1", "c2"])
    }
}
