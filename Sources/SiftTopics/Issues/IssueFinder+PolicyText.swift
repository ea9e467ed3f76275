// What policy text states: time windows for refunds and returns, amount limits, actions it says
// cannot be taken, and the date it gives as now. Read once per paragraph (a system prompt comes back
// with every trace).
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    nonisolated(unsafe) static let windowPattern = Facts.compiled(#"(\d+)[\s-]?(?:calendar\s|business\s)?days?\b"#)
    static let objectDateKeys = ["order", "purchase", "deliver", "ship", "bought", "booked", "placed", "created", "paid", "issue"]

    typealias Window = (families: Set<String>, days: Int, quote: String)
    /// Windows are read once per paragraph per run (a system prompt's in every trace).
    static let windowMemo = TextMemo<[Window]>()

    /// The time windows a text states for refunds, returns, cancellations or exchanges.
    static func windows(_ text: String) -> [Window] {
        guard !families(text).isDisjoint(with: ["refund", "return", "cancel", "exchange"]) else { return [] }
        var out: [Window] = []
        // Clauses of a list ("...; refunds reach the card in 5-10 business days; trials last 14 days")
        // are read on their own: each is about its own subject.
        for sentence in Facts.sentences(text) where sentence.utf8.count < 1200 {
            for clause in sentence.split(separator: ";").map(String.init) {
                let fam = families(clause).intersection(["refund", "return", "cancel", "exchange"])
                guard !fam.isEmpty else { continue }
                let ns = clause as NSString
                for m in windowPattern?.matches(in: clause, range: NSRange(location: 0, length: ns.length)) ?? [] {
                    // How long something takes ("arrive in 5-10 business days", "takes 3 days") is no
                    // window: the end of a range, or a number after "in" or "take".
                    let before = ns.substring(with: NSRange(location: max(0, m.range.location - 8), length: min(8, m.range.location))).lowercased()
                    if ["-", "–", " to ", " in ", "take ", "takes ", "within 1-", " and "].contains(where: { before.hasSuffix($0) }) { continue }
                    if let d = Int(ns.substring(with: m.range(at: 1))), d >= 1, d <= 3650 { out.append((fam, d, sentence)) }
                }
            }
        }
        return out
    }

    nonisolated(unsafe) static let prohibition = Facts.compiled(
        #"^(.*?)\b(?:cannot|can not|can't|may not|must not|should not|is not allowed to|are not allowed to)\s+(?:be\s+)?(\w+)"#)
    static let subjectNoise: Set<String> = ["flight", "flights", "reservation", "reservations", "order", "orders", "item", "items", "product", "products",
                                            "user", "users", "customer", "customers", "agent", "agents", "account", "accounts", "booking", "bookings",
                                            "other", "some", "each", "these", "those", "they", "them", "also", "once", "already", "however", "note"]

    /// The policy's "things like X cannot be V-ed" sentences: (the words naming X, the action family, the sentence).
    func prohibitions() -> [(subject: Set<String>, families: Set<String>, quote: String)] {
        t.system.flatMap { Self.prohibitionMemo.values(byParagraph: $0, Self.prohibitions).joined() }
    }

    typealias Prohibition = (subject: Set<String>, families: Set<String>, quote: String)
    /// A system prompt comes back with every trace: its prohibitions are read once per paragraph.
    static let prohibitionMemo = TextMemo<[Prohibition]>()

    typealias AmountCap = (families: Set<String>, limit: Double, quote: String)
    static let capMemo = TextMemo<[AmountCap]>()
    nonisolated(unsafe) static let capPattern = Facts.compiled(
        #"\b(?:above|over|more than|exceeding|exceeds|greater than|higher than|in excess of|larger than)\s+(?:[$€£]\s?)?(\d[\d,]*(?:\.\d+)?)"#)
    static let capConsequences = ["need", "require", "escalat", "approv", "supervisor", "manager", "not allowed", "cannot", "can't", "never", "must not", "may not", "prohibit"]

    /// Limits a policy puts on the amount of an action: a sentence (or clause) of an action family
    /// that names an amount above which the action needs someone else or is not allowed.
    static func amountCaps(_ text: String) -> [AmountCap] {
        guard let pattern = capPattern else { return [] }
        var out: [AmountCap] = []
        for sentence in Facts.sentences(text) where sentence.utf8.count < 600 {
            for clause in sentence.split(separator: ";").map(String.init) {
                let fam = families(clause).intersection(["refund", "return", "cancel", "exchange"])
                guard !fam.isEmpty, ByteText.any(clause.lowercased(), capConsequences) else { continue }
                let ns = clause as NSString
                for m in pattern.matches(in: clause, range: NSRange(location: 0, length: ns.length)) {
                    if let v = Facts.number(ns.substring(with: m.range(at: 1))), v > 0 { out.append((fam, v, clause.trimmingCharacters(in: .whitespaces))) }
                }
            }
        }
        return out
    }

    /// The negations `prohibition` starts from (a cheap test before the expression).
    static let negations = ["cannot", "can not", "can't", "may not", "must not", "should not", "not allowed to"]

    static func prohibitions(_ text: String) -> [Prohibition] {
        var out: [Prohibition] = []
        for sentence in Facts.sentences(text) where sentence.utf8.count < 1200 && sentence.count < 300 {
            guard ByteText.any(sentence.lowercased(), negations) else { continue }
            let ns = sentence as NSString
            guard let m = Self.prohibition?.firstMatch(in: sentence, range: NSRange(location: 0, length: ns.length)) else { continue }
            let fam = Self.families(ns.substring(with: m.range(at: 2)))
            guard !fam.isEmpty else { continue }
            let before = ns.substring(with: m.range(at: 1))
            // The clause right before the negation names what is forbidden.
            let clause = before.split(whereSeparator: { ",;:".contains($0) }).last.map(String.init) ?? before
            let words = Words.split(clause).filter { $0.count >= 3 && !Tokens.stopwords.contains($0) && !Self.subjectNoise.contains($0) && !$0.contains(where: \.isNumber) }
            guard !words.isEmpty, words.count <= 3 else { continue }
            out.append((Set(words), fam, sentence))
        }
        return out
    }

    /// The stems (first five letters) of a text's content words, to tell what a sentence or an object is about.
    static func stems(_ text: String) -> Set<String> {
        stemMemo.value(text) { text in
            Set(Words.split(text.replacingOccurrences(of: "_", with: " ")).filter { $0.count >= 4 && !Tokens.stopwords.contains($0) && $0.allSatisfy(\.isLetter) }
                .map { String($0.prefix(5)) })
        }
    }
    static let stemMemo = TextMemo<Set<String>>(minBytes: 0, maxBytes: 1 << 20)

    /// The words of a field or tool name, "_" a space ("refund_id" -> refund, id), read once per name per run.
    static func keyWords(_ key: String) -> [String] {
        keyWordMemo.value(key) { Words.split($0.replacingOccurrences(of: "_", with: " ")) }
    }
    static let keyWordMemo = TextMemo<[String]>(minBytes: 0, maxBytes: 1 << 20)

    /// The date a system prompt gives as now ("Current date: 2026-01-21", "The current time is
    /// 2024-05-15 15:00:00 EST"), read once per text: a conversation replayed or exported later is
    /// judged at the time it happened, not when it was stored.
    static let statedNowMemo = TextMemo<Double?>()
    static let nowCues = ["current date", "current time", "today is", "today's date", "todays date", "the date is", "date today"]

    static func statedNow(_ system: [String]) -> Double? {
        for text in system {
            if let d = statedNowMemo.value(text, { text in
                let b = ByteText.lower(text)
                for cue in nowCues {
                    guard let i = ByteText.firstIndex(of: Array(cue.utf8), in: b, from: 0) else { continue }
                    let window = b[(i + cue.count)..<min(b.count, i + cue.count + 40)]
                    var k = window.startIndex
                    while k + 10 <= window.endIndex {
                        let w = window[k..<(k + 10)]
                        if w.enumerated().allSatisfy({ j, c in j == 4 || j == 7 ? c == UInt8(ascii: "-") : ByteText.isDigit(c) }),
                           let ts = Timestamp(iso8601: String(decoding: w, as: UTF8.self) + "T00:00:00Z") {
                            return ts.seconds
                        }
                        k += 1
                    }
                }
                return nil
            }) { return d }
        }
        return nil
    }
}
