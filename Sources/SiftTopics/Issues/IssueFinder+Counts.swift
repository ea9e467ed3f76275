// Counted claims: "which affected about 310 users", "after 9 failed attempts", "7,738 emails". A
// count of things is a specific an answer can invent as easily as a price, and RAG groundedness
// checks treat it the same way: the evidence must state it. A count is supported when the evidence
// holds the number (a field, a sentence, the user's own words), when a tool result lists that many
// items, or when two figures of the same answer give it by one step of arithmetic ("170 seats plus
// 3 is 173 seats"). Small counts (under 10) are left alone: their digits are in every trace.
// Part of IssueFinder's grounding checks (IssueFinder+Grounding.swift).

import Foundation
import SiftModel

extension IssueFinder {
    /// Words after a number that make it a measure, not a count of things: units, durations (in the
    /// languages support traffic comes in), currencies, and adjectives of durations.
    static let notCountWords: Set<String> = [
        "gbs", "tbs", "mbs", "kbs", "hours", "days", "weeks", "months", "years", "minutes", "seconds", "mins", "hrs", "secs", "ms",
        "dollars", "euros", "pounds", "cents", "francs", "yens", "points", "percents", "business", "calendar",
        "jours", "heures", "semaines", "mois", "ans", "années", "días", "dias", "horas", "semanas", "meses", "años", "anos", "minutos", "segundos",
        "tage", "stunden", "wochen", "monate", "jahre", "minuten", "sekunden", "giorni", "ore", "settimane", "mesi", "anni", "minuti", "secondi",
        "dagen", "uren", "weken", "maanden", "jaren", "minuten",
        // Verbs in the third person: "someone over 18 needs to be home" counts nothing.
        "needs", "requires", "means", "applies", "gets", "goes", "says", "makes", "takes", "wants", "seems", "does", "costs", "works", "pays",
    ]

    /// Words that join a number to something other than the thing counted ("10 out of 12 users", "15
    /// more minutes" is caught by its unit).
    static let countLinkWords: Set<String> = ["and", "the", "for", "per", "out", "from", "with", "are", "was", "were", "has", "have", "more",
                                              "less", "than", "each", "all", "times", "into", "over", "under", "between"]

    /// The counts an answer sentence states: an integer of at least 10 (thousands may be grouped with
    /// commas) right before a plural word, or before one describing word and a plural, and not part of
    /// an amount, a date, a version or an identifier.
    static func counts(_ sentence: String) -> [(value: Double, quote: String)] {
        let b = Array(sentence.utf8)
        var out: [(Double, String)] = []
        var i = 0
        while i < b.count {
            guard ByteText.isDigit(b[i]) else { i += 1; continue }
            let start = i
            var digits: [UInt8] = []
            while i < b.count, ByteText.isDigit(b[i]) || (b[i] == UInt8(ascii: ",") && i + 3 < b.count && b[(i + 1)...(i + 3)].allSatisfy(ByteText.isDigit)) {
                if b[i] != UInt8(ascii: ",") { digits.append(b[i]) }
                i += 1
            }
            // What comes before: a word, an amount's sign or a separator makes it part of something else.
            if start > 0 {
                let p = b[start - 1]
                if ByteText.isAlnum(p) || p >= 0x80 || ".,:/#-_+$@".utf8.contains(p) { continue }
            }
            // What comes after: a decimal part, a suffix ("10k", "3rd") or anything but one space.
            guard i + 1 < b.count, b[i] == 0x20, !(i + 1 < b.count && b[i + 1] == 0x20) else { continue }
            func word(from w: Int) -> Int {
                var k = w
                while k < b.count, b[k] >= 0x61 && b[k] <= 0x7a || b[k] >= 0x80 { k += 1 }
                return k
            }
            func isPlural(_ lo: Int, _ hi: Int) -> Bool {
                hi - lo >= 3 && b[hi - 1] == UInt8(ascii: "s") && !["ss", "us", "is"].contains(String(decoding: b[(hi - 2)..<hi], as: UTF8.self))
                    && (hi == b.count || !ByteText.isAlnum(b[hi]))
                    && !notCountWords.contains(String(decoding: b[lo..<hi], as: UTF8.self))
            }
            var k = word(from: i + 1)
            if !isPlural(i + 1, k) {
                // One describing word between ("65 premium templates", "310 active users").
                let first = String(decoding: b[(i + 1)..<k], as: UTF8.self)
                // (A unit in the singular describes a measure: "a 45 minute class", "24 hour access".)
                guard k - (i + 1) >= 3, k + 1 < b.count, b[k] == 0x20, !notCountWords.contains(first), !notCountWords.contains(first + "s"),
                      EvidencePool.secondsPer(first) == nil, !countLinkWords.contains(first) else { continue }
                let second = k + 1
                k = word(from: second)
                guard isPlural(second, k) else { continue }
            }
            // (A number of more than 15 digits counts nothing a trace lists, and would not fit an Int.)
            guard digits.count <= 15, let v = Double(String(decoding: digits, as: UTF8.self)), v >= 10 else { continue }
            // A year before a plural ("2025 prices") is no count.
            if digits.count == 4, (1900...2100).contains(Int(v)) { continue }
            out.append((v, String(decoding: b[start..<k], as: UTF8.self)))
        }
        return out
    }

    /// The lengths of the lists tool results hold: a count read off a list is supported by it.
    func listLengths() -> Set<Int> {
        var out = Set<Int>()
        func walk(_ v: Value, depth: Int) {
            guard depth < 6 else { return }
            switch v {
            case .array(let a):
                if a.count >= 10 { out.insert(a.count) }
                for x in a.prefix(50) { walk(x, depth: depth + 1) }
            case .object(let o):
                for (_, x) in o { walk(x, depth: depth + 1) }
            default: break
            }
        }
        for (_, c) in calls where !c.failed { walk(c.resultValue, depth: 0) }
        return out
    }

    /// The first count of an answer's sentence that nothing supports: not in the evidence, not the
    /// length of a listed result, and not one step of arithmetic from two other figures of the answer.
    static func unsupportedCount(_ sentence: String, evidence: EvidencePool, own: [Double], lists: () -> Set<Int>) -> String? {
        for (v, quote) in counts(sentence) where !evidence.numberKeys.contains(Facts.numberKey(v)) {
            if lists().contains(Int(v)) { continue }
            let derived = own.indices.contains { i in
                own.indices.contains { j in
                    i != j && (own[i] + own[j] == v || own[i] - own[j] == v || own[i] * own[j] == v)
                }
            }
            if !derived { return quote }
        }
        return nil
    }
}
