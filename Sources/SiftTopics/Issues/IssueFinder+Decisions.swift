// Writes that act on a decision a tool result reported against them: a role granted on an approval
// the result says was denied or is still pending, a refund of a charge under an open dispute, a
// change to a record a hold object marks active. tau-bench's fault analysis and MAST's "disobey task
// specification" count these: the agent had the refusal in front of it and acted anyway.
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    /// Whether a state written as an object of its own is in force: `{"active": true, ...}` or
    /// `{"status": "active"}` (a hold, a restriction), false when it says released or lifted, nil
    /// when it says neither.
    static func activeFlag(_ v: Value) -> Bool? {
        guard case .object(let o) = v else { return nil }
        for key in ["active", "is_active", "enabled", "is_enabled", "in_effect", "in_force"] { if let b = o[key]?.boolValue { return b } }
        for key in ["status", "state"] {
            guard let s = o[key]?.stringValue?.lowercased() else { continue }
            if ["active", "open", "in_effect", "in effect", "in_force", "placed", "applied", "enabled", "on"].contains(s) { return true }
            if ["inactive", "released", "lifted", "removed", "closed", "resolved", "expired", "disabled", "off", "cleared"].contains(s) { return false }
        }
        return nil
    }

    static let openDisputeStates: Set<String> = ["open", "opened", "active", "pending", "under_review", "in_review", "needs_response",
                                                 "warning_needs_response", "awaiting_response", "investigating"]

    /// An open dispute or chargeback on a charge (`"dispute": {"status": "open"}`, `"disputed": true`):
    /// card networks settle it themselves, so a refund of the same charge pays twice. It holds for
    /// refunds and credits of the object that carries it.
    static func openDispute(_ key: String, _ v: Value, ids: Set<String>, event: Int, tool: String) -> Restriction? {
        let words = keyWords(key)
        guard words.contains(where: { $0.hasPrefix("disput") || $0.hasPrefix("chargeback") }),
              !words.contains(where: { ["no", "none", "count", "reason", "window", "days", "deadline"].contains($0) }) else { return nil }
        let open: Bool
        switch v {
        case .bool(let b): open = b
        case .object(let o):
            let state = (o["status"] ?? o["state"])?.stringValue?.lowercased()
            open = state.map { openDisputeStates.contains($0) } ?? (activeFlag(v) ?? false)
        default: open = false
        }
        guard open else { return nil }
        return Restriction(families: ["refund"], ids: ids, event: event, quote: "\(tool) -> \(key): \(JSONWriter.string(v).clipped(100))")
    }

    /// Writes that take access away or keep things as they are (deactivate, suspend, lock): what a
    /// hold or a failed check asks for, not against it.
    static let protectiveVerbs: Set<String> = ["deactivate", "suspend", "block", "lock", "disable", "revoke", "freeze", "escalate", "flag",
                                               "quarantine", "archive", "preserve"]
    static func protects(_ tool: String) -> Bool { nameWords(tool).contains(where: protectiveVerbs.contains) }

    /// The last thing the user said before event `i` (lower-cased), or "".
    func lastUserTurn(before i: Int) -> String {
        for j in stride(from: min(i, t.events.count) - 1, through: 0, by: -1) { if case .user(let s) = t.events[j] { return s.lowercased() } }
        return ""
    }

    /// Verbs of writes that act on what an approval allows.
    static let grantingVerbs: Set<String> = ["grant", "assign", "approve", "activate", "enable", "apply", "add", "elevate", "promote", "issue",
                                             "install", "provision", "upgrade", "unlock", "refund", "book", "schedule", "authorize", "authorise",
                                             "release", "dispense", "fill", "order", "credit", "waive"]

    /// A write that carries the identifier of an approval (or authorisation, or permission request) an
    /// earlier result reported denied or still pending, where no later result before the write
    /// reported it approved.
    mutating func writesOnRefusedDecisions(_ writes: [(index: Int, call: ToolCall)]) {
        guard let decision = Self.stateFamilies.firstIndex(where: { $0.name == "decision" }),
              let approved = Self.stateFamilies[decision].classes.firstIndex(where: { $0.name == "approved" }) else { return }
        // The latest decision reported for each approval-like object, by its identifiers.
        var latest: [String: (cls: Int, event: Int, quote: String)] = [:]
        func check(_ write: (index: Int, call: ToolCall)) {
            guard !findings.contains(where: { $0.kind == .policyViolation }),
                  Self.nameWords(write.call.name).contains(where: { Self.grantingVerbs.contains($0) }) else { return }
            for id in Self.argumentIdentity(write.call) {
                guard let d = latest[id], d.cls != approved else { continue }
                add(.policyViolation, "The agent ran \(write.call.name) on an approval a tool result reported as not granted.",
                    [(span(d.event), d.quote), (span(write.index), "\(write.call.name)(\(write.call.arguments.clipped(120)))")])
                return
            }
        }
        var w = 0
        for (ev, c) in calls {
            while w < writes.count, writes[w].index < ev { check(writes[w]); w += 1 }
            guard !c.failed, !c.isRetrieval else { continue }
            let approvalTool = ByteText.any(c.name.lowercased(), Self.approvalWords)
            func walk(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                switch v {
                case .object(let o):
                    if let (k, s) = o.first(where: { Self.isStateKey($0.0) && $0.1.stringValue != nil }).map({ ($0.0, $0.1.stringValue!) }),
                       let (f, cls) = Self.stateClass(ofValue: s), f == decision,
                       approvalTool || o.contains(where: { ByteText.any($0.0.lowercased(), Self.approvalWords) || ($0.1.stringValue.map { ByteText.any($0.lowercased(), Self.approvalWords) } ?? false) }) {
                        for id in objectIDs(o, tool: c.name) { latest[id] = (cls, ev, "\(c.name) -> \(k): \(s)") }
                    }
                    for (_, x) in o { walk(x, depth: depth + 1) }
                case .array(let a): for x in a.prefix(50) { walk(x, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        while w < writes.count { check(writes[w]); w += 1 }
    }

    static let approvalWords = ["approv", "authori", "authoris", "permission", "consent", "sign_off", "signoff"]
}
