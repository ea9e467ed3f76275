import Foundation
import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftStore

/// End-to-end tests of the topics, facets and actions commands.
final class CLITopicsTests: CLITestCase {
    func testTopicsAndFacetsCommands() throws {
        let demo = try sift(["demo", "--db", path("t.db"), "--traces", "500", "--now", "2026-11-20T00:00:00Z"])
        XCTAssertEqual(demo.status, 0, demo.err)
        XCTAssertTrue(demo.out.contains("Ran topics over 500 traces"), demo.out)
        XCTAssertTrue(demo.out.contains("User sentiment by Issues topic"), demo.out)
        XCTAssertTrue(demo.out.contains("Asked again for given details"), demo.out)

        let list = try sift(["topics", "list", "--db", path("t.db"), "--facet", "issues"])
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(list.out.hasPrefix("Issues (500 traces)\nid "), list.out)
        XCTAssertTrue(list.out.contains("issues-none  NONE"), list.out)
        let show = try sift(["topics", "show", "issues-1", "--db", path("t.db"), "--samples", "2"])
        XCTAssertTrue(show.out.contains("    evidence ("), "every flagged sample shows why: \(show.out)")
        XCTAssertEqual(show.status, 0, show.err)
        XCTAssertTrue(show.out.contains("[issues-1, facet Issues]"), show.out)
        XCTAssertTrue(show.out.contains("sample traces"), show.out)
        let missing = try sift(["topics", "show", "issues-999", "--db", path("t.db")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.hasPrefix("error: no topic 'issues-999' in 'demo'"), missing.err)
        let status = try sift(["topics", "status", "--db", path("t.db")])
        XCTAssertTrue(status.out.contains("project demo: 500 traces"), status.out)
        XCTAssertTrue(status.out.contains("builtin-hash-384-v1"), status.out)
        XCTAssertFalse(status.out.contains("interrupted"), status.out)
        // A run whose process is gone (killed mid-run) shows as interrupted, not running forever.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let store = try Store(path: path("t.db"))
        _ = try store.beginTopicRun(projectRow: try store.projectRow(named: "demo"), facet: "Issues", facetModel: "builtin", embeddingModel: nil,
                                    params: ["pid": .int(Int64(gone.processIdentifier))])
        let killed = try sift(["topics", "status", "--db", path("t.db")])
        XCTAssertTrue(killed.out.contains("interrupted"), killed.out)

        // A second run keeps topic ids.
        let again = try sift(["topics", "run", "--db", path("t.db"), "--facets", "Issues"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains(" 0/"), again.out)

        // Custom facets.
        let add = try sift(["facets", "add", "--db", path("t.db"), "--name", "Money", "--prompt", "Is money involved?",
                            "--label", "MONEY=refund|charge|price", "--label", "OTHER=.", "--fields", "user"])
        XCTAssertEqual(add.status, 0, add.err)
        let facets = try sift(["facets", "list", "--db", path("t.db")])
        XCTAssertTrue(facets.out.contains("Money"), facets.out)
        let test = try sift(["facets", "test", "Money", "--db", path("t.db"), "--limit", "2"])
        XCTAssertEqual(test.status, 0, test.err)
        XCTAssertTrue(test.out.contains("-> MONEY") || test.out.contains("-> OTHER"), test.out)
        let run = try sift(["topics", "run", "--db", path("t.db"), "--facets", "Money"])
        XCTAssertEqual(run.status, 0, run.err)
        let q = try sift(["query", "SELECT classifications.Money[0].label AS l, count(1) AS n FROM project_logs('demo', shape => 'traces') GROUP BY l ORDER BY l", "--db", path("t.db"), "--format", "csv"])
        XCTAssertTrue(q.out.hasPrefix("l,n\nMONEY,"), q.out)
        XCTAssertEqual(try sift(["facets", "remove", "Money", "--db", path("t.db")]).status, 0)
        XCTAssertEqual(try sift(["facets", "remove", "Task", "--db", path("t.db")]).status, 1)

        // Too few traces: said plainly, exit 1; the demo still finishes.
        let small = try sift(["demo", "--db", path("s.db"), "--traces", "60", "--now", "2026-11-20T00:00:00Z"])
        XCTAssertEqual(small.status, 0, small.err)
        XCTAssertTrue(small.out.contains("Topics not run: project 'demo' has 60 traces"), small.out)
        let few = try sift(["topics", "run", "--db", path("s.db")])
        XCTAssertEqual(few.status, 1)
        XCTAssertEqual(few.err, "error: project 'demo' has 60 traces; topics need at least 100 facet summaries, so nothing was changed\n")
    }

    func testTopicsEval() throws {
        var csv = "text,label\n"
        for i in 0..<30 { csv += "\"where is my order \(i), it has not arrived\",shipping\n" }
        for i in 0..<30 { csv += "please reset my password for account \(i),password\n" }
        for i in 0..<30 { csv += "\"I was charged twice, refund the duplicate charge \(i)\",billing\n" }
        try csv.write(toFile: path("texts.csv"), atomically: true, encoding: .utf8)
        let r = try sift(["topics", "eval", path("texts.csv"), "--text-column", "text", "--label-column", "label", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.err)
        let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        XCTAssertEqual(o["topics"] as? Int, 3)
        XCTAssertEqual(o["nmi"] as! Double, 1, accuracy: 1e-9)
        XCTAssertEqual(o["ari"] as! Double, 1, accuracy: 1e-9)
        // The same texts as JSON lines.
        var jsonl = ""
        for line in csv.split(separator: "\n").dropFirst() {
            let fields = try LabelledTextsShim.fields(String(line))
            jsonl += "{\"body\": \(String(decoding: try JSONSerialization.data(withJSONObject: fields[0], options: .fragmentsAllowed), as: UTF8.self)), \"intent\": \"\(fields[1])\"}\n"
        }
        try jsonl.write(toFile: path("texts.jsonl"), atomically: true, encoding: .utf8)
        let j = try sift(["topics", "eval", path("texts.jsonl"), "--text-column", "body", "--label-column", "intent", "--format", "json"])
        XCTAssertEqual(j.status, 0, j.err)
        let jo = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as! [String: Any]
        XCTAssertEqual(jo["texts"] as? Int, 90)
        XCTAssertEqual(jo["nmi"] as! Double, 1, accuracy: 1e-9)
        try "text,label\nok,a\n\"broken,b\n".write(toFile: path("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try sift(["topics", "eval", path("bad.csv"), "--label-column", "label"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.err, "error: \(path("bad.csv")):3: a quoted field is not closed\n")
        let col = try sift(["topics", "eval", path("texts.csv"), "--text-column", "body"])
        XCTAssertTrue(col.err.contains(":1: no column \"body\" (columns: text, label)"), col.err)
    }

    /// Scorers, datasets, review, trends, report and check, end to end on the demo workspace.
    func testActOnTopicsEndToEnd() throws {
        let db = path("act.db")
        XCTAssertEqual(try sift(["demo", "--db", db, "--traces", "600", "--now", "2026-11-20T00:00:00Z"]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("act-report.html")))
        let loop = "classifications.Issues[0].label = 'Asked again for given details'"

        let add = try sift(["scorers", "add", "--db", db, "--name", "loop_frustration", "--reason", "Loop with a frustrated user",
                            "--filter", loop + " AND classifications.Sentiment[0].label = 'FRUSTRATED'"])
        XCTAssertEqual(add.status, 0, add.err)
        let run = try sift(["scorers", "run", "--db", db])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("loop_frustration     600"), run.out)
        let scored = try sift(["query", "SELECT count(1) AS n FROM project_logs('demo') WHERE scores.loop_frustration = 0", "--db", db, "--format", "csv"])
        let zeros = Int(scored.out.split(separator: "\n")[1])!
        XCTAssertGreaterThan(zeros, 0)
        let badFilter = try sift(["scorers", "add", "--db", db, "--name", "x", "--filter", "classifications.Issues[0].label = "])
        XCTAssertEqual(badFilter.status, 1)
        XCTAssertTrue(badFilter.err.contains("LINE 1:"), badFilter.err)

        XCTAssertEqual(try sift(["datasets", "create", "loops", "--db", db]).status, 0)
        let dsAdd = try sift(["datasets", "add", "loops", "--db", db, "--where", loop, "--sample", "5"])
        XCTAssertEqual(dsAdd.out, "added 5 records to 'loops'\n")
        XCTAssertEqual(try sift(["datasets", "add", "loops", "--db", db, "--where", loop, "--sample", "5"]).out, "added 0 records to 'loops' (5 already there)\n")
        let export = try sift(["datasets", "export", "loops", "--db", db])
        XCTAssertEqual(export.out.split(separator: "\n").count, 5)

        let assign = try sift(["review", "assign", "--db", db, "--reviewer", "ana", "--where", loop, "--cap", "2"])
        XCTAssertTrue(assign.out.hasPrefix("assigned 2 of"), assign.out)
        let queue = try sift(["review", "queue", "ana", "--db", db])
        let item = String(queue.out.split(separator: "\n")[2].split(separator: " ")[0])
        let show = try sift(["review", "show", item, "--db", db])
        XCTAssertTrue(show.out.contains("topic \"Asked again for given details\""), show.out)
        XCTAssertEqual(try sift(["review", "done", item, "--db", db, "--verdict", "confirm", "--comment", "yes"]).status, 0)
        XCTAssertEqual(try sift(["review", "done", item, "--db", db, "--verdict", "perhaps"]).status, 1)

        let trends = try sift(["topics", "trends", "--db", db, "--format", "json"])
        XCTAssertEqual(trends.status, 0, trends.err)
        XCTAssertTrue(trends.out.hasPrefix("{\"facet\":\"Issues\",\"days\":["), trends.out)
        let report = try sift(["report", "--db", db, "--out", path("r.html"), "--facet", "Task"])
        XCTAssertTrue(report.out.hasPrefix("wrote \(path("r.html")): "), report.out)

        // Checks: pass -> 0, fail -> 1, cannot run -> 2.
        try #"{"name": "no frustrated loops", "query": "SELECT count(1) AS n FROM project_logs('demo') WHERE scores.loop_frustration = 0", "expect": "n = 0"}"#
            .write(toFile: path("fail.json"), atomically: true, encoding: .utf8)
        try #"{"name": "some traffic", "query": "SELECT count(1) AS n FROM project_logs('demo') WHERE is_root", "expect": "n >= 600"}"#
            .write(toFile: path("pass.json"), atomically: true, encoding: .utf8)
        try #"{"name": "typo", "query": "SELEC 1", "expect": "rows = 0"}"#.write(toFile: path("error.json"), atomically: true, encoding: .utf8)
        let pass = try sift(["check", path("pass.json"), "--db", db])
        XCTAssertEqual(pass.status, 0, pass.out + pass.err)
        XCTAssertTrue(pass.out.hasPrefix("PASS  some traffic: n = 600 (expect n >= 600)"), pass.out)
        let fail = try sift(["check", path("pass.json"), path("fail.json"), "--db", db])
        XCTAssertEqual(fail.status, 1)
        XCTAssertTrue(fail.out.contains("FAIL  no frustrated loops: n = \(zeros) (expect n = 0)"), fail.out)
        XCTAssertEqual(try sift(["check", path("error.json"), "--db", db]).status, 2)
    }
}

/// Splits one CSV line of the test fixture (a quoted first field, or plain fields).
enum LabelledTextsShim {
    static func fields(_ line: String) throws -> [String] {
        if line.hasPrefix("\""), let end = line.range(of: "\",", options: .backwards) {
            return [String(line[line.index(after: line.startIndex)..<end.lowerBound]).replacingOccurrences(of: "\"\"", with: "\""), String(line[end.upperBound...])]
        }
        let parts = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return [parts.dropLast().joined(separator: ","), parts.last ?? ""]
    }
}
