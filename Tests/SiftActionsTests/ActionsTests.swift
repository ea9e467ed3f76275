import Foundation
import XCTest
import SiftActions
import SiftDemo
import SiftEngine
import SiftModel
@testable import SiftStore
import SiftTestSupport
import SiftTopics

final class ActionsTests: XCTestCase {
    var temp: TempDir!
    var dir: URL { temp.url }

    override func setUpWithError() throws {
        temp = TempDir("sift-actions")
    }

    override func tearDown() { temp = nil }

    func demoWithTopics(_ traces: Int) throws -> Store {
        let path = dir.appendingPathComponent("a.db").path
        _ = try Demo.run(path: path, traces: traces, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        _ = try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))
        return store
    }

    func query(_ store: Store, _ q: String) throws -> [[String]] {
        try Session(store: store, caching: false).run(q, options: QueryOptions()).rows.map { $0.map { $0.isNull ? "NULL" : $0.text } }
    }

    /// The reference's checkout example: score 0 with the reason where a trace is a checkout task with
    /// negative sentiment, 1 otherwise, null where the trace lacks the facets.
    func testCheckoutScorerFromTheReference() throws {
        func root(_ id: String, task: String?, sentiment: String?) -> String {
            var o: JSONObject = ["id": .string(id), "created": "2026-11-19T10:00:00Z", "input": "hi", "output": "ok", "span_attributes": ["type": "task", "name": "chat"]]
            var facets = JSONObject(), cls = JSONObject()
            if let task { facets["Task"] = .string(task); cls["Task"] = [["id": .string(task.lowercased()), "label": .string(task), "metadata": ["distance": 0.1]]] }
            if let sentiment { facets["Sentiment"] = .string(sentiment); cls["Sentiment"] = [["id": .string(sentiment.lowercased()), "label": .string(sentiment)]] }
            if !facets.isEmpty { o["facets"] = .object(facets); o["classifications"] = .object(cls) }
            return JSONWriter.string(.object(o))
        }
        let lines = [root("a", task: "Checkout Flow", sentiment: "NEGATIVE"), root("b", task: "Checkout Flow", sentiment: "POSITIVE"),
                     root("c", task: "Dataset creation", sentiment: "NEGATIVE"), root("d", task: nil, sentiment: nil)]
        let file = dir.appendingPathComponent("spans.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let ws = try Workspace(path: dir.appendingPathComponent("c.db").path)
        var io = IngestOptions()
        io.project = "shop"
        _ = try ws.ingest(paths: [file.path], options: io)
        let scorers = try Scorers(store: ws.store, project: "shop")
        try scorers.add(ScorerDefinition(name: "checkout_negative",
                                         filter: "classifications.Task[0].label = 'Checkout Flow' AND classifications.Sentiment[0].label = 'NEGATIVE'",
                                         reason: "Negative sentiment during checkout"))
        let r = try scorers.run("checkout_negative")
        XCTAssertEqual([r.scored, r.zeros, r.nulls, r.errors], [3, 1, 1, 0])
        XCTAssertEqual(try query(ws.store, "SELECT id, scores.checkout_negative AS s FROM project_logs('shop') ORDER BY id"),
                       [["a", "0"], ["b", "1"], ["c", "1"], ["d", "NULL"]])
        XCTAssertEqual(try ws.store.db.scalarText("SELECT reason FROM scores WHERE trace_id = 'a'"), "Negative sentiment during checkout")
        XCTAssertEqual(try query(ws.store, "SELECT metadata.sift_scores.checkout_negative.reason AS r FROM project_logs('shop') WHERE id = 'a'"), [["Negative sentiment during checkout"]])
        XCTAssertEqual(try ws.store.db.scalarText("SELECT reason FROM scores WHERE trace_id = 'd'"), "the trace has no classifications.sentiment facet".replacingOccurrences(of: "classifications.", with: ""))
        // A re-run scores only new traces.
        XCTAssertEqual(try scorers.run("checkout_negative").skipped, 4)
        // A bad filter is a diagnostic at its own line and column, and nothing is saved.
        XCTAssertThrowsError(try scorers.add(ScorerDefinition(name: "bad", filter: "classifications.Task[0].label = ", reason: "x"))) { e in
            XCTAssertTrue("\(e)".contains("LINE 1: classifications.Task[0].label = "), "\(e)")
        }
        for bad in ["", " padded", "tab\there", String(repeating: "x", count: 129)] {
            XCTAssertThrowsError(try scorers.add(ScorerDefinition(name: bad, filter: "1 = 1", reason: "x")), bad)
        }
        XCTAssertEqual(try scorers.list().map(\.def.name), ["checkout_negative"])
    }

    /// Scorer names are any text, as in Braintrust, and read back with a quoted path.
    func testScorerNamesAreAnyText() throws {
        let lines = ["a", "b"].map { id in
            JSONWriter.string(.object(["id": .string(id), "created": "2026-11-19T10:00:00Z", "input": .string(id == "a" ? "refund please" : "hello"),
                                       "span_attributes": ["type": "task", "name": "chat"]]))
        }
        let file = dir.appendingPathComponent("names.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let ws = try Workspace(path: dir.appendingPathComponent("n.db").path)
        _ = try ws.ingest(paths: [file.path], options: IngestOptions())
        let scorers = try Scorers(store: ws.store, project: try ws.resolveProject(nil))
        for name in ["Checkout experience", "checkout-experience", "Grounded \"strict\""] {
            try scorers.add(ScorerDefinition(name: name, filter: "input ILIKE '%refund%'", reason: "asked for a refund"))
            _ = try scorers.run(name)
            let path = Scorers.scorePath(name)
            XCTAssertEqual(try query(ws.store, "SELECT id, \(path) AS s FROM project_logs('default') ORDER BY id"), [["a", "0"], ["b", "1"]], path)
        }
        XCTAssertEqual(Scorers.scorePath("Checkout experience"), "scores.\"Checkout experience\"")
        XCTAssertEqual(Scorers.scorePath("plain_name"), "scores.plain_name")
        XCTAssertEqual(try scorers.list().map(\.def.name), ["Checkout experience", "Grounded \"strict\"", "checkout-experience"])
    }

    /// A judge against a local OpenAI-compatible server that returns good and malformed verdicts.
    func testJudgeScorerGoodAndMalformedVerdicts() throws {
        let server = try MockModelServer { _, body in
            let prompt = body["messages"]?[1]?["content"]?.stringValue ?? ""
            // Traces whose answer mentions a refund get a malformed verdict; others a good one.
            if prompt.contains("refund") { return (200, chatReply("I think it is fine!")) }
            let grounded = prompt.contains("[tool ")
            return (200, chatReply(grounded ? #"{"choice": "Y", "unsupported_claims": [], "confidence": 0.9, "rationale": "Backed by the tool output."}"#
                                             : #"{"choice": "N", "unsupported_claims": ["delivery date"], "confidence": 0.7, "rationale": "No source."}"#))
        }
        defer { server.stop() }
        let store = try demoWithTopics(120)
        let scorers = try Scorers(store: store, project: "demo")
        try scorers.add(ScorerDefinition(name: "grounded", prompt: "Question: {{input}}\nAnswer: {{output}}\nContext:\n{{context}}\nIs every claim supported?", choices: ["Y": 1, "N": 0]))
        var c = ModelServerConfig(baseURL: server.url, model: "judge")
        c.backoff = 0.001
        c.retries = 1
        XCTAssertThrowsError(try scorers.run("grounded")) { e in XCTAssertTrue("\(e)".contains("needs a model server")) }
        let r = try scorers.run("grounded", judge: try ModelServerClient(c))
        XCTAssertGreaterThan(r.errors, 0)
        XCTAssertGreaterThan(r.scored, 0)
        XCTAssertEqual(r.scored + r.errors, 120)
        // Errors are recorded as errors, never as scores.
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM scores WHERE error IS NOT NULL AND score IS NOT NULL"), 0)
        let err = try XCTUnwrap(try store.db.scalarText("SELECT error FROM scores WHERE error IS NOT NULL LIMIT 1"))
        XCTAssertTrue(err.contains("content that is not a JSON object"), err)
        let meta = try XCTUnwrap(try store.db.scalarText("SELECT metadata FROM scores WHERE score = 0 LIMIT 1"))
        XCTAssertTrue(meta.contains("\"unsupported_claims\":[\"delivery date\"]"), meta)
        let q = try query(store, "SELECT count(1) FROM project_logs('demo') WHERE is_root AND scores.grounded IS NOT NULL")
        XCTAssertEqual(Int(q[0][0]), r.scored)
    }

    func testDatasetsAreIdempotentAndQueryable() throws {
        let store = try demoWithTopics(300)
        let d = Datasets(store: store)
        try d.create("loops", description: "clarification loops")
        XCTAssertThrowsError(try d.create("loops"))
        let filter = "classifications.Issues[0].label = 'Asked again for given details'"
        let first = try d.add("loops", project: "demo", filter: filter, sample: 3, seed: 1)
        XCTAssertEqual(first.added, 3)
        XCTAssertEqual(try d.add("loops", project: "demo", filter: filter, sample: 3, seed: 1).added, 0)
        let all = try d.add("loops", project: "demo", filter: filter)
        let total = try query(store, "SELECT count(1) FROM project_logs('demo') WHERE is_root AND classifications.Issues[0].label = 'Asked again for given details'")
        XCTAssertEqual(all.added + 3, Int(total[0][0]))
        let rows = try query(store, "SELECT count(1) AS n FROM dataset('loops')")
        XCTAssertEqual(rows[0][0], total[0][0])
        let recs = try d.records("loops")
        XCTAssertEqual(recs.first?["metadata"]?["topic"]?.stringValue, "Asked again for given details")
        XCTAssertNotNil(recs.first?["origin"]?["id"]?.stringValue)
        let id = recs[0]["id"]!.stringValue!
        try d.setExpected("loops", record: id, expected: #"{"answer": "use the order number the user gave"}"#)
        XCTAssertEqual(try d.records("loops")[0]["expected"]?["answer"]?.stringValue, "use the order number the user gave")
        let out = dir.appendingPathComponent("loops.jsonl").path
        XCTAssertEqual(try d.export("loops", to: out), recs.count)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, recs.count)
        XCTAssertNotNil(try JSONReader.parse(String(lines[0]))["input"])
    }

    func testReviewRoundTripFeedsConfirmation() throws {
        let store = try demoWithTopics(300)
        let reviews = Reviews(store: store)
        let filter = "classifications.Issues[0].label = 'Asked again for given details'"
        let a = try reviews.assign(reviewer: "ana", project: "demo", filter: filter, cap: 3, seed: 7)
        XCTAssertEqual(a.assigned, 3)
        XCTAssertEqual(try reviews.assign(reviewer: "ana", project: "demo", filter: filter, cap: 3, seed: 7).assigned, 0)
        let queue = try reviews.items(reviewer: "ana")
        XCTAssertEqual(queue.count, 3)
        XCTAssertEqual(Set(queue.compactMap(\.topicLabel)), ["Asked again for given details"])
        _ = try reviews.done(queue[0].id, verdict: "confirm", comment: "asks twice for the order number")
        _ = try reviews.done(queue[1].id, verdict: "confirm")
        let last = try reviews.done(queue[2].id, verdict: "relabel", label: "Order number loop")
        XCTAssertEqual(last.status, "done")
        XCTAssertEqual(try reviews.items(reviewer: "ana").count, 0)
        XCTAssertThrowsError(try reviews.done(queue[0].id, verdict: "maybe"))
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        XCTAssertEqual(try store.topics(projectRow: pid, facet: "Issues").first { $0.id == queue[0].topicID }?.confirmation, "confirmed")
        let verdicts = try query(store, "SELECT classifications.Issues[0].metadata.review.verdict AS v, count(1) AS n FROM project_logs('demo') WHERE is_root AND classifications.Issues[0].metadata.review IS NOT NULL GROUP BY v ORDER BY v")
        XCTAssertEqual(verdicts, [["confirm", "2"], ["relabel", "1"]])
        let confirmed = try query(store, "SELECT confirmation FROM topics('demo') WHERE id = '\(queue[0].topicID!)'")
        XCTAssertEqual(confirmed, [["confirmed"]])
    }

    func testChecks() throws {
        let store = try demoWithTopics(200)
        let file = dir.appendingPathComponent("checks.json").path
        try """
            [{"name": "loops stay rare", "query": "SELECT avg(CASE WHEN classifications.Issues[0].label = 'Asked again for given details' THEN 1 ELSE 0 END) AS share FROM project_logs('demo') WHERE is_root", "expect": "share < 0.5"},
             {"name": "no loops at all", "query": "SELECT id FROM project_logs('demo') WHERE is_root AND classifications.Issues[0].label = 'Asked again for given details'", "expect": "rows = 0"},
             {"name": "broken", "query": "SELECT nope( FROM project_logs('demo')", "expect": "rows = 0"}]
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let checks = try Checks.load(path: file)
        XCTAssertEqual(checks.map(\.source), ["\(file)[0]", "\(file)[1]", "\(file)[2]"])
        let r = Checks.run(checks, store: store, options: QueryOptions())
        XCTAssertEqual(r.map(\.passed), [true, false, false])
        XCTAssertEqual(r.map(\.error), [false, false, true])
        XCTAssertTrue(r[0].measured.hasPrefix("share = 0.0"), r[0].measured)
        XCTAssertTrue(r[1].measured.hasPrefix("rows = "), r[1].measured)
        try #"{"name": "x", "query": "SELECT 1", "expect": "share about 2"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Checks.load(path: file)) { e in XCTAssertTrue("\(e)".contains("is not `rows <op> N`"), "\(e)") }
    }
}
