// The preprocessor: a trace becomes a readable thread (user and assistant turns in order, tool calls
// with their arguments, results and errors, retrieved context, the final answer). Facet models read
// the structured thread; the text rendering is what a model server sees and what the report shows.
// Works for any of the ingest formats: llm spans carry chat messages, tool spans carry calls, and a
// trace with neither falls back to the root's input and output.

import SiftModel

/// One event of a conversation, in order.
public enum ThreadEvent: Hashable, Sendable {
    case user(String)
    case assistant(String)
    case tool(ToolCall)
}

/// A tool (or retrieval, or other function) call and what came back.
public struct ToolCall: Hashable, Sendable {
    public var name: String
    public var arguments: String
    public var result: String
    /// The error's type or class when the call failed ("UpstreamTimeout"), else nil.
    public var errorType: String?
    /// The error's message when the call failed.
    public var errorMessage: String?
    /// Whether this call fetched context (knowledge base, search, retrieval).
    public var isRetrieval: Bool
    /// The structured result, for detectors that read fields (dates of retrieved documents).
    public var resultValue: Value

    public var failed: Bool { errorType != nil || errorMessage != nil }
}

public struct TraceThread: Sendable {
    public var traceID: String
    public var created: Timestamp
    public var events: [ThreadEvent]
    /// The root span's metadata (channel, tier, ...), for declarative preprocessors and custom facets.
    public var rootMetadata: JSONObject
    /// System (or developer) prompts seen in the trace: the agent's instructions and policy, which
    /// grounding and constraint checks read as evidence.
    public var system: [String] = []
    /// Texts the agent read that are not events of their own (tool-role messages in a trace whose
    /// tool calls are spans), kept as evidence for grounding checks.
    public var retrievedText: [String] = []
    /// The span each event came from (`span_id`), where known, parallel to `events`.
    public var spanIDs: [String?] = []
    /// Calls (event index -> argument key) whose e-mail address was a near miss of one seen before
    /// it, noted by `redacted(by:)` before redaction made every address `<EMAIL>`.
    public var addressTypos: [Int: String] = [:]

    /// The span id of event `i`, if known.
    public func spanID(ofEvent i: Int) -> String? { i < spanIDs.count ? spanIDs[i] : nil }

    public var userTurns: [String] { events.compactMap { if case .user(let s) = $0 { return s } else { return nil } } }
    public var assistantTurns: [String] { events.compactMap { if case .assistant(let s) = $0 { return s } else { return nil } } }
    public var toolCalls: [ToolCall] { events.compactMap { if case .tool(let c) = $0 { return c } else { return nil } } }
    public var finalAnswer: String? { assistantTurns.last }

    public init(traceID: String, created: Timestamp, events: [ThreadEvent], rootMetadata: JSONObject = JSONObject()) {
        self.traceID = traceID
        self.created = created
        self.events = events
        self.rootMetadata = rootMetadata
    }

    /// Builds the thread of a trace.
    public init(trace: Trace) {
        var events: [ThreadEvent] = []
        var seenUser = Set<String>(), seenAssistant = Set<String>()
        var toolResultsFromMessages: [ThreadEvent] = []
        var systemTexts: [String] = []
        var toolMessages: [String] = []
        var spanIDs: [String?] = []
        var currentSpan: String?
        /// Credits every event added since the last call to the span being read.
        func credit() { while spanIDs.count < events.count { spanIDs.append(currentSpan) } }
        let hasToolSpans = trace.spans.contains { Self.isToolLike($0) && !$0.isRoot }
        func addUser(_ s: String) {
            let t = s.trimmed
            if !t.isEmpty, seenUser.insert(t).inserted { events.append(.user(t)) }
        }
        func addAssistant(_ s: String) {
            let t = s.trimmed
            if !t.isEmpty, seenAssistant.insert(t).inserted { events.append(.assistant(t)) }
        }
        func readMessages(_ v: Value, fromOutput: Bool) {
            let list: [Value]
            switch v {
            case .array(let a): list = a
            case .object(let o) where o["role"] != nil || o["content"] != nil: list = [v]
            case .object(let o) where o["choices"] != nil:
                list = o["choices"]?.arrayValue?.compactMap { $0["message"] } ?? []
            case .string(let s): if fromOutput { addAssistant(s) }; return
            default: return
            }
            for m in list {
                let role = m["role"]?.stringValue ?? (fromOutput ? "assistant" : "user")
                let text = Self.messageText(m["content"] ?? m["parts"] ?? .null)
                switch role {
                case "system", "developer":
                    let t = text.trimmed
                    if !t.isEmpty, !systemTexts.contains(t) { systemTexts.append(t) }
                case "user", "human": addUser(text)
                case "assistant", "model", "ai":
                    addAssistant(text)
                    if !hasToolSpans, let calls = m["tool_calls"]?.arrayValue {
                        for c in calls {
                            let fn = c["function"] ?? c
                            toolResultsFromMessages.append(.tool(ToolCall(
                                name: fn["name"]?.stringValue ?? "tool", arguments: Self.compact(fn["arguments"] ?? .null),
                                result: "", errorType: nil, errorMessage: nil, isRetrieval: Self.isRetrievalName(fn["name"]?.stringValue ?? ""),
                                resultValue: .null)))
                        }
                        events.append(contentsOf: toolResultsFromMessages)
                        toolResultsFromMessages = []
                    }
                case "tool", "function":
                    if hasToolSpans {
                        let t = text.trimmed
                        if !t.isEmpty, !toolMessages.contains(t) { toolMessages.append(t) }
                    } else {
                        // Attach the result to the latest call without one.
                        if let i = events.lastIndex(where: { if case .tool(let c) = $0 { return c.result.isEmpty } else { return false } }),
                           case .tool(var c) = events[i] {
                            c.result = text
                            c.resultValue = (try? JSONReader.parse(text)) ?? .string(text)
                            if text.lowercased().hasPrefix("error") {
                                c.errorType = "Error"; c.errorMessage = text
                            } else if let failure = ToolResult.failure(c.resultValue) {
                                (c.errorType, c.errorMessage) = Self.describe(failure)
                            }
                            events[i] = .tool(c)
                        }
                    }
                default: break
                }
            }
        }
        let root = trace.root
        for (i, span) in trace.spans.enumerated() where i != trace.rootIndex {
            currentSpan = span.spanID
            if span.type == "llm" || (span.input.arrayValue?.first?["role"] != nil) {
                readMessages(span.input, fromOutput: false)
                readMessages(span.output, fromOutput: true)
            } else if Self.isToolLike(span) {
                events.append(.tool(Self.toolCall(span)))
            }
            credit()
        }
        currentSpan = root.spanID
        // The user's last word after the last answer is input to no llm span; a root that holds the
        // whole conversation has it.
        if case .array(let all) = root.input, events.contains(where: { if case .assistant = $0 { return true } else { return false } }),
           let lastAnswer = all.lastIndex(where: { ["assistant", "model", "ai"].contains($0["role"]?.stringValue ?? "") }) {
            for m in all[(lastAnswer + 1)...] where ["user", "human"].contains(m["role"]?.stringValue ?? "") {
                addUser(Self.messageText(m["content"] ?? m["parts"] ?? .null))
            }
            credit()
        }
        // Messages only on the root (a trajectory with no llm spans), or a plain input/output pair.
        if !events.contains(where: { if case .user = $0 { return true } else { return false } }) {
            var rootEvents: [ThreadEvent] = []
            var rootSpans: [String?] = []
            swap(&events, &rootEvents)
            swap(&spanIDs, &rootSpans)
            readMessages(root.input, fromOutput: false)
            if case .string = root.input {} else if root.input.arrayValue == nil, !root.input.isNull, root.input.objectValue?["role"] == nil {
                addUser(Self.compact(root.input))
            }
            if case .string(let s) = root.input { addUser(s) }
            let userFirst = events
            events = userFirst + rootEvents
            spanIDs = [String?](repeating: root.spanID, count: userFirst.count) + rootSpans
        }
        if !events.contains(where: { if case .assistant = $0 { return true } else { return false } }) {
            readMessages(root.output, fromOutput: true)
            if !root.output.isNull, root.output.stringValue == nil, root.output.objectValue?["role"] == nil, root.output.arrayValue == nil {
                addAssistant(Self.compact(root.output))
            }
        }
        credit()
        self.init(traceID: trace.id, created: root.created, events: events, rootMetadata: root.metadata)
        self.system = systemTexts
        self.retrievedText = toolMessages
        self.spanIDs = spanIDs
    }

    static func isToolLike(_ span: Span) -> Bool {
        guard let t = span.type else { return false }
        return t == "tool" || t == "function" || t == "retrieval"
    }

    static func isRetrievalName(_ name: String) -> Bool {
        let n = name.lowercased()
        if ["search", "retriev", "knowledge", "vector"].contains(where: { n.contains($0) }) { return true }
        // Short cues as words of the name: "rag" is in "get_storage_usage" and "average_price".
        let words = n.split(whereSeparator: { !$0.isLetter })
        return words.contains { ["kb", "rag", "docs"].contains(String($0)) }
    }

    /// An error value as (type, message): a string is its message; an object names its type (or
    /// name, or code) and message.
    static func describe(_ error: Value) -> (String?, String?) {
        switch error {
        case .null: return (nil, nil)
        case .string(let s): return ("Error", s)
        case .object(let o):
            return (o["type"]?.stringValue ?? o["name"]?.stringValue ?? o["code"].map(compact) ?? "Error", o["message"]?.stringValue ?? compact(error))
        default: return ("Error", compact(error))
        }
    }

    static func toolCall(_ span: Span) -> ToolCall {
        // A result that is JSON text (as chat-format tool messages carry it) is read as the structure it
        // holds, so detectors that read fields see them.
        var output = span.output
        if case .string(let s) = output, let head = s.utf8.first(where: { $0 > 0x20 }), head == UInt8(ascii: "{") || head == UInt8(ascii: "["),
           let parsed = try? JSONReader.parse(s) {
            output = parsed
        }
        // A failure the result reports in-band counts as the span's error when it has none of its own.
        let (errorType, errorMessage) = describe(span.error.isNull ? ToolResult.failure(output) ?? .null : span.error)
        let name = span.name ?? "tool"
        var retrieval = isRetrievalName(name) || span.type == "retrieval"
        if let o = output.objectValue, o["documents"] != nil || o["context"] != nil || o["passages"] != nil { retrieval = true }
        return ToolCall(name: name, arguments: compact(span.input), result: compact(span.output),
                        errorType: errorType, errorMessage: errorMessage, isRetrieval: retrieval, resultValue: output)
    }

    /// The text of a message's content: a string, or the text parts of a list of parts.
    static func messageText(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .array(let parts):
            return parts.compactMap { p -> String? in
                if let s = p.stringValue { return s }
                return p["text"]?.stringValue ?? p["content"]?.stringValue
            }.joined(separator: " ")
        case .null: return ""
        default: return compact(v)
        }
    }

    static func compact(_ v: Value) -> String {
        switch v {
        case .null: return ""
        case .string(let s): return s
        default: return JSONWriter.string(v)
        }
    }

    /// The thread as text, one event per line, long values cut at `limit` characters.
    public func render(limit: Int = 400) -> String {
        var lines: [String] = []
        for e in events {
            switch e {
            case .user(let s): lines.append("User: " + s.clipped(limit))
            case .assistant(let s): lines.append("Assistant: " + s.clipped(limit))
            case .tool(let c):
                var line = (c.isRetrieval ? "Retrieval " : "Tool ") + c.name + "(" + c.arguments.clipped(limit / 2) + ")"
                if c.failed {
                    line += " -> ERROR " + (c.errorType ?? "") + ": " + (c.errorMessage ?? "").clipped(limit)
                } else if !c.result.isEmpty {
                    line += " -> " + c.result.clipped(limit)
                }
                lines.append(line)
            }
        }
        if let a = finalAnswer { lines.append("Final answer: " + a.clipped(limit)) }
        return lines.joined(separator: "\n")
    }

    /// Applies `transform` to every piece of free text (turns, arguments, results, error messages).
    public func mapText(_ transform: (String) -> String) -> TraceThread {
        var t = self
        t.system = system.map(transform)
        t.retrievedText = retrievedText.map(transform)
        t.events = events.map { e in
            switch e {
            case .user(let s): return .user(transform(s))
            case .assistant(let s): return .assistant(transform(s))
            case .tool(var c):
                c.arguments = transform(c.arguments)
                let result = transform(c.result)
                // The structure detectors read is the transformed text's, so what redaction took out of
                // the text is not read (or quoted as evidence) from the structure either.
                if result != c.result {
                    switch c.resultValue {
                    case .object, .array: c.resultValue = (try? JSONReader.parse(result)) ?? .string(result)
                    case .string: c.resultValue = .string(result)
                    default: break
                    }
                }
                c.result = result
                c.errorMessage = c.errorMessage.map(transform)
                return .tool(c)
            }
        }
        return t
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    func clipped(_ n: Int) -> String {
        guard count > n else { return self }
        return String(prefix(n)) + "…"
    }
}
