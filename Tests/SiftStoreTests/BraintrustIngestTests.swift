import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftSimulator
@testable import SiftStore

final class BraintrustIngestTests: XCTestCase {
    /// Simulated traffic written as span JSON lines comes back field by field as the lines say.
    func testRoundTripOfSimulatedSpans() throws {
        let dir = TempDir()
        var config = SimulatorConfig(end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        config.traces = 300
        let sim = Simulator(config: config)
        var lines: [String] = []
        for t in sim.traces() { for s in t.spans { lines.append(JSONWriter.string(s.jsonValue)) } }
        let file = dir.write("spans.jsonl", lines.joined(separator: "\n") + "\n")
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], project: "p", batchSize: 500)
        XCTAssertEqual(run.summary.spans, lines.count)
        XCTAssertEqual(run.summary.rejected, 0)
        let back = try store.spans(project: "p")
        XCTAssertEqual(back.count, lines.count)
        for (line, got) in zip(lines, back) {
            var expected = try Span(json: JSONReader.parse(line))
            expected.projectID = "p"
            XCTAssertEqual(got.id, expected.id)
            XCTAssertEqual(got.rootSpanID, expected.rootSpanID)
            XCTAssertEqual(got.spanParents, expected.spanParents)
            XCTAssertEqual(got.created, expected.created)
            XCTAssertEqual(got.input, expected.input)
            XCTAssertEqual(got.output, expected.output)
            XCTAssertEqual(got.error, expected.error)
            XCTAssertEqual(got.metadata, expected.metadata)
            XCTAssertEqual(got.metrics, expected.metrics)
            XCTAssertEqual(got.spanAttributes, expected.spanAttributes)
            XCTAssertEqual(got.tags, expected.tags)
            XCTAssertEqual(got, expected)
        }
        // Hot columns agree with the JSON they come from.
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE span_type = 'tool'"), back.filter { $0.type == "tool" }.count)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE is_root"), 300)
        XCTAssertEqual(try count(store, "SELECT sum(has_error) FROM spans"), back.filter { !$0.error.isNull }.count)
    }

    func testEveryFieldOfTheSpanModelSurvives() throws {
        let dir = TempDir()
        let line = #"{"id":"row1","span_id":"s1","root_span_id":"r1","span_parents":["r1"],"is_root":false,"created":"2024-05-15T15:00:00.123456Z","project_id":"proj-uuid","input":[{"role":"user","content":"hi"}],"output":{"text":"hello","n":[1,2.5,null]},"expected":"hello","error":{"type":"rate_limit","message":"slow down"},"scores":{"Factuality":0.75,"Other":null},"metadata":{"model":"gpt-4o","user id":"u\"1"},"tags":["feedback","beta"],"metrics":{"start":1715785200.5,"end":1715785201.25,"prompt_tokens":10,"completion_tokens":5,"cached":3},"span_attributes":{"name":"chat","type":"llm","extra":1},"_xact_id":"1000192","comments":[{"text":"x"}]}"#
        let file = dir.write("one.jsonl", line + "\n")
        let store = try Store(path: dir.path("s.db"))
        _ = try ingest(store, [file])
        let got = try XCTUnwrap(store.spans(project: "default").first)
        var expected = try Span(json: JSONReader.parse(line))
        expected.projectID = "default"
        XCTAssertEqual(got, expected)
        XCTAssertEqual(got.created.microseconds % 1_000_000, 123_456)
        XCTAssertEqual(got.extra["_xact_id"], .string("1000192"))
        XCTAssertEqual(got.extra["project_id"], .string("proj-uuid"))
        XCTAssertEqual(got.scores["Other"], .null)
        XCTAssertEqual(try store.db.scalarInt("SELECT total_tokens FROM spans"), 15)
        XCTAssertEqual(try store.db.scalarText("SELECT span_type || '/' || span_name FROM spans"), "llm/chat")
    }

    func testJSONArrayOfSpansAndStdinLikeDetection() throws {
        let dir = TempDir()
        let file = dir.write("arr.json", """
            [
              {"id": "a", "created": "2024-01-01T00:00:00Z", "span_attributes": {"type": "task"}},
              {"id": "b", "root_span_id": "a", "span_parents": ["a"], "created": 1704067201}
            ]
            """)
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.formats[file], .spans)
        XCTAssertEqual(run.summary.spans, 2)
        let trace = try store.trace(id: "a")
        XCTAssertEqual(trace.spans.count, 2)
        XCTAssertEqual(trace.root.id, "a")
    }

    func testImportedFacetsAndClassificationsLandInTheirTables() throws {
        let dir = TempDir()
        let file = dir.write("f.jsonl", #"{"id":"t1","created":"2024-01-01T00:00:00Z","facets":{"Sentiment":"NEGATIVE","Task":"refund"},"classifications":{"Task":[{"id":"topic-3","label":"Refunds","confidence":0.9,"metadata":{"distance":0.2},"source":"import"}]}}"# + "\n")
        let store = try Store(path: dir.path("s.db"))
        _ = try ingest(store, [file])
        XCTAssertEqual(try count(store, "SELECT count(*) FROM facets"), 2)
        XCTAssertEqual(try store.db.scalarText("SELECT label FROM classifications WHERE facet = 'Task' AND position = 0"), "Refunds")
        let root = try store.trace(id: "t1").root
        XCTAssertEqual(root.facets["Sentiment"], .string("NEGATIVE"))
        XCTAssertEqual(root.classifications["Task"]?[0]?["metadata"]?["distance"], .double(0.2))
    }

    /// A record is accepted exactly when `Span(json:)` accepts it, duplicate keys included: an object
    /// is read as JSON reads it (the last of a repeated key wins) before its members are checked.
    func testDuplicateKeysAreCheckedAsSpanJSONChecksThem() throws {
        let base = #""id":"d","span_id":"d","root_span_id":"d","span_parents":[],"created":"2026-11-01T00:00:00Z""#
        let lines = [
            #"{\#(base),"scores":{"s":5,"s":0.5}}"#,
            #"{\#(base),"scores":{"s":0.5,"s":5}}"#,
            #"{\#(base),"metrics":{"start":"x","start":1}}"#,
            #"{\#(base),"metrics":{"start":1,"start":"x"}}"#,
            #"{\#(base),"span_attributes":{"type":5,"type":"llm"}}"#,
            #"{\#(base),"span_attributes":{"type":"llm","type":5}}"#,
        ]
        for line in lines {
            let dir = TempDir()
            let store = try Store(path: dir.path("s.db"))
            let run = try ingest(store, [dir.write("one.jsonl", line + "\n")])
            let accepted = (try? Span(json: JSONReader.parse(line))) != nil
            XCTAssertEqual(run.summary.spans == 1, accepted, line)
            XCTAssertEqual(run.rejects.isEmpty, accepted, line)
        }
    }

    func testReingestIsIdempotent() throws {
        let dir = TempDir()
        var config = SimulatorConfig(end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        config.traces = 200
        var text = ""
        for t in Simulator(config: config).traces() { for s in t.spans { text += JSONWriter.string(s.jsonValue) + "\n" } }
        let file = dir.write("s.jsonl", text)
        let store = try Store(path: dir.path("s.db"))
        let first = try ingest(store, [file], project: "p")
        // The text each row holds, through `span_text`: its stored form may differ (a short text is
        // shared once a batch repeats it, and the second ingest's batches follow the first's).
        let sql = "SELECT group_concat(id || created || coalesce(input,'') || coalesce(metrics,'') || coalesce(metadata,''), '|') FROM (SELECT * FROM span_text ORDER BY id)"
        let dump1 = try store.db.scalarText(sql)
        let second = try ingest(store, [file], project: "p")
        XCTAssertEqual(first.summary.spans, second.summary.spans)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), first.summary.spans)
        let dump2 = try store.db.scalarText(sql)
        XCTAssertEqual(dump1, dump2)
        // The same span id in another project is another span.
        _ = try ingest(store, [file], project: "q")
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), 2 * first.summary.spans)
    }
}
