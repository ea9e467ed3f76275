import Foundation
import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftStore

/// End-to-end tests of the `sift` binary built beside the tests.
final class CLITests: CLITestCase {
    /// Text from traces never reaches the terminal as control characters (issue 16): ESC, BEL and the
    /// rest are shown as escapes in tables, CSV, markdown and `traces show`; JSON escapes them itself.
    func testControlCharactersAreShownNotObeyed() throws {
        let hostile = "hi \u{1B}]0;pwned\u{07}\u{1B}[2J done \u{9B}31m"
        var metadata = JSONObject()
        metadata["k\u{1B}[31m"] = "v"
        let line = JSONWriter.string(["id": "evil", "created": "2026-11-19T10:00:00Z", "input": .string(hostile), "output": "ok",
                                      "metadata": .object(metadata)])
        try (line + "\n").write(toFile: path("evil.jsonl"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try sift(["ingest", "evil.jsonl", "--db", "e.db", "--quiet"]).status, 0)
        let outputs = [
            try sift(["query", "--db", "e.db", "SELECT id, input, metadata FROM project_logs('default')"]).out,
            try sift(["query", "--db", "e.db", "--format", "csv", "SELECT id, input FROM project_logs('default')"]).out,
            try sift(["query", "--db", "e.db", "--format", "markdown", "SELECT input FROM project_logs('default')"]).out,
            try sift(["traces", "show", "evil", "--db", "e.db"]).out,
        ]
        for out in outputs {
            XCTAssertFalse(out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, out)
            XCTAssertTrue(out.contains("\\x1B"), out)
        }
        // JSON keeps the text exact (escaped by JSON's own rules).
        let json = try sift(["query", "--db", "e.db", "--format", "json", "SELECT input FROM project_logs('default')"]).out
        XCTAssertEqual(try JSONReader.parse(json).arrayValue?.first?["input"]?.stringValue, hostile)
    }

    func testDemoThenBrowse() throws {
        let r = try sift(["demo", "--db", path("demo.db"), "--traces", "400", "--now", "2026-11-20T00:00:00Z"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("Wrote 400 traces"), r.out)
        XCTAssertTrue(r.out.contains("tool_retry_storm"), r.out)
        let projects = try sift(["projects", "--db", path("demo.db")])
        XCTAssertTrue(projects.out.contains("demo"), projects.out)
        XCTAssertTrue(projects.out.contains("400"), projects.out)
        let list = try sift(["traces", "list", "--db", path("demo.db"), "--limit", "3"])
        XCTAssertEqual(list.status, 0, list.err)
        let lines = list.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 5, list.out)  // header, rule, 3 traces
        let id = String(lines[2].split(separator: " ")[0])
        let show = try sift(["traces", "show", String(id.prefix(8)), "--db", path("demo.db")])
        XCTAssertEqual(show.status, 0, show.err)
        XCTAssertTrue(show.out.hasPrefix("trace \(id)  project demo"), show.out)
        XCTAssertTrue(show.out.contains("task  support_conversation"), show.out)
        XCTAssertTrue(show.out.contains("└ llm  chat.completions"), show.out)
        // Same seed, same traffic, whichever day it ends on.
        let otherDay = try sift(["demo", "--db", path("demo3.db"), "--traces", "400", "--now", "2026-03-02T00:00:00Z"])
        XCTAssertEqual(otherDay.status, 0, otherDay.err)
        // Conversations quote dates relative to their own start (delivery estimates), so compare their shape.
        let content = "SELECT group_concat(id || ':' || coalesce(span_type, '') || ':' || coalesce(span_name, ''), ',') FROM (SELECT * FROM spans ORDER BY id)"
        XCTAssertEqual(try Store(path: path("demo3.db")).db.scalarText(content), try Store(path: path("demo.db")).db.scalarText(content),
                       "the same conversations, only their times differ")
        try sift(["demo", "--db", path("demo2.db"), "--traces", "400", "--now", "2026-11-20T00:00:00Z"])
        let a = try Store(path: path("demo.db")).db.scalarText("SELECT group_concat(id, ',') FROM (SELECT id FROM spans ORDER BY id)")
        let b = try Store(path: path("demo2.db")).db.scalarText("SELECT group_concat(id, ',') FROM (SELECT id FROM spans ORDER BY id)")
        XCTAssertEqual(a, b)
    }

    func testIngestFromStdinAndExitStatuses() throws {
        let good = #"{"id":"a","created":"2024-01-01T00:00:00Z"}"#
        let ok = try sift(["ingest", "-", "--project", "p"], stdin: good + "\n", env: ["SIFT_DB": path("env.db")])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.hasPrefix("ingested 1 span from 1 record in 1 file into p"), ok.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("env.db")), "SIFT_DB picks the store")

        let bad = try sift(["ingest", "-", "--db", path("s.db")], stdin: good + "\n{broken\n")
        XCTAssertEqual(bad.status, 3, "rejects give exit status 3")
        XCTAssertTrue(bad.err.contains("<stdin>:2: invalid JSON: expected a member name, found 'b' (column 2)"), bad.err)
        XCTAssertTrue(bad.out.contains("1 rejected, kept in \(path("s.db")).rejects.jsonl"), bad.out)

        let missing = try sift(["ingest", path("nope.jsonl"), "--db", path("s.db")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err, "error: \(path("nope.jsonl")): No such file or directory\n")

        let noStore = try sift(["traces", "list", "--db", path("absent.db")])
        XCTAssertEqual(noStore.status, 1)
        XCTAssertTrue(noStore.err.hasPrefix("error: no Sift store at"), noStore.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("absent.db")), "reading never creates a store")

        let notFound = try sift(["traces", "show", "zzzz", "--db", path("s.db")])
        XCTAssertEqual(notFound.err, "error: no trace with id 'zzzz'\n")
    }

    /// Kill an ingest mid-way: the store opens, passes integrity checks, and holds exactly the
    /// committed batches, which are the first records of the file.
    func testKilledIngestLeavesACommittedPrefix() throws {
        let file = path("big.jsonl")
        let gen = try sift(["simulate", "--out", file, "--traces", "40000", "--now", "2026-11-20T00:00:00Z"])
        XCTAssertEqual(gen.status, 0, gen.err)
        let db = path("k.db")
        let p = Process()
        p.executableURL = try Self.binary
        p.arguments = ["ingest", file, "--db", db, "--batch-size", "2000", "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until some batches are committed, then kill without warning.
        var committed = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && p.isRunning {
            if let store = try? Store(path: db), let runs = try? store.ingestRuns(), let n = runs.first?.recordsCommitted { committed = n }
            if committed >= 10_000 { break }
            usleep(20_000)
        }
        XCTAssertTrue(p.isRunning, "the ingest finished before it could be killed; make the file bigger")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)

        // Seen raw, the killed bulk ingest had its secondary indexes dropped...
        let raw = try Database(path: db, create: false)
        XCTAssertEqual(try raw.scalarInt("SELECT count(*) FROM sqlite_master WHERE name IN ('spans_by_created', 'spans_by_trace')"), 0)
        let store = try Store(path: db)
        XCTAssertNil(try store.integrityProblems())
        // ...and opening it as a store puts them back.
        let indexes = try store.db.scalarText("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans' ORDER BY name)")
        XCTAssertEqual(indexes, "spans_by_created,spans_by_id,spans_by_trace")
        let run = try XCTUnwrap(store.ingestRuns().first)
        XCTAssertFalse(run.finished)
        XCTAssertGreaterThanOrEqual(run.recordsCommitted, committed)
        let spans = Int(try store.db.scalarInt("SELECT count(*) FROM spans") ?? 0)
        XCTAssertEqual(spans, run.spansCommitted)
        XCTAssertEqual(spans, run.recordsCommitted, "one span per line")
        XCTAssertEqual(spans % 2000, 0, "only whole batches")
        // Exactly the first N lines of the file landed.
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var expected = Set<String>()
        for line in text.split(separator: "\n").prefix(spans) {
            let start = line.range(of: #""id":""#)!.upperBound
            expected.insert(String(line[start...].prefix { $0 != "\"" }))
        }
        let s = try store.db.prepare("SELECT id FROM spans")
        var got = Set<String>()
        while try s.step() { got.insert(s.text(0)!) }
        XCTAssertEqual(got, expected)
        // The interrupted ingest can simply be run again, and completes the file.
        let again = try sift(["ingest", file, "--db", db, "--quiet"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(Int(try store.db.scalarInt("SELECT count(*) FROM spans") ?? 0), text.split(separator: "\n").count)
    }

    func testQueryCommandFormatsAndErrors() throws {
        try sift(["demo", "--db", path("q.db"), "--traces", "200", "--now", "2026-11-20T00:00:00Z"])
        let q = "SELECT span_attributes.type AS type, count(*) AS n FROM project_logs('demo') GROUP BY type ORDER BY type"
        let json = try sift(["query", q, "--db", path("q.db"), "--format", "json"])
        XCTAssertEqual(json.status, 0, json.err)
        XCTAssertTrue(json.out.hasPrefix(#"[{"type":"llm","n":"#), json.out)
        let csv = try sift(["query", q, "--db", path("q.db"), "--format", "csv"])
        XCTAssertTrue(csv.out.hasPrefix("type,n\nllm,"), csv.out)
        // Huge pages are a speed setting only: the same answer with them turned off.
        let plain = try sift(["query", q, "--db", path("q.db"), "--format", "csv"], env: ["SIFT_HUGE_PAGES": "0"])
        XCTAssertEqual(plain.out, csv.out)
        let md = try sift(["query", q, "--db", path("q.db"), "--format", "markdown"])
        XCTAssertTrue(md.out.hasPrefix("| type | n |\n| --- | --- |\n| llm |"), md.out)
        let explain = try sift(["query", q, "--db", path("q.db"), "--explain"])
        XCTAssertTrue(explain.out.contains("Scan project_logs('demo') shape=spans fields=[span_attributes]"), explain.out)
        let repeated = try sift(["query", q, "--db", path("q.db"), "--repeat", "3"])
        XCTAssertEqual(repeated.err.split(separator: "\n").filter { $0.hasPrefix("run ") }.count, 3, repeated.err)
        XCTAssertTrue(repeated.err.contains("run 1 (cold)") && repeated.err.contains("run 3 (warm)"), repeated.err)
        let filter = try sift(["query", "--where", "error.type = 'UpstreamTimeout'", "--db", path("q.db"), "--format", "jsonl"])
        XCTAssertEqual(filter.status, 0, filter.err)
        XCTAssertTrue(filter.out.split(separator: "\n").allSatisfy { $0.contains(#""error":{"type":"UpstreamTimeout""#) }, filter.out)
        let bad = try sift(["query", "SELECT id FROM project_logs('demo')\nWHERE error IS NOT NUL", "--db", path("q.db")])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.err, """
            ERROR: expected NULL after IS NOT, found 'NUL'
            LINE 2: WHERE error IS NOT NUL
                                       ^^^
            HINT: did you mean NULL?

            """)
        let pinned = try sift(["query", "SELECT now() AS t FROM project_logs('demo') LIMIT 1", "--db", path("q.db"), "--format", "csv"], env: ["SIFT_NOW": "2026-02-03T04:05:06Z"])
        XCTAssertEqual(pinned.out, "t\n2026-02-03T04:05:06.000Z\n")
    }

    func testReplFromAPipe() throws {
        try sift(["demo", "--db", path("r.db"), "--traces", "50", "--now", "2026-11-20T00:00:00Z"])
        let script = ".projects\nSELECT count(*) AS n\nFROM project_logs('demo');\n.mode csv\nspan_attributes.type = 'task'\n\n.explain SELECT id FROM project_logs('demo')\n.nope\n.quit\nSELECT 'never reached'\n"
        let r = try sift(["repl", "--db", path("r.db")], stdin: script, env: ["SIFT_HISTORY": path("history")])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("demo"), r.out)
        XCTAssertTrue(r.out.contains("   n\n----\n") || r.out.contains("n\n"), r.out)
        let taskRows = r.out.split(separator: "\n").filter { $0.contains(#"{""type"":""task"",""name"":""support_conversation""}"#) }
        XCTAssertEqual(taskRows.count, 50, "the bare filter over the current project prints every field of the 50 root spans as CSV")
        XCTAssertTrue(r.out.contains("Scan project_logs('demo') shape=spans fields=[id]"), r.out)
        XCTAssertTrue(r.out.contains("unknown command .nope"), r.out)
        XCTAssertFalse(r.out.contains("never reached"))
        // A piped script is not history (issue 16): the tmux test below checks what a person types is kept.
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("history")), "a piped REPL wrote history")
    }
}

extension CLITests {
    /// The REPL in a real terminal (tmux): raw-mode line editing, tab completion, history recall with
    /// the up arrow, a result table, .quit. Skipped where tmux is not installed.
    func testReplInATerminal() throws {
        guard let tmux = ["/usr/bin/tmux", "/bin/tmux", "/usr/local/bin/tmux"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("tmux is not installed: the REPL's terminal behaviour is not exercised")
        }
        try sift(["demo", "--db", path("term.db"), "--traces", "50", "--now", "2026-11-20T00:00:00Z"])
        let socket = path("tmux.sock"), session = "sift-repl-test"
        // tmux is started with posix_spawn and waited for with waitpid, its output going to a file:
        // the server that new-session leaves behind confuses Foundation's Process (its wait never ends).
        let outFile = path("tmux.out")
        @discardableResult
        func run(_ args: [String]) throws -> String {
            FileManager.default.createFile(atPath: outFile, contents: nil)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outFile, O_WRONLY | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            let argv = ([tmux, "-S", socket] + args).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, tmux, &actions, nil, argv, environ) == 0 else { throw XCTSkip("could not start tmux") }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        }
        func screen(until predicate: (String) -> Bool) throws -> String {
            var text = ""
            for _ in 0..<100 {   // up to 10 s
                text = try run(["capture-pane", "-p", "-t", session])
                if predicate(text) { return text }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return text
        }
        let command = "SIFT_HISTORY='\(path("term-history"))' SIFT_DB= '\(try Self.binary.path)' repl --db '\(path("term.db"))'"
        try run(["new-session", "-d", "-s", session, "-x", "150", "-y", "40", command])
        defer { _ = try? run(["kill-server"]) }
        // capture-pane trims trailing blanks: the prompt shows as "sift>".
        var text = try screen { $0.contains("sift>") }
        XCTAssertTrue(text.contains("statements end with ;"), text)
        let expected = try sift(["query", "SELECT count(*) AS n FROM project_logs('demo')", "--db", path("term.db"), "--format", "csv"]).out
        let count = try XCTUnwrap(expected.split(separator: "\n").last.map(String.init))
        // "SELE" + tab completes the keyword; tmux needs the semicolon escaped.
        try run(["send-keys", "-t", session, "SELE", "Tab", " count(*) AS n FROM project_logs('demo')\\;", "Enter"])
        text = try screen { $0.contains("(1 row)") }
        XCTAssertTrue(text.contains("SELECT count(*) AS n FROM project_logs('demo');"), text)
        XCTAssertTrue(text.contains("\n" + count + "\n(1 row)"), "expected \(count): " + text)
        // The up arrow brings the statement back on a fresh prompt.
        try run(["send-keys", "-t", session, "Up"])
        text = try screen { $0.components(separatedBy: "sift> SELECT count(*)").count >= 3 }
        XCTAssertEqual(text.components(separatedBy: "sift> SELECT count(*) AS n FROM project_logs('demo');").count, 3, text)
        try run(["send-keys", "-t", session, "C-u", ".quit", "Enter"])
        var history = ""
        for _ in 0..<50 where !history.contains("project_logs") {
            history = (try? String(contentsOfFile: path("term-history"), encoding: .utf8)) ?? ""
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertTrue(history.contains("SELECT count(*) AS n FROM project_logs('demo');"), history)
    }
}
