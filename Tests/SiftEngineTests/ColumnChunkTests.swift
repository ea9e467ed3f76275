import Foundation
import XCTest
import SiftTestSupport
import SiftEngine
import SiftExecutor
import SiftModel
@testable import SiftStore

/// Columns written at ingest (issue 15): queries over the chunks answer exactly as queries over the
/// span rows, across many row groups, after updates that rebuild groups, on a store written before
/// groups existed, with zone maps pruning a time range, and for [I]LIKE decided on the bytes.
final class ColumnChunkTests: XCTestCase {
    static let now = Timestamp(iso8601: "2026-01-10T00:00:00Z")!

    static let lines: [String] = {
        var out: [String] = []
        let inputs = [#""Where is my REFUND?""#, #"["refund please", "other"]"#, #"[{"role": "user", "content": "refund"}]"#, #"{"q": "refund"}"#,
                      #""caf\u00e9 refund""#, #"["ref\u0075nd"]"#, #""K\u212a refund""#, "42", "null", #""plain text""#, #"["a", ["refund"]]"#]
        // Outputs for paths below a field (`output.content ILIKE`): escapes that hide the text, a
        // Kelvin sign (equal to K), arrays the path maps over, repeated keys, strings, content parts.
        let outputs = [#"{"role": "assistant", "content": "Your Refund is on its way"}"#, #"{"content": "ref\u0075nd sent"}"#,
                       #"{"content": null, "tool_calls": [{"function": {"arguments": "{\"refund\": true}"}}]}"#,
                       #"{"content": "\u212a-refund"}"#, "{\"content\": \"\u{212A}elvin\"}", #"[{"content": "refund a"}, {"content": "b"}]"#,
                       #"{"content": "first refund", "content": "last"}"#, #"{"content": ["x", "REFUND y"]}"#, #""refund as a string""#,
                       #"{"content": {"text": "refund"}}"#, #"{"content": [{"type": "text", "text": "Refund ok"}]}"#, #"{"Content": "refund"}"#, #"{"content": "a\/b refund/c"}"#]
        for i in 0..<60 {
            let day = 1 + i % 9
            let root = "t\(i / 3)"
            let parents = i % 3 == 0 ? "" : #","span_parents":["\#(root)"]"#
            let facets = i % 3 == 0 ? #","facets":{"Sentiment":"\#(i % 2 == 0 ? "NEGATIVE" : "POSITIVE")"},"classifications":{"Task":[{"id":"k\#(i % 4)","label":"task \#(i % 4)","confidence":0.5}]}"# : ""
            let meta = i % 5 == 0 ? #"{}"# : #"{"model":"m\#(i % 3)","n":\#(i),"x":\#(Double(i) / 4),"deep":{"k":\#(i % 2)}}"#
            out.append(#"{"id":"s\#(i)","root_span_id":"\#(root)"\#(parents),"created":"2026-01-0\#(day)T00:00:\#(10 + i % 50)Z","input":\#(inputs[i % inputs.count]),"metadata":\#(meta),"span_attributes":{"type":"\#(i % 2 == 0 ? "llm" : "tool")","name":"n\#(i % 4)"},"metrics":{"total_tokens":\#(i * 10)},"output":\#(outputs[i % outputs.count]),"tags":\#(i % 4 == 0 ? "[]" : #"["x"]"#)\#(facets)}"#)
        }
        return out
    }()

    static let queries = [
        "SELECT id, input, metadata, tags, metrics, span_attributes, span_parents, is_root, created FROM project_logs('p') ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE input ILIKE '%refund%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE input LIKE '%refund%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE input ILIKE '%caf%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE input NOT ILIKE '%refund%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE input LIKE 'Where%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE span_attributes.name LIKE 'n_' AND metadata.model = 'm1' ORDER BY id",
        "SELECT metadata.model AS m, count(*) AS c, sum(metadata.n) AS s, max(metadata.x) AS x FROM project_logs('p') GROUP BY m ORDER BY m",
        "SELECT metadata.deep.k AS k, count(*) AS c FROM project_logs('p') GROUP BY k ORDER BY k",
        "SELECT facets.Sentiment AS s, classifications.Task[0].label AS t, count(*) AS n FROM project_logs('p', shape => 'traces') GROUP BY s, t ORDER BY s, t",
        "SELECT facets.sentiment AS s, count(*) AS n FROM project_logs('p', shape => 'traces') GROUP BY s ORDER BY s",
        "SELECT count(*) AS n FROM project_logs('p') WHERE created > now() - interval 3 day",
        "SELECT count(*) AS n FROM project_logs('p', shape => 'traces') WHERE created < '2026-01-04'",
        "SELECT id, metrics.total_tokens AS t FROM project_logs('p', shape => 'summary') WHERE input ILIKE '%refund%' ORDER BY t DESC, id LIMIT 5",
        "SELECT count(tags) AS t, count(metadata) AS m, count(metadata.model) AS mm FROM project_logs('p')",
        "SELECT id FROM project_logs('p') WHERE output.content ILIKE '%refund%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE output.content LIKE '%refund%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE output.content ILIKE '%k%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE output.content ILIKE '%a/b%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE output.content.text ILIKE 'ref%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE output[0].content LIKE '%refund%' ORDER BY id",
        "SELECT id FROM project_logs('p') WHERE span_attributes.type = 'llm' AND output.content NOT ILIKE '%refund%' ORDER BY id",
    ]

    func answers(_ store: Store, chunks: Bool, caching: Bool = false) throws -> [[[Datum]]] {
        let session = Session(store: store, caching: caching)
        session.useChunks = chunks
        session.persistColumns = chunks
        var o = QueryOptions()
        o.now = Self.now
        return try Self.queries.map { try session.run($0, options: o).rows }
    }

    func ingest(_ store: Store, _ lines: [String], batch: Int, dir: TempDir, name: String, compact: Bool = false) throws {
        let file = dir.write(name, lines.joined(separator: "\n") + "\n")
        var o = IngestOptions()
        o.project = "p"
        o.batchSize = batch
        o.compactGroups = compact
        o.rejectsPath = dir.path("rejects.jsonl")
        let s = try Ingester(store: store, options: o).ingest(paths: [file])
        XCTAssertEqual(s.rejected, 0)
    }

    func testChunksAnswerAsTheRowsDo() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        try ingest(store, Self.lines, batch: 7, dir: dir, name: "a.jsonl")
        let pid = try store.projectRow(named: "p")
        XCTAssertEqual(try store.rowGroups(projectRow: pid).count, 9)   // 60 rows in batches of 7
        let rows = try answers(store, chunks: false)
        XCTAssertEqual(rows[1].count, 28, "\(rows[1])")   // the string and string-array inputs that hold refund, in any case
        // Below `output`: six of the thirteen outputs hold refund in a content string (one behind a
        // \u escape, one behind \u212a, two in arrays the path maps over); Kelvin signs read as k;
        // `a\/b` reads as a/b.
        XCTAssertEqual(rows[15].count, 29, "\(rows[15])")
        XCTAssertEqual(rows[17].count, 10, "\(rows[17])")
        XCTAssertEqual(rows[18].count, 4, "\(rows[18])")
        XCTAssertEqual(rows[19].count, 8, "\(rows[19])")   // content.text of an object, and mapped over an array of parts
        XCTAssertEqual(try answers(store, chunks: true), rows)
        // Columns the one-shot run computed and kept (a path's fallback keeps `path:output.content`)
        // would spare the session its own searches: drop them so it makes them.
        try store.db.execute("DELETE FROM column_cache")
        XCTAssertEqual(try answers(store, chunks: true, caching: true), rows)

        // Re-ingest some spans with other values: their groups are rebuilt in the same transaction.
        let changed = Self.lines.prefix(20).map { $0.replacingOccurrences(of: #""type":"tool""#, with: #""type":"eval""#).replacingOccurrences(of: "Where is my", with: "Wherever my") }
        try ingest(store, changed, batch: 6, dir: dir, name: "b.jsonl")
        XCTAssertEqual(try store.rowGroups(projectRow: pid).reduce(0) { $0 + $1.rows }, 60)
        let after = try answers(store, chunks: false)
        XCTAssertNotEqual(after, rows)
        XCTAssertEqual(try answers(store, chunks: true), after)

        // A store written before row groups: its spans are put in groups by the first query.
        try store.forgetChunksForTest()
        XCTAssertFalse(try store.chunksComplete())
        XCTAssertEqual(try answers(store, chunks: true), after)
        XCTAssertTrue(try store.chunksComplete())
        XCTAssertEqual(try store.rowGroups(projectRow: pid).reduce(0) { $0 + $1.rows }, 60)
    }

    /// Chunks big enough to gain are stored packed; queries over them answer as the rows do, after a
    /// compaction that joins packed groups too; a damaged packed chunk is computed from the rows.
    func testPackedChunksAnswerAsTheRowsDo() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        var lines: [String] = []
        for r in 0..<20 {
            lines += Self.lines.map {
                $0.replacingOccurrences(of: #""id":"s"#, with: #""id":"r\#(r)s"#)
                    .replacingOccurrences(of: #""root_span_id":"t"#, with: #""root_span_id":"r\#(r)t"#)
                    .replacingOccurrences(of: #""span_parents":["t"#, with: #""span_parents":["r\#(r)t"#)
            }
        }
        try ingest(store, lines, batch: 150, dir: dir, name: "a.jsonl", compact: true)
        let pid = try store.projectRow(named: "p")
        XCTAssertEqual(try store.rowGroups(projectRow: pid).map(\.rows), [1200], "8 packed groups joined into one")
        func marks() throws -> [String: Int] {
            var out: [String: Int] = [:]
            let s = try store.db.prepare("SELECT substr(data, 1, 4) FROM column_chunks")
            while try s.step() { out[String(decoding: s.blob(0) ?? [], as: UTF8.self), default: 0] += 1 }
            return out
        }
        let before = try marks()
        XCTAssertGreaterThan(before.filter { $0.key.hasPrefix("SCZ") }.values.reduce(0, +), 10, "\(before)")
        let rows = try answers(store, chunks: false)
        XCTAssertEqual(rows[1].count, 28 * 20)
        XCTAssertEqual(try answers(store, chunks: true), rows)

        // Damage every packed chunk's payload: each is refused and its column computed from the rows.
        try store.db.execute("UPDATE column_chunks SET data = substr(data, 1, 12) || zeroblob(40) WHERE CAST(substr(data, 1, 3) AS TEXT) = 'SCZ'")
        let damaged = try answers(store, chunks: true)
        for i in rows.indices where damaged[i] != rows[i] {
            XCTFail("query \(i): \(damaged[i].count) rows, not \(rows[i].count); first \(damaged[i].first.map { "\($0)" } ?? "none") against \(rows[i].first.map { "\($0)" } ?? "none")")
        }
    }

    /// Requests that arrive over the network build their chunks apart, on their own threads; the live
    /// writer joins them into one group per transaction. The joined chunks answer as the rows do.
    func testChunksBuiltApartAndJoinedAnswerAsTheRowsDo() throws {
        let dir = TempDir()
        let path = dir.path("s.db")
        let writer = try LiveWriter(path: path, durable: false, maxBatchSpans: 1000)
        func rows(_ lines: [String], project: String) throws -> [SpanRow] {
            try lines.map { line in
                var r = try Array(line.utf8).withUnsafeBufferPointer { try BraintrustRecord.parse($0, range: 0..<$0.count, maxDepth: 128) }
                r.projectName = project
                return r
            }
        }
        let done = DispatchGroup()
        // A large request first keeps the writer busy, so the small ones queue up and are joined.
        let big = try rows((0..<20_000).map { #"{"id":"b\#($0)","created":"2026-01-01T00:00:00Z","input":"x"}"# }, project: "other")
        done.enter()
        XCTAssertTrue(writer.submit(big, rejected: 0) { XCTAssertNil($0); done.leave() })
        let small = try rows(Self.lines, project: "p")
        for start in stride(from: 0, to: small.count, by: 7) {
            done.enter()
            XCTAssertTrue(writer.submit(Array(small[start..<min(start + 7, small.count)]), rejected: 0) { XCTAssertNil($0); done.leave() })
        }
        done.wait()
        writer.close()
        let store = try Store(path: path)
        let groups = try store.rowGroups(projectRow: try store.projectRow(named: "p"))
        XCTAssertEqual(groups.reduce(0) { $0 + $1.rows }, 60)
        XCTAssertTrue(groups.contains { $0.rows > 7 }, "no group joined two requests: \(groups.map(\.rows))")
        XCTAssertEqual(try answers(store, chunks: true), try answers(store, chunks: false))
    }

    /// Many small groups (a server's commits, small files) are joined into a few; queries answer as the
    /// rows do, including a metadata key past the per-family cap in some groups only (it must be read
    /// from the field there, not taken as NULL), and another project's rows between the groups.
    func testCompactionJoinsSmallGroupsAndAnswersAsBefore() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        // 70 metadata keys: past the cap of 64, so `metadata.k68` has no chunk in these spans' groups.
        let wide = (0..<8).map { i in
            let keys = (0..<70).map { #""k\#($0)":\#($0 + i)"# }.joined(separator: ",")
            return #"{"id":"w\#(i)","root_span_id":"w\#(i)","created":"2026-01-05T00:00:0\#(i)Z","input":"wide","metadata":{\#(keys)}}"#
        }
        let lines = Self.lines.prefix(30) + wide + Self.lines.suffix(30)
        // 34 commits of 2 spans: joined while writing (every 16 small groups) and at the end.
        try ingest(store, Array(lines), batch: 2, dir: dir, name: "a.jsonl", compact: true)
        let pid = try store.projectRow(named: "p")
        XCTAssertEqual(try store.rowGroups(projectRow: pid).map(\.rows), [68])
        // Another project's rows land next; then 6 more groups of `p`, beyond those rows.
        var o = IngestOptions()
        o.project = "q"
        o.rejectsPath = dir.path("rejects-q.jsonl")
        _ = try Ingester(store: store, options: o).ingest(paths: [dir.write("q.jsonl", Self.lines.prefix(5).joined(separator: "\n") + "\n")])
        let more = (0..<6).map { #"{"id":"m\#($0)","root_span_id":"m\#($0)","created":"2026-01-06T00:00:00Z","input":"refund more","metadata":{"model":"m9","k68":\#($0)}}"# }
        try ingest(store, more, batch: 1, dir: dir, name: "b.jsonl", compact: true)
        let groups = try store.rowGroups(projectRow: pid)
        XCTAssertEqual(groups.map(\.rows), [74])
        XCTAssertEqual(groups[0].minCreated, try store.db.scalarInt("SELECT min(created) FROM spans WHERE project_id = \(pid)"))
        XCTAssertEqual(groups[0].maxCreated, try store.db.scalarInt("SELECT max(created) FROM spans WHERE project_id = \(pid)"))
        XCTAssertTrue(groups[0].traceFieldsCurrent)
        XCTAssertEqual(try store.rowGroups(projectRow: try store.projectRow(named: "q")).map(\.rows), [5])

        let extra = ["SELECT id, metadata.k68 AS k, metadata.k3 AS k3 FROM project_logs('p') WHERE metadata.k68 IS NOT NULL ORDER BY id",
                     "SELECT count(metadata.k68) AS n, sum(metadata.k68) AS s FROM project_logs('p')"]
        func extraAnswers(_ chunks: Bool) throws -> [[[Datum]]] {
            let session = Session(store: store, caching: false)
            session.useChunks = chunks
            session.persistColumns = false
            return try extra.map { try session.run($0, options: QueryOptions()).rows }
        }
        let extraRows = try extraAnswers(false)
        XCTAssertEqual(extraRows[0].count, 14)
        XCTAssertEqual(try extraAnswers(true), extraRows)
        let rows = try answers(store, chunks: false)
        XCTAssertEqual(try answers(store, chunks: true), rows)
        XCTAssertEqual(try answers(store, chunks: true, caching: true), rows)
        // Nothing left to join.
        var policy = Store.CompactionPolicy()
        policy.minGroups = 2
        XCTAssertEqual(try store.compactRowGroups(projectRow: pid, policy: policy), 0)
    }

    /// A server commits a group per batch; when its queue is empty it joins them (here 130 one-span
    /// requests, each committed alone: a run of 64 small groups is due).
    func testLiveWriterJoinsSmallGroupsWhenIdle() throws {
        let dir = TempDir()
        let path = dir.path("s.db")
        let writer = try LiveWriter(path: path, durable: false, maxBatchSpans: 1000)
        for i in 0..<130 {
            let line = Self.lines[i % Self.lines.count].replacingOccurrences(of: #""id":"s"#, with: #""id":"r\#(i)-s"#)
                .replacingOccurrences(of: #""root_span_id":"t"#, with: #""root_span_id":"r\#(i)-t"#)
                .replacingOccurrences(of: #""span_parents":["t"#, with: #""span_parents":["r\#(i)-t"#)
            var r = try Array(line.utf8).withUnsafeBufferPointer { try BraintrustRecord.parse($0, range: 0..<$0.count, maxDepth: 128) }
            r.projectName = "p"
            let done = DispatchSemaphore(value: 0)
            XCTAssertTrue(writer.submit([r], rejected: 0) { XCTAssertNil($0); done.signal() })
            done.wait()
        }
        writer.close()
        let store = try Store(path: path)
        let groups = try store.rowGroups(projectRow: try store.projectRow(named: "p"))
        XCTAssertEqual(groups.reduce(0) { $0 + $1.rows }, 130)
        XCTAssertLessThanOrEqual(groups.count, 130 - 63, "\(groups.map(\.rows))")
        XCTAssertTrue(groups.contains { $0.rows >= 64 }, "\(groups.map(\.rows))")
        XCTAssertEqual(try answers(store, chunks: true), try answers(store, chunks: false))
    }

    /// A one-shot query with a time range reads only the groups whose zone map meets it.
    func testZoneMapsPruneGroups() throws {
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        // Time-ordered, as exports are: each group covers a few days.
        let sorted = Self.lines.sorted { ($0.range(of: "2026-01-0")!.upperBound, $0) < ($1.range(of: "2026-01-0")!.upperBound, $1) }
        let byDay = sorted.sorted { $0[$0.range(of: "2026-01-0")!.upperBound] < $1[$1.range(of: "2026-01-0")!.upperBound] }
        try ingest(store, byDay, batch: 10, dir: dir, name: "a.jsonl")
        let pid = try store.projectRow(named: "p")
        let groups = try store.rowGroups(projectRow: pid)
        let lower = Timestamp(iso8601: "2026-01-07T00:00:00Z")!.microseconds
        XCTAssertLessThan(groups.filter { $0.maxCreated >= lower }.count, groups.count)
        XCTAssertEqual(try answers(store, chunks: true), try answers(store, chunks: false))
    }
}

/// Readers and writers at once (issue 16): queries while another connection ingests and re-ingests
/// never fail and each answers from one version of the data.
final class ConcurrentReadTests: XCTestCase {
    func testQueriesDuringIngestSeeOneVersionOfTheData() throws {
        let dir = TempDir()
        let path = dir.path("s.db")
        let n = 20_000
        func lines(_ v: Int) -> String {
            (0..<n).map { i in #"{"id":"s\#(i)","root_span_id":"t\#(i / 4)"\#(i % 4 == 0 ? "" : #","span_parents":["t\#(i / 4)"]"#),"created":"2026-01-01T00:00:00Z","metadata":{"n":1,"v":\#(v)},"input":"text\#(v) \#(i)"}"# }
                .joined(separator: "\n") + "\n"
        }
        let first = dir.write("a.jsonl", lines(1)), second = dir.write("b.jsonl", lines(2))
        let reader = try Store(path: path)
        var o = IngestOptions()
        o.project = "p"
        o.batchSize = 500
        o.rejectsPath = dir.path("rejects.jsonl")
        let done = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var error: Error? }   // written before `done` is signalled
        let outcome = Outcome()
        let options = o
        Thread {
            do {
                let writer = try Store(path: path)
                _ = try Ingester(store: writer, options: options).ingest(paths: [first])
                _ = try Ingester(store: writer, options: options).ingest(paths: [second])   // every span updated: groups rebuilt
            } catch { outcome.error = error }
            done.signal()
        }.start()
        let session = Session(store: reader, caching: false)
        let q = """
            SELECT count(*) AS c, sum(metadata.n) AS s, count(input) AS i, min(metadata.v) AS lo, max(metadata.v) AS hi,
              sum(CASE WHEN metadata.v = 2 THEN 1 ELSE 0 END) AS v2, sum(CASE WHEN input LIKE 'text2 %' THEN 1 ELSE 0 END) AS t2
            FROM project_logs('p')
            """
        var last = 0, runs = 0, failures: [String] = []
        while done.wait(timeout: .now()) == .timedOut {
            guard (try? reader.projectID(named: "p")) ?? nil != nil else { continue }
            do {
                let row = try session.run(q, options: QueryOptions()).rows[0]
                guard case .int(let c) = row[0] else { continue }
                XCTAssertEqual(row[1], .int(c), "sum(metadata.n) over the same rows as count(*)")
                XCTAssertEqual(row[2], .int(c))
                XCTAssertEqual(row[5], row[6], "a span's metadata and input from the same version")
                XCTAssertGreaterThanOrEqual(Int(c), last)
                last = Int(c)
                runs += 1
            } catch {
                failures.append("\(error)")
            }
        }
        XCTAssertNil(outcome.error)
        XCTAssertEqual(failures, [])
        XCTAssertGreaterThan(runs, 0)
        print("ConcurrentReadTests: \(runs) queries answered during the two ingests")
        let end = try session.run(q, options: QueryOptions()).rows[0]
        XCTAssertEqual(end, [.int(Int64(n)), .int(Int64(n)), .int(Int64(n)), .int(2), .int(2), .int(Int64(n)), .int(Int64(n))])
    }
}

/// Two writers at once (issue 16): two connections ingesting into one project concurrently lose
/// nothing, and every span lands in exactly one row group.
final class ConcurrentWriteTests: XCTestCase {
    func testTwoIngestsIntoOneProjectLoseNothing() throws {
        let dir = TempDir()
        let path = dir.path("s.db")
        let n = 6_000
        func lines(_ prefix: String) -> String {
            (0..<n).map { i in #"{"id":"\#(prefix)\#(i)","root_span_id":"\#(prefix)t\#(i / 3)"\#(i % 3 == 0 ? "" : #","span_parents":["\#(prefix)t\#(i / 3)"]"#),"created":"2026-01-01T00:00:00Z","metadata":{"n":\#(i)},"input":"\#(prefix) \#(i)"}"# }
                .joined(separator: "\n") + "\n"
        }
        let files = [dir.write("a.jsonl", lines("a")), dir.write("b.jsonl", lines("b"))]
        _ = try Store(path: path)   // created and migrated before the writers race
        final class Outcome: @unchecked Sendable { var errors: [Error] = [] }
        let outcome = Outcome(), lock = NSLock(), group = DispatchGroup()
        for file in files {
            group.enter()
            Thread {
                do {
                    var o = IngestOptions()
                    o.project = "p"
                    o.batchSize = 250
                    o.rejectsPath = dir.path("rejects-\(file.hashValue).jsonl")
                    _ = try Ingester(store: try Store(path: path), options: o).ingest(paths: [file])
                } catch { lock.lock(); outcome.errors.append(error); lock.unlock() }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertTrue(outcome.errors.isEmpty, "\(outcome.errors)")
        let store = try Store(path: path)
        let pid = try store.projectRow(named: "p")
        let groups = try store.rowGroups(projectRow: pid)
        XCTAssertEqual(groups.reduce(0) { $0 + $1.rows }, 2 * n)
        for (g, next) in zip(groups, groups.dropFirst()) { XCTAssertLessThan(g.lastRow, next.firstRow) }
        let q = "SELECT count(*) AS c, sum(metadata.n) AS s, count(input) AS i FROM project_logs('p')"
        for chunks in [true, false] {
            let session = Session(store: store, caching: false)
            session.useChunks = chunks
            XCTAssertEqual(try session.run(q, options: QueryOptions()).rows, [[.int(Int64(2 * n)), .int(Int64(n * (n - 1))), .int(Int64(2 * n))]])
        }
    }
}
