// Ingest format 3: OpenAI-style agent trajectories: a JSON list of runs, each a list of chat messages
// (system, user, assistant with `tool_calls`, tool results), as in tau-bench's historical runs. A run
// becomes a trace: a root task span, one llm span per assistant turn and one tool span per call, with
// the run-level fields (reward, task_id, ...) kept in the root's metadata.

import SiftModel

enum TrajectoryRecord {
    /// Keys under which a run object keeps its messages.
    static let messageKeys = ["traj", "messages", "trajectory", "conversation"]

    /// Whether a parsed array element looks like a run (an object with messages, or a bare message list).
    static func looksLikeRun(_ v: Value) -> Bool {
        if case .array(let a) = v { return a.first?["role"] != nil || a.isEmpty }
        return messageKeys.contains { v[$0]?.arrayValue != nil }
    }

    /// A stable id for a run, from a hash of its bytes: re-ingesting the same run upserts it.
    static func runID(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var h1: UInt64 = 0xcbf29ce484222325, h2: UInt64 = 0x84222325cbf29ce4
        for b in bytes {
            h1 = (h1 ^ UInt64(b)) &* 0x100000001b3
            h2 = (h2 ^ UInt64(b)) &* 0x100000001b3 ^ (h2 >> 29)
        }
        func hex(_ x: UInt64) -> String { let s = String(x, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        return "run-" + hex(h1) + hex(h2)
    }

    static func content(_ m: Value) -> Value {
        guard let c = m["content"] else { return .null }
        if case .array(let parts) = c {
            // Content parts: join the text ones.
            let texts = parts.compactMap { $0["text"]?.stringValue ?? $0.stringValue }
            if texts.count == parts.count { return .string(texts.joined(separator: "\n")) }
        }
        return c
    }

    /// Maps one run. `base` is the start time given to runs that carry no time of their own.
    static func map(_ run: Value, id: String, base: Timestamp) throws -> [Span] {
        var runFields = JSONObject()
        let messages: [Value]
        if case .array(let a) = run {
            messages = a
        } else if case .object(let o) = run {
            guard let key = messageKeys.first(where: { o[$0]?.arrayValue != nil }) else {
                throw SpanError(field: "traj", "a run needs a list of messages under one of: \(messageKeys.joined(separator: ", "))")
            }
            messages = o[key]!.arrayValue!
            for (k, v) in o where k != key { runFields[k] = v }
        } else {
            throw SpanError(field: "", "expected a run (an object with messages, or a list of messages), found \(run.kindName)")
        }
        for (i, m) in messages.enumerated() {
            guard case .object = m else { throw SpanError(field: "messages[\(i)]", "expected a message object, found \(m.kindName)") }
            guard let role = m["role"]?.stringValue else { throw SpanError(field: "messages[\(i)].role", "missing or not a string") }
            if role == "assistant", let calls = m["tool_calls"], !calls.isNull, calls.arrayValue == nil {
                throw SpanError(field: "messages[\(i)].tool_calls", "expected an array, found \(calls.kindName)")
            }
        }
        var start = base
        for key in ["created", "timestamp", "start_time", "started_at"] {
            if let v = runFields[key], let t = Timestamp(v) { start = t; break }
        }
        // Messages carry no times: space them one second apart so the tree and durations read naturally.
        func at(_ step: Int) -> Timestamp { start + Int64(step) * 1_000_000 }

        var root = Span(id: id, spanID: id, rootSpanID: id, created: start)
        root.type = "task"
        root.name = "agent_run"
        root.metadata = runFields
        root.input = .array(messages)
        root.metrics["start"] = .double(start.seconds)
        root.metrics["end"] = .double(at(max(messages.count, 1)).seconds)
        if let lastAnswer = messages.last(where: { $0["role"]?.stringValue == "assistant" && !content($0).isNull }) {
            root.output = content(lastAnswer)
        }
        var spans = [root]
        var pendingInput: [Value] = []
        var toolSpans: [String: Int] = [:]  // tool_call_id -> index in spans
        var turn = 0
        for (i, m) in messages.enumerated() {
            let role = m["role"]!.stringValue!
            switch role {
            case "assistant":
                let llmID = "\(id)-llm\(turn)"
                var llm = Span(id: llmID, rootSpanID: id, spanParents: [id], created: at(i))
                llm.type = "llm"
                llm.name = "assistant turn \(turn)"
                llm.input = .array(pendingInput)
                llm.output = m
                llm.metrics["start"] = .double(at(i).seconds - 0.5)
                llm.metrics["end"] = .double(at(i).seconds)
                llm.metadata["message_index"] = .int(Int64(i))
                for k in ["model", "name"] { if let v = m[k] { llm.metadata[k] = v } }
                if let usage = m["usage"] {
                    if let p = usage["prompt_tokens"]?.intValue { llm.metrics["prompt_tokens"] = .int(p) }
                    if let c = usage["completion_tokens"]?.intValue { llm.metrics["completion_tokens"] = .int(c) }
                    if let t = usage["total_tokens"]?.intValue { llm.metrics["total_tokens"] = .int(t) }
                }
                spans.append(llm)
                pendingInput = []
                for (ci, call) in (m["tool_calls"]?.arrayValue ?? []).enumerated() {
                    let callID = call["id"]?.stringValue ?? "\(ci)"
                    var tool = Span(id: "\(id)-tool\(turn).\(ci)", rootSpanID: id, spanParents: [llmID], created: at(i))
                    tool.type = "tool"
                    let fn = call["function"]
                    tool.name = fn?["name"]?.stringValue ?? call["name"]?.stringValue ?? "tool"
                    let args = fn?["arguments"] ?? call["arguments"] ?? .null
                    if let s = args.stringValue, let parsed = try? JSONReader.parse(s) { tool.input = parsed } else { tool.input = args }
                    tool.metadata["tool_call_id"] = .string(callID)
                    tool.metrics["start"] = .double(at(i).seconds)
                    tool.metrics["end"] = .double(at(i).seconds + 0.5)
                    toolSpans[callID] = spans.count
                    spans.append(tool)
                }
                turn += 1
            case "tool", "function":
                let callID = m["tool_call_id"]?.stringValue ?? m["name"]?.stringValue ?? ""
                let result = content(m)
                if let ti = toolSpans[callID] ?? spans.lastIndex(where: { $0.type == "tool" && $0.output.isNull }) {
                    spans[ti].output = result
                    spans[ti].metrics["end"] = .double(at(i).seconds)
                    if let s = result.stringValue, s.hasPrefix("Error") || s.hasPrefix("error:") {
                        spans[ti].error = .string(s)
                    }
                }
                pendingInput.append(m)
            default:
                pendingInput.append(m)
            }
        }
        return spans
    }
}
