// TraceFormatter renders a trace as an indented tree for `sift traces show`: one line per span with
// its type, name, duration, tokens and error, and its input and output truncated beneath.

import Foundation
import SiftModel

public enum TraceFormatter {
    /// One line of text for a value: strings as they are, chat messages as "role: content", else compact JSON.
    public static func preview(_ v: Value, limit: Int) -> String {
        var text: String
        switch v {
        case .string(let s): text = s
        case .array(let a) where !a.isEmpty && a.allSatisfy({ $0["role"] != nil }):
            // A prompt's newest messages say the most; the system prompt rarely changes.
            let shown = a.count > 2 ? Array(a.suffix(2)) : a
            text = (a.count > 2 ? "(\(a.count) messages) … " : "") + shown.map { m -> String in
                let role = m["role"]?.stringValue ?? "?"
                if let c = m["content"]?.stringValue { return "\(role): \(c)" }
                if let calls = m["tool_calls"]?.arrayValue {
                    return "\(role): calls " + calls.map { ($0["function"]?["name"]?.stringValue ?? "?") + "(" + ($0["function"]?["arguments"]?.stringValue ?? "") + ")" }.joined(separator: ", ")
                }
                return "\(role): \(JSONWriter.string(m["content"] ?? .null))"
            }.joined(separator: " | ")
        case .object(let o) where o["role"] != nil: text = preview(.array([v]), limit: limit)
        default: text = JSONWriter.string(v)
        }
        text = text.replacingOccurrences(of: "\n", with: " ")
        if text.count > limit { text = String(text.prefix(max(0, limit - 1))) + "…" }
        return text
    }

    /// What a trace was about, in one line: the first user message of a conversation, else the input.
    public static func opening(_ v: Value, limit: Int) -> String {
        if case .array(let messages) = v, let first = messages.first(where: { $0["role"]?.stringValue == "user" }) {
            return preview(first["content"] ?? .null, limit: limit)
        }
        return preview(v, limit: limit)
    }

    public static func duration(_ seconds: Double?) -> String {
        guard let s = seconds else { return "-" }
        if s < 1 { return String(format: "%.0fms", s * 1000) }
        if s < 120 { return String(format: "%.2fs", s) }
        return String(format: "%.1fm", s / 60)
    }

    public static func render(_ trace: Trace, width: Int = 100) -> String {
        var out: [String] = []
        let root = trace.root
        var head = "trace \(trace.id)"
        if let p = root.projectID { head += "  project \(p)" }
        head += "  \(root.created.iso8601)  \(trace.spans.count) spans  \(duration(trace.duration))"
        if let t = trace.totalTokens { head += "  \(t) tokens" }
        if trace.errorCount > 0 { head += "  \(trace.errorCount) error\(trace.errorCount == 1 ? "" : "s")" }
        out.append(head)
        if !root.facets.isEmpty {
            out.append("facets: " + root.facets.map { "\($0.key)=\(preview($0.value, limit: 60))" }.joined(separator: "  "))
        }
        if !root.classifications.isEmpty {
            out.append("topics: " + root.classifications.map { k, v in "\(k)=\(v[0]?["label"]?.stringValue ?? "?")" }.joined(separator: "  "))
        }
        for (depth, index) in trace.walk() {
            let s = trace.spans[index]
            let indent = String(repeating: "  ", count: depth)
            var line = "\(indent)\(depth == 0 ? "" : "└ ")\(s.type ?? "span")  \(s.name ?? s.spanID)  \(duration(s.duration))"
            if let t = s.totalTokens { line += "  \(t) tok" }
            if let m = s.metadata["model"]?.stringValue, s.type == "llm" { line += "  \(m)" }
            if !s.error.isNull { line += "  ERROR: " + preview(s.error["message"] ?? s.error, limit: 60) }
            out.append(line)
            let pad = indent + (depth == 0 ? "  " : "    ")
            let room = max(30, width - pad.count - 5)
            if !s.input.isNull { out.append("\(pad)in:  \(preview(s.input, limit: room))") }
            if !s.output.isNull { out.append("\(pad)out: \(preview(s.output, limit: room))") }
        }
        return out.joined(separator: "\n")
    }
}
