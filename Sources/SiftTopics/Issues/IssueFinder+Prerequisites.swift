// Steps the policy requires before an action: "verify the requester (send_verification_code, then
// verify_identity ...) before any password reset", "grant an admin role only when ... approved
// (request_admin_approval / get_approval_status)". When the policy names the tools of the step and
// the action, a write of that action with none of those tools called before it skipped the step
// (tau-bench's fault analysis and MAST's "disobey task specification"). Only tools the policy names
// count, so a step done some other way is not guessed at.
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    typealias Prerequisite = (tools: Set<String>, action: Set<String>, quote: String)
    static let prerequisiteMemo = TextMemo<[Prerequisite]>()

    /// Cues of an order: the step comes before the action.
    static let prerequisiteCues = ["before", "only when", "only after", "only if", "only once", "prior to", "must first", "first "]
    /// First words of tool names (a verb): "verify_identity" names a tool, "security_hold" and
    /// "max_quota_gb" name fields.
    static let toolVerbs: Set<String> = ["verify", "send", "get", "request", "check", "lookup", "look", "confirm", "validate", "authenticate",
                                         "fetch", "find", "search", "list", "read", "query", "approve", "review", "ask", "obtain", "run"]

    /// The policy's sentences that name, as tools, a step required before an action: (the tools, the
    /// stems of the sentence's other words, the sentence).
    static func prerequisites(_ text: String) -> [Prerequisite] {
        var out: [Prerequisite] = []
        for sentence in Facts.sentences(text) where sentence.utf8.count < 1200 && sentence.utf8.contains(UInt8(ascii: "_")) {
            let lower = sentence.lowercased()
            guard ByteText.any(lower, prerequisiteCues) else { continue }
            var tools = Set<String>()
            for token in lower.split(whereSeparator: { !($0.isLetter || $0 == "_") }) where token.contains("_") {
                let parts = token.split(separator: "_")
                if parts.count >= 2, let verb = parts.first, toolVerbs.contains(String(verb)) { tools.insert(String(token)) }
            }
            guard !tools.isEmpty else { continue }
            out.append((tools, stems(sentence), sentence))
        }
        return out
    }

    /// Writes of an action a policy sentence makes wait for a step, with none of the step's tools
    /// called before them.
    mutating func skippedPrerequisites(_ writes: [(index: Int, call: ToolCall)]) {
        let rules = t.system.flatMap { Self.prerequisiteMemo.values(byLine: $0, Self.prerequisites).joined() }
        guard !rules.isEmpty else { return }
        for (ev, w) in writes {
            let name = w.name.lowercased()
            // The action the write performs, named by its words ("reset_password": reset, password).
            let action = Self.stems(name)
            guard action.count >= 2 else { continue }
            for r in rules where !r.tools.contains(name) && action.isSubset(of: r.action) {
                let done = calls.contains { $0.index < ev && !$0.call.failed && r.tools.contains($0.call.name.lowercased()) }
                if !done {
                    add(.policyViolation, "The agent ran \(w.name) without the step the policy requires before it (\(r.tools.sorted().joined(separator: ", "))).",
                        [(nil, "policy: " + r.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                    return
                }
            }
        }
    }

    /// Whether a failed verification (`verified: false`) holds for write `w`: for the writes a policy
    /// sentence naming its tool makes wait for it ("verify ... (send_verification_code, then
    /// verify_identity) before any password reset" holds for a reset, not for a refund the same user
    /// asks for next); for every write when no sentence names it, or one makes anything wait for it.
    func gateHolds(_ r: Restriction, for w: ToolCall) -> Bool {
        let tool = r.quote.components(separatedBy: " -> ").first?.lowercased() ?? ""
        let rules = t.system.flatMap { Self.prerequisiteMemo.values(byLine: $0, Self.prerequisites).joined() }.filter { $0.tools.contains(tool) }
        guard !rules.isEmpty else { return true }
        let action = Self.stems(w.name.lowercased())
        // "Before you reveal or change anything in a record, verify ..." holds for every write; else the
        // writes whose words the sentence names besides its tools ("before any refund": issue_refund).
        return rules.contains { r in
            let toolWords = r.tools.reduce(into: Set<String>()) { $0.formUnion(Self.stems($1)) }
            return ByteText.any(r.quote.lowercased(), Self.blanketCues) || !action.isDisjoint(with: r.action.subtracting(toolWords).subtracting(Self.genericStems))
        }
    }
    static let genericStems: Set<String> = Set(["get", "set", "make", "user", "account", "customer", "request", "any", "new"].map { stems($0) }.joined())
    static let blanketCues = ["anything", "any change", "any action", "any write", "any update", "any request", "all changes", "every change"]
}
