// The traffic simulator: a customer-support agent for an outdoor-gear shop, answering many kinds of
// request in many phrasings over multi-turn conversations, with tools for orders, refunds, pricing,
// inventory, the knowledge base and escalation. Hidden failure patterns are planted at low prevalence,
// some growing over the last days, and each trace carries its ground truth (task, pattern, sentiment)
// for tests, never in the spans themselves. Seeded: a trace depends only on (seed, index).

import Foundation
import SiftModel

/// The failure patterns planted in simulated traffic.
public enum FailurePattern: String, CaseIterable, Sendable {
    /// Pricing or policy answered from a retrieval index that fell behind an update.
    case staleContext = "stale_context"
    /// A tool call failing and retried four to six times before it works.
    case retryStorm = "tool_retry_storm"
    /// A confident, specific answer with no tool call or retrieved source behind it.
    case unsupportedAnswer = "unsupported_confident_answer"
    /// The customer asks for a human, the escalation goes nowhere, and the conversation ends unresolved.
    case unresolvedEscalation = "unresolved_escalation"
    /// A tool returns an error and the agent tells the customer it worked.
    case toolErrorIgnored = "tool_error_ignored"
    /// The agent keeps asking for information the customer already gave.
    case clarificationLoop = "clarification_loop"

    var tasks: [SupportTask] {
        switch self {
        case .staleContext: return [.pricing, .shippingPolicy, .promoCode]
        case .retryStorm: return [.orderStatus, .refund, .cancelOrder, .changeAddress, .doubleCharge]
        case .unsupportedAnswer: return [.refund, .warranty, .orderStatus, .doubleCharge]
        case .unresolvedEscalation: return [.doubleCharge, .refund, .warranty, .orderStatus]
        case .toolErrorIgnored: return [.changeAddress, .refund, .cancelOrder]
        case .clarificationLoop: return [.orderStatus, .returnItem, .cancelOrder, .refund]
        }
    }

    /// Prevalence multiplier by the trace's age in days: stale context appears after a pricing update
    /// five days before the end and grows; unresolved escalations creep up; the rest hold steady.
    func growth(ageDays: Double) -> Double {
        switch self {
        case .staleContext: return ageDays > 5 ? 0.25 : 0.25 + (5 - ageDays) / 5 * 2.75
        case .unresolvedEscalation: return 0.6 + max(0, 14 - ageDays) / 14 * 0.9
        default: return 1
        }
    }
}

/// The user's tone over a conversation, upper-case as facet labels are.
public enum Sentiment: String, CaseIterable, Sendable {
    case positive = "POSITIVE", neutral = "NEUTRAL", negative = "NEGATIVE", frustrated = "FRUSTRATED", mixed = "MIXED"
}

public struct SimulatorConfig: Sendable {
    public var traces = 3000
    public var seed: UInt64 = 42
    /// Traffic ends here and spans `days` before it.
    public var end: Timestamp
    public var days = 14
    /// Share of traces carrying each failure pattern at baseline (before growth).
    public var prevalence = 0.02
    /// Whether some patterns grow over the last days.
    public var growth = true

    public init(end: Timestamp) { self.end = end }
}

/// One simulated conversation and the truth about it.
public struct SimulatedTrace: Sendable {
    public var id: String
    public var spans: [Span]
    public var task: SupportTask
    public var pattern: FailurePattern?
    public var sentiment: Sentiment
    public var created: Timestamp
}

public struct Simulator: Sendable {
    public let config: SimulatorConfig

    public init(config: SimulatorConfig) { self.config = config }

    /// All traces, in index order (the last is not necessarily the newest).
    public func traces() -> [SimulatedTrace] { (0..<config.traces).map(trace) }

    /// Trace indexes in the order their conversations started, as production logs arrive.
    public func chronologicalOrder() -> [Int] {
        var times = [(Double, Int)]()
        times.reserveCapacity(config.traces)
        for i in 0..<config.traces {
            var rng = SeededRandom(seed: config.seed, index: UInt64(i))
            times.append((startAge(&rng).age, i))
        }
        return times.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.map(\.1)
    }

    /// Draws how long before the end of traffic a conversation starts, and its start time.
    private func startAge(_ rng: inout SeededRandom) -> (age: Double, created: Timestamp) {
        // Spread over the window, busier in the day than at night (UTC-6 customers).
        let window = Double(config.days) * 86400
        var age = 0.0
        for _ in 0..<8 {
            age = rng.unit() * window
            let t = config.end.seconds - age
            let hour = ((t - 6 * 3600).truncatingRemainder(dividingBy: 86400) + 86400).truncatingRemainder(dividingBy: 86400) / 3600
            let load = 0.35 + 0.65 * max(0, sin((hour - 6) / 17 * .pi))
            if rng.unit() < load { break }
        }
        let created = Timestamp(seconds: (config.end.seconds - age).rounded(.down) + Double(rng.int(0...999)) / 1000)
        return (age, created)
    }

    /// Trace number `index`.
    public func trace(_ index: Int) -> SimulatedTrace {
        var rng = SeededRandom(seed: config.seed, index: UInt64(index))
        let (age, created) = startAge(&rng)
        let ageDays = age / 86400
        // Pattern: each with its (possibly growing) prevalence.
        var pattern: FailurePattern?
        var roll = rng.unit()
        for p in FailurePattern.allCases {
            let share = config.prevalence * (config.growth ? p.growth(ageDays: ageDays) : 1)
            if roll < share { pattern = p; break }
            roll -= share
        }
        let task: SupportTask
        if let pattern {
            task = rng.pick(pattern.tasks)
        } else {
            let total = SupportTask.allCases.reduce(0) { $0 + $1.weight }
            var x = rng.unit() * total
            var chosen = SupportTask.allCases.last!
            for t in SupportTask.allCases { if x < t.weight { chosen = t; break }; x -= t.weight }
            task = chosen
        }
        var c = Conversation(rng: rng, start: created, end: config.end)
        let sentiment = c.play(task: task, pattern: pattern)
        return SimulatedTrace(id: c.traceID, spans: c.finish(), task: task, pattern: pattern, sentiment: sentiment, created: created)
    }
}
