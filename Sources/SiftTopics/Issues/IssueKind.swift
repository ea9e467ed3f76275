// The kinds of problem the built-in Issues facet reports. Each is a general property of agent traces
// named in public failure taxonomies, not a pattern of any one product:
// - MAST (Cemri et al., "Why Do Multi-Agent LLM Systems Fail?", 2025): step repetition, disobeying
//   task or role specification, ignoring another agent's input, premature termination, incorrect
//   verification.
// - TRAIL (Deshpande et al., 2025): tool-call errors, tool-output misinterpretation, hallucinated
//   tool arguments and results, resource abuse (repeated calls), language-only hallucination.
// - tau-bench (Yao et al., 2024) fault analysis: wrong arguments, wrong or missing actions (a request
//   about the user's own account answered without looking anything up), policy
//   violations, incomplete fulfilment of a user's requests.
// - RAG evaluation (RAGAS faithfulness, TruLens groundedness): claims not supported by the context;
//   answers from context that newer evidence contradicts.
// - Clio and conversation-outcome facets: how a conversation ended, and the user's frustration.
//
// The order of the cases is the order of dominance: a cause (an action against policy, an ignored
// error) comes before its consequences (a frustrated user), so a trace is grouped by its root cause.

enum IssueKind: Int, CaseIterable, Comparable, Sendable {
    case policyViolation
    case ignoredError
    case claimedAction
    case staleContext
    case contradictedAnswer
    case mistypedIdentifier
    case retryStorm
    case unsupportedClaim
    case rejectedWrite
    case inventedIdentifier
    case repeatedCalls
    case droppedRequest
    case unresolvedToolFailure
    case askedAgain
    case noLookup
    case userCorrection
    case unresolvedFrustration

    static func < (a: IssueKind, b: IssueKind) -> Bool { a.rawValue < b.rawValue }

    /// The topic's label: short, human, no numbers, unique among kinds.
    var head: String {
        switch self {
        case .policyViolation: return "Action against stated policy"
        case .ignoredError: return "Tool error ignored"
        case .claimedAction: return "Claimed action never taken"
        case .staleContext: return "Answer from outdated information"
        case .contradictedAnswer: return "Answer contradicts tool result"
        case .mistypedIdentifier: return "Mistyped identifier in tool call"
        case .retryStorm: return "Retry storm"
        case .unsupportedClaim: return "Unsupported claim in answer"
        case .noLookup: return "Account request with no lookup"
        case .rejectedWrite: return "Write retried by trial and error"
        case .inventedIdentifier: return "Unsourced amount in tool call"
        case .repeatedCalls: return "Repeated identical tool calls"
        case .droppedRequest: return "User had to repeat a request"
        case .unresolvedToolFailure: return "Tool failure left unresolved"
        case .askedAgain: return "Asked again for given details"
        case .userCorrection: return "User corrected the agent"
        case .unresolvedFrustration: return "User left frustrated"
        }
    }

    /// What the kind means, the same sentence for every trace of the kind (the text topics group on).
    var meaning: String {
        switch self {
        case .policyViolation:
            return "a write action went ahead after a tool result or the policy stated a condition that forbids it."
        case .ignoredError:
            return "a tool call failed and was never recovered, yet the agent told the user the action succeeded."
        case .claimedAction:
            return "the agent said it had carried out an action, but no tool call in the trace performed it."
        case .staleContext:
            return "the answer used a value from an older source although a newer source or the user gave a different one."
        case .contradictedAnswer:
            return "the answer stated the opposite of a state a tool result reported (denied as approved, expired as active, out of network as in network)."
        case .mistypedIdentifier:
            return "a tool call used an identifier that differs slightly from the one given earlier in the conversation."
        case .retryStorm:
            return "the same tool call failed again and again and was retried many times in a row."
        case .unsupportedClaim:
            return "the answer states specific facts (amounts, dates, identifiers, figures) that no tool output, document or user message supports."
        case .noLookup:
            return "the user asked about their own account, but the agent answered or let the conversation end without calling any tool to look anything up."
        case .rejectedWrite:
            return "a state-changing tool call was refused by the system it called and re-issued with other arguments by trial and error."
        case .inventedIdentifier:
            return "a state-changing tool call carried an amount that nothing earlier in the conversation or in earlier tool results supports."
        case .repeatedCalls:
            return "the agent made the same tool call with the same arguments several times, getting the same result."
        case .droppedRequest:
            return "the agent passed over one of the user's requests, and the user had to raise it again."
        case .unresolvedToolFailure:
            return "a tool failed with a system error and the agent could not complete the request."
        case .askedAgain:
            return "the agent asked for details the user had already given, and the user had to repeat them."
        case .userCorrection:
            return "the user told the agent its answer was wrong or out of date."
        case .unresolvedFrustration:
            return "the conversation ended with the user frustrated and the request unresolved."
        }
    }

    /// The text the facet's topics are formed on: one per kind.
    var signature: String { head + ": " + meaning }
}

/// One problem found in a trace, with what shows it.
struct IssueFinding: Sendable {
    var kind: IssueKind
    /// A sentence about this trace: names tools and fields, but no numbers or identifiers, so it
    /// reads the same for every trace with the same behaviour.
    var detail: String
    /// Where the problem shows: (span id when known, quoted text).
    var evidence: [(span: String?, quote: String)]
}
