// Ingest format 3: agent trajectories and chat transcripts: runs, each a list of chat messages (system,
// user, assistant with `tool_calls`, tool results), as in tau-bench's historical runs, or the turns of
// several named agents, as in multi-agent logs (AutoGen, Magentic-One, Who&When). Runs come as a JSON
// array, one per line, or one per document. A run becomes a trace: a root task span, one llm span per
// assistant or agent turn (named after the agent) and one tool span per call, with the run-level
// fields (reward, task_id, question, ground truth, labels, ...) kept in the root's metadata.

import SiftModel

enum TrajectoryRecord {
    /// Keys under which a run object keeps its messages, whatever the list holds.
    static let messageKeys = ["traj", "messages", "trajectory", "conversation"]
    /// Keys that name who speaks, and what is said, in the order they are tried.
    static let roleKeys = ["role", "speaker", "sender", "from"]
    static let contentKeys = ["content", "text", "message", "value"]
    /// Where a span record keeps messages: never a run's message list.
    private static let spanFieldKeys: Set<String> = ["input", "output", "expected", "metadata"]

    /// Whether a parsed record looks like a run (an object with messages, or a bare message list).
    static func looksLikeRun(_ v: Value) -> Bool {
        if case .array(let a) = v { return a.isEmpty || a[0]["role"] != nil || looksLikeMessage(a[0]) }
        return v.objectValue.map { messageKey(of: $0) != nil } ?? false
    }

    /// The key of a run's message list: one of `messageKeys` holding an array, else the first key whose
    /// value is a list whose first element looks like a message (`history`, `chat_history`, `steps`, ...).
    /// Span records (with `span_id`, `root_span_id` or `span_parents`) have none.
    static func messageKey(of run: JSONObject) -> String? {
        if run["span_id"] != nil || run["root_span_id"] != nil || run["span_parents"] != nil { return nil }
        if let key = messageKeys.first(where: { run[$0]?.arrayValue != nil }) { return key }
        return run.keys.first { key in
            guard !spanFieldKeys.contains(key), let a = run[key]?.arrayValue, !a.isEmpty else { return false }
            return looksLikeMessage(a[0])
        }
    }

    /// An object with a role-like key (or a `name`) and a content-like key.
    static func looksLikeMessage(_ v: Value) -> Bool {
        guard case .object(let o) = v else { return false }
        return (roleKeys.contains { o[$0] != nil } || o["name"] != nil) && contentKeys.contains { o[$0] != nil }
    }

    /// Who speaks a message.
    enum Speaker: Equatable {
        case user, assistant, system, tool
        /// One of several agents, by its own name.
        case agent(String)
    }

    /// The raw role of a message: its first role-like key, else its `name`.
    static func role(_ m: Value) -> String? {
        for k in roleKeys { if let r = m[k]?.stringValue { return r } }
        return m["name"]?.stringValue
    }

    /// `human`/`user` are the user, `assistant`/`ai`/`bot`/`gpt` the assistant, `tool`/`function` tool
    /// results; a user or assistant message with its own `name` is that agent's turn (AutoGen group
    /// chats), and any other role is an agent's name, less a note in parentheses (Magentic-One's
    /// `Orchestrator (thought)`, `Orchestrator (-> WebSurfer)`).
    static func speaker(_ m: Value) -> Speaker? {
        guard let raw = role(m) else { return nil }
        let named = m["name"]?.stringValue.flatMap { $0.isEmpty || $0 == raw ? nil : $0 }
        switch raw.lowercased() {
        case "human", "user": return named.map { .agent($0) } ?? .user
        case "assistant", "ai", "bot", "gpt", "model": return named.map { .agent($0) } ?? .assistant
        case "system": return .system
        case "tool", "function", "ipython": return .tool
        default:
            if raw.hasSuffix(")"), let open = raw.range(of: " (", options: .backwards), open.lowerBound > raw.startIndex {
                return .agent(String(raw[..<open.lowerBound]))
            }
            return .agent(raw)
        }
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
        guard let c = contentKeys.lazy.compactMap({ m[$0] }).first else { return .null }
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
        var listKey = "messages"
        if case .array(let a) = run {
            messages = a
        } else if case .object(let o) = run {
            guard let key = messageKey(of: o) else {
                throw SpanError(field: "traj", "a run needs a list of messages under one of: \(messageKeys.joined(separator: ", ")), or any key whose list holds objects with a role and a content")
            }
            messages = o[key]!.arrayValue!
            listKey = key
            for (k, v) in o where k != key { runFields[k] = v }
        } else {
            throw SpanError(field: "", "expected a run (an object with messages, or a list of messages), found \(run.kindName)")
        }
        var speakers: [Speaker] = []
        speakers.reserveCapacity(messages.count)
        for (i, m) in messages.enumerated() {
            guard case .object = m else { throw SpanError(field: "\(listKey)[\(i)]", "expected a message object, found \(m.kindName)") }
            guard let speaker = speaker(m) else {
                throw SpanError(field: "\(listKey)[\(i)].role", "missing or not a string (one of \(roleKeys.joined(separator: ", ")) or name)")
            }
            if speaker != .user && speaker != .system && speaker != .tool, let calls = m["tool_calls"], !calls.isNull, calls.arrayValue == nil {
                throw SpanError(field: "\(listKey)[\(i)].tool_calls", "expected an array, found \(calls.kindName)")
            }
            speakers.append(speaker)
        }
        // Among named agents, the assistant is one more agent (Magentic-One's `Assistant`).
        if speakers.contains(where: { if case .agent = $0 { return true } else { return false } }) {
            for i in speakers.indices where speakers[i] == .assistant { speakers[i] = .agent(role(messages[i]) ?? "assistant") }
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
        func takesTurn(_ i: Int) -> Bool {
            if case .agent = speakers[i] { return true }
            return speakers[i] == .assistant
        }
        if let lastAnswer = messages.indices.last(where: { takesTurn($0) && !content(messages[$0]).isNull }) {
            root.output = content(messages[lastAnswer])
        }
        var agents: [Value] = []
        for case .agent(let name) in speakers where !agents.contains(.string(name)) { agents.append(.string(name)) }
        if !agents.isEmpty { root.metadata["agents"] = .array(agents) }
        var spans = [root]
        var pendingInput: [Value] = []
        var toolSpans: [String: Int] = [:]  // tool_call_id -> index in spans
        var turn = 0
        for (i, m) in messages.enumerated() {
            switch speakers[i] {
            case .assistant, .agent:
                let llmID = "\(id)-llm\(turn)"
                var llm = Span(id: llmID, rootSpanID: id, spanParents: [id], created: at(i))
                llm.type = "llm"
                llm.name = "assistant turn \(turn)"
                if case .agent(let name) = speakers[i] {
                    llm.name = name
                    llm.metadata["agent"] = .string(name)
                    if let r = role(m), r != name { llm.metadata["role"] = .string(r) }
                }
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
                // Among several agents, the next speaker answers this turn: it is part of its input.
                pendingInput = speakers[i] == .assistant ? [] : [m]
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
            case .tool:
                let callID = m["tool_call_id"]?.stringValue ?? m["name"]?.stringValue ?? ""
                let result = content(m)
                if let ti = toolSpans[callID] ?? spans.lastIndex(where: { $0.type == "tool" && $0.output.isNull }) {
                    spans[ti].output = result
                    spans[ti].metrics["end"] = .double(at(i).seconds)
                    if let failure = ToolResult.failure(result) { spans[ti].error = failure }
                }
                pendingInput.append(m)
            default:
                pendingInput.append(m)
            }
        }
        return spans
    }
}
