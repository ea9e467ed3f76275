import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

/// LangSmith (LangChain) run exports (issue 17).
final class LangSmithIngestTests: XCTestCase {
    static let root = "1b64098b-4ab7-43f6-afee-992304f198d8"
    static let llm = "809ed3a2-0172-4f4d-8a02-a64e9b7a0f8a"
    static let tool = "c8d9f4c5-6c5a-4b2d-9b1c-3d9d7a7c5c7c"
    static let retriever = "5e1f7c4a-2b9d-4c8e-a1f3-7d6b2e9c0a14"

    /// A chain with an llm, a failing tool and a retriever (which names its trace only by its dotted
    /// order), written as `Client.list_runs` gives them, and one run without a start time.
    static let runs = [
        #"{"id": "\#(root)", "name": "AgentExecutor", "run_type": "chain", "start_time": "2024-05-01T12:00:00.000000", "end_time": "2024-05-01T12:00:04.500000", "inputs": {"input": "weather in Paris?"}, "outputs": {"output": "It is 18C."}, "error": null, "extra": {"metadata": {"user_id": "u-7", "revision_id": "v3"}, "runtime": {"sdk": "langsmith-py"}}, "tags": ["prod"], "parent_run_id": null, "trace_id": "\#(root)", "dotted_order": "20240501T120000000000Z\#(root)", "session_id": "s-1", "status": "success", "child_run_ids": ["\#(llm)", "\#(tool)"], "total_tokens": 140, "total_cost": 0.0021}"#,
        #"{"id": "\#(llm)", "name": "ChatOpenAI", "run_type": "llm", "start_time": "2024-05-01T12:00:00.100000", "end_time": "2024-05-01T12:00:01.300000", "inputs": {"messages": [[{"type": "human", "content": "weather in Paris?"}]]}, "outputs": {"generations": [[{"text": "", "type": "ChatGeneration"}]]}, "extra": {"invocation_params": {"temperature": 0}, "metadata": {"ls_model_name": "gpt-4o-mini", "ls_provider": "openai", "user_id": "u-7"}}, "parent_run_id": "\#(root)", "trace_id": "\#(root)", "prompt_tokens": 120, "completion_tokens": 20, "total_tokens": 140, "status": "success", "tags": []}"#,
        #"{"id": "\#(tool)", "name": "get_weather", "run_type": "tool", "start_time": 1714564801400, "end_time": 1714564802400, "inputs": {"input": "Paris"}, "outputs": null, "error": "TimeoutError: weather API did not answer", "parent_run_id": "\#(root)", "trace_id": "\#(root)", "status": "error"}"#,
        #"{"id": "\#(retriever)", "name": "VectorStoreRetriever", "run_type": "retriever", "start_time": "2024-05-01T12:00:03Z", "end_time": "2024-05-01T12:00:03.250Z", "inputs": {"query": "Paris climate"}, "outputs": {"documents": [{"page_content": "Mild."}]}, "parent_run_id": "\#(root)", "dotted_order": "20240501T120000000000Z\#(root).20240501T120003000000Z\#(retriever)"}"#,
        #"{"id": "ffffffff-0000-0000-0000-000000000000", "name": "broken", "run_type": "chain", "inputs": {}, "parent_run_id": null}"#,
    ]

    func testLangSmithRunsBecomeATrace() throws {
        let dir = TempDir()
        try ingestAsLinesAndArray(Self.runs, in: dir, name: "runs", project: "ls") { path, store, run, line in
            XCTAssertEqual(run.summary.formats[path], .langsmith, path)
            XCTAssertEqual(run.summary.spans, 4, path)
            XCTAssertEqual(run.rejects, ["\(path):\(line(5)): start_time: missing or not a time"])

            let trace = try store.trace(id: Self.root)
            XCTAssertEqual(trace.spans.count, 4)
            let root = trace.root
            XCTAssertEqual(root.id, Self.root)
            XCTAssertEqual(root.type, "task")
            XCTAssertEqual(root.name, "AgentExecutor")
            XCTAssertEqual(root.created, Timestamp(iso8601: "2024-05-01T12:00:00Z"))
            XCTAssertEqual(try XCTUnwrap(root.duration), 4.5, accuracy: 1e-6)
            XCTAssertEqual(root.input, ["input": "weather in Paris?"])
            XCTAssertEqual(root.output, ["output": "It is 18C."])
            XCTAssertEqual(root.tags, ["prod"])
            XCTAssertEqual(root.metadata["user_id"], .string("u-7"))
            XCTAssertEqual(root.metadata["runtime"], ["sdk": "langsmith-py"])
            XCTAssertEqual(root.metadata["session_id"], .string("s-1"))
            XCTAssertEqual(root.metadata["status"], .string("success"))
            XCTAssertEqual(root.metadata["total_cost"], .double(0.0021))
            XCTAssertEqual(root.metadata["run_type"], .string("chain"))
            XCTAssertNil(root.metadata["child_run_ids"])
            XCTAssertTrue(root.error.isNull)

            func span(_ id: String) throws -> Span { try XCTUnwrap(trace.spans.first { $0.id == id }) }
            let llm = try span(Self.llm)
            XCTAssertEqual(llm.type, "llm")
            XCTAssertEqual(llm.spanParents, [Self.root])
            XCTAssertEqual(llm.rootSpanID, Self.root)
            XCTAssertEqual(llm.input["messages"]?[0]?[0]?["content"], .string("weather in Paris?"))
            XCTAssertEqual(llm.metadata["model"], .string("gpt-4o-mini"))
            XCTAssertEqual(llm.metadata["provider"], .string("openai"))
            XCTAssertEqual(llm.metadata["invocation_params"], ["temperature": 0])
            XCTAssertEqual(llm.metrics["prompt_tokens"], .int(120))
            XCTAssertEqual(llm.metrics["completion_tokens"], .int(20))
            XCTAssertEqual(try XCTUnwrap(llm.duration), 1.2, accuracy: 1e-6)

            let tool = try span(Self.tool)
            XCTAssertEqual(tool.type, "tool")
            XCTAssertEqual(tool.created, Timestamp(iso8601: "2024-05-01T12:00:01.400Z"), "epoch milliseconds, as the JS SDK writes")
            XCTAssertEqual(tool.error, .string("TimeoutError: weather API did not answer"))
            XCTAssertTrue(tool.output.isNull)

            let retriever = try span(Self.retriever)
            XCTAssertEqual(retriever.type, "function")
            XCTAssertEqual(retriever.rootSpanID, Self.root, "the dotted order names the trace")
            XCTAssertEqual(retriever.metadata["run_type"], .string("retriever"))
            XCTAssertEqual(retriever.output["documents"]?[0]?["page_content"], .string("Mild."))
            XCTAssertEqual(try store.db.scalarInt("SELECT has_error FROM spans WHERE id = '\(Self.tool)'"), 1)
        }
    }
}
