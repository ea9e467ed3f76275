// What policy text states: time windows for refunds and returns, amount limits, actions it says
// cannot be taken, and the date it gives as now. Read once per paragraph (a system prompt comes back
// with every trace).
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    nonisolated(unsafe) static let windowPattern = Facts.compiled(#"(\d+)[\s-]?(?:calendar\s|business\s)?days?\b"#)
    static let objectDateKeys = ["order", "purchase", "deliver", "ship", "bought", "booked", "placed", "created", "paid", "issue"]
    /// An object's plain date ("date": "2024-06-01" on a transaction): a window counts from it only
    /// when it says its objects are dated ("transactions dated within the last 120 days").
    static let plainDateKeys: Set<String> = ["date", "posted_on", "posted_date", "transaction_date"]

    typealias Window = (families: Set<String>, days: Int, quote: String)
    /// Windows are read once per paragraph per run (a system prompt's in every trace).
    static let windowMemo = TextMemo<[Window]>()

    /// Actions policies give time windows: refunds, returns, cancellations, exchanges, disputes.
    static let windowFamilies: Set<String> = ["refund", "return", "cancel", "exchange", "dispute"]

    /// The time windows a text states for refunds, returns, cancellations, exchanges or disputes.
    static func windows(_ text: String) -> [Window] {
        guard !families(text).isDisjoint(with: windowFamilies) else { return [] }
        var out: [Window] = []
        // Clauses of a list ("...; refunds reach the card in 5-10 business days; trials last 14 days")
        // are read on their own: each is about its own subject.
        for sentence in Facts.sentences(text) where sentence.utf8.count < 1200 {
            for clause in sentence.split(separator: ";").map(String.init) {
                let fam = families(clause).intersection(windowFamilies)
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
    func prohibitions() -> [Prohibition] {
        t.system.flatMap { Self.prohibitionMemo.values(byLine: $0, Self.prohibitions).joined() }
    }

    /// `head`: the stem of the clause's last word, the part of the thing the rule is about
    /// ("Basic economy flights cannot be modified": fligh).
    typealias Prohibition = (subject: Set<String>, families: Set<String>, quote: String, head: String?)
    /// A system prompt comes back with every trace: its prohibitions are read once per paragraph.
    static let prohibitionMemo = TextMemo<[Prohibition]>()

    /// `subject`: stems of the words that narrow what the cap is about ("Goodwill credits: ...":
    /// goodwill); a write is under it only when it names them.
    typealias AmountCap = (families: Set<String>, limit: Double, quote: String, subject: Set<String>)
    static let capMemo = TextMemo<[AmountCap]>()
    nonisolated(unsafe) static let capPattern = Facts.compiled(
        #"\b(?:above|over|more than|exceeding|exceeds|greater than|higher than|in excess of|larger than)\s+(?:[$€£]\s?)?(\d[\d,]*(?:\.\d+)?)"#)
    /// "you may issue up to £40 ... without approval": the amount the agent may give on its own,
    /// written as money (a bare number after "up to" is as often days or items).
    nonisolated(unsafe) static let upToPattern = Facts.compiled(
        #"\b(?:up to|at most|no more than|a maximum of|maximum of)\s+(?:[$€£]\s?)(\d[\d,]*(?:\.\d+)?)"#)
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
                for p in [pattern, upToPattern].compactMap({ $0 }) {
                    for m in p.matches(in: clause, range: NSRange(location: 0, length: ns.length)) {
                        guard let v = Facts.number(ns.substring(with: m.range(at: 1))), v > 0,
                              Self.writtenAsMoney(ns, m.range, number: m.range(at: 1)) else { continue }
                        out.append((fam, v, clause.trimmingCharacters(in: .whitespaces), capSubject(ns.substring(to: m.range.location))))
                    }
                }
            }
        }
        return out
    }

    /// Whether a cap's number is an amount of money: a currency sign or code beside it, or cents
    /// ("above 500.00"); "no more than 1 goodwill refund(s)" counts refunds.
    static func writtenAsMoney(_ ns: NSString, _ match: NSRange, number: NSRange) -> Bool {
        let numberText = ns.substring(with: number)
        if numberText.contains("."), numberText.split(separator: ".").last?.count == 2 { return true }
        let before = ns.substring(with: NSRange(location: match.location, length: number.location - match.location))
        if before.contains(where: { "$€£¥".contains($0) }) { return true }
        let end = number.location + number.length
        let after = ns.substring(with: NSRange(location: end, length: min(12, ns.length - end))).lowercased().trimmingCharacters(in: .whitespaces)
        return ["usd", "eur", "gbp", "dollar", "euro", "pound", "€", "$", "£", "chf", "cad", "aud"].contains { after.hasPrefix($0) }
    }

    /// What a cap is about besides its action: the words of its heading ("Goodwill credits:"), if it
    /// has one, less the action's own words and generic ones.
    static func capSubject(_ before: String) -> Set<String> {
        // Only a heading narrows ("Goodwill credits: ..."); the words of a sentence without one
        // ("Compensation payments above £100 need approval") name the action itself.
        let head = before.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard head.count > 1 else { return [] }
        return subjectWords(String(head[0]))
    }

    /// Stems of the words that say what a rule is about, less the action's own words and generic ones.
    static func subjectWords(_ text: String) -> Set<String> {
        Set(Words.split(text).filter { w in
            w.count >= 4 && w.allSatisfy(\.isLetter) && !Tokens.stopwords.contains(w) && families(w).isEmpty
        }.map { String($0.prefix(5)) }).subtracting(genericSubjectStems)
    }
    static let genericSubjectStems: Set<String> = ["issue", "singl", "accou", "custo", "agent", "each", "every", "value", "amoun", "total", "only"]

    /// Whether a call's name or arguments name every stem of `subject`.
    static func names(_ w: ToolCall, _ subject: Set<String>) -> Bool {
        guard !subject.isEmpty else { return true }
        let b = ByteText.lower(w.name + " " + w.arguments)
        return subject.allSatisfy { ByteText.contains(b, Array($0.utf8)) }
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
            let last = Words.split(clause).last.flatMap { w in w.count >= 4 && w.allSatisfy(\.isLetter) ? String(w.prefix(5)) : nil }
            out.append((Set(words), fam, sentence, last))
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

    /// The time a system prompt gives as now ("Current date: 2026-01-21", "The current time is
    /// 2024-05-15 15:00:00 EST", "Today is Sunday, October 19, 2025. The current time is 9:25 PM"), read
    /// once per text: a conversation replayed or exported later is judged at the time it happened, not
    /// when it was stored. The clock time is read as written (as the detectors read time stamps); a
    /// date without one is its midnight.
    static let statedNowMemo = TextMemo<Double?>()
    static let nowCues = ["current date", "current time", "today is", "today's date", "todays date", "the date is", "date today"]

    /// When the conversation happened: the time its system prompt gives as now, else its time stamp.
    var conversationTime: Timestamp { Timestamp(seconds: Self.statedNow(t.system) ?? t.created.seconds) }

    static func statedNow(_ system: [String]) -> Double? {
        for text in system {
            if let d = statedNowMemo.value(text, { text in
                let b = ByteText.lower(text)
                for cue in nowCues {
                    guard let i = ByteText.firstIndex(of: Array(cue.utf8), in: b, from: 0) else { continue }
                    let window = Array(b[(i + cue.count)..<min(b.count, i + cue.count + 120)])
                    guard let (day, end) = writtenDay(window) else { continue }
                    // A clock time right after the date ("2024-05-15 15:00", "..., 12:40 am", "at 9:25") or
                    // named as the time ("The current time is 9:25 PM"), not any time nearby (opening hours).
                    let rest = Array(window[end..<min(window.count, end + 60)])
                    guard let (seconds, at) = clockSeconds(rest) else { return Double(day) * 86400 }
                    let gap = String(decoding: rest[..<at], as: UTF8.self)
                    let joined = gap.trimmingCharacters(in: CharacterSet(charactersIn: " ,t")).isEmpty || gap.trimmingCharacters(in: .whitespaces) == "at"
                    let named = ["time is", "current time", "local time", "time now", "time:"].contains { gap.contains($0) } && !gap.contains("times")
                    return Double(day) * 86400 + (joined || named ? seconds : 0)
                }
                return nil
            }) { return d }
        }
        return nil
    }

    /// The first date in (lower-cased) `w`, as days since 1970, and where it ends: 2025-10-19,
    /// "october 19, 2025", "19 october 2025", "oct. 19 2025", 10/19/2025 (month first).
    static func writtenDay(_ w: [UInt8]) -> (days: Int, end: Int)? {
        func number(_ i: Int) -> (value: Int, end: Int)? {
            var j = i, v = 0
            while j < w.count, j - i < 4, ByteText.isDigit(w[j]) { v = v * 10 + Int(w[j] - 0x30); j += 1 }
            return j > i && (j == w.count || !ByteText.isDigit(w[j])) ? (v, j) : nil
        }
        func days(_ y: Int, _ m: Int, _ d: Int) -> Int? {
            guard (1900...2200).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
            return Timestamp(iso8601: String(format: "%04d-%02d-%02dT00:00:00Z", y, m, d)).map { Int(($0.seconds / 86400).rounded(.down)) }
        }
        func skip(_ i: Int) -> Int {
            var j = i
            while j < w.count, w[j] == 0x20 || w[j] == UInt8(ascii: ",") || w[j] == UInt8(ascii: ".") { j += 1 }
            return j
        }
        func month(_ i: Int) -> (value: Int, end: Int)? {
            var j = i
            while j < w.count, w[j] >= 0x61 && w[j] <= 0x7a { j += 1 }
            guard j - i >= 3, let m = Facts.months.firstIndex(of: String(decoding: w[i..<(i + 3)], as: UTF8.self)) else { return nil }
            return (m + 1, j)
        }
        var i = 0
        while i < w.count {
            if ByteText.isDigit(w[i]), i == 0 || !ByteText.isAlnum(w[i - 1]), let a = number(i) {
                // 2025-10-19
                if a.end - i == 4, a.end < w.count, w[a.end] == UInt8(ascii: "-"), let m = number(a.end + 1), m.end < w.count, w[m.end] == UInt8(ascii: "-"),
                   let d = number(m.end + 1), let x = days(a.value, m.value, d.value) { return (x, d.end) }
                // 10/19/2025
                if a.end < w.count, w[a.end] == UInt8(ascii: "/"), let d = number(a.end + 1), d.end < w.count, w[d.end] == UInt8(ascii: "/"),
                   let y = number(d.end + 1), y.end - d.end == 5, let x = days(y.value, a.value, d.value) { return (x, y.end) }
                // 19 october 2025
                if let m = month(skip(a.end)), let y = number(skip(m.end)), y.end - skip(m.end) == 4, let x = days(y.value, m.value, a.value) { return (x, y.end) }
            }
            // october 19, 2025
            if w[i] >= 0x61 && w[i] <= 0x7a, i == 0 || !ByteText.isAlnum(w[i - 1]), let m = month(i) {
                if let d = number(skip(m.end)), let y = number(skip(d.end)), y.end - skip(d.end) == 4, let x = days(y.value, m.value, d.value) { return (x, y.end) }
                i = m.end
                continue
            }
            i += 1
        }
        return nil
    }

    /// The first clock time in (lower-cased) `w` as seconds after midnight ("15:00:00", "9:25 pm"), and
    /// where it starts.
    static func clockSeconds(_ w: [UInt8]) -> (seconds: Double, start: Int)? {
        var i = 0
        while i + 3 < w.count {
            defer { i += 1 }
            guard ByteText.isDigit(w[i]), i == 0 || !ByteText.isDigit(w[i - 1]) else { continue }
            var j = i, h = 0
            while j < w.count, j - i < 2, ByteText.isDigit(w[j]) { h = h * 10 + Int(w[j] - 0x30); j += 1 }
            guard j + 2 < w.count, w[j] == UInt8(ascii: ":"), ByteText.isDigit(w[j + 1]), ByteText.isDigit(w[j + 2]) else { continue }
            let m = Int(w[j + 1] - 0x30) * 10 + Int(w[j + 2] - 0x30)
            var k = j + 3
            if k + 2 < w.count, w[k] == UInt8(ascii: ":"), ByteText.isDigit(w[k + 1]), ByteText.isDigit(w[k + 2]) { k += 3 }
            while k < w.count, w[k] == 0x20 { k += 1 }
            if k + 1 < w.count, w[k + 1] == UInt8(ascii: "m") || (k + 2 < w.count && w[k + 1] == UInt8(ascii: ".") && w[k + 2] == UInt8(ascii: "m")) {
                if w[k] == UInt8(ascii: "p"), h < 12 { h += 12 } else if w[k] == UInt8(ascii: "a"), h == 12 { h = 0 }
            }
            guard h <= 23, m <= 59 else { continue }
            return (Double(h * 3600 + m * 60), i)
        }
        return nil
    }
}
