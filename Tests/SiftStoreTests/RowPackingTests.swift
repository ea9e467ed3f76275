import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftSimulator
@testable import SiftStore

/// Span text is stored compressed with a dictionary trained on the store's own spans (`RowPacking`):
/// every field reads back exactly, updates and later ingests reuse the dictionary, and damaged or
/// orphaned frames fail with a message instead of reading as something else.
final class RowPackingTests: XCTestCase {
    func simulatedLines(_ traces: Int, seed: UInt64 = 1) -> [String] {
        var config = SimulatorConfig(end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        config.traces = traces
        config.seed = seed
        var lines: [String] = []
        for t in Simulator(config: config).traces() { for s in t.spans { lines.append(JSONWriter.string(s.jsonValue)) } }
        return lines
    }

    func testDictionaryRoundTripsAnyText() throws {
        try XCTSkipUnless(RowPacking.available, "libzstd cannot be loaded here: rows stay text")
        var rows: [SpanRow] = []
        for (i, line) in simulatedLines(400).enumerated() {
            var r = SpanRow(id: "s\(i)", spanID: "s\(i)", rootSpanID: "r", spanParents: nil, created: 0)
            r.input = line
            rows.append(r)
        }
        let d = try XCTUnwrap(RowPacking.train(rows))
        XCTAssertNotEqual(d.id, 0)
        XCTAssertLessThanOrEqual(d.bytes.count, RowPacking.dictionaryCapacity)
        let texts = [String(repeating: "a", count: 64), rows[7].input!, "{\"q\": \"caf\u{e9} \u{1F600} \u{5927}\u{962A}\"}" + String(repeating: " refund", count: 20),
                     String(repeating: rows[3].input!, count: 40)]
        for t in texts {
            let packed = try XCTUnwrap(d.pack(t), "\(t.prefix(40))")
            XCTAssertLessThan(packed.count, t.utf8.count)
            let back = try packed.withUnsafeBytes { try RowPacking.unpack($0) { $0 == d.id ? d : nil } }
            XCTAssertEqual(back, t)
        }
        XCTAssertNil(d.pack("short"), "short values stay text")
        // A frame naming a dictionary the store does not have, and damaged frames: errors, never other text.
        let packed = try XCTUnwrap(d.pack(rows[9].input!))
        XCTAssertThrowsError(try packed.withUnsafeBytes { try RowPacking.unpack($0) { _ in nil } }) { e in
            XCTAssertTrue("\(e)".contains("dictionary \(d.id)"), "\(e)")
        }
        var rng = SeededRandom(seed: 5)
        for trial in 0..<300 {
            var b = packed
            if trial % 2 == 0 { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(1 + rng.next() % 255) } else { b.removeLast(1 + Int(rng.next() % UInt64(b.count - 1))) }
            // The frame's checksum refuses it (a flip in the dictionary id finds no dictionary).
            XCTAssertThrowsError(try b.withUnsafeBytes { try RowPacking.unpack($0) { $0 == d.id ? d : nil } }, "trial \(trial)")
        }
    }

    func testIngestedSpansReadBackExactlyFromPackedRows() throws {
        try XCTSkipUnless(RowPacking.available, "libzstd cannot be loaded here: rows stay text")
        let dir = TempDir()
        let lines = simulatedLines(400)
        let store = try Store(path: dir.path("s.db"))
        var o = IngestOptions()
        o.project = "p"
        o.batchSize = 700
        o.rejectsPath = dir.path("rejects.jsonl")
        _ = try Ingester(store: store, options: o).ingest(paths: [dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")])
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM dictionaries"), 1)
        let blobs = try store.db.scalarInt("SELECT count(*) FROM spans WHERE typeof(input) = 'blob'") ?? 0
        let texts = try store.db.scalarInt("SELECT count(*) FROM spans WHERE typeof(input) = 'text'") ?? 0
        XCTAssertGreaterThan(blobs, Int64(lines.count / 2), "most inputs packed (\(texts) left as text)")
        func check(_ lines: [String]) throws {
            let back = try store.spans(project: "p")
            XCTAssertEqual(back.count, lines.count)
            for (line, got) in zip(lines, back) {
                var expected = try Span(json: JSONReader.parse(line))
                expected.projectID = "p"
                XCTAssertEqual(got, expected)
            }
        }
        try check(lines)
        // SQLite's own JSON functions read packed text through sift_text().
        let models = try store.spans(project: "p").filter { $0.metadata["model"] != nil }.count
        XCTAssertGreaterThan(models, 0)
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM spans WHERE json_extract(sift_text(metadata), '$.model') IS NOT NULL"), Int64(models))
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM spans WHERE sift_text(input) IS NOT input"), blobs)
        // Hints read the metadata keys from packed rows too.
        XCTAssertFalse(try store.knownPaths(project: "p").filter { $0.hasPrefix("metadata.") }.isEmpty)

        // A second ingest (a new writer) packs with the same dictionary; updated spans rebuild their
        // groups from the packed rows.
        let changed = lines.prefix(300).map { $0.replacingOccurrences(of: "\"gpt-4o-mini\"", with: "\"gpt-5-mini\"") }
        _ = try Ingester(store: store, options: o).ingest(paths: [dir.write("b.jsonl", changed.joined(separator: "\n") + "\n")])
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM dictionaries"), 1)
        try check(changed + lines.dropFirst(300))
        // A store opened afresh reads its dictionary from the file.
        let reopened = try Store(path: dir.path("s.db"))
        XCTAssertEqual(try reopened.spans(project: "p").count, lines.count)

        // A frame whose dictionary is gone is an error naming it, not missing or other text.
        try store.db.execute("DELETE FROM dictionaries")
        let fresh = try Store(path: dir.path("s.db"))
        XCTAssertThrowsError(try fresh.spans(project: "p")) { e in XCTAssertTrue("\(e)".contains("dictionary"), "\(e)") }
    }
}
