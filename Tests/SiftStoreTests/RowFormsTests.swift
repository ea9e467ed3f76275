import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftStore

/// Values a span row keeps by reference (`RowForms`): metrics made of the row's number columns, short
/// texts shared between rows, parents that are the root alone, a span_id equal to the id. Each form is
/// written only when it gives the text back byte for byte, and every reader gives the same spans.
final class RowFormsTests: XCTestCase {
    func row(metrics: String, start: Double? = nil, end: Double? = nil, prompt: Int64? = nil, completion: Int64? = nil, total: Int64? = nil) -> SpanRow {
        var r = SpanRow(id: "a", spanID: "a", rootSpanID: "r", spanParents: nil, created: 0)
        r.metrics = metrics
        r.start = start; r.end = end; r.promptTokens = prompt; r.completionTokens = completion; r.totalTokens = total
        return r
    }

    func made(_ r: SpanRow) throws -> String? {
        guard let form = RowForms.metricsForm(r) else { return nil }
        return try form.withUnsafeBytes { try RowForms.text($0, RowForms.Siblings(r)) { _ in nil } }
    }

    func testMetricsFormOnlyWhereTheNumbersMakeTheTextBack() throws {
        let fits: [SpanRow] = [
            row(metrics: #"{"start":1793923201.872,"end":1793923241.5077095}"#, start: 1793923201.872, end: 1793923241.5077095),
            row(metrics: #"{"end":2.5,"start":1.0}"#, start: 1.0, end: 2.5),
            row(metrics: #"{"start":1790000000,"end":1790000003}"#, start: 1790000000, end: 1790000003),
            row(metrics: #"{"start":1.5,"end":2.5,"prompt_tokens":812,"completion_tokens":64,"total_tokens":876}"#,
                start: 1.5, end: 2.5, prompt: 812, completion: 64, total: 876),
            // Braintrust's "tokens" is the total column (prompt plus completion when total_tokens is absent).
            row(metrics: #"{"start":1.5,"prompt_tokens":10,"completion_tokens":5,"tokens":15}"#, start: 1.5, prompt: 10, completion: 5, total: 15),
            row(metrics: #"{"total_tokens":-3}"#, total: -3),
        ]
        for r in fits {
            XCTAssertEqual(try made(r), r.metrics, r.metrics!)
            XCTAssertLessThan(RowForms.metricsForm(r)!.count, 8)
        }
        let stays: [SpanRow] = [
            row(metrics: #"{"start": 1.5}"#, start: 1.5),                                  // whitespace
            row(metrics: #"{"start":1.50}"#, start: 1.5),                                  // another spelling
            row(metrics: #"{"start":1e3}"#, start: 1000),
            row(metrics: #"{"start":1.5,"time_to_first_token":0.2}"#, start: 1.5),         // a key with no column
            row(metrics: #"{"start":1.5,"prompt_tokens":10.0}"#, start: 1.5, prompt: 10),  // a count written as a double
            row(metrics: #"{"start":1.5,"tokens":16}"#, start: 1.5, total: 15),            // disagrees with the column
            row(metrics: #"{"start":1.5,"start":2.5}"#, start: 2.5),                       // a repeated key
            row(metrics: #"{"start":"1.5"}"#, start: 1.5),
            row(metrics: "{}"),
            row(metrics: #"{"start":1.5}"#),                                                // no column
        ]
        for r in stays { XCTAssertNil(RowForms.metricsForm(r), r.metrics!) }
        // Read without the number columns, or damaged: an error, never other text.
        let form = try XCTUnwrap(RowForms.metricsForm(fits[3]))
        XCTAssertThrowsError(try form.withUnsafeBytes { try RowForms.text($0, RowForms.Siblings()) { _ in nil } })
        for bad in [[RowForms.metricsMarker], [RowForms.metricsMarker, 0x0E], [RowForms.metricsMarker, 0x40], [RowForms.rootParentMarker, 0], [RowForms.sameAsIDMarker, 1]] {
            XCTAssertThrowsError(try bad.withUnsafeBytes { try RowForms.text($0, RowForms.Siblings(fits[3])) { _ in nil } }, "\(bad)")
        }
    }

    func testSharedTextIDsRoundTrip() throws {
        for id: Int64 in [1, 127, 128, 300, 16_383, 16_384, 1 << 40, Int64.max] {
            let form = RowForms.internedForm(id)
            XCTAssertEqual(form.withUnsafeBytes { RowForms.internedID($0) }, id)
            XCTAssertNil(Array(form.dropLast()).withUnsafeBytes { RowForms.internedID($0) }, "cut: \(id)")
            XCTAssertNil((form + [0]).withUnsafeBytes { RowForms.internedID($0) }, "trailing byte: \(id)")
        }
        XCTAssertThrowsError(try RowForms.internedForm(9).withUnsafeBytes { try RowForms.text($0, RowForms.Siblings()) { _ in nil } }) { e in
            XCTAssertTrue("\(e)".contains("short text 9"), "\(e)")
        }
    }

    /// Spans of every shape the forms care about, with text that repeats and text that does not.
    func lines() -> [String] {
        var out: [String] = []
        for t in 0..<40 {
            let root = "trace\(t)"
            out.append(#"{"id":"\#(root)","span_id":"\#(root)","root_span_id":"\#(root)","span_parents":[],"created":"2026-11-0\#(t % 9 + 1)T10:00:00Z","input":"q\#(t)","metadata":{"user":"u\#(t % 3)"},"metrics":{"start":\#(1790000000 + t).25,"end":\#(1790000001 + t).5},"span_attributes":{"type":"task","name":"conversation"},"tags":["vip"]}"#)
            // A child of the root whose span_id is its id, one whose span_id is not, and a grandchild.
            out.append(#"{"id":"\#(root)-1","span_id":"\#(root)-1","root_span_id":"\#(root)","span_parents":["\#(root)"],"created":"2026-11-01T10:00:01Z","input":[{"role":"user","content":"hi"}],"output":{"role":"assistant","content":"ok"},"metadata":{"model":"gpt-4o","temperature":0.2},"metrics":{"start":1790000000.5,"end":1790000001,"prompt_tokens":\#(10 + t),"completion_tokens":5,"total_tokens":\#(15 + t)},"span_attributes":{"type":"llm","name":"chat"}}"#)
            out.append(#"{"id":"row-\#(root)-2","span_id":"\#(root)-2","root_span_id":"\#(root)","span_parents":["\#(root)-1"],"created":"2026-11-01T10:00:02Z","input":{"order_id":"A\#(t % 4)"},"output":"found","metadata":{"model":"gpt-4o", "temperature":0.2},"metrics":{"start": 1790000002,"time_to_first_token":0.1},"span_attributes":{"name":"lookup","type":"tool"},"scores":{"ok":1}}"#)
            out.append(#"{"id":"\#(root)-3","span_id":"\#(root)-3","root_span_id":"\#(root)","span_parents":["\#(root)", "\#(root)-1"],"created":"2026-11-01T10:00:03Z","error":"timeout","metrics":{"tokens":3,"prompt_tokens":1,"completion_tokens":2},"span_attributes":{"type":"tool","name":"lookup"}}"#)
        }
        return out
    }

    func testEveryReaderGivesTheSpansBack() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let lines = self.lines()
        var o = IngestOptions()
        o.project = "p"
        o.batchSize = 37
        o.rejectsPath = dir.path("rejects.jsonl")
        _ = try Ingester(store: store, options: o).ingest(paths: [dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")])
        let expected = try lines.map { line -> Span in
            var s = try Span(json: JSONReader.parse(line))
            s.projectID = "p"
            return s
        }
        // The forms were used where they fit, and only there.
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(span_id) = 'blob'"), 120)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(span_parents) = 'blob'"), 40)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(metrics) = 'blob' AND length(metrics) < 8"), 120)
        XCTAssertGreaterThan(try count(store, "SELECT count(*) FROM short_texts"), 3)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(span_attributes) = 'blob'"), 160)

        func check(_ store: Store, _ what: String) throws {
            // Whole spans (traces show, exports).
            let back = try store.spans(project: "p")
            XCTAssertEqual(back.count, expected.count, what)
            for (got, want) in zip(back, expected) { XCTAssertEqual(got, want, "\(what): \(want.id)") }
            // Query columns computed from the rows.
            let columns = try store.spanColumns(project: "p")
            let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
            let ids = try XCTUnwrap(columns.column("id")).map { $0.stringValue! }
            for (field, value) in [("span_id", { (s: Span) -> Value in .string(s.spanID) }),
                                   ("span_parents", { .array($0.spanParents.map(Value.string)) }),
                                   ("metrics", { $0.metrics.isEmpty ? .null : .object($0.metrics) }),
                                   ("metadata", { $0.metadata.isEmpty ? .null : .object($0.metadata) }),
                                   ("span_attributes", { $0.spanAttributes.isEmpty ? .null : .object($0.spanAttributes) })] {
                let got = try XCTUnwrap(columns.column(field))
                for (id, v) in zip(ids, got) { XCTAssertEqual(v, value(byID[id]!), "\(what): \(field) of \(id)") }
            }
            // SQL through the span_text view, and through sift_text for the self-contained forms.
            XCTAssertEqual(try count(store, #"SELECT count(*) FROM span_text WHERE json_extract(metrics, '$.prompt_tokens') IS NOT NULL"#),
                           expected.filter { $0.metrics["prompt_tokens"] != nil }.count, what)
            XCTAssertEqual(try count(store, #"SELECT count(*) FROM span_text WHERE span_id = id"#), 120, what)
            XCTAssertEqual(try count(store, #"SELECT count(*) FROM spans WHERE json_extract(sift_text(metadata), '$.model') = 'gpt-4o'"#), 80, what)
            XCTAssertThrowsError(try store.db.scalarInt("SELECT count(sift_text(metrics)) FROM spans"), "a derived form needs its columns")
        }
        try check(store, "ingested")
        try check(try Store(path: dir.path("s.db")), "reopened")
        // Chunks rebuilt from the stored rows answer as the ingest's did.
        try store.forgetChunksForTest()
        XCTAssertGreaterThan(try store.completeChunks(projectRow: store.projectRow(named: "p")), 0)
        try check(store, "chunks rebuilt")
        // A second ingest of the same spans (an update of every row) reads back the same.
        _ = try Ingester(store: store, options: o).ingest(paths: [dir.write("b.jsonl", lines.joined(separator: "\n") + "\n")])
        try check(store, "re-ingested")
    }

    /// A metrics form made when the batch was prepared is not used once a number column changes: the
    /// row's text is what is read back.
    func testPreparedMetricsFormFollowsTheNumberColumns() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let writer = try BatchWriter(store: store, defaultProject: "p")
        var rows = [row(metrics: #"{"start":1.5,"end":2.5}"#, start: 1.5, end: 2.5)]
        _ = writer.prepare(&rows)
        XCTAssertNotNil(rows[0].preparedMetricsForm)
        rows[0].start = 9.5   // the text no longer matches the column: it stays text
        try writer.commit(rows, records: 1, rejected: 0, run: nil)
        let back = try XCTUnwrap(Store(path: dir.path("s.db")).spans(project: "p").first)
        XCTAssertEqual(back.metrics["start"], .double(1.5))
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(metrics) = 'blob'"), 0)
    }

    func testSharedTextsOfARolledBackBatchAreForgotten() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let spans = try lines().prefix(8).map { try Span(json: JSONReader.parse($0)) }
        let writer = try BatchWriter(store: store, defaultProject: "p")
        try store.db.execute("CREATE TEMP TRIGGER boom BEFORE INSERT ON spans WHEN NEW.id = 'trace1' BEGIN SELECT RAISE(ABORT, 'boom'); END")
        XCTAssertThrowsError(try writer.commit(spans.map { SpanRow($0) }, records: 8, rejected: 0, run: nil))
        XCTAssertEqual(try count(store, "SELECT count(*) FROM short_texts"), 0)
        try store.db.execute("DROP TRIGGER boom")
        // The texts are shared afresh with the rows that land.
        try writer.commit(spans.map { SpanRow($0) }, records: 8, rejected: 0, run: nil)
        XCTAssertGreaterThan(try count(store, "SELECT count(*) FROM short_texts"), 0)
        XCTAssertEqual(try Store(path: dir.path("s.db")).spans(project: "p").map(\.id), spans.map(\.id))
    }

    /// Canonically equivalent texts ("caf\u{e9}", "cafe\u{301}") are equal as Swift strings but are
    /// different bytes: no form may stand for one with the other.
    func testCanonicallyEquivalentTextsKeepTheirBytes() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let composed = "caf\u{e9}", decomposed = "cafe\u{301}"
        XCTAssertEqual(composed, decomposed)
        var rows: [SpanRow] = []
        for (i, (id, spanID, k)) in [(composed, decomposed, composed), ("b", "b", decomposed), ("c", "c", composed), ("d", "d", decomposed)].enumerated() {
            var r = SpanRow(id: id, spanID: spanID, rootSpanID: i == 0 ? composed : decomposed, spanParents: i == 0 ? nil : "[\"\(composed)\"]", created: Int64(i))
            r.metadata = #"{"k":"\#(k)"}"#
            rows.append(r)
        }
        try BatchWriter(store: store, defaultProject: "p").commit(rows, records: 4, rejected: 0, run: nil)
        let back = try Store(path: dir.path("s.db")).spans(project: "p")
        XCTAssertEqual(back.count, 4)
        for (r, got) in zip(rows, back.sorted { $0.created.microseconds < $1.created.microseconds }) {
            XCTAssertTrue(got.spanID.utf8.elementsEqual(r.spanID.utf8), "span_id of \(r.id)")
            XCTAssertTrue(JSONWriter.string(.object(got.metadata)).utf8.elementsEqual(r.metadata!.utf8), "metadata of \(r.id)")
            XCTAssertTrue(got.spanParents.joined().utf8.elementsEqual((r.spanParents == nil ? "" : composed).utf8), "parents of \(r.id)")
        }
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(span_id) = 'blob'"), 3, "only the ids that are the same bytes")
        XCTAssertEqual(try count(store, "SELECT count(*) FROM short_texts"), 2, "one shared text for each spelling")
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE typeof(span_parents) = 'blob'"), 0, "the parent is not the root's bytes")
    }

    func testWritersOnTwoConnectionsShareTexts() throws {
        let dir = TempDir()
        let a = try Store(path: dir.path("s.db")), b = try Store(path: dir.path("s.db"))
        let spans = try lines().map { try Span(json: JSONReader.parse($0)) }
        let wa = try BatchWriter(store: a, defaultProject: "p"), wb = try BatchWriter(store: b, defaultProject: "p")
        for (i, chunk) in stride(from: 0, to: spans.count, by: 20).enumerated() {
            let rows = spans[chunk..<min(spans.count, chunk + 20)].map { SpanRow($0) }
            try (i % 2 == 0 ? wa : wb).commit(rows, records: rows.count, rejected: 0, run: nil)
        }
        XCTAssertEqual(try count(a, "SELECT count(*) FROM short_texts"), try count(a, "SELECT count(DISTINCT text) FROM short_texts"))
        for store in [a, b, try Store(path: dir.path("s.db"))] {
            XCTAssertEqual(try store.spans(project: "p").map(\.metadata), spans.map(\.metadata))
        }
    }
}
