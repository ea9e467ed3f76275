import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

final class HostileInputTests: XCTestCase {
    func good(_ id: String) -> String { #"{"id":"\#(id)","created":"2024-01-01T00:00:00Z","input":"ok"}"# }

    /// Every kind of bad line is reported with its line number, kept in the rejects file, and the good lines land.
    func testBadLinesAreReportedAndGoodOnesKept() throws {
        let dir = TempDir()
        var bytes: [UInt8] = []
        func line(_ s: String) { bytes += Array(s.utf8) + [0x0A] }
        line(good("g1"))                                                         // 1
        line(#"{"id":"t","created":"2024-01-01T00:00:00Z","input":"trunc"#)      // 2 truncated
        bytes += [0xFF, 0xFE, 0x00, 0x01, 0x80, 0x22, 0x7B] + [0x0A]             // 3 binary garbage
        line(good("g2"))                                                         // 4
        line(#"{"id":"big","created":"2024-01-01T00:00:00Z","input":""# + String(repeating: "x", count: 10_000_000) + #""}"#)  // 5 10 MB
        line(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))                                     // 6 deep
        bytes += Array(#"{"id":"u","created":"2024-01-01T00:00:00Z","input":"bad "#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8) + [0x0A]  // 7 invalid UTF-8
        line(#"{"id":"w","created":"2024-01-01T00:00:00Z","tags":"not-an-array"}"#)  // 8 wrong type
        line(#"{"id":"d","created":"2024-01-01T00:00:00Z","metadata":"#          // 9 truncated mid-value
            + String(repeating: #"{"a":"#, count: 300) + "1" + String(repeating: "}", count: 300) + "}")
        line("")                                                                 // 10 blank: skipped, not rejected
        line(#"["not","a","span"]"#)                                             // 11 not an object
        line(#"{"id":"n","created":"next tuesday"}"#)                            // 12 bad time
        line(good("g3"))                                                         // 13
        bytes += Array(good("g4").utf8)                                          // 14, no final newline
        let file = dir.write("bad.jsonl", bytes: bytes)
        let store = try Store(path: dir.path("s.db"))
        let rejectsPath = dir.path("rejects.jsonl")
        let run = try ingest(store, [file], rejectsPath: rejectsPath)
        XCTAssertEqual(Set(try store.spans(project: "default").map(\.id)), ["g1", "g2", "g3", "g4"])
        XCTAssertEqual(run.summary.rejected, 9)
        let lines = run.rejects.map { $0.split(separator: ":").dropFirst().first.map(String.init) ?? "" }
        XCTAssertEqual(lines, ["2", "3", "5", "6", "7", "8", "9", "11", "12"])
        for r in run.rejects { XCTAssertTrue(r.hasPrefix(file + ":"), r) }
        XCTAssertTrue(run.rejects[0].contains("unterminated string"), run.rejects[0])
        XCTAssertTrue(run.rejects[2].contains("over the 8.0 MiB limit"), run.rejects[2])
        XCTAssertTrue(run.rejects[3].contains("nesting deeper than"), run.rejects[3])
        XCTAssertTrue(run.rejects[4].contains("invalid UTF-8"), run.rejects[4])
        XCTAssertTrue(run.rejects[5].contains("tags: expected an array of strings"), run.rejects[5])
        XCTAssertTrue(run.rejects[7].contains("expected a span object, found an array"), run.rejects[7])
        XCTAssertTrue(run.rejects[8].contains("created:"), run.rejects[8])

        // The rejects file keeps each record's original text, with base64 where it was not UTF-8.
        let kept = try String(contentsOfFile: rejectsPath, encoding: .utf8).split(separator: "\n").map { try JSONReader.parse(String($0)) }
        XCTAssertEqual(kept.count, 9)
        XCTAssertEqual(kept[2]["record"]?.stringValue?.utf8.count, 10_000_000 + 56)
        let garbage = try XCTUnwrap(kept[1]["record_base64"]?.stringValue)
        XCTAssertEqual(Data(base64Encoded: garbage).map(Array.init), [0xFF, 0xFE, 0x00, 0x01, 0x80, 0x22, 0x7B])
        XCTAssertNotNil(kept[4]["record_base64"])
        XCTAssertEqual(kept[5]["line"], .int(8))
        XCTAssertEqual(try store.ingestRuns().last?.rejected, 9)
    }

    /// Random bytes and random mutations of good records never crash ingest, and every line is accounted for.
    func testArbitraryBytesNeverCrash() throws {
        let dir = TempDir()
        var rng = SeededRandom(seed: 12345)
        func next() -> UInt64 { rng.next() }
        let template = Array(#"{"id":"x1","span_parents":["r"],"root_span_id":"r","created":"2024-01-01T00:00:00Z","input":{"a":[1,2,"é"]},"metrics":{"start":1,"end":2},"span_attributes":{"type":"llm"}}"#.utf8)
        var bytes: [UInt8] = []
        var lineCount = 0
        for i in 0..<3000 {
            var line = template
            // Give each line its own id so accepted lines do not overwrite each other.
            line.replaceSubrange(7..<9, with: Array("L\(i)".utf8))
            let edits = Int(next() % 4)
            for _ in 0..<edits where !line.isEmpty {
                let pos = Int(next() % UInt64(line.count))
                switch next() % 3 {
                case 0: line[pos] = UInt8(truncatingIfNeeded: next())
                case 1: line.remove(at: pos)
                default: line.insert(UInt8(truncatingIfNeeded: next()), at: pos)
                }
            }
            line.removeAll { $0 == 0x0A }
            bytes += line + [0x0A]
            lineCount += 1
        }
        let file = dir.write("fuzz.jsonl", bytes: bytes)
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        let landed = try count(store, "SELECT count(*) FROM spans")
        let blank = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().filter { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }.count
        XCTAssertEqual(run.summary.records, lineCount)
        XCTAssertEqual(run.summary.spans + run.summary.rejected + blank, lineCount, "every line either lands or is rejected")
        XCTAssertLessThanOrEqual(landed, run.summary.spans, "a mutated id may repeat another line's and upsert it")
        XCTAssertGreaterThan(landed, 500)
        XCTAssertGreaterThan(run.summary.rejected, 500)
        XCTAssertEqual(run.rejects.count, run.summary.rejected)
        for r in run.rejects { XCTAssertNotNil(r.range(of: #"fuzz\.jsonl:[0-9]+: \S"#, options: .regularExpression), "a reject names its file and line: \(r)") }
        XCTAssertNil(try store.integrityProblems())
    }

    /// A record nested deeper than the limit inside a JSON array is rejected by itself; the records
    /// after it still land (issue 16: four good records were lost), in span arrays and trajectories.
    func testTooDeepRecordInAnArrayLosesOnlyItself() throws {
        let dir = TempDir()
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let spans = "[\n" + [good("a"), #"{"id":"deep","created":"2024-01-01T00:00:00Z","input":\#(deep)}"#, good("b"), good("c")].joined(separator: ",\n") + "\n]\n"
        let file = dir.write("array.json", spans)
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.spans, 3)
        XCTAssertEqual(run.rejects.count, 1)
        XCTAssertTrue(run.rejects[0].hasPrefix(file + ":3: ") && run.rejects[0].contains("deeper than"), run.rejects[0])
        try assertRunsAroundABrokenOneLand(#"{"messages":[{"role":"user","content":\#(deep)}]}"#, dir: dir)
    }

    /// Three trajectory runs, the middle one `broken`: it alone is rejected, the other two land.
    func assertRunsAroundABrokenOneLand(_ broken: String, dir: TempDir, file: StaticString = #filePath, line: UInt = #line) throws {
        let runs = "[\n" + [#"{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}"#, broken,
                              #"{"messages":[{"role":"user","content":"again"},{"role":"assistant","content":"sure"}]}"#].joined(separator: ",\n") + "\n]\n"
        let tfile = dir.write("runs-\(UUID().uuidString).json", runs)
        let tstore = try Store(path: dir.path("t-\(UUID().uuidString).db"))
        let trun = try ingest(tstore, [tfile], format: .trajectories)
        XCTAssertEqual(trun.summary.rejected, 1, file: file, line: line)
        XCTAssertEqual(try count(tstore, "SELECT count(DISTINCT root_span_id) FROM spans"), 2, file: file, line: line)
    }

    /// A broken element in the middle of a JSON array costs only itself: reading goes on with the next
    /// record (issue 16), pretty-printed or compact, in span files and trajectory files alike.
    func testBrokenArrayElementLosesOnlyItself() throws {
        let dir = TempDir()
        let broken = #"{"id":"bad","created":"2024-01-01T00:00:00Z","input":"a string with ,{ \#u{01} inside and no end}"#
        for (name, separator) in [("pretty.json", ",\n  "), ("compact.json", ",")] {
            let text = "[\n  " + [good("a"), broken, good("b"), #"{"id":"also-bad","created":"2024-01-01T00:00:00Z","metadata":{"x":[1,2}}"#, good("c")].joined(separator: separator) + "\n]\n"
            let file = dir.write(name, text)
            let store = try Store(path: dir.path(name + ".db"))
            let run = try ingest(store, [file])
            XCTAssertEqual(run.summary.spans, 3, name)
            XCTAssertEqual(run.rejects.count, 2, "\(name): \(run.rejects)")
            XCTAssertTrue(run.rejects.allSatisfy { $0.contains("reading goes on with the next record") }, "\(run.rejects)")
            XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE id IN ('a', 'b', 'c')"), 3)
        }
        try assertRunsAroundABrokenOneLand(#"{"messages":[{"role":"user","content":"cut off"#, dir: dir)
    }

    /// Times that do not exist or lie outside the years 0001-9999 are rejected with their line, not
    /// moved to another day or clamped into year 294,247 (issue 16).
    func testImpossibleTimesAreRejected() throws {
        let dir = TempDir()
        let lines = [good("a"),
                     #"{"id":"feb30","created":"2026-02-30T00:00:00Z"}"#,
                     #"{"id":"huge","created":1e300}"#,
                     #"{"id":"leap","created":"2024-02-29T12:00:00Z"}"#,
                     #"{"id":"apr31","created":"2026-04-31"}"#]
        let file = dir.write("times.jsonl", lines.joined(separator: "\n") + "\n")
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.spans, 2)
        XCTAssertEqual(run.rejects.count, 3)
        for (r, line) in zip(run.rejects, [2, 3, 5]) {
            XCTAssertTrue(r.contains("times.jsonl:\(line): ") && r.contains("created"), r)
        }
        XCTAssertEqual(Timestamp(iso8601: "2024-02-29T12:00:00Z")?.iso8601, "2024-02-29T12:00:00.000Z")
        XCTAssertNil(Timestamp(iso8601: "2023-02-29"))
        XCTAssertNil(Timestamp(.double(1e300)))
    }

    func testOversizedLineBeyondKeepLimitStillCounted() throws {
        let dir = TempDir()
        let text = good("a") + "\n" + #"{"id":"b","input":""# + String(repeating: "y", count: 3_000_000) + "\"}\n" + good("c") + "\n"
        let file = dir.write("big.jsonl", text)
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], maxRecordBytes: 1 << 20)
        XCTAssertEqual(run.summary.rejected, 1)
        XCTAssertTrue(run.rejects[0].contains(":2: record is 2.9 MiB, over the 1.0 MiB limit"), run.rejects[0])
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), 2)
    }

    func testEmptyAndMissingFiles() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let empty = dir.write("empty.jsonl", "")
        let run = try ingest(store, [empty])
        XCTAssertEqual(run.summary.spans, 0)
        XCTAssertThrowsError(try ingest(store, [dir.path("nope.jsonl")])) { e in
            XCTAssertTrue("\(e)".contains("nope.jsonl: No such file or directory"), "\(e)")
        }
        XCTAssertThrowsError(try ingest(store, [dir.url.path])) { e in
            XCTAssertTrue("\(e)".contains("is a directory"), "\(e)")
        }
    }

    func testBrokenArrayKeepsTheRecordsBeforeTheBreak() throws {
        let dir = TempDir()
        let file = dir.write("arr.json", "[\n" + good("a") + ",\n" + good("b") + ",\n{\"id\": \"c\", \"created\": \n")
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), 2)
        XCTAssertEqual(run.summary.rejected, 1)
        XCTAssertTrue(run.rejects[0].contains(":5:"), run.rejects[0])
    }
}

/// Inputs the fuzz targets (Fuzz/SiftFuzz.swift) found: each now a clear error, never a trap or a
/// silent change of value.
final class FuzzFindingsTests: XCTestCase {
    func testANumberPastDoubleRangeIsAnErrorNotNull() {
        XCTAssertThrowsError(try JSONReader.parse("{\"a\": 1e999}")) { error in
            XCTAssertTrue("\(error)".contains("out of range"), "\(error)")
            XCTAssertEqual((error as? JSONError)?.offset, 6)
        }
        XCTAssertEqual(try JSONReader.parse("1.7976931348623157e308"), .double(.greatestFiniteMagnitude))
    }

    func testAnOTLPTimePastInt64IsRejectedNotATrap() throws {
        let request = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"a","startTimeUnixNano":17300000001000000000},{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203332","name":"b","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1e300}]}]}]}"#
        let (rows, rejected) = try Array(request.utf8).withUnsafeBufferPointer { try IngestFormat.otlp.readRecord($0) }
        XCTAssertEqual(rejected, 1)               // no start time it can read
        XCTAssertEqual(rows.map(\.name), ["b"])   // an end it cannot read is left out
        XCTAssertNil(rows[0].end)
    }
}
