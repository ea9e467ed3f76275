import Foundation
import XCTest
import SiftTestSupport
import SiftEngine
import SiftExecutor
import SiftModel
import SiftStore

/// What goes in comes back out of a query exactly (issue 15): `[]`, `{}`, null and absent stay
/// distinct; integers stay integers and doubles doubles; and the query columns agree with the row
/// store field by field, for each file format.
final class LosslessTests: XCTestCase {
    static let fields = ["input", "output", "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes"]

    /// Text comes back byte for byte: canonically equivalent strings ("café" composed and decomposed)
    /// are different values, as they are in the file (they were folded into one chunk entry).
    func testCanonicallyEquivalentTextKeepsItsBytes() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let file = dir.write("n.jsonl", #"""
            {"id":"a","created":"2026-01-01T00:00:00Z","input":"caf\u00e9","metadata":{"k":"caf\u00e9"}}
            {"id":"b","created":"2026-01-01T00:00:01Z","input":"cafe\u0301","metadata":{"k":"cafe\u0301"}}

            """#)
        var o = IngestOptions()
        o.project = "p"
        o.rejectsPath = dir.path("rejects.jsonl")
        _ = try Ingester(store: store, options: o).ingest(paths: [file])
        let rows = try Session(store: store, caching: false).run("SELECT id, input, metadata.k AS k, length(input) AS n FROM project_logs('p') ORDER BY id", options: QueryOptions()).rows
        func bytes(_ d: Datum) -> [UInt8] { if case .string(let s) = d { return Array(s.utf8) } else { return [] } }
        XCTAssertEqual(rows.map { bytes($0[1]) }, [Array("caf\u{e9}".utf8), Array("cafe\u{301}".utf8)])
        XCTAssertEqual(rows.map { bytes($0[2]) }, [Array("caf\u{e9}".utf8), Array("cafe\u{301}".utf8)])
    }

    func testEmptyContainersNullsAndNumbersSurviveIngest() throws {
        let dir = TempDir()
        let lines = [
            #"{"id":"a","created":"2026-01-01T00:00:00Z","tags":[],"metadata":{},"metrics":{},"scores":{},"span_attributes":{},"input":[],"output":{},"expected":"","error":{}}"#,
            #"{"id":"b","created":"2026-01-01T00:00:01Z","tags":null,"metadata":null,"metrics":null,"input":null,"output":0,"expected":1.5,"error":null}"#,
            #"{"id":"c","created":"2026-01-01T00:00:02Z"}"#,
            #"{"id":"d","created":"2026-01-01T00:00:03Z","tags":["x","y"],"metadata":{"n":1,"d":1.0,"e":2.5e3,"big":9007199254740993,"neg":-0,"o":{},"a":[],"z":null,"s":"1"},"metrics":{"start":1767225603,"end":1767225604.25,"prompt_tokens":12,"completion_tokens":0},"scores":{"q":1,"r":0.5},"span_attributes":{"type":"llm","name":"call","extra":[{}]},"input":{"messages":[{"role":"user","content":"hi"}]},"output":true,"expected":[1,2.0,"3",null]}"#,
        ]
        let file = dir.write("f.jsonl", lines.joined(separator: "\n") + "\n")
        let store = try Store(path: dir.path("s.db"))
        var o = IngestOptions()
        o.project = "p"
        _ = try Ingester(store: store, options: o).ingest(paths: [file])
        for caching in [false, true] {
            let session = Session(store: store, caching: caching)
            for line in lines {
                let record = try JSONReader.parse(line)
                let id = record["id"]!.stringValue!
                let got = try session.run("SELECT \(Self.fields.joined(separator: ", ")) FROM project_logs('p') WHERE id = '\(id)'", options: QueryOptions()).rows
                XCTAssertEqual(got.count, 1, id)
                for (i, field) in Self.fields.enumerated() {
                    let want = Datum(record[field] ?? .null)
                    XCTAssertEqual(got[0][i], want, "\(id).\(field) (caching \(caching))")
                }
            }
            // count() counts empty arrays and objects: they are values, not NULL.
            let counts = try session.run("SELECT count(tags) AS t, count(metadata) AS m, count(input) AS i FROM project_logs('p')", options: QueryOptions()).rows
            XCTAssertEqual(counts, [[.int(2), .int(2), .int(2)]])
            // Integers compare as integers, beyond a double's exact range too.
            let big = try session.run("SELECT count(1) AS n FROM project_logs('p') WHERE metadata.big = 9007199254740993", options: QueryOptions()).rows
            XCTAssertEqual(big, [[.int(1)]])
        }
    }

    /// Every field of every span, as a query returns it, equals the span the row store keeps; on the
    /// three formats (the tau-bench file for trajectories, when present).
    func testQueryColumnsMatchTheRowStoreForEachFormat() throws {
        let dir = TempDir()
        let braintrust = dir.write("b.jsonl", """
            {"id":"r","created":"2026-01-01T00:00:00Z","input":"q","metadata":{"k":[1,{}]},"tags":[]}
            {"id":"c","root_span_id":"r","span_parents":["r"],"created":"2026-01-01T00:00:01Z","span_attributes":{"type":"tool","name":"t"},"output":{"rows":[]}}

            """)
        let otlp = dir.write("o.json", #"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat","kind":3,"startTimeUnixNano":"1767225600000000000","endTimeUnixNano":"1767225601500000000",
               "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"12"}},{"key":"gen_ai.request.temperature","value":{"doubleValue":0.5}}],
               "status":{"code":2,"message":"boom"}}]}]}]}
            """#)
        var files: [(String, IngestFormat)] = [(braintrust, .spans), (otlp, .otlp)]
        if let tau = sharedData("tau-bench/gpt-4o-airline.json") {
            files.append((tau, .trajectories))
        } else {
            print("skipping the tau-bench part: ../shared/data/tau-bench/gpt-4o-airline.json is absent")
        }
        for (i, (path, format)) in files.enumerated() {
            let store = try Store(path: dir.path("s\(i).db"))
            var o = IngestOptions()
            o.project = "p"
            o.format = format
            let summary = try Ingester(store: store, options: o).ingest(paths: [path])
            XCTAssertGreaterThan(summary.spans, 0, path)
            XCTAssertEqual(summary.rejected, 0, path)
            let spans = try store.spans(project: "p")
            let session = Session(store: store, caching: false)
            let rows = try session.run("SELECT id, \(Self.fields.joined(separator: ", ")) FROM project_logs('p')", options: QueryOptions()).rows
            XCTAssertEqual(rows.count, spans.count, path)
            let byID = Dictionary(uniqueKeysWithValues: spans.map { ($0.id, $0) })
            for row in rows {
                guard case .string(let id) = row[0], let span = byID[id] else { XCTFail("\(row[0]) not in the row store"); continue }
                let want: [Value] = [span.input, span.output, span.expected, span.error, Self.object(span.scores), Self.object(span.metadata),
                                     span.tags.isEmpty ? .null : .array(span.tags.map(Value.string)), Self.object(span.metrics), Self.object(span.spanAttributes)]
                for (k, field) in Self.fields.enumerated() {
                    // Empty objects and arrays read from a Span are indistinguishable from absent ones.
                    if format == .spans, want[k].isNull || want[k] == .object(JSONObject()) || want[k] == .array([]) { continue }
                    XCTAssertEqual(row[k + 1], Datum(want[k]), "\(format) \(id).\(field)")
                }
            }
        }
    }

    static func object(_ o: JSONObject) -> Value { o.isEmpty ? .null : .object(o) }
}
