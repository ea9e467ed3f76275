import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

/// OpenAI Agents SDK trace exports: trace and span items (issue 17).
final class OpenAIAgentsIngestTests: XCTestCase {
    static let trace = "trace_0af7651916cd43dd8448eb211c80319c"

    /// A triage agent that hands off to a refund agent, in the order the SDK exports items: the trace
    /// when it starts, each span when it ends. One span has no start time.
    static let items: [String] = {
        func span(_ id: String, parent: String?, _ start: String, _ end: String, _ data: String, error: String = "null") -> String {
            #"{"object": "trace.span", "id": "\#(id)", "trace_id": "\#(trace)", "parent_id": \#(parent.map { "\"\($0)\"" } ?? "null"), "started_at": "2025-03-11T12:00:\#(start)+00:00", "ended_at": "2025-03-11T12:00:\#(end)+00:00", "span_data": \#(data), "error": \#(error)}"#
        }
        return [
            #"{"object": "trace", "id": "\#(trace)", "workflow_name": "Customer service", "group_id": "conv_42", "metadata": {"user": "u-9"}}"#,
            span("span_gen1", parent: "span_triage", "00.100000", "01.500000",
                 #"{"type": "generation", "input": [{"role": "user", "content": "refund order A1"}], "output": [{"role": "assistant", "content": "Handing you to refunds."}], "model": "gpt-4o", "model_config": {"temperature": 0.2}, "usage": {"input_tokens": 50, "output_tokens": 12}}"#),
            span("span_handoff", parent: "span_triage", "01.600000", "01.700000", #"{"type": "handoff", "from_agent": "Triage Agent", "to_agent": "Refund Agent"}"#),
            span("span_triage", parent: nil, "00.000000", "02.000000", #"{"type": "agent", "name": "Triage Agent", "handoffs": ["Refund Agent"], "tools": [], "output_type": "str"}"#),
            span("span_guard", parent: "span_refund", "02.200000", "02.300000", #"{"type": "guardrail", "name": "pii_check", "triggered": false}"#),
            span("span_fn1", parent: "span_refund", "02.400000", "03.000000", #"{"type": "function", "name": "lookup_order", "input": "{\"order_id\": \"A1\"}", "output": null}"#,
                 error: #"{"message": "Error running tool", "data": {"tool_name": "lookup_order", "error": "timeout"}}"#),
            span("span_fn2", parent: "span_refund", "03.100000", "04.000000", #"{"type": "function", "name": "refund_order", "input": "{\"order_id\": \"A1\"}", "output": "{\"status\": \"refunded\"}", "mcp_data": null}"#),
            #"{"object": "trace.span", "id": "span_bad", "trace_id": "\#(trace)", "parent_id": null, "span_data": {"type": "custom", "name": "x", "data": {}}}"#,
            span("span_refund", parent: nil, "02.100000", "05.000000", #"{"type": "agent", "name": "Refund Agent", "handoffs": [], "tools": ["lookup_order", "refund_order"], "output_type": "str"}"#),
        ]
    }()

    func check(_ store: Store, file: String, workflow: Bool = true) throws {
        let trace = try store.trace(id: Self.trace)
        XCTAssertEqual(trace.spans.count, 8, file)  // the root and seven spans
        let root = trace.root
        XCTAssertEqual(root.id, Self.trace)
        XCTAssertEqual(root.type, "task")
        XCTAssertEqual(root.created, Timestamp(iso8601: "2025-03-11T12:00:00Z"), "the earliest span starts the trace")
        XCTAssertEqual(try XCTUnwrap(root.duration), 5.0, accuracy: 1e-6)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE is_root"), 1)
        if workflow {
            XCTAssertEqual(root.name, "Customer service")
            XCTAssertEqual(root.metadata["group_id"], .string("conv_42"))
            XCTAssertEqual(root.metadata["user"], .string("u-9"))
        } else {
            XCTAssertEqual(root.name, "trace")
        }
        func span(_ id: String) throws -> Span { try XCTUnwrap(trace.spans.first { $0.id == id }, id) }
        let triage = try span("span_triage"), refund = try span("span_refund")
        XCTAssertEqual(triage.spanParents, [Self.trace], "top-level spans hang under the trace")
        XCTAssertEqual(refund.spanParents, [Self.trace])
        XCTAssertEqual(triage.type, "task")
        XCTAssertEqual(triage.name, "Triage Agent")
        XCTAssertEqual(triage.metadata["agent"], .string("Triage Agent"))
        XCTAssertEqual(triage.metadata["handoffs"], ["Refund Agent"])
        XCTAssertEqual(refund.metadata["tools"], ["lookup_order", "refund_order"])
        XCTAssertEqual(try XCTUnwrap(refund.duration), 2.9, accuracy: 1e-6)

        let gen = try span("span_gen1")
        XCTAssertEqual(gen.type, "llm")
        XCTAssertEqual(gen.name, "gpt-4o")
        XCTAssertEqual(gen.spanParents, ["span_triage"])
        XCTAssertEqual(gen.rootSpanID, Self.trace)
        XCTAssertEqual(gen.created, Timestamp(iso8601: "2025-03-11T12:00:00.100Z"))
        XCTAssertEqual(gen.input[0]?["content"], .string("refund order A1"))
        XCTAssertEqual(gen.output[0]?["content"], .string("Handing you to refunds."))
        XCTAssertEqual(gen.metadata["model"], .string("gpt-4o"))
        XCTAssertEqual(gen.metadata["model_config"], ["temperature": 0.2])
        XCTAssertEqual(gen.metrics["prompt_tokens"], .int(50))
        XCTAssertEqual(gen.metrics["completion_tokens"], .int(12))
        XCTAssertEqual(gen.metrics["total_tokens"], .int(62))

        let handoff = try span("span_handoff")
        XCTAssertEqual(handoff.name, "handoff to Refund Agent")
        XCTAssertEqual(handoff.metadata["from_agent"], .string("Triage Agent"))
        XCTAssertEqual(handoff.metadata["span_data.type"], .string("handoff"))
        XCTAssertEqual(try span("span_guard").metadata["triggered"], .bool(false))

        let failed = try span("span_fn1"), refunded = try span("span_fn2")
        XCTAssertEqual(failed.type, "tool")
        XCTAssertEqual(failed.input, ["order_id": "A1"])
        XCTAssertEqual(failed.error["data"]?["error"], .string("timeout"))
        XCTAssertEqual(refunded.output, ["status": "refunded"])
        XCTAssertTrue(refunded.error.isNull)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE has_error"), 1)
    }

    func testAgentsSDKExportInEveryLayout() throws {
        let dir = TempDir()
        try ingestAsLinesAndArray(Self.items, in: dir, name: "items", project: "agents") { path, store, run, line in
            XCTAssertEqual(run.summary.formats[path], .openaiAgents, path)
            XCTAssertEqual(run.summary.records, Self.items.count)
            XCTAssertEqual(run.rejects, ["\(path):\(line(8)): started_at: missing or not a time"])
            try check(store, file: path)
        }
        // The batches the SDK posts, one per line: a bad item is rejected alone, with its own text.
        let batches = dir.write("batches.jsonl", [Array(Self.items[..<4]), Array(Self.items[4...])].map { "{\"data\": [" + $0.joined(separator: ", ") + "]}" }.joined(separator: "\n"))
        let store = try Store(path: dir.path("batches.db"))
        let run = try ingest(store, [batches], project: "agents", rejectsPath: dir.path("rejects.jsonl"))
        XCTAssertEqual(run.summary.formats[batches], .openaiAgents)
        XCTAssertEqual(run.rejects, ["\(batches):2: data[3].started_at: missing or not a time"])
        let kept = try JSONReader.parse(String(contentsOfFile: dir.path("rejects.jsonl"), encoding: .utf8).split(separator: "\n")[0].description)
        XCTAssertEqual(try JSONReader.parse(try XCTUnwrap(kept["record"]?.stringValue))["id"], .string("span_bad"))
        try check(store, file: batches)
    }

    /// Without its trace item, a trace still has one root, timed by its spans.
    func testSpansWithoutTheirTraceItem() throws {
        let dir = TempDir()
        let file = dir.write("spans.jsonl", Self.items.dropFirst().joined(separator: "\n"))
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], project: "agents")
        XCTAssertEqual(run.summary.formats[file], .openaiAgents)
        try check(store, file: file, workflow: false)
    }
}
