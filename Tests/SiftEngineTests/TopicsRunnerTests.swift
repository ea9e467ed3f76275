import Foundation
import XCTest
import SiftTestSupport
import SiftDemo
import SiftEngine
import SiftModel
import SiftSimulator
@testable import SiftStore
import SiftTopics

final class TopicsRunnerTests: XCTestCase {
    var temp: TempDir!
    var dir: URL { temp.url }
    let end = Timestamp(iso8601: "2026-11-20T00:00:00Z")!

    override func setUpWithError() throws {
        temp = TempDir("sift-runner")
    }

    override func tearDown() { temp = nil }

    func demo(_ name: String, traces: Int, seed: UInt64 = 42) throws -> Store {
        let path = dir.appendingPathComponent(name).path
        _ = try Demo.run(path: path, traces: traces, seed: seed, end: end)
        return try Store(path: path)
    }

    func query(_ store: Store, _ q: String) throws -> [[String]] {
        var o = QueryOptions()
        o.now = end
        return try Session(store: store, caching: false).run(q, options: o).rows.map { $0.map { $0.isNull ? "NULL" : $0.text } }
    }

    func testBelowOneHundredTracesItSaysSoAndWritesNothing() throws {
        let store = try demo("small.db", traces: 60)
        XCTAssertThrowsError(try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))) { e in
            XCTAssertEqual("\(e)", "project 'demo' has 60 traces; topics need at least 100 facet summaries, so nothing was changed")
        }
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM facets"), 0)
        XCTAssertEqual(try store.db.scalarInt("SELECT count(*) FROM topics"), 0)
        XCTAssertThrowsError(try TopicsPipeline(store: store).run(try TopicsOptions(project: "nope"))) { e in
            XCTAssertEqual("\(e)", "no project named 'nope' (projects: demo)")
        }
    }

    /// Same input and seed: identical facets, topics and assignments (in two separate stores).
    func testDeterministic() throws {
        var snapshots: [[[String]]] = []
        for name in ["a.db", "b.db"] {
            let store = try demo(name, traces: 400)
            _ = try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))
            snapshots.append(try query(store, """
                SELECT id, facets.Task, facets.Issues, facets.Sentiment, classifications.Task[0].id AS task_id, classifications.Task[0].label AS task,
                       classifications.Issues[0].id AS issue_id, classifications.Issues[0].label AS issue, classifications.Issues[0].metadata.distance, classifications.Sentiment[0].label AS sentiment
                FROM project_logs('demo') WHERE is_root ORDER BY id LIMIT 1000
                """))
        }
        XCTAssertEqual(snapshots[0].count, 400)
        for (a, b) in zip(snapshots[0], snapshots[1]) where a != b { XCTFail("differs: \(a) vs \(b)"); break }
        XCTAssertFalse(snapshots[0].contains { $0[9] == "NULL" || $0[5] == "NULL" })
    }

    /// Results are queryable as upstream: labels, distances, the cross-slice by sentiment.
    func testResultsAreQueryable() throws {
        let store = try demo("q.db", traces: 600)
        let report = try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))
        XCTAssertEqual(report.facets.map(\.facet), ["Task", "Sentiment", "Issues"])
        let labels = try query(store, "SELECT classifications.Sentiment[0].label AS s FROM project_logs('demo', shape => 'traces') GROUP BY s ORDER BY s")
        XCTAssertEqual(labels.map { $0[0] }.filter { $0 != "NULL" }, ["FRUSTRATED", "MIXED", "NEGATIVE", "NEUTRAL", "POSITIVE"])
        let slice = try query(store, """
            SELECT facets.sentiment, classifications.Task[0].label as topic, count(1) as count
            FROM project_logs('demo', shape => 'traces')
            WHERE facets.sentiment IS NOT NULL AND classifications.Task IS NOT NULL
            GROUP BY facets.sentiment, topic ORDER BY count DESC
            """)
        XCTAssertEqual(slice.reduce(0) { $0 + Int($1[2])! }, 600)
        let near = try query(store, """
            SELECT count(1) FROM project_logs('demo', shape => 'traces')
            WHERE classifications.Issues[0].label = 'Asked again for given details' AND classifications.Issues[0].metadata.distance < 0.5
            """)
        XCTAssertGreaterThan(Int(near[0][0])!, 0)
        // UNPIVOT over the classification array, as in DIALECT.md.
        let ids = try query(store, "SELECT classification.id, COUNT(1) AS count FROM project_logs('demo', shape => 'traces') UNPIVOT (classification FOR _ IN (classifications.Issues)) GROUP BY classification.id ORDER BY count DESC LIMIT 1")
        XCTAssertEqual(ids.first?.first, "issues-none")
        // topics(...) as a source lists them.
        let topics = try query(store, "SELECT id, label, size FROM topics('demo') WHERE facet = 'Issues' ORDER BY size DESC LIMIT 1")
        XCTAssertEqual(topics.first?[1], "NONE")
    }

    /// A second run keeps ids; new traces are classified against the topics without re-clustering.
    func testStableIdsAndIncrementalClassification() throws {
        let store = try demo("inc.db", traces: 800)
        let runner = TopicsPipeline(store: store)
        _ = try runner.run(try TopicsOptions(project: "demo"))
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        let before = try store.topics(projectRow: pid, facet: "Issues").filter { $0.status == .active }.map(\.id).sorted()
        let second = try runner.run(try TopicsOptions(project: "demo"))
        let issues = try XCTUnwrap(second.facets.first { $0.facet == "Issues" })
        XCTAssertEqual(issues.newTopics, 0)
        XCTAssertEqual(issues.retired, 0)
        XCTAssertEqual(try store.topics(projectRow: pid, facet: "Issues").filter { $0.status == .active }.map(\.id).sorted(), before)

        // 300 more conversations arrive (another seed), into the same project.
        var config = SimulatorConfig(end: end)
        config.traces = 300
        config.seed = 7
        let writer = try BatchWriter(store: store, defaultProject: "demo")
        try writer.commit(Simulator(config: config).traces().flatMap { $0.spans.map { SpanRow($0) } }, records: 300, rejected: 0, run: nil)
        let reports = try runner.classifyNew(try TopicsOptions(project: "demo"))
        XCTAssertEqual(reports.map(\.facet), ["Task", "Sentiment", "Issues"])
        XCTAssertEqual(reports.map(\.classified), [300, 300, 300])
        XCTAssertEqual(try store.classifications(projectRow: pid, facet: "Issues").count, 1100)
        XCTAssertEqual(try store.topics(projectRow: pid, facet: "Issues").reduce(0) { $0 + $1.size }, 1100)
        // Sizes added to as traces were classified equal a recount, topic by topic.
        for facet in ["Task", "Sentiment", "Issues"] {
            func sizes() throws -> [String: Int] { Dictionary(uniqueKeysWithValues: try store.topics(projectRow: pid, facet: facet).map { ($0.id, $0.size) }) }
            let added = try sizes()
            try store.refreshTopicSizes(projectRow: pid, facet: facet)
            XCTAssertEqual(added, try sizes(), facet)
        }
        // Nothing left to classify.
        XCTAssertEqual(try runner.classifyNew(try TopicsOptions(project: "demo")).map(\.classified), [0, 0, 0])
        // The new traces' planted patterns land in the matching topics.
        let loops = try query(store, "SELECT count(1) FROM project_logs('demo', shape => 'traces') WHERE classifications.Issues[0].label = 'Asked again for given details'")
        XCTAssertGreaterThan(Int(loops[0][0])!, 10)
    }

    /// Two levels and stability over time: the Task topics have labelled parents, queryable from
    /// topics() and named in each classification's metadata; a re-run on the same traffic plus 10% new
    /// keeps at least 90% of the topic ids, and every earlier topic that is not kept is marked merged
    /// (into a live topic) or retired.
    func testParentsAndIdsStableWithTenPercentMoreTraffic() throws {
        let store = try demo("tree.db", traces: 1_000)
        let runner = TopicsPipeline(store: store)
        _ = try runner.run(try TopicsOptions(project: "demo"))
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        let task = try store.topics(projectRow: pid, facet: "Task").filter { $0.status.isLive && !$0.centroid.isEmpty }
        XCTAssertGreaterThanOrEqual(task.count, TopicHierarchy.minTopics)
        XCTAssertTrue(task.allSatisfy { $0.parent != nil && !($0.parentLabel ?? "").isEmpty }, "every Task topic has a parent")
        let parents = Set(task.compactMap(\.parent))
        XCTAssertEqual(parents.count, TopicHierarchy.parentCount(task.count))
        let fromQuery = try query(store, "SELECT count(DISTINCT parent) AS n FROM topics('demo') WHERE facet = 'Task' AND parent IS NOT NULL")
        XCTAssertEqual(fromQuery[0][0], String(parents.count))
        let meta = try query(store, """
            SELECT classifications.Task[0].id AS t, classifications.Task[0].metadata.parent AS p, classifications.Task[0].metadata.parent_label AS l
            FROM project_logs('demo', shape => 'traces') WHERE classifications.Task[0].metadata.parent IS NOT NULL
            """).filter { $0[0] != "NULL" }
        XCTAssertGreaterThan(meta.count, 500)
        for row in meta { XCTAssertEqual(task.first { $0.id == row[0] }?.parent, row[1]); XCTAssertEqual(task.first { $0.id == row[0] }?.parentLabel, row[2]) }

        let before = try store.topics(projectRow: pid).filter { $0.status.isLive && !$0.centroid.isEmpty }
        var config = SimulatorConfig(end: end)
        config.traces = 100
        config.seed = 7
        let writer = try BatchWriter(store: store, defaultProject: "demo")
        try writer.commit(Simulator(config: config).traces().flatMap { $0.spans.map { SpanRow($0) } }, records: 100, rejected: 0, run: nil)
        _ = try runner.run(try TopicsOptions(project: "demo"))
        let after = Dictionary(try store.topics(projectRow: pid).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let kept = before.filter { after[$0.id]?.status.isLive == true }
        XCTAssertGreaterThanOrEqual(Double(kept.count) / Double(before.count), 0.9, "kept \(kept.count) of \(before.count) topic ids")
        for t in before where after[t.id]?.status.isLive != true {
            let now = try XCTUnwrap(after[t.id])
            XCTAssertTrue(now.status == .retired || (now.status == .merged && now.mergedInto.flatMap { after[$0] }?.status.isLive == true), "\(t.id): \(now.status)")
        }
        XCTAssertTrue(after.values.filter { $0.status == .new }.allSatisfy { t in !before.contains { $0.id == t.id } })
        // Parents keep their ids too, where most of their topics are kept.
        let parentsAfter = Set(after.values.filter { $0.facet == "Task" && $0.status.isLive }.compactMap(\.parent))
        XCTAssertGreaterThanOrEqual(parents.intersection(parentsAfter).count * 2, parents.count)
    }

    func testCustomFacetsAndRedaction() throws {
        let store = try demo("custom.db", traces: 300)
        try store.saveFacetDefinition(name: "Channel risk", definition: """
            {"name": "Channel risk", "prompt": "Is this about money?", "exclude": "password",
             "labels": [{"label": "money", "example": "refund", "match": ["refund|charged|price"]}, {"label": "other", "match": ["."]}],
             "preprocessor": {"fields": ["user"]}}
            """)
        var options = try TopicsOptions(project: "demo")
        options.facets = ["Channel risk", "Task"]
        _ = try TopicsPipeline(store: store).run(options)
        let rows = try query(store, "SELECT classifications.\"Channel risk\"[0].label AS l, count(1) AS n FROM project_logs('demo', shape => 'traces') GROUP BY l ORDER BY l")
        XCTAssertEqual(rows.map { $0[0] }, ["MONEY", "OTHER", "no_match"])
        // Password-reset conversations mention an email address: the facet text never shows it.
        let emails = try query(store, "SELECT count(1) FROM project_logs('demo', shape => 'traces') WHERE facets.Task LIKE '%@%'")
        XCTAssertEqual(emails[0][0], "0")
        let redacted = try query(store, "SELECT count(1) FROM project_logs('demo', shape => 'traces') WHERE facets.Task LIKE '%<EMAIL>%'")
        XCTAssertGreaterThan(Int(redacted[0][0])!, 0)
        // A free-text custom facet needs a model server: said before anything runs.
        try store.saveFacetDefinition(name: "Tone", definition: #"{"name": "Tone", "prompt": "Describe the tone"}"#)
        XCTAssertThrowsError(try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))) { e in
            XCTAssertTrue("\(e)".hasPrefix("facet 'Tone' needs a model server"), "\(e)")
        }
    }
}

extension TopicsRunnerTests {
    /// A custom facet whose text comes from an external command; empty output skips the trace.
    func testCommandPreprocessor() throws {
        let store = try demo("cmd.db", traces: 150)
        // The command sees the spans as JSON: it keeps traces that called issue_refund, says nothing for the rest.
        try store.saveFacetDefinition(name: "Refunds", definition: """
            {"name": "Refunds", "prompt": "Was a refund issued?", "labels": [{"label": "refund", "match": "issue_refund"}],
             "preprocessor": {"command": "grep -o issue_refund | head -1"}}
            """)
        var options = try TopicsOptions(project: "demo")
        options.facets = ["Refunds"]
        _ = try TopicsPipeline(store: store).run(options)
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        let values = try store.facetValues(projectRow: pid, facet: "Refunds")
        let refunds = try query(store, "SELECT count(1) FROM project_logs('demo', shape => 'traces') WHERE span_attributes.name = 'issue_refund'")
        XCTAssertEqual(values.count, Int(refunds[0][0])!)
        XCTAssertGreaterThan(values.count, 5)
        XCTAssertEqual(Set(values.values), ["REFUND"])
        // A failing command is an error naming it.
        try store.saveFacetDefinition(name: "Broken", definition: #"{"name": "Broken", "prompt": "x", "labels": [{"label": "a", "match": "."}], "preprocessor": {"command": "echo oops >&2; exit 3"}}"#)
        options.facets = ["Broken"]
        XCTAssertThrowsError(try TopicsPipeline(store: store).run(options)) { e in
            XCTAssertEqual("\(e)", "preprocessor 'echo oops >&2; exit 3' exited with status 3: oops")
        }
    }

    /// The real tau-bench runs: Issues topics flag failed runs more often than they flag passing ones.
    func testTauBenchIssuesSplitFailedRuns() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/tau-bench/gpt-4o-airline.json").standardized.path
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("tau-bench data not found at \(file)") }
        let path = dir.appendingPathComponent("tau.db").path
        let ws = try Workspace(path: path)
        _ = try ws.ingest(paths: [file], options: IngestOptions())
        _ = try TopicsPipeline(store: ws.store).run(try TopicsOptions(project: "default"))
        let rows = try query(ws.store, """
            SELECT classifications.Issues[0].label = 'NONE' AS clean, count(1) AS runs, sum(CASE WHEN metadata.reward = 0 THEN 1 ELSE 0 END) AS failed
            FROM project_logs('default') WHERE is_root GROUP BY clean ORDER BY clean
            """)
        XCTAssertEqual(rows.count, 2)
        let flagged = (runs: Double(rows[0][1])!, failed: Double(rows[0][2])!), clean = (runs: Double(rows[1][1])!, failed: Double(rows[1][2])!)
        print(String(format: "tau-bench: flagged %.0f runs, %.0f%% failed; NONE %.0f runs, %.0f%% failed", flagged.runs, 100 * flagged.failed / flagged.runs, clean.runs, 100 * clean.failed / clean.runs))
        XCTAssertEqual(flagged.runs + clean.runs, 200)
        XCTAssertGreaterThan(flagged.failed / flagged.runs, clean.failed / clean.runs + 0.1)
        // Precision first (BENCHMARKS.md: 29 of 36 flagged runs failed).
        XCTAssertGreaterThanOrEqual(flagged.failed / flagged.runs, 0.75)
    }

    /// Taskmaster-4's coffee-order dialogs (trained human agents with API calls, nearly all healthy):
    /// the Issues facet leaves at least 95% of them NONE, and every flagged one carries evidence.
    func testTaskmaster4DialogsMostlyStayNone() throws {
        guard let gz = sharedData("taskmaster4/data/data_00.json.gz") else {
            throw XCTSkip("../shared/data/taskmaster4/data/data_00.json.gz is absent: skipping the Taskmaster-4 check")
        }
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", gz]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let raw = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        let dialogs = try XCTUnwrap(try JSONSerialization.jsonObject(with: raw) as? [[String: Any]])
        // Utterances -> chat messages; each annotated API call -> a tool call and its result.
        var runs: [[String: Any]] = []
        for d in dialogs {
            var messages: [[String: Any]] = []
            for u in d["utterances"] as? [[String: Any]] ?? [] {
                messages.append(["role": (u["speaker"] as? String) == "user" ? "user" : "assistant", "content": u["text"] as? String ?? ""])
                var calls: [Int: [String: String]] = [:]
                for a in u["annotations"] as? [[String: Any]] ?? [] {
                    guard let name = a["name"] as? String, let value = a["value"] as? String, let context = a["context"] as? String,
                          let k = Int(context.split(separator: "_").last ?? "") else { continue }
                    calls[k, default: [:]][name] = value
                }
                for k in calls.keys.sorted() {
                    let c = calls[k]!
                    if let name = c["api_call"] {
                        messages.append(["role": "assistant", "content": NSNull(), "tool_calls": [["id": "c\(k)", "type": "function",
                                         "function": ["name": name, "arguments": c["request"] ?? "{}"]]]])
                    }
                    if let r = c["response"] { messages.append(["role": "tool", "tool_call_id": "c\(k)", "content": r]) }
                }
            }
            runs.append(["id": d["conversation_id"] as? String ?? UUID().uuidString, "scenario": d["scenario"] as? String ?? "", "messages": messages])
        }
        let file = dir.appendingPathComponent("tm4.json")
        try JSONSerialization.data(withJSONObject: runs).write(to: file)
        let ws = try Workspace(path: dir.appendingPathComponent("tm4.db").path)
        var ingest = IngestOptions()
        ingest.format = .trajectories
        _ = try ws.ingest(paths: [file.path], options: ingest)
        var options = try TopicsOptions(project: "default")
        options.facets = ["Issues"]
        _ = try TopicsPipeline(store: ws.store).run(options)
        let rows = try query(ws.store, """
            SELECT classifications.Issues[0].label = 'NONE' AS clean, count(1) AS n, count(classifications.Issues[0].metadata.evidence) AS with_evidence
            FROM project_logs('default') WHERE is_root GROUP BY clean ORDER BY clean
            """)
        let total = rows.reduce(0) { $0 + Int($1[1])! }
        XCTAssertEqual(total, dialogs.count)
        let flagged = rows.first { $0[0] == "false" }.map { Int($0[1])! } ?? 0
        print("Taskmaster-4 data_00: \(flagged) of \(total) dialogs flagged")
        XCTAssertLessThanOrEqual(Double(flagged) / Double(total), 0.05)
        if let f = rows.first(where: { $0[0] == "false" }) { XCTAssertEqual(f[2], f[1], "every flagged dialog carries evidence") }
    }
}
