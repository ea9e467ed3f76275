// Values the user corrected and the agent used anyway: "32470" - "Actually it's 32570, I just
// checked again" - submit_meter_reading(reading: 32470). The issue's staleness in its plainest form:
// newer information (the user's correction) was in the conversation, and the action took the old.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
    /// Words that mark a user turn as correcting something the user said before.
    static let userCorrectionCues = ["actually", "sorry", "correction", "i mean", "i meant", "typo", "my mistake", "my bad", "should be",
                                     "should have been", "oops", "not quite", "en realidad", "perdón", "perdon", "quise decir", "en fait",
                                     "pardon", "je voulais dire", "eigentlich", "korrektur", "ich meinte", "desculpa", "na verdade", "scusa", "in realtà"]

    /// Tokens of a text that hold at least four digits (readings, account numbers, references),
    /// as letters and digits only.
    static func digitTokens(_ text: String) -> [[UInt8]] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == ";" || $0 == "(" || $0 == ")" || $0 == ":" })
            .map { ByteText.alnum(String($0)) }
            .filter { t in t.count >= 4 && t.count <= 24 && t.filter(ByteText.isDigit).count >= 4 }
    }

    mutating func correctedValues() {
        guard calls.count > 0 else { return }
        var given: [[UInt8]] = []     // what the user gave before, in order
        var replaced: [(old: [UInt8], new: [UInt8], event: Int, quote: String)] = []
        var suspect: [(replaced: Int, event: Int, call: ToolCall)] = []
        var usedNew = Set<Int>()
        for (i, e) in t.events.enumerated() {
            switch e {
            case .user(let s):
                let tokens = Self.digitTokens(s)
                let l = s.lowercased()
                // ("Sorry, also order 100235" adds a second value; it corrects nothing.)
                if !tokens.isEmpty, ByteText.any(l, Self.userCorrectionCues), !Words.split(l).contains(where: Self.additionWords.contains) {
                    for new in tokens where !given.contains(new) {
                        // The value it replaces: one the user gave before, of the same length, one or two
                        // characters off.
                        if let old = given.last(where: { $0.count == new.count && zip($0, new).filter { $0 != $1 }.count <= 2 }) {
                            replaced.append((old, new, i, s))
                        }
                    }
                }
                given += tokens
            case .tool(let c):
                guard !replaced.isEmpty else { continue }
                let args = ByteText.alnum(c.arguments)
                for (k, r) in replaced.enumerated() {
                    if ByteText.contains(args, r.new) { usedNew.insert(k) } else if ByteText.contains(args, r.old) { suspect.append((k, i, c)) }
                }
            case .assistant:
                break
            }
        }
        // A correction the agent never acted on: no call ever took the new value.
        if let s = suspect.first(where: { !usedNew.contains($0.replaced) }) {
            let r = replaced[s.replaced]
            add(.staleContext, "The agent called \(s.call.name) with a value the user had corrected.",
                [(span(r.event), r.quote), (span(s.event), "\(s.call.name)(\(s.call.arguments.clipped(120)))")])
        }
    }

    /// Words that add a value rather than correct one.
    static let additionWords: Set<String> = ["also", "another", "too", "plus", "additionally", "second", "además", "también", "aussi", "auch", "anche"]
}
