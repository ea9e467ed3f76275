// OpenLLMetry (Traceloop) writes a span's messages as flat, indexed attributes, `gen_ai.prompt.0.role`,
// `gen_ai.prompt.0.content`, `gen_ai.completion.0.tool_calls.1.name`, ..., and marks workflow spans
// with `traceloop.span.kind`. These turn them back into OpenAI-style message lists and span types for
// the OTLP mapping, which consumes the attributes it maps.

import SiftModel

extension OTLPRecord {
    /// The messages under `prefix` (`gen_ai.prompt` or `gen_ai.completion`) in index order, each an
    /// object of its fields (`role`, `content`, `tool_call_id`, `finish_reason`, ...) with its tool
    /// calls as `tool_calls: [{id, type: "function", function: {name, arguments}}]`. The attributes
    /// are removed from `attrs`; nil when there are none.
    static func takeIndexedMessages(_ prefix: String, from attrs: inout JSONObject) -> Value? {
        let dotted = prefix + "."
        var messages: [Int: JSONObject] = [:]
        var calls: [Int: [Int: JSONObject]] = [:]
        var consumed: [String] = []
        for (key, value) in attrs where key.hasPrefix(dotted) {
            let parts = key.dropFirst(dotted.count).split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 2, let n = Int(parts[0]), n >= 0 else { continue }
            if parts.count == 2 {
                messages[n, default: JSONObject()][String(parts[1])] = value
            } else if parts.count == 4, parts[1] == "tool_calls", let m = Int(parts[2]), m >= 0 {
                calls[n, default: [:]][m, default: JSONObject()][String(parts[3])] = value
            } else {
                continue
            }
            consumed.append(key)
        }
        guard !consumed.isEmpty else { return nil }
        for key in consumed { attrs[key] = nil }
        let indexes = Set(messages.keys).union(calls.keys).sorted()
        return .array(indexes.map { n in
            var message = messages[n] ?? JSONObject()
            if let byIndex = calls[n] {
                message["tool_calls"] = .array(byIndex.keys.sorted().map { m in
                    let fields = byIndex[m]!
                    var call = JSONObject()
                    if let id = fields["id"] { call["id"] = id }
                    call["type"] = .string("function")
                    call["function"] = .object(["name": fields["name"] ?? .null, "arguments": fields["arguments"] ?? .null])
                    return .object(call)
                })
            }
            return .object(message)
        })
    }

    /// The span type of OpenLLMetry's `traceloop.span.kind` (its workflow, task and agent spans hold
    /// others, as OpenInference's chains and agents do).
    static func type(ofTraceloopKind kind: String?) -> String? {
        switch kind?.lowercased() {
        case "workflow", "task", "agent": return "task"
        case "tool": return "tool"
        default: return nil
        }
    }

    /// The span type of OpenLLMetry's `llm.request.type`.
    static func type(ofRequestType requestType: String?) -> String? {
        switch requestType?.lowercased() {
        case "chat", "completion", "embedding": return "llm"
        default: return nil
        }
    }

    /// `traceloop.entity.input` / `.output`: the JSON text of a decorated function's arguments
    /// (`{"args": [...], "kwargs": {...}}`) or result, whatever JSON it is; other text as it is.
    static func jsonText(_ v: Value?) -> Value? {
        guard let v else { return nil }
        if let s = v.stringValue, let parsed = try? JSONReader.parse(s) { return parsed }
        return v
    }
}
