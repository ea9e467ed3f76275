// Grounding of answers: specifics in the agent's replies that no tool output or user turn supports, and stale values.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
    // MARK: - Grounding of answers

    struct Valued {
        var value: Double
        var kind: FactKind
        var words: Set<String>
        var retrieval: Bool
        var date: Double?
        var event: Int
        var tool: String
        var quote: String
        /// For a field of a structured result: its name and the identifiers of the object holding it.
        var key: String? = nil
        var ids: Set<String> = []

        /// Whether two values can be two versions of one fact: text is compared by its words (three
        /// shared, or two that are all one of them has); two
        /// fields must have the same name and, where both objects are identified, one identifier
        /// (an invoice's total and its subtotal, or this month's total and last month's, are not).
        func sameFact(as o: Valued) -> Bool {
            // An object with no identifier is compared only with what the same tool returned.
            if let k = key, let ok = o.key { return k == ok && (ids.isEmpty || o.ids.isEmpty ? tool == o.tool : !ids.isDisjoint(with: o.ids)) }
            let shared = words.intersection(o.words).count
            return shared >= 3 || (shared >= 2 && shared == min(words.count, o.words.count))
        }
    }

    static let genericWords: Set<String> = ["price", "prices", "cost", "costs", "total", "amount", "your", "this", "that", "with", "from", "have",
                                            "will", "would", "which", "their", "there", "about", "what", "when", "plan", "item", "items", "product",
                                            "order", "currently", "current", "only", "also", "just", "month", "year", "week", "each", "per", "fee"]

    static func contentWords(_ s: String) -> Set<String> {
        Set(Words.split(s).filter { $0.count >= 4 && !$0.contains(where: \.isNumber) && !Tokens.stopwords.contains($0) && !genericWords.contains($0) })
    }

    static let moneyKeys = ["price", "cost", "fee", "amount", "total", "rate", "fare", "charge", "subtotal", "msrp", "balance", "refund", "premium"]
    static let dateKeys = ["updated", "modified", "as_of", "asof", "indexed", "refreshed", "snapshot", "published", "effective", "last_", "date", "version"]

    /// Amounts in successful tool results, with the words around them and how fresh their source is.
    func valuedFacts() -> [Valued] {
        var out: [Valued] = []
        for (ev, c) in calls where !c.failed {
            var resultDate: Double?
            func dates(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                if case .object(let o) = v {
                    for (k, x) in o {
                        let lk = k.lowercased()
                        if let s = x.stringValue, ByteText.any(lk, Self.dateKeys), let d = Timestamp(iso8601: s) { resultDate = max(resultDate ?? d.seconds, d.seconds) }
                        dates(x, depth: depth + 1)
                    }
                } else if case .array(let a) = v { for x in a.prefix(50) { dates(x, depth: depth + 1) } }
            }
            dates(c.resultValue, depth: 0)
            // Only amounts and percentages are kept: text that cannot hold one is not split or read.
            func text(_ s: String, words extra: () -> Set<String>) {
                guard Facts.mayHoldMoneyOrPercent(s) else { return }
                // A price list names its currency once ("Prices are in USD") and writes its amounts bare
                // ("- Starter: 7.00 - 250 GB"): in a text about prices, a number with two decimals is an amount.
                let priced = Self.pricedText(s)
                for sentence in Facts.sentences(s) {
                    var found = Facts.extract(sentence).compactMap { f -> (Double, FactKind)? in
                        (f.kind == .money || f.kind == .percent) ? f.number.map { ($0, f.kind) } : nil
                    }
                    if priced { for v in Self.bareAmounts(sentence) where !found.contains(where: { $0.1 == .money && $0.0 == v }) { found.append((v, .money)) } }
                    guard !found.isEmpty else { continue }
                    let w = Self.contentWords(sentence).union(extra())
                    for (v, kind) in found { out.append(Valued(value: v, kind: kind, words: w, retrieval: c.isRetrieval, date: resultDate, event: ev, tool: c.name, quote: sentence)) }
                }
            }
            func walk(_ v: Value, depth: Int) {
                guard depth < 8 else { return }
                switch v {
                case .object(let o):
                    // The words of the object's short strings, read when an amount in it needs them.
                    var siblingsRead: Set<String>?
                    func siblings() -> Set<String> {
                        if let s = siblingsRead { return s }
                        var w = Set<String>()
                        // ("easy_access_aer" is three words; "credit_card_4938634" is an identifier, no words.)
                        for (_, x) in o {
                            guard let s = x.stringValue, s.count <= 120 else { continue }
                            w.formUnion(Self.contentWords(s.contains(where: \.isNumber) ? s : s.replacingOccurrences(of: "_", with: " ")))
                        }
                        siblingsRead = w
                        return w
                    }
                    for (k, x) in o {
                        let lk = k.lowercased()
                        if let d = x.doubleValue, ByteText.any(lk, Self.moneyKeys), !lk.contains("id") {
                            // A rate given in percent ("rate_pct": 3.05) is stated as one ("3.05%").
                            let percent = lk.contains("pct") || lk.contains("percent")
                            out.append(Valued(value: d, kind: percent ? .percent : .money, words: siblings(), retrieval: c.isRetrieval, date: resultDate, event: ev, tool: c.name,
                                              quote: "\(c.name) -> \(k): \(JSONWriter.string(x))", key: lk, ids: objectIDs(o, tool: c.name)))
                        } else if let s = x.stringValue, s.count > 3 {
                            text(s, words: { s.count <= 120 ? [] : siblings() })
                        } else {
                            walk(x, depth: depth + 1)
                        }
                    }
                case .array(let a): for x in a.prefix(100) { walk(x, depth: depth + 1) }
                case .string(let s): text(s, words: { [] })
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        return out
    }

    /// What identifies an object: the identifiers in fields that name one, or else its name, title or
    /// code (plans in a list are told apart by name).
    func objectIDs(_ o: JSONObject, tool: String = "") -> Set<String> {
        var out = Set<String>()
        // The object's own identifier ("id", or the one named after what the tool handles: an
        // issue_refund result's refund_id) when it has one; the others (its invoice_id) refer to other objects.
        let noun = Set(Self.keyWords(tool))
        for (k, x) in o {
            guard let s = x.stringValue else { continue }
            let words = Self.keyWords(k)
            guard Self.keyClass(k).lower == "id" || (words.last == "id" && words.count == 2 && noun.contains(words[0])) else { continue }
            for id in Facts.identifiers(s) { out.insert(Facts.normalizedID(id)) }
        }
        if !out.isEmpty { return out }
        for (k, x) in o {
            if let s = x.stringValue, Self.keyClass(k).names { for id in Facts.identifiers(s) { out.insert(Facts.normalizedID(id)) } }
        }
        if out.isEmpty {
            for (k, x) in o {
                let lk = k.lowercased()
                if let s = x.stringValue, s.count <= 80, lk.hasSuffix("name") || lk.hasSuffix("title") || lk.hasSuffix("code") { out.insert("name:" + Facts.normalizedID(s)) }
            }
        }
        return out
    }

    /// Whether source `b` is fresher than source `a`: a later date, a live lookup over a retrieved
    /// document, or a later call of the same tool.
    static func fresher(_ b: Valued, than a: Valued) -> Bool {
        if let db = b.date, let da = a.date { return db > da + 86400 }
        if a.retrieval && !b.retrieval { return true }
        if b.retrieval && !a.retrieval { return false }
        // What a write reports back is the object's state after it: a package's price in the change's
        // own result over the catalog's price before it.
        if b.event > a.event, isWrite(b.tool) { return true }
        return b.tool == a.tool && b.event > a.event
    }

    static let correctionCues = ["that's wrong", "that is wrong", "that's not right", "that is not right", "not correct", "incorrect", "that's not what",
                                 "you're wrong", "you are wrong", "that's not true", "that is not true", "but it says", "but the website", "but your website",
                                 "but your site", "but the app", "but the site", "that doesn't match", "that does not match", "doesn't add up"]
    /// Openers of a new request in a session of several ("Also, ...", "One more thing: ...", "Autre
    /// chose : ..."), looked for at the start of a (lower-cased) turn.
    static let newRequestOpeners = ["also", "another question", "another thing", "one more thing", "one more question", "while i have you",
                                    "btw", "by the way", "and also", "oh and", "oh, and", "next thing", "next question", "other thing", "separately",
                                    "autre chose", "aussi", "une autre question", "otra cosa", "otra pregunta", "además", "tambi", "outra coisa", "outra pergunta",
                                    "também", "noch etwas", "noch eine frage", "außerdem", "ausserdem", "un'altra cosa", "un'altra domanda", "inoltre", "anche"]

    static func opensNewRequest(_ lower: String) -> Bool {
        let head = lower.drop(while: { $0.isWhitespace || $0.isPunctuation }).prefix(40)
        // At the start, or (a phrase of two words or more) after a short acknowledgement ("ok great.
        // Another question: ...").
        let lead = String(head.prefix(30))
        return newRequestOpeners.contains { head.hasPrefix($0) }
            || newRequestOpeners.contains { o in o.contains(" ") && [":", " -", ",", "?"].contains { lead.contains(o + $0) } }
    }

    static let oldValueCues = ["old price", "old rate", "old fee", "outdated", "out of date", "previous price", "previous rate", "formerly",
                               "still shows", "still lists", "still says", "superseded"]

    /// Whether the words just before the claim call it old ("still shows the old price of $7.00").
    static func calledOld(_ f: Fact, in sentence: String) -> Bool {
        let l = Array(sentence.lowercased().utf8)
        guard let at = ByteText.firstIndex(of: Array(f.text.lowercased().utf8), in: l, from: 0) else { return false }
        let before = Array(l[max(0, at - 40)..<at])
        return oldValueCues.contains { ByteText.contains(before, Array($0.utf8)) }
    }
    static let stalenessCues = ["outdated", "out of date", "old price", "price changed", "prices changed", "no longer", "has changed", "have changed",
                                "was updated", "been updated", "new price", "now costs", "went up", "increased", "raised", "current price", "latest"]

    /// Which claims of one answer the evidence supports, directly or as worked out from other
    /// claims of the answer it supports (`EvidencePool.supports(_:own:answerDays:)`): a fixpoint over
    /// the answer, so the order its sentences state them in does not matter.
    static func supportedClaims(_ factsBy: [[Fact]], sentences: [String], answer: String, evidence: EvidencePool) -> [[Bool]] {
        var supported = factsBy.map { $0.map { evidence.supports($0) } }
        guard supported.contains(where: { $0.contains(false) }) else { return supported }
        var own: [Double] = []
        // A number written with dots between thousands stands for both its readings.
        func readings(_ f: Fact) -> [Double] { (f.number.map { [$0] } ?? []) + (EvidencePool.groupedByDots(f).map { [$0] } ?? []) }
        for (k, fs) in factsBy.enumerated() { for (j, f) in fs.enumerated() where supported[k][j] { own += readings(f) } }
        let answerDays = EvidencePool.isoDays(answer)
        for _ in 0..<4 {
            var changed = false
            for (k, sentence) in sentences.enumerated() where supported[k].contains(false) {
                let shown = evidence.shownResults(sentence, own: own, answerDays: answerDays)
                // A percentage relates numbers of its own sentence.
                let near = factsBy[k].indices.flatMap { j in supported[k][j] && factsBy[k][j].kind != .percent ? readings(factsBy[k][j]) : [] }
                for (j, f) in factsBy[k].enumerated() where !supported[k][j] {
                    guard let n = f.number else { continue }
                    let ok = shown.contains { abs($0 - n) < 0.0051 }
                        || evidence.supports(f, own: f.kind == .percent ? near : own, answerDays: answerDays)
                    if ok { supported[k][j] = true; own += readings(f); changed = true }
                }
            }
            if !changed { break }
        }
        return supported
    }

    mutating func grounding() {
        guard !t.events.isEmpty else { return }
        var pool: [String] = t.system
        for e in t.events {
            switch e {
            case .user(let s): pool.append(s)
            case .tool(let c): pool.append(c.arguments); pool.append(c.result); if let m = c.errorMessage { pool.append(m) }
            case .assistant: break
            }
        }
        let evidenceTexts = pool + t.retrievedText
        let evidence = EvidencePool(texts: evidenceTexts, created: conversationTime)
        var sourcesCache: [Valued]?
        func sources() -> [Valued] {
            if let s = sourcesCache { return s }
            let s = calls.isEmpty ? [] : valuedFacts()
            sourcesCache = s
            return s
        }
        var listsCache: Set<Int>?
        func lists() -> Set<Int> {
            if let l = listsCache { return l }
            let l = listLengths()
            listsCache = l
            return l
        }
        var minutesCache: Set<Int>?
        func evidenceMinutes() -> Set<Int> {
            if let m = minutesCache { return m }
            var m = Set<Int>()
            for text in evidenceTexts { for c in Self.clockTimes(text) { m.insert(c.minute) } }
            minutesCache = m
            return m
        }
        var stale: [(span: String?, quote: String)] = []
        var unsupported: [(span: String?, quote: String)] = []
        var lastClaims: [Fact] = []
        var answered = false
        for (i, e) in t.events.enumerated() {
            switch e {
            case .assistant(let s):
                answered = true
                lastClaims = []
                let sentences = Facts.sentences(s).filter(Facts.isAssertion)
                let factsBy = sentences.map(Facts.extract)
                let supported = Self.supportedClaims(factsBy, sentences: sentences, answer: s, evidence: evidence)
                // The answer's figures the evidence holds, for counts worked out from them.
                let own = Array(Set(Self.numbersIn(s).map(\.value).filter { evidence.numberKeys.contains(Facts.numberKey($0)) })).sorted().prefix(64).map { $0 }
                for (k, sentence) in sentences.enumerated() {
                    let facts = factsBy[k]
                    lastClaims += facts
                    let flagged = unsupported.count + stale.count
                    defer {
                        if unsupported.count + stale.count == flagged, Self.unsupportedCount(sentence, evidence: evidence, own: own, lists: lists) != nil {
                            countClaims.append((span(i), sentence))
                        }
                    }
                    if (Self.hasOddClockTime(sentence) && !Self.clockTimesSupported(sentence, by: evidenceMinutes()))
                        || Self.versions(sentence).contains(where: { v in !evidenceTexts.contains { $0.contains(v) } }) {
                        unsupported.append((span(i), sentence))
                        continue
                    }
                    for (j, f) in facts.enumerated() {
                        if !supported[k][j] {
                            unsupported.append((span(i), sentence))
                            break
                        }
                        guard f.kind == .money || f.kind == .percent, let v = f.number else { continue }
                        let words = Self.contentWords(sentence)
                        let sources = sources()
                        let support = sources.filter { $0.kind == f.kind && abs($0.value - v) < 0.0051 && $0.event < i }
                        // An answer that calls the value old ("the article still shows the old price of $7.00")
                        // reports the change rather than answering from before it.
                        guard !support.isEmpty, !Self.calledOld(f, in: sentence) else { continue }
                        // A newer value conflicts when it is about what the claim and its source are about:
                        // it shares a word with the claim and two with the source (a plan's monthly price
                        // is no newer value of a static IP's price because both mention fiber).
                        let conflicts = sources.filter { c in
                            c.kind == f.kind && abs(c.value - v) >= 0.0051 && c.event < i && !c.words.isDisjoint(with: words)
                                && !support.contains { abs($0.value - c.value) < 0.0051 }
                                && support.contains { $0.sameFact(as: c) }
                        }
                        // An answer that states the newer value too reports the change ("£34.99 rather
                        // than £31.99").
                        if let c = conflicts.first(where: { c in support.allSatisfy { Self.fresher(c, than: $0) } }),
                           !Self.numbersIn(s).contains(where: { abs($0.value - c.value) < 0.0051 }) {
                            stale.append((span(i), sentence))
                            stale.append((span(c.event), c.quote))
                            break
                        }
                    }
                }
            case .user(let s) where answered:
                let l = s.lowercased()
                // A turn that opens a new request ("Also, there's a charge on my bill that's wrong")
                // says something else is wrong, not the agent's answer.
                let corrects = ByteText.any(l, Self.correctionCues) && !Self.opensNewRequest(l)
                let strong = ByteText.any(l, ["outdated", "out of date", "old price", "old information", "not up to date"])
                if strong {
                    stale.append((span(i), s))
                } else if lastClaims.isEmpty {
                    if corrects { add(.userCorrection, "The user said the agent's answer was wrong.", [(span(i), s)]) }
                } else if ByteText.any(l, Self.stalenessCues) && (corrects
                            || Facts.sentences(s).filter({ !$0.contains("?") }).flatMap(Facts.extract).contains { f in lastClaims.contains { $0.kind == f.kind && $0.key != f.key } }) {
                    // (Figures in a question ask something new; a correction states them: "Are you
                    // sure? Your website shows a new price of $229.")
                    stale.append((span(i), s))
                } else if corrects {
                    add(.userCorrection, "The user said the agent's answer was wrong.", [(span(i), s)])
                }
                lastClaims = []
            default: break
            }
        }
        // With no tool call at all, claims about the user's own account (an order's state, a refund, a
        // charge) cannot have come from anywhere: the agent had nothing to look them up in.
        if calls.isEmpty, !t.userTurns.isEmpty {
            for (i, e) in t.events.enumerated() {
                guard case .assistant(let s) = e else { continue }
                if let sentence = Facts.sentences(s).first(where: { Facts.isAssertion($0) && Self.isAccountClaim($0) }) {
                    unsupported.append((span(i), sentence))
                    break
                }
            }
        }
        // A request about the user's own account (they gave an identifier) answered without looking
        // anything up: the agent could not have known, or did nothing.
        if calls.isEmpty, unsupported.isEmpty, !t.assistantTurns.isEmpty,
           let (i, turn) = t.events.enumerated().lazy.compactMap({ i, e -> (Int, String)? in
               // An account reference: an identifier in a short turn that names what it identifies (a
               // pasted log full of codes is not a request about an account).
               if case .user(let u) = e, u.utf8.count < 400, ByteText.any(u, Self.accountWords),
                  Facts.identifiers(u).contains(where: { id in id.contains(where: \.isLetter) || id.count >= 6 }) { return (i, u) }
               return nil
           }).first {
            add(.noLookup, "The user gave an account identifier, but the agent answered without looking anything up.", [(span(i), turn)])
        }
        if !stale.isEmpty {
            add(.staleContext, "The answer used a value from an older source although a newer source or the user gave a different one.", stale)
        }
        if !unsupported.isEmpty {
            add(.unsupportedClaim, "The answer states specifics that nothing the agent saw supports.", unsupported + countClaims)
            countClaims = []
        }
    }

    static let accountWords = ["order", "account", "booking", "reservation", "user id", "my id", "customer", "ticket", "confirmation",
                               "tracking", "invoice", "subscription", "membership", "policy number", "case number", "member"]
    static let accountNouns = ["your order", "your refund", "your account", "your payment", "your charge", "your package", "your parcel",
                               "your subscription", "your booking", "your reservation", "your claim", "your case", "your ticket", "your return",
                               "your replacement", "your delivery", "your shipment", "the duplicate charge", "the charge", "the refund", "the order",
                               "we'll ship you", "we will ship you", "we'll send you", "we will send you", "you'll receive", "you will receive"]
    static let stateCues = ["processed", "reversed", "refunded", "shipped", "delivered", "approved", "cancelled", "canceled", "credited",
                            "left our warehouse", "has been", "have been", "was ", "will be", "already", "guarantee", "warranty", "free of charge",
                            "on its way", "arrive", "disappear"]

    static func isAccountClaim(_ sentence: String) -> Bool {
        let l = sentence.lowercased()
        let mentionsAccount = ByteText.any(l, accountNouns) || Facts.identifiers(sentence).contains { $0.contains(where: \.isLetter) && $0.contains(where: \.isNumber) }
        return mentionsAccount && ByteText.any(l, stateCues)
    }

    // MARK: - Clock times

    /// The clock times in `text` ("10:06", "08:49:12", "14h05", the time of "2025-06-24T10:06:33Z"): one
    /// or two digits, a colon (or an h), two digits, not inside a longer run of colons and digits ("1:2:3:4") or a
    /// ratio with a one-digit second part ("16:9").
    static func clockTimes(_ text: String) -> [(hour: Int, minute: Int)] {
        let b = Array(text.utf8)
        var out: [(Int, Int)] = []
        func digit(_ i: Int) -> Bool { i >= 0 && i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
        var i = 1
        while i + 2 < b.count {
            defer { i += 1 }
            // "10:06", or "14h05" as French and German write it.
            let h = b[i] == UInt8(ascii: "h") && !(i + 3 < b.count && ByteText.isAlnum(b[i + 3]))
            guard b[i] == UInt8(ascii: ":") || h, digit(i - 1), digit(i + 1), digit(i + 2), !digit(i + 3) else { continue }
            var lo = i - 1
            if digit(lo - 1) { lo -= 1 }
            // Inside a longer run ("123:45") or the seconds of a time ("10:06:33").
            if digit(lo - 1) || (lo > 0 && b[lo - 1] == UInt8(ascii: ":")) { continue }
            let hour = Int(b[lo..<i].reduce(0) { $0 * 10 + Int($1 - 0x30) }), minute = Int(b[i + 1] - 0x30) * 10 + Int(b[i + 2] - 0x30)
            if hour <= 23, minute <= 59 { out.append((hour, minute)) }
        }
        return out
    }

    /// Whether an answer's sentence states a time to the minute that is not on a quarter hour
    /// ("locked at 08:49"): a specific the agent can only have read somewhere (opening hours and
    /// slots are on the hour or the quarter, and are left alone).
    static func hasOddClockTime(_ sentence: String) -> Bool {
        guard sentence.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "h") }) else { return false }
        return clockTimes(sentence).contains { $0.minute % 15 != 0 }
    }

    /// Whether each such time's minute is the minute of a time in the evidence: a time stamp read out
    /// in another zone keeps its minutes, or moves them by half an hour (India, Iran, Newfoundland,
    /// central Australia), so the hour is not compared.
    static func clockTimesSupported(_ sentence: String, by minutes: Set<Int>) -> Bool {
        clockTimes(sentence).allSatisfy { $0.minute % 15 == 0 || minutes.contains($0.minute) || minutes.contains(($0.minute + 30) % 60) }
    }

    // MARK: - Version numbers

    /// Dotted version numbers in `text` ("3.3.7", "2024.002.20857", "5.6.2.1"): three or four groups
    /// of digits joined by single dots, not inside a longer dotted run or a word, and not a date
    /// ("24.06.2025", "2025.06.24"). A release is a specific the agent can only have read somewhere.
    static func versions(_ text: String) -> [String] {
        guard text.utf8.contains(UInt8(ascii: ".")) else { return [] }
        let b = Array(text.utf8)
        var out: [String] = []
        var i = 0
        while i < b.count {
            guard ByteText.isDigit(b[i]), i == 0 || !(ByteText.isAlnum(b[i - 1]) || b[i - 1] == UInt8(ascii: ".")) else { i += 1; continue }
            var groups: [Int] = [], j = i
            while j < b.count {
                let g = j
                while j < b.count, ByteText.isDigit(b[j]) { j += 1 }
                groups.append(j - g)
                guard j + 1 < b.count, b[j] == UInt8(ascii: "."), ByteText.isDigit(b[j + 1]) else { break }
                j += 1
            }
            let whole = String(decoding: b[i..<j], as: UTF8.self)
            let parts = whole.split(separator: ".")
            let dateLike = parts.count == 3 && (parts.contains { $0.count == 4 && ($0.hasPrefix("19") || $0.hasPrefix("20")) } && parts.allSatisfy { $0.count <= 4 }
                || parts.allSatisfy { $0.count == 2 } && (Int(parts[1]) ?? 13) <= 12)
            let boundary = j == b.count || !(ByteText.isAlnum(b[j]))
            if (3...4).contains(groups.count), boundary, !dateLike { out.append(whole) }
            i = max(j, i + 1)
        }
        return out
    }
}
