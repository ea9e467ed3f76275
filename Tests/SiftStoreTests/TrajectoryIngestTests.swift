import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

final class TrajectoryIngestTests: XCTestCase {
    func testSmallTrajectoryBecomesATree() throws {
        let dir = TempDir()
        let file = dir.write("runs.json", """
            [{"task_id": 7, "reward": 1.0, "traj": [
              {"role": "system", "content": "policy"},
              {"role": "user", "content": "cancel my booking"},
              {"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "get_booking", "arguments": "{\\"id\\": \\"B1\\"}"}},
                {"id": "c2", "type": "function", "function": {"name": "cancel", "arguments": "{}"}}]},
              {"role": "tool", "tool_call_id": "c1", "name": "get_booking", "content": "{\\"id\\": \\"B1\\"}"},
              {"role": "tool", "tool_call_id": "c2", "name": "cancel", "content": "Error: not allowed"},
              {"role": "assistant", "content": null, "tool_calls": [
                {"id": "c3", "type": "function", "function": {"name": "cancel", "arguments": "{}"}}]},
              {"role": "tool", "tool_call_id": "c3", "name": "cancel", "content": "{\\"status\\": \\"error\\", \\"code\\": \\"LOCKED\\"}"},
              {"role": "assistant", "content": "I could not cancel it."}
            ]},
            [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
            {"task_id": 8, "traj": "oops"}
            ]
            """)
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], project: "tau")
        XCTAssertEqual(run.summary.formats[file], .trajectories)
        XCTAssertEqual(run.summary.records, 3)
        XCTAssertEqual(run.summary.rejected, 1)
        XCTAssertTrue(run.rejects[0].contains(":15: traj: a run needs a list of messages"), run.rejects[0])
        let roots = try store.spans(project: "tau").filter(\.isRoot)
        XCTAssertEqual(roots.count, 2)
        let trace = try store.trace(id: roots[0].id)
        XCTAssertEqual(trace.root.metadata["task_id"], .int(7))
        XCTAssertEqual(trace.root.metadata["reward"], .double(1.0))
        XCTAssertEqual(trace.root.output, .string("I could not cancel it."))
        let llm = trace.spans.filter { $0.type == "llm" }
        let tools = trace.spans.filter { $0.type == "tool" }
        XCTAssertEqual(llm.count, 3)
        XCTAssertEqual(tools.map(\.name), ["get_booking", "cancel", "cancel"])
        XCTAssertEqual(tools[0].input, ["id": "B1"])
        XCTAssertEqual(tools[0].output, .string(#"{"id": "B1"}"#))
        XCTAssertEqual(tools[1].error, .string("Error: not allowed"))
        XCTAssertEqual(tools[2].error, ["status": "error", "code": "LOCKED"], "a failure the result reports in-band is the span's error")
        XCTAssertEqual(tools[2].output, .string(#"{"status": "error", "code": "LOCKED"}"#), "and the result stays as it came")
        XCTAssertEqual(tools[0].error, .null)
        XCTAssertEqual(tools[0].spanParents, [llm[0].id], "a tool span hangs under the turn that called it")
        // Same file again: same ids, nothing new.
        _ = try ingest(store, [file], project: "tau")
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans"), run.summary.spans)
    }

    /// The real tau-bench runs: 200 traces, every tool call a span, rewards in root metadata.
    func testRealTauBenchRuns() throws {
        guard let path = sharedData("tau-bench/gpt-4o-airline.json") else {
            throw XCTSkip("../shared/data/tau-bench/gpt-4o-airline.json is absent: skipping the real tau-bench ingest")
        }
        let raw = try JSONReader.parse(Array(FileManager.default.contents(atPath: path)!))
        let runs = try XCTUnwrap(raw.arrayValue)
        var expectedToolCalls = 0, expectedTurns = 0, failed = 0
        for r in runs {
            for m in r["traj"]?.arrayValue ?? [] where m["role"] == .string("assistant") {
                expectedTurns += 1
                expectedToolCalls += m["tool_calls"]?.arrayValue?.count ?? 0
            }
            if r["reward"]?.doubleValue == 0 { failed += 1 }
        }
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [path], project: "tau")
        XCTAssertEqual(run.summary.formats[path], .trajectories)
        XCTAssertEqual(run.summary.rejected, 0)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE is_root"), 200)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE span_type = 'tool'"), expectedToolCalls)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE span_type = 'llm'"), expectedTurns)
        // Metadata read as the store gives it back (the stored text may be compressed).
        let roots = try store.spans(project: "tau").filter { $0.spanParents.isEmpty }
        XCTAssertEqual(roots.filter { $0.metadata["reward"]?.doubleValue == 0 }.count, failed)
        XCTAssertEqual(failed, 116)
        XCTAssertEqual(Set(roots.compactMap { $0.metadata["task_id"].map { JSONWriter.string($0) } }).count, 50)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE span_type = 'tool' AND output IS NULL"), 0, "every call got its result")
    }
}
