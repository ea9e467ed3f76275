// Conversation builds one simulated trace: it keeps the clock, the chat messages and the spans (a root
// task span; llm spans for the agent's turns; tool spans for its calls), and plays a task's normal
// resolution or one of the failure patterns.

import Foundation
import SiftModel

struct Conversation {
    var rng: SeededRandom
    let traceID: String
    let start: Timestamp
    let end: Timestamp
    var clock: Double
    var spans: [Span] = []
    var messages: [Value] = []
    var userTurns: [String] = []
    var finalAnswer = ""
    let model: String
    var spanCount = 0
    var slots: [String: String] = [:]
    let product: Product
    /// In a retry storm: the tool that fails `stormSize` times before it works.
    var stormTool: String?
    var stormSize = 0

    init(rng: SeededRandom, start: Timestamp, end: Timestamp) {
        var rng = rng
        traceID = rng.hexID()
        self.start = start
        self.end = end
        clock = start.seconds
        model = rng.pick(Shop.models)
        product = rng.pick(Shop.products)
        let first = rng.pick(Shop.firstNames), last = rng.pick(Shop.lastNames)
        slots = [
            "order": "A\(rng.int(100_000...999_999))",
            "product": product.name,
            "email": "\(first).\(last)\(rng.int(1...99))@example.com",
            "promo": rng.pick(Shop.promoCodes),
            "size": rng.pick(Shop.sizes),
            "color": rng.pick(Shop.colors),
            "address": "\(rng.pick(Shop.streets)), \(rng.pick(Shop.cities))",
            "amount": String(format2(product.price)),
            "phone": "(555) \(rng.int(200...999))-\(rng.int(1000...9999))",
        ]
        self.rng = rng
    }

    func fill(_ template: String) -> String {
        var s = template
        for (k, v) in slots { s = s.replacingOccurrences(of: "{\(k)}", with: v) }
        return s
    }

    // MARK: - Building spans

    mutating func nextSpanID() -> String {
        spanCount += 1
        return "\(traceID.prefix(16))\(String(spanCount, radix: 16))"
    }

    mutating func user(_ text: String, think: ClosedRange<Double> = 4...40) {
        if !userTurns.isEmpty { clock += rng.double(think) }
        userTurns.append(text)
        messages.append(["role": "user", "content": .string(text)])
    }

    /// An llm span whose output is `message` (an assistant message), reading the recent conversation.
    private mutating func llmSpan(output message: Value, completionTokens: Int) {
        let id = nextSpanID()
        let duration = rng.double(0.5...2.2) + Double(completionTokens) / 90
        var span = Span(id: id, rootSpanID: traceID, spanParents: [traceID], created: Timestamp(seconds: clock))
        span.type = "llm"
        span.name = "chat.completions"
        let recent = Array(messages.suffix(4))
        span.input = .array([["role": "system", "content": .string(Shop.systemPrompt)]] + recent)
        span.output = message
        let prompt = 420 + messages.count * 85 + rng.int(0...120)
        span.metrics = ["start": .double(clock), "end": .double(clock + duration),
                        "prompt_tokens": .int(Int64(prompt)), "completion_tokens": .int(Int64(completionTokens)),
                        "total_tokens": .int(Int64(prompt + completionTokens))]
        span.metadata = ["model": .string(model), "temperature": 0.2]
        clock += duration
        spans.append(span)
    }

    /// The agent says `text` to the customer.
    mutating func say(_ text: String) {
        let message: Value = ["role": "assistant", "content": .string(text)]
        llmSpan(output: message, completionTokens: text.count / 4 + rng.int(5...20))
        messages.append(message)
        finalAnswer = text
    }

    /// The agent calls a tool; the result (or error) comes back as a tool span and a tool message.
    mutating func call(_ name: String, _ args: Value, result: Value, error: Value = .null, latency: ClosedRange<Double> = 0.05...0.6) {
        let callID = "call_" + String(rng.hexID().prefix(12))
        let message: Value = ["role": "assistant", "content": nil,
                              "tool_calls": [["id": .string(callID), "type": "function",
                                              "function": ["name": .string(name), "arguments": .string(JSONWriter.string(args))]]]]
        llmSpan(output: message, completionTokens: 18 + rng.int(0...25))
        messages.append(message)
        let id = nextSpanID()
        let duration = rng.double(latency)
        var span = Span(id: id, rootSpanID: traceID, spanParents: [traceID], created: Timestamp(seconds: clock))
        span.type = "tool"
        span.name = name
        span.input = args
        span.output = result
        span.error = error
        span.metrics = ["start": .double(clock), "end": .double(clock + duration)]
        span.metadata = ["tool_call_id": .string(callID)]
        clock += duration
        spans.append(span)
        let content = error.isNull ? JSONWriter.string(result) : "Error: " + (error["message"]?.stringValue ?? JSONWriter.string(error))
        messages.append(["role": "tool", "tool_call_id": .string(callID), "name": .string(name), "content": .string(content)])
    }

    /// The finished spans: the root task span first, covering the whole conversation.
    mutating func finish() -> [Span] {
        var root = Span(id: traceID, spanID: traceID, rootSpanID: traceID, created: start)
        root.type = "task"
        root.name = "support_conversation"
        root.input = .string(userTurns.first ?? "")
        root.output = .string(finalAnswer)
        root.metrics = ["start": .double(start.seconds), "end": .double(clock)]
        root.metadata = ["channel": .string(rng.pick(Shop.channels)), "customer_tier": .string(rng.pick(Shop.tiers)),
                         "agent_version": "support-agent@2.7.1", "model": .string(model), "turns": .int(Int64(userTurns.count))]
        if rng.chance(0.08) { root.tags = ["vip"] }
        // The customer had the last word: the agent still answers it, as a chat agent does, so the
        // closing message is in the trace (in that llm span's input). Drawn after everything else,
        // so the rest of the trace is the same as without it.
        if case .string("user")? = messages.last?["role"] {
            let closing = "Thank you for contacting Acme Outfitters. Is there anything else I can help you with?"
            let message: Value = ["role": "assistant", "content": .string(closing)]
            llmSpan(output: message, completionTokens: closing.count / 4 + rng.int(2...6))
            messages.append(message)
            root.metrics["end"] = .double(clock)
        }
        return [root] + spans
    }

    // MARK: - Dates

    func day(_ secondsFromStart: Double) -> String {
        String(Timestamp(seconds: start.seconds + secondsFromStart).iso8601.prefix(10))
    }

    /// When the knowledge and pricing indexes were last rebuilt: within the last day for healthy traffic.
    mutating func freshIndexDate() -> String { day(-rng.double(3600...86400)) }

    /// An index snapshot that fell behind: weeks older than the conversation.
    mutating func staleIndexDate() -> String { day(-rng.double(25...50) * 86400) }
}

func format2(_ x: Double) -> String {
    let cents = Int((x * 100).rounded())
    let c = cents % 100
    return "\(cents / 100).\(c < 10 ? "0" : "")\(c)"
}
