// Which tools write (a name with a writing verb: "issue_refund", "open_dispute"), the action families
// a tool name or a sentence names (a refund, a credit and a waiver are one family; a change, an update
// and an edit another), the action a check is named for, and whether a policy's "confirm" asks the
// user to confirm a change; read by the constraint checks.
// Part of IssueFinder (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    // MARK: - Which tools write, and what their writes are

    static let readVerbs: Set<String> = ["get", "list", "search", "find", "lookup", "look", "check", "fetch", "read", "query", "retrieve", "view", "show",
                                         "describe", "calculate", "compute", "estimate", "think", "validate", "verify", "kb", "track", "browse", "count"]
    static let writeVerbs: Set<String> = ["refund", "cancel", "update", "change", "modify", "book", "send", "issue", "create", "delete", "remove", "reset",
                                          "apply", "credit", "schedule", "submit", "transfer", "return", "exchange", "add", "set", "post", "place", "charge",
                                          "pay", "approve", "grant", "upgrade", "downgrade", "edit", "close", "reopen", "assign", "write", "save", "reverse",
                                          "void", "waive", "rebook", "reimburse", "compensate", "process", "initiate", "order", "purchase", "buy", "unsubscribe",
                                          "swap", "replace", "activate", "deactivate", "suspend", "block", "unblock", "enable", "disable", "renew", "redeem",
                                          "enroll", "enrol", "register", "install", "provision", "invite", "unlock", "revoke", "restore", "dispatch", "amend",
                                          "freeze", "unfreeze", "lock", "open"]

    /// Words of a tool name ("issue_refund", "cancelOrder" -> [issue, refund] / [cancel, order]).
    static func nameWords(_ name: String) -> [String] {
        var words: [String] = [], cur = ""
        for ch in name {
            if ch.isUppercase, !cur.isEmpty { words.append(cur); cur = "" }
            if ch.isLetter { cur.append(Character(ch.lowercased())) } else if !cur.isEmpty { words.append(cur); cur = "" }
        }
        if !cur.isEmpty { words.append(cur) }
        return words
    }

    /// Tool names repeat in every trace: each is judged once per run.
    static let writeNames = TextMemo<Bool>(minBytes: 0, maxBytes: 1 << 20)

    static func isWrite(_ name: String) -> Bool { writeNames.value(name, judgeWrite) }

    static func judgeWrite(_ name: String) -> Bool {
        let w = nameWords(name)
        guard let first = w.first, !readVerbs.contains(first) else { return false }
        // Opening a page, a file or a link reads it; opening a case or an account makes one.
        if w.contains("open"), w.contains(where: { ["url", "page", "file", "link", "browser", "tab", "document", "doc", "image", "window", "app"].contains($0) }) { return false }
        // ("enrolled_courses", "registered_devices" list what was done: no stem of a past participle.)
        return w.contains { writeVerbs.contains($0) || !$0.hasSuffix("ed") && (writeVerbs.contains(String($0.dropLast())) || writeVerbs.contains(String($0.dropLast(2)))) }
    }

    /// The action families a word names: a refund and a return are one family.
    static let familyStems: [(stems: [[UInt8]], families: [String])] = [
        (["refund", "reimburs", "credit", "compensat", "waiv"], ["refund"]), (["return"], ["refund", "return"]), (["cancel"], ["cancel"]),
        (["exchang"], ["exchange"]), (["modif", "chang", "updat", "edit"], ["modify"]), (["transfer"], ["transfer"]), (["upgrad"], ["upgrade"]),
        (["disput", "chargeback"], ["dispute"]),
    ].map { (stems: $0.0.map { Array($0.utf8) }, families: $0.1) }

    static func families(_ text: String) -> Set<String> {
        let b = ByteText.lower(text), raw = Array(text.utf8)
        // A stem of four letters only at a word's start: "edit" is not in "credit".
        func named(_ stem: [UInt8]) -> Bool {
            guard stem.count <= 4 else { return ByteText.contains(b, stem) }
            var i = 0
            while let k = ByteText.firstIndex(of: stem, in: b, from: i) {
                // (A capital starts a word of a camel-cased name, not one inside CAPITALS.)
                if k == 0 || !ByteText.isLetter(raw[k - 1]) || (raw[k] >= 0x41 && raw[k] <= 0x5a && !(raw[k - 1] >= 0x41 && raw[k - 1] <= 0x5a)) { return true }
                i = k + 1
            }
            return false
        }
        var out = Set<String>()
        for f in familyStems where f.stems.contains(where: named) { out.formUnion(f.families) }
        return out
    }

    /// The action a check of no known family is named for: the last word of its name that is neither
    /// a reading verb nor a word of checking ("check_payment_holiday_eligibility" -> "holid").
    static func checkedAction(_ tool: String) -> String? {
        let noise: Set<String> = ["eligibility", "eligible", "status", "options", "option", "details", "info", "availability", "check", "can", "allowed"]
        return nameWords(tool).last { $0.count >= 4 && !readVerbs.contains($0) && !noise.contains($0) }.map { String($0.prefix(5)) }
    }

    /// Whether a (lower-cased) policy sentence's "confirm" asks for the user's confirmation of a
    /// change, not for confirming who they are ("confirm the customer's identity with verify_identity
    /// before taking any action" is identity verification, read by the gate checks).
    static func asksUserConfirmation(_ l: String) -> Bool {
        var from = l.startIndex
        while let r = l.range(of: "confirm", range: from..<l.endIndex) {
            from = r.upperBound
            let after = l[r.upperBound...].prefix(45)
            if !["identity", "who ", "verify", "security", "date of birth", "postcode", "passcode"].contains(where: { after.contains($0) }) { return true }
        }
        return false
    }
}
