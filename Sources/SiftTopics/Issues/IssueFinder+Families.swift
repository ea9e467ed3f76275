// The action families a tool name or a sentence names (a refund, a credit and a waiver are one
// family; a change, an update and an edit another), read by the constraint checks.
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
}
