import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftTopics

final class ModelServerTests: XCTestCase {
    func config(_ url: String) -> ModelServerConfig {
        var c = ModelServerConfig(baseURL: url, model: "test-model", apiKey: "k")
        c.backoff = 0.01
        c.retries = 2
        c.timeout = 5
        return c
    }

    let thread = TraceThread(traceID: "t", created: Timestamp(seconds: 0), events: [.user("refund please")])

    func testChatFacetModelParsesStrictJSONAndSendsOurPrompt() throws {
        let server = try MockModelServer { path, body in
            XCTAssertEqual(path, "/v1/chat/completions")
            return (200, chatReply(#"{"summary": "The user asked for a refund and got it.", "label": "NEUTRAL"}"#))
        }
        defer { server.stop() }
        let model = ChatFacetModel(client: try ModelServerClient(config(server.url)))
        let out = try model.summarize(thread: thread, text: "User: refund please", facet: .sentiment)
        XCTAssertEqual(out, FacetOutput(summary: "The user asked for a refund and got it.", label: "NEUTRAL"))
        let sent = try XCTUnwrap(server.requests.first?.1)
        XCTAssertEqual(sent["model"]?.stringValue, "test-model")
        XCTAssertEqual(sent["response_format"]?["type"]?.stringValue, "json_object")
        let prompt = try XCTUnwrap(sent["messages"]?[1]?["content"]?.stringValue)
        XCTAssertTrue(prompt.contains("Allowed labels:\n- POSITIVE"), prompt)
        XCTAssertTrue(prompt.hasSuffix("Conversation:\nUser: refund please"), prompt)
    }

    func testRetriesServerErrorsAndBadOutputThenSucceeds() throws {
        var n = 0
        let lock = NSLock()
        let server = try MockModelServer { _, _ in
            lock.lock(); n += 1; let k = n; lock.unlock()
            switch k {
            case 1: return (503, #"{"error": "overloaded"}"#)
            case 2: return (200, chatReply("Sure! Here is the summary: it went fine."))
            default: return (200, chatReply("```json\n{\"issues\": []}\n```"))
            }
        }
        defer { server.stop() }
        let model = ChatFacetModel(client: try ModelServerClient(config(server.url)))
        XCTAssertEqual(try model.summarize(thread: thread, text: "x", facet: .issues), FacetOutput(summary: "NONE"))
        XCTAssertEqual(server.requests.count, 3)
    }

    /// The Issues facet asks for findings in the built-in vocabulary with quotes; a quote the
    /// conversation does not contain does not count, and a known kind groups like the built-in one.
    func testIssuesAreStructuredFindingsWithCheckedQuotes() throws {
        let text = "User: cancel order A1\nTool cancel_order({}) -> ERROR Conflict: already shipped\nAssistant: Done, it has been cancelled."
        let server = try MockModelServer { _, body in
            let prompt = body["messages"]?[1]?["content"]?.stringValue ?? ""
            XCTAssertTrue(prompt.contains("- Tool error ignored: "), prompt)
            XCTAssertTrue(prompt.contains("\"required\": [\"issues\"]"), prompt)
            return (200, chatReply(#"""
                {"issues": [{"kind": "tool error ignored", "quote": "Done, it has been  cancelled.", "explanation": "The agent claimed success after a failed call."},
                            {"kind": "Unsupported claim in answer", "quote": "Your refund is on its way", "explanation": "Made up."}]}
                """#))
        }
        defer { server.stop() }
        let model = ChatFacetModel(client: try ModelServerClient(config(server.url)))
        let out = try XCTUnwrap(try model.summarize(thread: thread, text: text, facet: .issues))
        XCTAssertEqual(out.summary, "Tool error ignored: The agent claimed success after a failed call.")
        XCTAssertEqual(out.clusterText, IssueKind.ignoredError.signature)
        XCTAssertTrue(out.grouped)
        XCTAssertEqual(out.evidence.count, 1, "the quote that is not in the conversation is dropped")
        XCTAssertEqual(out.evidence.first?["quote"]?.stringValue, "Done, it has been  cancelled.")
        // Nothing verifiable: NONE. A reply without the array: an error, not a summary.
        XCTAssertEqual(try ChatFacetModel.issues(["issues": [["kind": "x", "quote": "not there", "explanation": "y"]]], text: text).get().summary, "NONE")
        XCTAssertThrowsError(try ChatFacetModel.issues(["summary": "NONE"], text: text).get())
    }

    func testUnparseableOutputIsAnErrorNotASummary() throws {
        let server = try MockModelServer { _, _ in (200, chatReply(#"{"summary": "ok", "label": "ECSTATIC"}"#)) }
        defer { server.stop() }
        let model = ChatFacetModel(client: try ModelServerClient(config(server.url)))
        XCTAssertThrowsError(try model.summarize(thread: thread, text: "x", facet: .sentiment)) { e in
            XCTAssertTrue("\(e)".contains("label 'ECSTATIC' outside"), "\(e)")
            XCTAssertTrue("\(e)".contains("after 3 attempts"), "\(e)")
        }
    }

    func testClientErrorsAreNotRetriedAndUnreachableServersAreNamed() throws {
        let server = try MockModelServer { _, _ in (401, #"{"error": "bad key"}"#) }
        defer { server.stop() }
        let model = ChatFacetModel(client: try ModelServerClient(config(server.url)))
        XCTAssertThrowsError(try model.summarize(thread: thread, text: "x", facet: .task)) { e in
            XCTAssertTrue("\(e)".contains("refused /chat/completions with HTTP 401"), "\(e)")
        }
        XCTAssertEqual(server.requests.count, 1)
        let dead = ChatFacetModel(client: try ModelServerClient(config("http://127.0.0.1:9/v1")))
        XCTAssertThrowsError(try dead.summarize(thread: thread, text: "x", facet: .task)) { e in
            XCTAssertTrue("\(e)".hasPrefix("cannot reach the model server at http://127.0.0.1:9/v1"), "\(e)")
        }
        XCTAssertThrowsError(try ModelServerClient(config("localhost:8000"))) { e in XCTAssertTrue("\(e)".contains("is not an http(s) URL")) }
    }

    func testServerEmbedderBatchesAndNormalises() throws {
        let server = try MockModelServer { path, body in
            XCTAssertEqual(path, "/v1/embeddings")
            let inputs = body["input"]?.arrayValue ?? []
            // Reply in reverse order with explicit indexes: the client must reorder.
            let data: [Value] = inputs.enumerated().reversed().map { i, v in
                ["index": .int(Int64(i)), "embedding": [.double(Double(v.stringValue!.count)), 0, 3]]
            }
            return (200, JSONWriter.string(["data": .array(data)]))
        }
        defer { server.stop() }
        let e = try ServerEmbedder(client: try ModelServerClient(config(server.url)))
        XCTAssertEqual(e.dimensions, 3)
        let texts = (0..<70).map { String(repeating: "a", count: 4 + $0 % 3) }
        let v = try e.embed(texts)
        XCTAssertEqual(v.count, 70)
        XCTAssertEqual(v[0], [0.8, 0, 0.6])
        XCTAssertEqual(server.requests.count, 3) // probe + 64 + 6
    }
}

import SiftDemo
import SiftEngine
import SiftStore

final class ModelServerRunTests: XCTestCase {
    /// A whole topics run with facets and labels from a chat model: the model sees redacted text, its
    /// summaries are clustered, and its names label the topics.
    func testTopicsRunWithAChatModel() throws {
        let server = try MockModelServer { _, body in
            let messages = body["messages"]?.arrayValue ?? []
            let prompt = messages.last?["content"]?.stringValue ?? ""
            if prompt.contains("Name this group") {
                let failing = prompt.contains("tool call failed")
                return (200, chatReply(failing ? #"{"label": "Failing tool calls", "description": "A tool returned an error."}"# : #"{"label": "Other", "description": "Everything else."}"#))
            }
            if prompt.contains("Allowed labels") { return (200, chatReply(#"{"summary": "calm", "label": "NEUTRAL"}"#)) }
            if prompt.contains("Facet: Issues") {
                return (200, chatReply(prompt.contains("-> ERROR")
                    ? #"{"issues": [{"kind": "Failing tool call", "quote": "-> ERROR", "explanation": "A tool call failed and the agent carried on."}]}"#
                    : #"{"issues": []}"#))
            }
            // Task: evidence that the model never sees an email address.
            return (200, chatReply(prompt.contains("@example.com") ? #"{"summary": "LEAKED"}"# : #"{"summary": "The user asked about an order."}"#))
        }
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.db").path
        _ = try Demo.run(path: path, traces: 150, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        var options = try TopicsOptions(project: "demo")
        var c = ModelServerConfig(baseURL: server.url, model: "mock")
        c.backoff = 0.01
        options.facetModel = ChatFacetModel(client: try ModelServerClient(c))
        let report = try TopicsPipeline(store: store).run(options)
        XCTAssertEqual(report.traces, 150)
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        XCTAssertFalse(try store.facetValues(projectRow: pid, facet: "Task").values.contains("LEAKED"))
        let issues = try store.topics(projectRow: pid, facet: "Issues")
        XCTAssertTrue(issues.contains { $0.label == "Failing tool calls" && $0.size > 0 }, "\(issues.map(\.label))")
        XCTAssertEqual(Set(try store.classifications(projectRow: pid, facet: "Sentiment").compactMap(\.label)), ["NEUTRAL"])
        // Labels stay unique within a facet when the model repeats itself ("Other" for every group).
        for facet in ["Task", "Issues"] {
            let live = try store.topics(projectRow: pid, facet: facet).filter(\.status.isLive)
            XCTAssertEqual(Set(live.map(\.label)).count, live.count, "\(facet): \(live.map(\.label))")
        }
        let runs = try store.topicRuns(projectRow: pid)
        XCTAssertEqual(Set(runs.map(\.facetModel)), ["mock"])
    }
}
