import Foundation
import XCTest
import SiftTestSupport
@testable import SiftModel
@testable import SiftStore

/// Chat transcripts whose messages sit under any key, spoken by users and by named agents (issue 17).
final class MultiAgentIngestTests: XCTestCase {
    /// A multi-agent log in the shape of Who&When's: run-level fields, and a `history` of
    /// `{role, content}` (or `{role, name, content}`) in which roles are agents' own names.
    static let run = #"""
    {"question": "What is 6 x 7?", "ground_truth": "42", "labels": ["math"], "mistake_agent": "Coder", "mistake_step": "2",
     "history": [
      {"role": "human", "content": "What is 6 x 7? Check it."},
      {"role": "Planner", "content": "Coder: compute it. critic: verify."},
      {"role": "assistant", "name": "Coder", "content": "6 x 7 = 48"},
      {"role": "user", "name": "Computer_terminal", "content": "exitcode: 0\n42"},
      {"role": "critic", "content": "The terminal says 42; Coder is wrong."},
      {"role": "Planner (thought)", "content": "Answer: 42. TERMINATE"}
     ]}
    """#

    func testMultiAgentLogBecomesATreeOfAgentTurns() throws {
        let dir = TempDir()
        let file = dir.write("run.json", Self.run)  // one object per file, pretty-printed
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, [file], project: "mas")
        XCTAssertEqual(run.summary.formats[file], .trajectories)
        XCTAssertEqual(run.summary.rejected, 0, "\(run.rejects)")
        XCTAssertEqual(run.summary.spans, 6)
        let root = try XCTUnwrap(try store.spans(project: "mas").first(where: \.isRoot))
        let trace = try store.trace(id: root.id)
        XCTAssertEqual(trace.root.type, "task")
        XCTAssertEqual(trace.root.metadata["question"], .string("What is 6 x 7?"))
        XCTAssertEqual(trace.root.metadata["ground_truth"], .string("42"))
        XCTAssertEqual(trace.root.metadata["labels"], .array([.string("math")]))
        XCTAssertEqual(trace.root.metadata["mistake_agent"], .string("Coder"))
        XCTAssertNil(trace.root.metadata["history"], "the message list is the input, not metadata")
        XCTAssertEqual(trace.root.metadata["agents"], .array(["Planner", "Coder", "Computer_terminal", "critic"].map(Value.string)))
        XCTAssertEqual(trace.root.input.arrayValue?.count, 6)
        XCTAssertEqual(trace.root.output, .string("Answer: 42. TERMINATE"))

        let turns = trace.spans.filter { !$0.isRoot }.sorted { $0.created < $1.created }
        XCTAssertEqual(turns.map(\.name), ["Planner", "Coder", "Computer_terminal", "critic", "Planner"])
        XCTAssertEqual(Set(turns.map(\.type)), ["llm"])
        XCTAssertEqual(turns.map { $0.metadata["agent"]?.stringValue }, ["Planner", "Coder", "Computer_terminal", "critic", "Planner"])
        XCTAssertEqual(turns.map { $0.metadata["message_index"] }, [1, 2, 3, 4, 5].map(Value.int))
        XCTAssertEqual(turns[4].metadata["role"], .string("Planner (thought)"))
        XCTAssertEqual(turns[1].metadata["role"], .string("assistant"))
        XCTAssertNil(turns[0].metadata["role"], "the role is the agent's name")
        for t in turns { XCTAssertEqual(t.spanParents, [root.id]); XCTAssertEqual(t.rootSpanID, root.id) }
        XCTAssertEqual(turns[0].input, .array([["role": "human", "content": "What is 6 x 7? Check it."]]))
        XCTAssertEqual(turns[1].input[0]?["content"], .string("Coder: compute it. critic: verify."), "an agent hears the turn before it")
        XCTAssertEqual(turns[1].output["content"], .string("6 x 7 = 48"))
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE span_name = json_extract((SELECT metadata FROM spans WHERE is_root), '$.mistake_agent') AND json_extract(sift_text(metadata), '$.message_index') = 2"), 1,
                       "the failure step is found by its agent and index")
    }

    /// The same runs as JSON lines, a JSON array, or one object per file, under other keys and with
    /// other role and content keys, are all detected; a bad run is rejected at its line alone.
    func testRunsUnderAnyKeyInEveryLayout() throws {
        let compact = try JSONWriter.string(JSONReader.parse(Self.run))
        let shareGPT = #"{"id": "conv-1", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}"#
        let chat = #"{"task": "t1", "chat_history": [{"speaker": "user", "text": "plan a trip"}, {"speaker": "Researcher", "text": "Found flights."}, {"speaker": "Writer", "text": "Here is the plan."}]}"#
        let badRun = #"{"task": "t2", "steps": [{"sender": "Planner", "message": "go"}, 5, {"sender": "Coder", "message": "done"}]}"#
        let dir = TempDir()
        let lines = dir.write("runs.jsonl", [compact, badRun, shareGPT, chat].joined(separator: "\n") + "\n")
        let array = dir.write("runs.json", "[\n" + [Self.run, badRun, shareGPT, chat].joined(separator: ",\n") + "\n]")
        for path in [lines, array] {
            let store = try Store(path: dir.path(URL(fileURLWithPath: path).lastPathComponent + ".db"))
            let run = try ingest(store, [path], project: "p")
            XCTAssertEqual(run.summary.formats[path], .trajectories, path)
            XCTAssertEqual(run.summary.records, 4, path)
            XCTAssertEqual(run.summary.spans, 6 + 2 + 3, path)
            XCTAssertEqual(run.rejects, ["\(path):\(path == lines ? 2 : 11): steps[1]: expected a message object, found a number"])
            let roots = try store.spans(project: "p").filter(\.isRoot)
            let gpt = try store.trace(id: try XCTUnwrap(roots.first { $0.metadata["id"] == .string("conv-1") }).id)
            XCTAssertEqual(gpt.spans.filter { !$0.isRoot }.map(\.name), ["assistant turn 0"], "gpt is the assistant")
            XCTAssertEqual(gpt.root.output, .string("hello"))
            let team = try store.trace(id: try XCTUnwrap(roots.first { $0.metadata["task"] == .string("t1") }).id)
            XCTAssertEqual(team.spans.filter { !$0.isRoot }.sorted { $0.created < $1.created }.map(\.name), ["Researcher", "Writer"])
            XCTAssertEqual(team.root.output, .string("Here is the plan."))
            // Runs without times of their own are placed a minute apart before the file was written,
            // the first nearest.
            XCTAssertEqual(roots.count, 3)
            XCTAssertEqual(zip(roots, roots.dropFirst()).map { $0.created.microseconds - $1.created.microseconds }, [120_000_000, 60_000_000], path)
        }
        // Re-ingesting a run as its own file keeps its id only when its bytes are the same.
        let single = dir.write("one.json", compact)
        let store = try Store(path: dir.path("runs.jsonl.db"))
        XCTAssertEqual(try ingest(store, [single], project: "p").summary.formats[single], .trajectories)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE is_root"), 3)
    }

    /// Spans whose input is a message list are still spans, in lines and arrays.
    func testSpansWithMessageInputsAreNotRuns() throws {
        let spans = [#"{"id": "s1", "created": "2026-01-01T00:00:00Z", "input": [{"role": "user", "content": "hi"}], "output": "hello"}"#,
                     #"{"id": "s2", "span_id": "s2", "created": "2026-01-01T00:00:01Z", "messages": [{"role": "user", "content": "hi"}]}"#]
        let dir = TempDir()
        for (name, text) in [("s.jsonl", spans.joined(separator: "\n")), ("s.json", "[" + spans.joined(separator: ",") + "]")] {
            let file = dir.write(name, text)
            let store = try Store(path: dir.path(name + ".db"))
            let run = try ingest(store, [file], project: "p")
            XCTAssertEqual(run.summary.formats[file], .spans, name)
            XCTAssertEqual(run.summary.spans, 2, name)
            XCTAssertEqual(try store.trace(id: "s1").root.input[0]?["content"], .string("hi"))
        }
    }

    /// The Who&When benchmark's 184 failed multi-agent runs (one JSON object per file, messages under
    /// `history`, roles `human` and the agents' own names), read from outside the repository:
    /// `../shared/data/who-and-when` or `/tmp/who-and-when`, each holding `Algorithm-Generated/*.json`
    /// and `Hand-Crafted/*.json` from https://github.com/mingyin1/Agents_Failure_Attribution.
    func testRealWhoAndWhenLogs() throws {
        guard let root = sharedData("who-and-when") ?? (FileManager.default.fileExists(atPath: "/tmp/who-and-when") ? "/tmp/who-and-when" : nil) else {
            throw XCTSkip("the Who&When logs are absent (../shared/data/who-and-when or /tmp/who-and-when): skipping the real multi-agent ingest")
        }
        var files: [String] = []
        for sub in ["Algorithm-Generated", "Hand-Crafted"] {
            let dir = root + "/" + sub
            files += try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted().map { dir + "/" + $0 }
        }
        XCTAssertEqual(files.count, 184)
        var messages = 0, humans = 0
        for f in files {
            let v = try JSONReader.parse(Array(FileManager.default.contents(atPath: f)!))
            for m in v["history"]?.arrayValue ?? [] {
                messages += 1
                if m["role"] == .string("human") && m["name"] == nil { humans += 1 }
            }
        }
        let dir = TempDir()
        let store = try Store(path: dir.path("s.db"))
        let run = try ingest(store, files, project: "who-and-when")
        XCTAssertEqual(Set(run.summary.formats.values), [.trajectories])
        XCTAssertEqual(run.summary.rejected, 0, "\(run.rejects.prefix(3))")
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE is_root"), 184)
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE span_type = 'llm' AND json_extract(sift_text(metadata), '$.agent') IS NOT NULL"), messages - humans,
                       "every message but the human's question is an agent's turn")
        XCTAssertEqual(try count(store, "SELECT count(*) FROM spans WHERE NOT is_root AND span_type <> 'llm'"), 0)
        // Each run's faulty agent (as annotated, in any case) is one of its agents...
        XCTAssertEqual(try count(store, """
            SELECT count(*) FROM spans r WHERE r.is_root AND EXISTS (SELECT 1 FROM json_each(json_extract(sift_text(r.metadata), '$.agents')) a
              WHERE lower(a.value) = lower(json_extract(sift_text(r.metadata), '$.mistake_agent')))
            """), 184)
        // ...and in 178 runs it speaks the annotated step (the rest are annotation slips).
        XCTAssertEqual(try count(store, """
            SELECT count(*) FROM spans r JOIN spans t ON t.root_span_id = r.id AND NOT t.is_root
            WHERE r.is_root AND json_extract(sift_text(t.metadata), '$.message_index') = CAST(json_extract(sift_text(r.metadata), '$.mistake_step') AS INTEGER)
              AND lower(t.span_name) = lower(json_extract(sift_text(r.metadata), '$.mistake_agent'))
            """), 178)
    }
}
