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
        guard !ids.isEmpty, words.contains(where: { ["dispute", "disputes", "disputed", "chargeback", "chargebacks"].contains($0) }),
              !words.contains(where: { ["no", "none", "count", "reason", "window", "days", "deadline", "able", "eligible", "can", "enabled",
                                        "allowed", "protection", "insurance", "liability", "has", "rate", "limit", "policy"].contains($0) })
        else { return nil }
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
    static func protects(_ tool: String) -> Bool {
        let words = nameWords(tool)
        // "disable_mfa", "revoke_legal_hold": what they take away is the protection.
        return words.contains(where: protectiveVerbs.contains)
            && !words.contains(where: { ["mfa", "hold", "security", "protection", "lock", "encryption", "audit", "alert", "alerts", "monitoring",
                                         "factor", "verification", "restriction", "restrictions", "freeze"].contains($0) })
    }

    /// The last thing the user said before event `i` (lower-cased), or "".
    func lastUserTurn(before i: Int) -> String {
        for j in stride(from: min(i, t.events.count) - 1, through: 0, by: -1) { if case .user(let s) = t.events[j] { return s.lowercased() } }
        return ""
    }

    /// The user's last turn when it asks plainly for what write `ev` of families `fam` does: only for
    /// a generic change (change_plan carrying out "downgrade us to Starter"), not a question or a
    /// condition ("can I downgrade later?", "if I can't pause it, cancel").
    func asked(_ ev: Int, _ fam: Set<String>) -> String {
        guard fam.isSubset(of: ["modify"]) else { return "" }
        let said = lastUserTurn(before: ev)
        return ByteText.any(said, ["?", " if ", "can't", "cannot", "not ", "later", "whether"]) ? "" : said
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
            // A write is judged before its own result is read (a refund whose result says "pending
            // approval" acts on nothing refused).
            while w < writes.count, writes[w].index <= ev { check(writes[w]); w += 1 }
            guard !c.failed else { continue }
            let approvalTool = ByteText.any(c.name.lowercased(), Self.approvalWords)
            func walk(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                switch v {
                case .object(let o):
                    for (k, x) in o where Self.isStateKey(k) {
                        guard let s = x.stringValue else { continue }
                        // The object's own identifiers, else what the call asked about.
                        // (The approval's own id, not the user or order it is about.)
                        var ids = Set(o.compactMap { kv -> [String]? in
                            let lk = kv.0.lowercased()
                            guard lk == "id" || (lk.hasSuffix("id") && ByteText.any(lk, Self.approvalWords + ["request", "ticket", "case"])),
                                  let v = kv.1.stringValue else { return nil }
                            return Facts.identifiers(v).map(Facts.normalizedID)
                        }.joined())
                        if ids.isEmpty && depth == 0 { ids = Self.argumentIdentity(c) }
                        let state = Self.stateClass(ofValue: s)
                        // A decision about an approval: the field or the tool says so, or the object's type.
                        let approval = approvalTool || ByteText.any(k.lowercased(), Self.approvalWords)
                            || ["type", "kind", "category"].contains { o[$0]?.stringValue.map { ByteText.any($0.lowercased(), Self.approvalWords) } ?? false }
                        if let (f, cls) = state, f == decision, approval, !c.isRetrieval {
                            for id in ids { latest[id] = (cls, ev, "\(c.name) -> \(k): \(s)") }
                        } else {
                            // Any later state of the object (approved elsewhere, completed, withdrawn) replaces the refusal.
                            for id in ids where latest[id] != nil && (state.map { $0.family != decision || $0.cls == approved } ?? true) { latest[id] = nil }
                        }
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

    static let approvalWords = ["approv", "authoriz", "authoris", "permission", "consent", "sign_off", "signoff"]
}
