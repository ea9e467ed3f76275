import XCTest
import SiftModel

/// The column writer's dictionary: one entry per distinct byte string, numbered in order of first
/// appearance, every row's code naming an entry with exactly its bytes.
final class ColumnFormatTests: XCTestCase {
    func testDictionaryKeepsEveryDistinctByteStringInFirstSeenOrder() throws {
        var texts = ["", "a", "b", "ab", "ba", "caf\u{e9}", "cafe\u{301}", String(repeating: "x", count: 7),
                     String(repeating: "x", count: 8), String(repeating: "x", count: 9)]
        // Long texts that share a prefix and a length, differing in one byte anywhere.
        let base = Array(String(repeating: "abcdefgh", count: 40).utf8)
        for i in stride(from: 0, to: base.count, by: 37) {
            var b = base
            b[i] = UInt8(ascii: "Z")
            texts.append(String(decoding: b, as: UTF8.self))
        }
        var rng = SeededRandom(seed: 7)
        var rows: [String] = []
        for i in 0..<20_000 {
            // Many distinct values too, so the table grows several times.
            rows.append(i % 3 == 0 ? "row \(rng.int(0...5_000))" : rng.pick(texts))
        }
        var w = ColumnFormat.Writer()
        for r in rows { w.string(r) }
        let bytes = w.bytes()
        let parts = try XCTUnwrap(bytes.withUnsafeBufferPointer { ColumnFormat.Parts($0) })
        XCTAssertEqual(parts.rows, rows.count)
        let entries = parts.entries.map { Array(bytes[$0]) }
        var firstSeen: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for r in rows where seen.insert(Array(r.utf8)).inserted { firstSeen.append(Array(r.utf8)) }
        XCTAssertEqual(entries, firstSeen)
        XCTAssertEqual(w.distinctEntries, firstSeen.count)
        // "caf\u{e9}" and "cafe\u{301}" are equal Swift strings but different bytes: two entries.
        XCTAssertEqual(Set(entries).count, entries.count)
        for (i, r) in rows.enumerated() {
            let at = parts.codes.lowerBound + 4 * i
            let code = Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
            XCTAssertEqual(entries[code], Array(r.utf8), "row \(i)")
        }
    }
}
