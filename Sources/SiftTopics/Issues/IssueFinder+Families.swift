// The action families a tool name or a sentence names (a refund, a credit and a waiver are one
// family; a change, an update and an edit another), the action a check is named for, and whether a
// policy's "confirm" asks the user to confirm a change; read by the constraint checks.
// Part of IssueFinder (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    /// The action families a word names: a refund and a return are one family.
    static let familyStems: [(stems: [[UInt8]], families: [String])] = [
        (["refund", "reimburs", "credit", "compensat", "waiv"], ["refund"]), (["return"], ["refund", "return"]), (["cancel"], ["cancel"]),
        (["exchang"], ["exchange"]), (["modif", "chang", "updat", "edit"], ["modify"]), (["transfer"], ["transfer"]), (["upgrad"], ["upgrade"]),
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
