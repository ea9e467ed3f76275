import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

/// OTLP/JSON documents far larger than the record limit land span by span (issue 17).
final class OTLPDocumentTests: XCTestCase {
    /// One span per line, so the test knows each span's line. `input` pads the span to about a kilobyte.
    static func spanLine(trace: Int, span: Int, pad: String, spanID: Bool = true, start: String? = nil) -> String {
        let parent = span == 0 ? "" : #","parentSpanId":"\#(String(format: "%016x", trace * 100))""#
        let id = spanID ? #","spanId":"\#(String(format: "%016x", trace * 100 + span))""# : ""
        let t0 = start ?? "\"\(1_715_785_200_000_000_000 + trace * 1_000_000_000 + span * 1_000_000)\""
        return #"{"traceId":"\#(String(format: "%032x", trace))"\#(id)\#(parent),"name":"step \#(span)","startTimeUnixNano":\#(t0),"endTimeUnixNano":"\#(1_715_785_200_000_000_000 + trace * 1_000_000_000 + span * 1_000_000 + 500_000)","attributes":[{"key":"input.value","value":{"stringValue":"trace \#(trace) span \#(span) \#(pad)"}},{"key":"output.value","value":{"stringValue":"{\"n\":\#(span)}"}}]}"#
    }

    /// A pretty-printed request of `resources` resources of `scopes` scopes of `traces` traces of
    /// `spans` spans each. The second resource names its scopes before its attributes, and every
    /// other scope its spans before its name: writers may order members as they like.
    static func document(resources: Int, scopes: Int, traces: Int, spans: Int, pad: String,
                         bad: [Int: String] = [:]) -> (text: String, badLines: [Int: Int]) {
        var out = "{\n  \"resourceSpans\": [\n"
        var line = 3
        var badLines: [Int: Int] = [:]
        var trace = 0
        for r in 0..<resources {
            let resource = #""resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc-\#(r)"}}]}"#
            out += "    {\n"; line += 1
            if r % 2 == 0 { out += "      \(resource),\n"; line += 1 }
            out += "      \"scopeSpans\": [\n"; line += 1
            for s in 0..<scopes {
                let scope = #""scope": {"name": "scope-\#(r)-\#(s)"}"#
                out += "        {\(s % 2 == 0 ? scope + ", " : "")\"spans\": [\n"; line += 1
                for _ in 0..<traces {
                    for p in 0..<spans {
                        let n = trace * spans + p
                        let text = bad[n] ?? spanLine(trace: trace, span: p, pad: pad)
                        if bad[n] != nil { badLines[n] = line }
                        let last = trace % traces == traces - 1 && p == spans - 1
                        out += "          \(text)\(last ? "" : ",")\n"; line += 1
                    }
                    trace += 1
                }
                out += "        ]\(s % 2 == 0 ? "" : ", " + scope)}\(s == scopes - 1 ? "" : ",")\n"; line += 1
            }
            out += "      ]\(r % 2 == 0 ? "" : ",\n      " + resource)\n"; line += r % 2 == 0 ? 1 : 2
            out += "    }\(r == resources - 1 ? "" : ",")\n"; line += 1
        }
        out += "  ]\n}\n"
        return (out, badLines)
    }

    /// A 50 MB pretty-printed document: every span lands, each resource's service names its project,
    /// and two bad spans in the middle are reported at their own lines while the rest land.
    func testFiftyMegabyteDocumentLandsSpanBySpan() throws {
        let pad = String(repeating: "x", count: 760)
        let (resources, scopes, traces, spans) = (2, 2, 2_600, 5)  // 52,000 spans of about 1 KB
        let total = resources * scopes * traces * spans
        let missingID = total / 2 + 3, badNumber = total / 2 + 8
        let (text, badLines) = Self.document(
            resources: resources, scopes: scopes, traces: traces, spans: spans, pad: pad,
            bad: [missingID: Self.spanLine(trace: missingID / spans, span: missingID % spans, pad: pad, spanID: false),
                  badNumber: Self.spanLine(trace: badNumber / spans, span: badNumber % spans, pad: pad, start: "0123")])
        XCTAssertGreaterThan(text.utf8.count, 50 << 20)
        let dir = TempDir()
        let file = dir.write("big.json", text)
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.formats[file], .otlp)
        XCTAssertEqual(run.summary.records, 1)
        XCTAssertEqual(run.summary.spans, total - 2)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), total - 2)
        let perResource = scopes * traces * spans
        XCTAssertEqual(run.summary.spansByProject, ["svc-0": perResource, "svc-1": perResource - 2])
        XCTAssertEqual(run.rejects.count, 2)
        // Span 3 of its trace lies in the second resource's first scope, whose name comes first.
        let r = missingID / perResource, s = missingID % perResource / (traces * spans)
        XCTAssertEqual(run.rejects[0], "\(file):\(badLines[missingID]!): \(OTLPRecord.spanPath(r, s, missingID % (traces * spans))): spanId: missing")
        XCTAssertTrue(run.rejects[1].hasPrefix("\(file):\(badLines[badNumber]!): \(OTLPRecord.spanPath(r, s, badNumber % (traces * spans))): invalid JSON: invalid number (leading zero)"), run.rejects[1])
        // The rejects file keeps the bad span in a request of its own, with its resource and scope,
        // not the whole document: fixed, it ingests again into its project.
        let rejected = try String(contentsOfFile: dir.path("s.db.rejects.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertLessThan(rejected[0].utf8.count, 4096)
        let kept = try XCTUnwrap(try JSONReader.parse(String(rejected[0]))["record"]?.stringValue)
        let alone = try JSONReader.parse(kept)["resourceSpans"]?[0]
        XCTAssertEqual(alone?["resource"]?["attributes"]?[0]?["value"]?["stringValue"], .string("svc-1"))
        XCTAssertEqual(alone?["scopeSpans"]?[0]?["scope"]?["name"], .string("scope-1-0"))
        XCTAssertEqual(alone?["scopeSpans"]?[0]?["spans"]?.arrayValue?.count, 1)
        let spanID = String(format: "%016x", missingID / spans * 100 + missingID % spans)
        let fixed = dir.write("fixed.json", kept.replacingOccurrences(of: #""name":"step 3""#, with: #""spanId":"\#(spanID)","name":"step 3""#))
        let again = try ingest(store, [fixed])
        XCTAssertEqual(again.summary.spansByProject, ["svc-1": 1])
        XCTAssertEqual(again.summary.rejected, 0, "\(again.rejects)")
        XCTAssertEqual(try store.trace(id: spanID).spans.first { $0.spanID == spanID }?.metadata["otel.scope.name"], .string("scope-1-0"))

        // Round trip of one trace from the deferred resource and scope.
        let t = (total - 1) / spans
        let trace = try store.trace(id: String(format: "%032x", t))
        XCTAssertEqual(trace.spans.count, spans)
        XCTAssertEqual(trace.root.spanID, String(format: "%016x", t * 100))
        XCTAssertEqual(trace.root.created, Timestamp(nanoseconds: Int64(1_715_785_200_000_000_000 + t * 1_000_000_000)))
        XCTAssertEqual(try XCTUnwrap(trace.root.duration), 0.0005, accuracy: 1e-6)
        let child = try XCTUnwrap(trace.spans.first { $0.spanID == String(format: "%016x", t * 100 + 4) })
        XCTAssertEqual(child.spanParents, [String(format: "%016x", t * 100)])
        XCTAssertEqual(child.input, .string("trace \(t) span 4 \(pad)"))
        XCTAssertEqual(child.output, ["n": 4])
        XCTAssertEqual(child.name, "step 4")
        XCTAssertEqual(child.metadata["otel.scope.name"], .string("scope-1-1"))
        XCTAssertEqual(try store.spans(project: "svc-1").first { $0.spanID == child.spanID }?.id, child.id)
    }

    /// The size limit holds per span: a document over it lands, a span over it is rejected alone.
    func testRecordLimitAppliesToEachSpan() throws {
        let big = String(repeating: "y", count: 5_000)
        let (text, _) = Self.document(resources: 1, scopes: 1, traces: 10, spans: 4, pad: "small",
                                      bad: [17: Self.spanLine(trace: 4, span: 1, pad: big)])
        let dir = TempDir()
        let file = dir.write("doc.json", text)
        let array = dir.write("array.json", "[" + text + ",\n" + text + "]")
        let lines = dir.write("lines.jsonl", [text, text].map { try! JSONWriter.string(JSONReader.parse($0)) }.joined(separator: "\n"))
        for (path, requests) in [(file, 1), (array, 2), (lines, 2)] {
            let store = try Store(path: dir.path("\(requests)-\(URL(fileURLWithPath: path).lastPathComponent).db"))
            let run = try ingest(store, [path], batchSize: 7, maxRecordBytes: 4_096)
            XCTAssertEqual(run.summary.formats[path], .otlp, path)
            XCTAssertEqual(run.summary.records, requests, path)
            XCTAssertEqual(run.summary.spans, 39 * requests, path)
            XCTAssertEqual(run.rejects.count, requests, path)
            XCTAssertTrue(run.rejects[0].contains("resourceSpans[0].scopeSpans[0].spans[17]: span is 5.2 KiB, over the 4.0 KiB limit"), run.rejects[0])
            XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), 39, "the second copy upserts the same ids")
        }
    }

    /// A document cut off in the middle of a span (a collector killed mid-write): the spans before the
    /// cut land, and the cut is reported at its line.
    func testCutOffDocumentKeepsTheSpansBeforeTheCut() throws {
        let (text, _) = Self.document(resources: 1, scopes: 1, traces: 10, spans: 4, pad: "p")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let cut = lines.prefix(25).joined(separator: "\n") + "\n" + lines[25].prefix(40)
        let dir = TempDir()
        let file = dir.write("cut.json", String(cut))
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.formats[file], .otlp)
        XCTAssertEqual(run.summary.spans, 25 - 6, "the spans on lines 7 to 25")
        XCTAssertEqual(run.rejects.count, 1)
        XCTAssertTrue(run.rejects[0].hasPrefix("\(file):26: invalid JSON: "), run.rejects[0])
        XCTAssertTrue(run.rejects[0].hasSuffix("; the record cannot be read from here on (its 19 spans before it landed)"), run.rejects[0])
        // The same request cut off on a line of its own.
        let compact = try JSONWriter.string(JSONReader.parse(text))
        let line = dir.write("cut.jsonl", compact + "\n" + compact.prefix(compact.utf8.count / 2) + "\n")
        let store2 = try Store(path: dir.path("l.db"))
        let run2 = try ingest(store2, [line])
        XCTAssertEqual(run2.summary.formats[line], .otlp)
        XCTAssertEqual(run2.rejects.count, 1)
        XCTAssertTrue(run2.rejects[0].hasPrefix("\(line):2: invalid JSON: "), run2.rejects[0])
        XCTAssertTrue(run2.rejects[0].contains("spans before it landed)"), run2.rejects[0])
        XCTAssertEqual(try count(store2, "SELECT count(*) FROM spans"), 40, "the cut line's spans are the first line's again")
    }
}
