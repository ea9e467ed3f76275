import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

final class OTLPIngestTests: XCTestCase {
    /// An OTLP/JSON export with GenAI semantic conventions, OpenInference names, an error, and a bad span.
    static let request = """
    {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout-agent"}}]},
     "scopeSpans":[{"scope":{"name":"openai-instrumentation"},"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"invoke_agent support",
       "startTimeUnixNano":"1715785200000000000","endTimeUnixNano":"1715785203500000000",
       "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}}],"status":{}},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174","name":"chat gpt-4o",
       "startTimeUnixNano":"1715785200100000000","endTimeUnixNano":"1715785201100000000","kind":3,
       "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
        {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
        {"key":"gen_ai.usage.input_tokens","value":{"intValue":"812"}},
        {"key":"gen_ai.usage.output_tokens","value":{"intValue":41}},
        {"key":"gen_ai.input.messages","value":{"stringValue":"[{\\"role\\":\\"user\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"Where is my order?\\"}]}]"}},
        {"key":"gen_ai.output.messages","value":{"stringValue":"[{\\"role\\":\\"assistant\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"Checking.\\"}]}]"}},
        {"key":"server.address","value":{"stringValue":"api.openai.com"}},
        {"key":"gen_ai.request.temperature","value":{"doubleValue":0.2}}]},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b176","parentSpanId":"eee19b7ec3c1b174","name":"execute_tool lookup_order",
       "startTimeUnixNano":1715785201200000000,"endTimeUnixNano":1715785202200000000,
       "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}},
        {"key":"gen_ai.tool.name","value":{"stringValue":"lookup_order"}}],
       "status":{"code":2,"message":"orders-service timed out"},
       "events":[{"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"TimeoutError"}},{"key":"exception.message","value":{"stringValue":"timed out after 5000 ms"}}]}]},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b177","parentSpanId":"eee19b7ec3c1b174","name":"retrieve",
       "startTimeUnixNano":"1715785202300000000","endTimeUnixNano":"1715785202400000000",
       "attributes":[{"key":"openinference.span.kind","value":{"stringValue":"RETRIEVER"}},
        {"key":"input.value","value":{"stringValue":"refund policy"}},
        {"key":"output.value","value":{"stringValue":"{\\"documents\\":[\\"30 days\\"]}"}},
        {"key":"llm.token_count.prompt","value":{"intValue":"5"}},
        {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"2"}]}}}]},
      {"traceId":"5b8efff798038103d269b633813fc60c","name":"no span id","startTimeUnixNano":"1"}
     ]}]}]}
    """

    func testMapsGenAIAndOpenInferenceAttributes() throws {
        let dir = TempDir()
        let file = dir.write("otlp.json", Self.request)  // pretty-printed: one document over many lines
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file])
        XCTAssertEqual(run.summary.formats[file], .otlp)
        XCTAssertEqual(run.summary.spans, 4)
        XCTAssertEqual(run.summary.rejected, 1)
        XCTAssertTrue(run.rejects[0].contains("spans[4]: spanId: missing"), run.rejects[0])
        XCTAssertEqual(run.summary.spansByProject, ["checkout-agent": 4], "service.name names the project")

        let trace = try store.trace(id: "5b8efff798038103d269b633813fc60c")
        XCTAssertEqual(trace.spans.count, 4)
        let root = trace.root
        XCTAssertEqual(root.spanID, "eee19b7ec3c1b174")
        XCTAssertEqual(root.type, "task")
        XCTAssertEqual(root.duration, 3.5)
        XCTAssertEqual(root.created, Timestamp(nanoseconds: 1715785200000000000))

        let chat = try XCTUnwrap(trace.spans.first { $0.spanID == "eee19b7ec3c1b175" })
        XCTAssertEqual(chat.type, "llm")
        XCTAssertEqual(chat.spanParents, ["eee19b7ec3c1b174"])
        XCTAssertEqual(chat.metadata["model"], .string("gpt-4o"))
        XCTAssertEqual(chat.metrics["prompt_tokens"], .int(812))
        XCTAssertEqual(chat.metrics["completion_tokens"], .int(41))
        XCTAssertEqual(chat.metrics["total_tokens"], .int(853))
        XCTAssertEqual(chat.input[0]?["parts"]?[0]?["content"], .string("Where is my order?"))
        XCTAssertEqual(chat.output[0]?["role"], .string("assistant"))
        XCTAssertEqual(chat.metadata["server.address"], .string("api.openai.com"))
        XCTAssertEqual(chat.metadata["gen_ai.request.temperature"], .double(0.2))
        XCTAssertTrue(chat.error.isNull)

        let tool = try XCTUnwrap(trace.spans.first { $0.spanID == "eee19b7ec3c1b176" })
        XCTAssertEqual(tool.type, "tool")
        XCTAssertEqual(tool.metadata["tool_name"], .string("lookup_order"))
        XCTAssertEqual(tool.error["type"], .string("TimeoutError"))
        XCTAssertEqual(tool.error["message"], .string("timed out after 5000 ms"))

        let retriever = try XCTUnwrap(trace.spans.first { $0.spanID == "eee19b7ec3c1b177" })
        XCTAssertEqual(retriever.type, "function")
        XCTAssertEqual(retriever.metadata["openinference.span.kind"], .string("RETRIEVER"))
        XCTAssertEqual(retriever.input, .string("refund policy"))
        XCTAssertEqual(retriever.output["documents"]?[0], .string("30 days"))
        XCTAssertEqual(retriever.metrics["prompt_tokens"], .int(5))
        XCTAssertEqual(retriever.metadata["tags"], .array([.string("a"), .int(2)]))
        XCTAssertEqual(try store.db.scalarInt("SELECT has_error FROM span_text WHERE span_id = 'eee19b7ec3c1b176'"), 1)
    }

    func testOTLPJSONLinesAndProjectOverride() throws {
        let dir = TempDir()
        let compact = try JSONWriter.string(JSONReader.parse(Self.request))
        let second = compact.replacingOccurrences(of: "5b8efff798038103d269b633813fc60c", with: "00000000000000000000000000000001")
            .replacingOccurrences(of: "eee19b7ec3c1b17", with: "fff19b7ec3c1b17")
        let file = dir.write("otlp.jsonl", compact + "\n" + second + "\n")
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], project: "mine")
        XCTAssertEqual(run.summary.formats[file], .otlp)
        XCTAssertEqual(run.summary.spans, 8)
        XCTAssertEqual(run.summary.spansByProject, ["mine": 8])
        XCTAssertEqual(run.rejects.count, 2)
        XCTAssertTrue(run.rejects[1].hasPrefix(file + ":2: "), run.rejects[1])
    }

    /// A damaged first line loses only itself (issue 16: every line of the file was lost), whether the
    /// format is named or detected; detected, each line goes to the reader of its own kind.
    func testGarbageFirstLineLosesOnlyItself() throws {
        let dir = TempDir()
        let compact = try JSONWriter.string(JSONReader.parse(Self.request))
        let requests = (1...3).map { n in
            compact.replacingOccurrences(of: "5b8efff798038103d269b633813fc60c", with: "0000000000000000000000000000000\(n)")
                .replacingOccurrences(of: "eee19b7ec3c1b17", with: "ddd\(n)9b7ec3c1b17")
        }
        let file = dir.write("otlp.jsonl", "{not json at all\n" + requests.joined(separator: "\n") + "\n")
        for format in [IngestFormat.otlp, .auto] {
            let store = try Store(path: dir.path("s-\(format.rawValue).db"))
            let run = try ingest(store, [file], format: format)
            XCTAssertEqual(run.summary.formats[file], .otlp, "\(format)")
            XCTAssertEqual(run.summary.spans, 12, "\(format): the three good requests land")
            XCTAssertTrue(run.rejects.first?.hasPrefix(file + ":1: invalid JSON") == true, "\(run.rejects)")
        }
        // Spans and OTLP requests in one detected file: each line is read as what it is.
        let mixed = dir.write("mixed.jsonl", #"{"id":"s1","created":"2026-01-01T00:00:00Z","input":"hi"}"# + "\n" + requests[0] + "\n")
        let store = try Store(path: dir.path("m.db"))
        let run = try ingest(store, [mixed])
        XCTAssertEqual(run.summary.spans, 5)
        XCTAssertEqual(run.summary.rejected, 1, "the request's one bad span, as in testOTLPJSONLinesAndProjectOverride")
    }

    func testNotAnOTLPRequestIsRejectedClearly() throws {
        let dir = TempDir()
        let file = dir.write("x.jsonl", #"{"resourceSpans": 5}"# + "\n")
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], format: .otlp)
        XCTAssertEqual(run.rejects, [file + ":1: resourceSpans: expected an array, found a number"])
    }
}
