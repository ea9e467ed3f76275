import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

/// OTLP spans as OpenLLMetry (Traceloop) writes them: indexed prompt and completion attributes,
/// traceloop span kinds and entity input/output, the older token names (issue 17).
final class OpenLLMetryIngestTests: XCTestCase {
    static func attr(_ key: String, _ value: String) -> String { #"{"key":"\#(key)","value":{"stringValue":"\#(value)"}}"# }
    static func attr(_ key: String, int value: Int) -> String { #"{"key":"\#(key)","value":{"intValue":"\#(value)"}}"# }

    static let request: String = {
        let trace = "0af7651916cd43dd8448eb211c80319c"
        func span(_ id: String, parent: String?, name: String, start: Int, kind: Int = 1, _ attrs: [String]) -> String {
            let p = parent.map { #","parentSpanId":"\#($0)""# } ?? ""
            return #"{"traceId":"\#(trace)","spanId":"\#(id)"\#(p),"name":"\#(name)","kind":\#(kind),"startTimeUnixNano":"\#(1_718_000_000_000_000_000 + start * 1_000_000)","endTimeUnixNano":"\#(1_718_000_000_000_000_000 + start * 1_000_000 + 900_000)","attributes":[\#(attrs.joined(separator: ","))],"status":{"code":0}}"#
        }
        let workflow = span("b7ad6b7169203331", parent: nil, name: "joke_generator.workflow", start: 0, [
            attr("traceloop.span.kind", "workflow"), attr("traceloop.entity.name", "joke_generator"),
            attr("traceloop.workflow.name", "joke_generator"),
            attr("traceloop.entity.input", #"{\"args\": [], \"kwargs\": {\"topic\": \"otters\"}}"#),
            attr("traceloop.entity.output", #"\"Why do otters hold hands? To stay together.\""#)])
        let task = span("c7ad6b7169203331", parent: "b7ad6b7169203331", name: "create_joke.task", start: 1, [
            attr("traceloop.span.kind", "task"), attr("traceloop.entity.name", "create_joke"),
            attr("traceloop.entity.input", #"{\"args\": [\"otters\"], \"kwargs\": {}}"#)])
        // Messages written out of index order, and past index 9: they come back in number order.
        let chat = span("d7ad6b7169203331", parent: "c7ad6b7169203331", name: "openai.chat", start: 2, kind: 3, [
            attr("llm.request.type", "chat"), attr("gen_ai.system", "openai"), attr("gen_ai.request.model", "gpt-4o-mini"),
            attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            attr("gen_ai.prompt.1.role", "user"), attr("gen_ai.prompt.1.content", "Tell me a joke about otters"),
            attr("gen_ai.prompt.0.role", "system"), attr("gen_ai.prompt.0.content", "You are funny."),
            attr("gen_ai.prompt.10.role", "tool"), attr("gen_ai.prompt.10.content", "{\\\"facts\\\": 3}"), attr("gen_ai.prompt.10.tool_call_id", "call_0"),
            attr("gen_ai.prompt.2.role", "assistant"),
            attr("gen_ai.prompt.2.tool_calls.0.id", "call_0"), attr("gen_ai.prompt.2.tool_calls.0.name", "otter_facts"),
            attr("gen_ai.prompt.2.tool_calls.0.arguments", "{}"),
            attr("gen_ai.completion.0.role", "assistant"), attr("gen_ai.completion.0.finish_reason", "tool_calls"),
            attr("gen_ai.completion.0.tool_calls.1.name", "rate_joke"), attr("gen_ai.completion.0.tool_calls.1.arguments", #"{\"stars\": 5}"#),
            attr("gen_ai.completion.0.tool_calls.0.id", "call_1"), attr("gen_ai.completion.0.tool_calls.0.name", "tell"),
            attr("gen_ai.completion.0.tool_calls.0.arguments", #"{\"text\": \"Why do otters...\"}"#),
            attr("gen_ai.usage.prompt_tokens", int: 812), attr("gen_ai.usage.completion_tokens", int: 41),
            attr("llm.usage.total_tokens", int: 853), #"{"key":"llm.is_streaming","value":{"boolValue":false}}"#])
        let tool = span("e7ad6b7169203331", parent: "c7ad6b7169203331", name: "rate_joke.tool", start: 3, [
            attr("traceloop.span.kind", "tool"), attr("traceloop.entity.name", "rate_joke"),
            attr("traceloop.entity.input", #"{\"args\": [], \"kwargs\": {\"stars\": 5}}"#),
            attr("traceloop.entity.output", "not json: five stars")])
        return #"{"resourceSpans":[{"resource":{"attributes":[\#(attr("service.name", "joke-service"))]},"scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.openai.v1","version":"0.33.0"},"spans":[\#([workflow, task, chat, tool].joined(separator: ","))]}]}]}"#
    }()

    func testMapsOpenLLMetryAttributes() throws {
        let dir = TempDir()
        let file = dir.write("traceloop.jsonl", Self.request + "\n")
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.formats[file], .otlp)
        XCTAssertEqual(run.summary.rejected, 0, "\(run.rejects)")
        XCTAssertEqual(run.summary.spansByProject, ["joke-service": 4])
        let trace = try store.trace(id: "0af7651916cd43dd8448eb211c80319c")
        func span(_ id: String) throws -> Span { try XCTUnwrap(trace.spans.first { $0.spanID == id }) }

        let workflow = try span("b7ad6b7169203331")
        XCTAssertTrue(workflow.isRoot)
        XCTAssertEqual(workflow.type, "task")
        XCTAssertEqual(workflow.name, "joke_generator.workflow")
        XCTAssertEqual(workflow.input, ["args": [], "kwargs": ["topic": "otters"]])
        XCTAssertEqual(workflow.output, .string("Why do otters hold hands? To stay together."))
        XCTAssertEqual(workflow.metadata["traceloop.entity.name"], .string("joke_generator"))
        XCTAssertEqual(workflow.metadata["traceloop.workflow.name"], .string("joke_generator"))

        let task = try span("c7ad6b7169203331")
        XCTAssertEqual(task.type, "task")
        XCTAssertEqual(task.spanParents, ["b7ad6b7169203331"])
        XCTAssertEqual(task.input["args"]?[0], .string("otters"))
        XCTAssertTrue(task.output.isNull)

        let chat = try span("d7ad6b7169203331")
        XCTAssertEqual(chat.type, "llm")
        XCTAssertEqual(chat.spanParents, ["c7ad6b7169203331"])
        XCTAssertEqual(chat.created, Timestamp(nanoseconds: 1_718_000_000_002_000_000))
        XCTAssertEqual(try XCTUnwrap(chat.duration), 0.0009, accuracy: 1e-6)
        XCTAssertEqual(chat.input.arrayValue?.map { $0["role"] }, ["system", "user", "assistant", "tool"])
        XCTAssertEqual(chat.input[1]?["content"], .string("Tell me a joke about otters"))
        XCTAssertEqual(chat.input[2]?["tool_calls"]?[0]?["function"]?["name"], .string("otter_facts"))
        XCTAssertEqual(chat.input[3]?["tool_call_id"], .string("call_0"))
        XCTAssertEqual(chat.output.arrayValue?.count, 1)
        XCTAssertEqual(chat.output[0]?["finish_reason"], .string("tool_calls"))
        XCTAssertEqual(chat.output[0]?["tool_calls"], [
            ["id": "call_1", "type": "function", "function": ["name": "tell", "arguments": #"{"text": "Why do otters..."}"#]],
            ["type": "function", "function": ["name": "rate_joke", "arguments": #"{"stars": 5}"#]]])
        XCTAssertEqual(chat.metrics["prompt_tokens"], .int(812))
        XCTAssertEqual(chat.metrics["completion_tokens"], .int(41))
        XCTAssertEqual(chat.metrics["total_tokens"], .int(853))
        XCTAssertEqual(chat.metadata["model"], .string("gpt-4o-mini"))
        XCTAssertEqual(chat.metadata["response_model"], .string("gpt-4o-mini-2024-07-18"))
        XCTAssertEqual(chat.metadata["provider"], .string("openai"))
        XCTAssertEqual(chat.metadata["llm.is_streaming"], .bool(false))
        XCTAssertEqual(chat.metadata["otel.scope.name"], .string("opentelemetry.instrumentation.openai.v1"))

        let tool = try span("e7ad6b7169203331")
        XCTAssertEqual(tool.type, "tool")
        XCTAssertEqual(tool.input["kwargs"]?["stars"], .int(5))
        XCTAssertEqual(tool.output, .string("not json: five stars"))

        // What was mapped is consumed, not kept twice.
        for s in trace.spans {
            let left = s.metadata.keys.filter {
                $0.hasPrefix("gen_ai.prompt") || $0.hasPrefix("gen_ai.completion") || $0.hasPrefix("gen_ai.usage")
                    || ["traceloop.span.kind", "traceloop.entity.input", "traceloop.entity.output", "llm.request.type", "llm.usage.total_tokens"].contains($0)
            }
            XCTAssertEqual(left, [], s.spanID)
        }
        XCTAssertEqual(try count(store, "SELECT sum(total_tokens) FROM spans"), 853)
    }
}
