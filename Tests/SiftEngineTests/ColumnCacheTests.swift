import Foundation
import XCTest
import SiftTestSupport
import SiftDemo
import SiftEngine
@testable import SiftExecutor
import SiftModel
import SiftTopics
@testable import SiftStore

/// Decoded columns kept in the store between processes: exact round trips, never stale, never a trap.
final class ColumnCacheTests: XCTestCase {
    /// The byte search of JSON arrays skips strings with memchr: it must say what a byte-by-byte walk
    /// says on every text, escapes and unterminated strings included, and never rule out an array
    /// whose decoded string elements match (nor, below a field, a value any of whose strings does:
    /// the matcher itself is the judge, escapes and Kelvin signs included).
    func testArrayStringSearchAgreesWithAByteWalk() throws {
        func mayHide(_ element: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
            var j = 0
            while j + 1 < element.count {
                if element[j] == UInt8(ascii: "\\") {
                    if element[j + 1] == UInt8(ascii: "u") || (needle.contains(UInt8(ascii: "/")) && element[j + 1] == UInt8(ascii: "/")) { return true }
                    j += 2
                    continue
                }
                j += 1
            }
            return String(decoding: element, as: UTF8.self).unicodeScalars.contains { [0x37E, 0x1FEF, 0x212A].contains($0.value) }
        }
        func walk(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
            var i = 0
            while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x0D || text[i] == 0x09 { i += 1 }
            guard i < text.count, text[i] == UInt8(ascii: "[") else { return false }
            var depth = 0
            while i < text.count {
                let c = text[i]
                if c == UInt8(ascii: "\"") {
                    let start = i + 1
                    var j = start
                    while j < text.count && text[j] != UInt8(ascii: "\"") {
                        if text[j] == UInt8(ascii: "\\") { j += 2; continue }
                        j += 1
                    }
                    if depth == 1 {
                        let element = UnsafeBufferPointer(rebasing: text[start..<min(j, text.count)])
                        if mayHide(element, needle) { return true }
                        if ColumnCodec.contains(element, needle, fold) { return true }
                    }
                    i = j + 1
                    continue
                }
                if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1 }
                i += 1
            }
            return false
        }
        var rng = SeededRandom(seed: 11)
        let pieces = ["[", "]", "{", "}", "\"", "\\", "\\\"", "\\\\", ",", ":", " ", "ab", "AB", "refund", "x", "é", "\"k\":", "[\"", "\"]",
                      "\\u0041", "\\u212a", "\u{212A}", "\\/", "a/b", "\\n"]
        var checked = 0
        for round in 0..<40_000 {
            var text = round % 3 == 0 ? "[" : ""
            for _ in 0..<(1 + Int(rng.next() % 24)) { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let bytes = Array(text.utf8)
            for (needle, fold) in [(Array("ab".utf8), true), (Array("refund".utf8), false)] {
                let (got, want) = bytes.withUnsafeBufferPointer { (ColumnCodec.arrayStringsMayContain($0, needle, fold), walk($0, needle, fold)) }
                XCTAssertEqual(got, want, "\(text) (\(String(decoding: needle, as: UTF8.self)))")
                checked += 1
            }
            // Valid JSON arrays: a string element holding the needle is never ruled out.
            if case .array(let a)? = try? JSONReader.parse(text), a.contains(where: { $0.stringValue?.lowercased().contains("ab") ?? false }) {
                XCTAssertTrue(bytes.withUnsafeBufferPointer { ColumnCodec.arrayStringsMayContain($0, Array("ab".utf8), true) }, text)
            }
        }
        XCTAssertEqual(checked, 80_000)
    }

    /// A column whose JSON entry is a string scalar (the fuzzer's codec target found it; our writer
    /// stores strings as string entries): it decodes to a string, so the byte search keeps it.
    func testAJSONStringEntryIsSearchedAsAString() throws {
        let bytes: [UInt8] = [83, 67, 67, 49, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0,
                              34, 114, 111, 32, 91, 123, 101, 105, 115, 32, 109, 121, 32, 111, 100, 114, 101, 114, 58, 188, 221, 223, 255, 255, 77,
                              117, 116, 97, 98, 108, 101, 67, 111, 108, 108, 101, 99, 116, 105, 111, 114, 100, 101, 114, 58, 63, 34, 32, 0, 0, 0, 0]
        let column = try XCTUnwrap(ColumnCodec.decode(bytes))
        guard case .string(let s) = column.first else { return XCTFail("the entry decodes to \(String(describing: column.first))") }
        XCTAssertTrue(s.lowercased().contains("ab"))
        XCTAssertEqual(ColumnCodec.mayContain(bytes, needle: Array("ab".utf8), caseInsensitive: true), [true])
        XCTAssertEqual(ColumnCodec.mayContain(bytes, needle: Array("zq".utf8), caseInsensitive: true), [false])
    }

    /// On valid JSON written with random escapes (`\uXXXX` for any character, `\/`) and Kelvin signs,
    /// the byte search never rules out what the matcher matches: an array with a matching string
    /// element, or (below a field) a value with any matching string. And it does rule texts out.
    func testByteSearchNeverRulesOutAMatch() throws {
        var rng = SeededRandom(seed: 12)
        let fragments = ["ab", "AB", "a/b", "x", "é", "\u{212A}", "refund", " ", "\"", "\\", "\n", "/", "k", "\u{37E}", "\u{1FEF}", "`", ";", "K"]
        func text() -> String { (0..<(1 + Int(rng.next() % 4))).map { _ in fragments[Int(rng.next() % UInt64(fragments.count))] }.joined() }
        func value(_ depth: Int) -> Value {
            switch rng.next() % (depth > 2 ? 2 : 5) {
            case 0: return .string(text())
            case 1: return .int(Int64(rng.next() % 100))
            case 2: return .array((0..<(rng.next() % 4)).map { _ in value(depth + 1) })
            default:
                var o = JSONObject()
                for _ in 0..<(rng.next() % 4) { o[text()] = value(depth + 1) }
                return .object(o)
            }
        }
        func write(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                if rng.next() % 4 == 0 && u.value < 0x10000 { out += String(format: "\\u%04x", u.value); continue }
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "/": out += rng.next() % 2 == 0 ? "\\/" : "/"
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        func write(_ v: Value) -> String {
            switch v {
            case .string(let s): return write(s)
            case .array(let a): return "[" + a.map(write).joined(separator: ", ") + "]"
            case .object(let o): return "{" + o.keys.map { write($0) + ": " + write(o[$0]!) }.joined(separator: ", ") + "}"
            default: return JSONWriter.string(v)
            }
        }
        func strings(_ v: Value) -> [String] {
            switch v {
            case .string(let s): return [s]
            case .array(let a): return a.flatMap(strings)
            case .object(let o): return o.keys.map { o[$0]! }.flatMap(strings)
            default: return []
            }
        }
        let matcher = PatternCache()
        var matched = 0, ruledOut = 0
        for _ in 0..<20_000 {
            let v = value(0)
            let json = write(v)
            XCTAssertEqual(try JSONReader.parse(json), v, json)
            let bytes = Array(json.utf8)
            for (pattern, needle, fold) in [("%ab%", "ab", true), ("%a/b%", "a/b", true), ("%k%", "k", true), ("%;%", ";", true),
                                            ("%`%", "`", true), ("%K%", "K", false), ("%a/b%", "a/b", false)] {
                let test = { (s: String) in matcher.like(s, pattern, caseInsensitive: fold) }
                let deep = bytes.withUnsafeBufferPointer { ColumnCodec.jsonTextMayContain($0, Array(needle.utf8), fold) }
                if strings(v).contains(where: test) { XCTAssertTrue(deep, "\(json) \(pattern)"); matched += 1 } else if !deep { ruledOut += 1 }
                if case .array(let a) = v, a.contains(where: { $0.stringValue.map(test) ?? false }) {
                    XCTAssertTrue(bytes.withUnsafeBufferPointer { ColumnCodec.arrayStringsMayContain($0, Array(needle.utf8), fold) }, "\(json) \(pattern)")
                }
            }
        }
        XCTAssertGreaterThan(matched, 5_000)
        XCTAssertGreaterThan(ruledOut, 5_000)
    }

    var temp: TempDir!
    var dir: URL { temp.url }

    override func setUpWithError() throws {
        temp = TempDir("sift-colcache")
    }

    override func tearDown() { temp = nil }

    func testCodecRoundTripsEveryKind() throws {
        let column: [Datum] = [.null, .bool(true), .bool(false), .int(.min), .int(.max), .int(0), .double(-0.5), .double(.infinity),
                               .string(""), .string("héllo\u{0}\n"), .string("héllo\u{0}\n"), .timestamp(-1), .timestamp(1_700_000_000_000_000),
                               .interval(months: -3, micros: 86_400_000_000), .json(.array([.int(1), .string("a")])),
                               .json(.object(["k": .null, "n": .double(2.5)])), .null]
        XCTAssertEqual(ColumnCodec.decode(ColumnCodec.encode(column)), column)
        XCTAssertEqual(ColumnCodec.decode(ColumnCodec.encode([])), [])
        // A double's bits survive (NaN compares unequal, so check the bits).
        if case .double(let x)? = ColumnCodec.decode(ColumnCodec.encode([.double(.nan)]))?.first { XCTAssertTrue(x.isNaN) } else { XCTFail() }
    }

    func testCodecRejectsDamagedBytes() throws {
        let good = ColumnCodec.encode([.string("a"), .int(7), .json(.array([])), .null, .string("b")])
        XCTAssertNil(ColumnCodec.decode(Array(good.dropLast())))
        XCTAssertNil(ColumnCodec.decode(good + [0]))
        XCTAssertNil(ColumnCodec.decode([]))
        // The partial readers agree with the full decode on good bytes...
        let mixed: [Datum] = [.string("a"), .null, .int(7), .timestamp(5), .string("b"), .string("a"), .json(.array([.int(1)])), .bool(true), .double(1.5)]
        let bytes = ColumnCodec.encode(mixed)
        let index = try XCTUnwrap(ColumnCodec.GatherIndex(bytes))
        XCTAssertEqual(index.gather(bytes, [8, 0, 6, 2, 1, 3, 4, 5, 7]), [8, 0, 6, 2, 1, 3, 4, 5, 7].map { mixed[$0] })
        XCTAssertEqual(ColumnCodec.nullMask(bytes), mixed.map(\.isNull))
        XCTAssertNil(ColumnCodec.decodeCodes(bytes))   // not only strings and NULLs
        let strings: [Datum] = [.string("x"), .null, .string("y"), .string("x"), .null]
        let enc = try XCTUnwrap(ColumnCodec.decodeCodes(ColumnCodec.encode(strings)))
        XCTAssertEqual(enc.codes.map { enc.values[Int($0)] }, strings)
        XCTAssertEqual(ColumnCodec.decodeInts(ColumnCodec.encodeInts([0, 5, 1_000_000])), [0, 5, 1_000_000])
        let times = try XCTUnwrap(ColumnCodec.timestamps(ColumnCodec.encode([.timestamp(-5), .null, .timestamp(7)])))
        XCTAssertEqual(times.values[0], -5)
        XCTAssertEqual(times.values[2], 7)
        XCTAssertEqual(times.isNull, [false, true, false])
        XCTAssertNil(ColumnCodec.timestamps(bytes))
        // Parts written separately read back as one column: dictionaries merged (equal strings share a
        // code, so grouping on codes stays right) or, for mostly distinct entries, appended.
        let a: [Datum] = [.string("x"), .null, .json(.array([.string("q")])), .int(3)], b: [Datum] = [.string("y"), .string("x"), .double(2.5), .bool(true)]
        let joined = try XCTUnwrap(ColumnFormat.concatenate([ColumnCodec.encode(a), ColumnCodec.encode(b)]))
        XCTAssertEqual(ColumnCodec.decode(joined), a + b)
        let codes = try XCTUnwrap(ColumnCodec.decodeCodes(try XCTUnwrap(ColumnFormat.concatenate([ColumnCodec.encode(strings), ColumnCodec.encode(strings)]))))
        XCTAssertEqual(Set(codes.values).count, codes.values.count)
        XCTAssertEqual(codes.codes.map { codes.values[Int($0)] }, strings + strings)
        let distinct = (0..<70_000).map { Datum.string("id\($0)") }
        XCTAssertEqual(ColumnCodec.decode(try XCTUnwrap(ColumnFormat.concatenate([ColumnCodec.encode(distinct), ColumnCodec.encode(distinct)]))), distinct + distinct)
        // The byte search rules rows out only when they cannot match.
        let texts: [Datum] = [.string("Refund now"), .json(.array([.string("x refund")])), .json(.object(["k": .string("refund")])), .null, .string("nothing"),
                              .json(.array([.object(["c": .string("refund")])])), .int(7)]
        XCTAssertEqual(ColumnCodec.mayContain(ColumnCodec.encode(texts), needle: Array("refund".utf8), caseInsensitive: true),
                       [true, true, false, false, false, false, false])
        // A string that reads like JSON shares the dictionary entry of the JSON value with the same
        // bytes; each row is judged by its own kind (the string holds the text, the object never matches).
        let object = Value.object(["k": .string("refund")])
        XCTAssertEqual(ColumnCodec.mayContain(ColumnCodec.encode([.json(object), .string(JSONWriter.string(object)), .json(object)]),
                                              needle: Array("refund".utf8), caseInsensitive: true), [false, true, false])
        var rng = SystemRandomNumberGenerator()
        for round in 0..<5000 {
            var bytes = good
            for _ in 0..<(1 + round % 4) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = ColumnCodec.mayContain(bytes, needle: Array("ab".utf8), caseInsensitive: round % 2 == 0)
            _ = ColumnFormat.concatenate([bytes, good])
            _ = ColumnCodec.decode(bytes)   // nil or some column: never a trap
            _ = ColumnCodec.decodeCodes(bytes)
            _ = ColumnCodec.decodeEncoded(bytes)
            _ = ColumnCodec.nullMask(bytes)
            _ = ColumnCodec.entryCount(bytes)
            _ = ColumnCodec.decodeInts(bytes)
            _ = ColumnCodec.timestamps(bytes)
            _ = ColumnCodec.GatherIndex(bytes)?.gather(bytes, [0, 1, 2, 3, 4])
            let noise = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = ColumnCodec.decode(Array("SCC1".utf8) + noise)
        }
    }

    func sift(_ store: Store, _ query: String, persist: Bool = true) throws -> [[String]] {
        var o = QueryOptions()
        o.now = Timestamp(iso8601: "2026-11-20T00:00:00Z")
        let session = Session(store: store, caching: false)
        session.persistColumns = persist
        session.useChunks = persist   // persist: false reads everything from the span rows
        return try session.run(query, options: o).rows.map { $0.map { $0.isNull ? "NULL" : $0.text } }
    }

    /// SQLite's own answer to `sql` over the store's tables, as text.
    func sqliteRows(_ store: Store, _ sql: String) throws -> [[String]] {
        let s = try store.db.prepare(sql)
        var out: [[String]] = []
        while try s.step() { out.append((0..<sqlite3ColumnCount(s)).map { c in s.isNull(Int32(c)) ? "NULL" : (s.text(Int32(c)) ?? "NULL") }) }
        return out
    }

    func cacheRows(_ store: Store) throws -> [(String, Int64)] {
        let s = try store.db.prepare("SELECT key, generation FROM column_cache ORDER BY key")
        var out: [(String, Int64)] = []
        while try s.step() { out.append((s.text(0)!, s.int(1))) }
        return out
    }

    /// A second process reads the columns the first one kept, gets the same answers, and every write of
    /// spans, facets, classifications or scores makes the kept columns stale (so they are not read).
    func testKeptColumnsAnswerLikeTheStoreAndFollowEveryWrite() throws {
        let path = dir.appendingPathComponent("s.db").path
        _ = try Demo.run(path: path, traces: 300, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let queries = [
            "SELECT span_attributes.type AS t, count(*) AS n, count(error) AS e FROM project_logs('demo') GROUP BY t ORDER BY t",
            "SELECT facets.Sentiment AS s, classifications.Issues[0].label AS l, count(*) AS n FROM project_logs('demo', shape => 'traces') WHERE facets.Sentiment IS NOT NULL GROUP BY s, l ORDER BY n DESC, s, l",
            "SELECT id, metrics.total_tokens AS tok FROM project_logs('demo') WHERE span_attributes.type = 'llm' ORDER BY tok DESC, id LIMIT 5",
            "SELECT count(*) AS n FROM project_logs('demo', shape => 'traces') WHERE created > now() - interval 3 day",
            "SELECT id, metrics.total_tokens AS tok, metrics.llm_calls AS calls FROM project_logs('demo', shape => 'summary') ORDER BY id LIMIT 3",
        ]
        var store = try Store(path: path)
        _ = try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))
        try store.db.execute("DELETE FROM column_cache")   // the demo's own cross-slice kept some
        let direct = try queries.map { try sift(store, $0, persist: false) }
        XCTAssertGreaterThan(direct[1].count, 3)
        XCTAssertTrue(try cacheRows(store).isEmpty)
        let first = try queries.map { try sift(store, $0) }
        XCTAssertEqual(first, direct)
        let g0 = try store.generation()
        let kept = try cacheRows(store)
        // Span columns and their paths come from the chunks written at ingest; what is computed from
        // them (the trace structure, paths the chunks lack) is kept.
        XCTAssertFalse(kept.contains { $0.0 == "path:span_attributes.type" || $0.0 == "created" || $0.0 == "project_id" }, "\(kept)")
        XCTAssertTrue(kept.contains { $0.0 == "trace:of_row" }, "\(kept)")
        XCTAssertTrue(kept.allSatisfy { $0.1 == g0 })
        // A new process (a new store handle) answers from the kept columns: the same rows.
        store = try Store(path: path)
        XCTAssertEqual(try queries.map { try sift(store, $0) }, direct)
        XCTAssertEqual(try store.generation(), g0, "reading and keeping columns is not a change of the data")

        // New spans: the generation moves, the answers include them.
        let file = dir.appendingPathComponent("more.jsonl").path
        try """
        {"id": "x1", "span_id": "x1", "root_span_id": "x1", "created": "2026-11-19T10:00:00Z", "span_attributes": {"type": "tool", "name": "extra_tool"}, "error": "boom", "input": "q"}
        {"id": "x2", "span_id": "x2", "root_span_id": "x1", "span_parents": ["x1"], "created": "2026-11-19T10:00:01Z", "span_attributes": {"type": "llm"}, "metrics": {"total_tokens": 999999}}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        var io = IngestOptions()
        io.project = "demo"
        io.rejectsPath = dir.appendingPathComponent("rejects.jsonl").path
        _ = try Workspace(path: path).ingest(paths: [file], options: io)
        let g1 = try store.generation()
        XCTAssertGreaterThan(g1, g0)
        let afterIngest = try queries.map { try sift(store, $0) }
        XCTAssertEqual(afterIngest, try queries.map { try sift(store, $0, persist: false) })
        XCTAssertNotEqual(afterIngest[0], direct[0])
        XCTAssertEqual(afterIngest[2][0], ["x2", "999999"])

        // Facets, classifications and scores: each write moves the generation, and the answers follow.
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        try store.db.transaction { try store.writeFacets(projectRow: pid, rows: [FacetRow(trace: "x1", facet: "Sentiment", value: "ANGRY", source: "test")], run: nil) }
        let g2 = try store.generation()
        XCTAssertGreaterThan(g2, g1)
        let afterFacet = try sift(store, queries[1])
        XCTAssertEqual(afterFacet, try sift(store, queries[1], persist: false))
        XCTAssertTrue(afterFacet.contains { $0[0] == "ANGRY" })
        try store.db.execute("UPDATE classifications SET label = 'RELABELLED' WHERE facet = 'Issues' AND position = 0 AND trace_id = (SELECT min(trace_id) FROM classifications WHERE facet = 'Issues')")
        XCTAssertEqual(store.db.changes, 1)
        XCTAssertGreaterThan(try store.generation(), g2)
        XCTAssertTrue(try sift(store, queries[1]).contains { $0[1] == "RELABELLED" })
        let g3 = try store.generation()
        try store.db.execute("INSERT INTO scores(project_id, trace_id, scorer, score, created) VALUES (\(pid), 'x1', 'check', 0.5, 0)")
        XCTAssertGreaterThan(try store.generation(), g3)
        XCTAssertEqual(try sift(store, "SELECT scores.check AS s FROM project_logs('demo') WHERE id = 'x1'"), [["0.5"]])
        // Stale columns are dropped when newer ones are kept.
        XCTAssertTrue(try cacheRows(store).allSatisfy { $0.1 == (try? store.generation()) })
    }

    /// Dictionary-encoded columns (group-by on codes, filters decided per distinct value) and the
    /// columns too varied to encode (timestamps, ids: the sampled check gives up early) answer as
    /// SQLite's own evaluation does, on a table big enough for every path (16,000 spans).
    func testEncodedAndUnencodedColumnsMatchSQLite() throws {
        let path = dir.appendingPathComponent("e.db").path
        _ = try Demo.run(path: path, traces: 3000, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        func sqlite(_ sql: String) throws -> [[String]] { try sqliteRows(store, sql) }
        let cutoff = Timestamp(iso8601: "2026-11-17T00:00:00Z")!.microseconds
        let cases: [(String, String)] = [
            ("SELECT span_attributes.type AS t, span_attributes.name AS n, count(*) AS c FROM project_logs('demo') WHERE span_attributes.name IS NOT NULL GROUP BY t, n ORDER BY t, n",
             "SELECT span_type, span_name, count(*) FROM spans WHERE span_name IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"),
            ("SELECT span_attributes.name AS n, count(error) AS e FROM project_logs('demo') WHERE span_attributes.type = 'tool' AND error IS NOT NULL GROUP BY n ORDER BY n",
             "SELECT span_name, count(error) FROM spans WHERE span_type = 'tool' AND error IS NOT NULL GROUP BY 1 ORDER BY 1"),
            ("SELECT count(*) AS c FROM project_logs('demo') WHERE created > '2026-11-17T00:00:00Z'",
             "SELECT count(*) FROM spans WHERE created > \(cutoff)"),
            ("SELECT count(*) AS c FROM project_logs('demo') WHERE id ILIKE '%AB%'",
             "SELECT count(*) FROM spans WHERE id LIKE '%ab%'"),
            ("SELECT span_attributes.type AS t, count(*) AS c FROM project_logs('demo') WHERE span_attributes.name != 'lookup_order' GROUP BY t ORDER BY t",
             "SELECT span_type, count(*) FROM spans WHERE span_name != 'lookup_order' GROUP BY 1 ORDER BY 1"),
            ("SELECT count(*) AS c FROM project_logs('demo') WHERE span_attributes.type < 'm'",
             "SELECT count(*) FROM spans WHERE span_type < 'm'"),
            // Timestamps compared as integers (the time bounds and the filter), straight from kept bytes.
            ("SELECT count(*) AS c FROM project_logs('demo') WHERE created > now() - interval 3 day AND created <= now() - interval 1 day",
             "SELECT count(*) FROM spans WHERE created > \(cutoff) AND created <= \(Timestamp(iso8601: "2026-11-19T00:00:00Z")!.microseconds)"),
            ("SELECT count(*) AS c FROM project_logs('demo', shape => 'traces') WHERE created >= now() - interval 2 day",
             "SELECT count(DISTINCT root_span_id) FROM spans WHERE created >= \(Timestamp(iso8601: "2026-11-18T00:00:00Z")!.microseconds)"),
            // A few rows of a column nobody decoded yet: read from the kept bytes row by row.
            ("SELECT id, metrics.total_tokens AS t, span_attributes.type AS ty FROM project_logs('demo') WHERE span_attributes.name = 'issue_refund' ORDER BY id",
             "SELECT id, total_tokens, span_type FROM spans WHERE span_name = 'issue_refund' ORDER BY id"),
        ]
        XCTAssertGreaterThan(try sqlite("SELECT count(*) FROM spans")[0][0].count, 4)   // over 10,000 spans
        for (q, sql) in cases {
            let expected = try sqlite(sql)
            // Compared whole, reported briefly (some answers have hundreds of rows).
            for (label, persist) in [("direct", false), ("kept", true), ("read back", true)] {
                let got = try sift(store, q, persist: persist)
                XCTAssertTrue(got == expected, "\(label): \(q): \(got.count) rows, first differing: \(zip(got, expected).first { $0.0 != $0.1 }.map { "\($0.0) vs \($0.1)" } ?? "counts \(got.count) vs \(expected.count)")")
            }
        }
    }

    /// A damaged kept column is ignored (the store's rows answer), never trusted and never a crash.
    func testDamagedKeptColumnIsIgnored() throws {
        let path = dir.appendingPathComponent("d.db").path
        _ = try Demo.run(path: path, traces: 120, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        let q = "SELECT span_attributes.type AS t, count(*) AS n FROM project_logs('demo') GROUP BY t ORDER BY t"
        let direct = try sift(store, q, persist: false)
        XCTAssertEqual(try sift(store, q), direct)
        try store.db.execute("UPDATE column_cache SET data = substr(data, 1, length(data) / 2)")
        XCTAssertEqual(try sift(store, q), direct)
        try store.db.execute("UPDATE column_cache SET data = X'00'")
        XCTAssertEqual(try sift(store, q), direct)
    }
}
