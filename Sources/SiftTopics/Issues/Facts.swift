// Facts: the checkable specifics in a piece of text (amounts of money, percentages, calendar dates,
// identifiers, quantities with units, durations), and the evidence a trace holds to support them.
// Grounding checks in the RAG-evaluation literature (RAGAS faithfulness, TRAIL's "unsupported
// claims") ask whether each specific claim in an answer can be traced to the context the agent had;
// numbers and identifiers are the part of that question a deterministic model can answer exactly.

import Foundation
import SiftModel

enum FactKind: String, Hashable, Sendable {
    case money, percent, date, identifier, quantity, duration
}

struct Fact: Hashable, Sendable {
    var kind: FactKind
    /// Normalised value: a number ("49.99"), a month-day ("05-20"), lower-case alphanumerics ("a123456").
    var key: String
    /// The number, for amounts, percentages, quantities and durations.
    var number: Double?
    /// As written.
    var text: String
}

enum Facts {
    nonisolated(unsafe) static let moneyPattern = try! NSRegularExpression(
        pattern: #"(?:[$€£¥]\s?(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?)\s?(?:usd|eur|gbp|dollars|euros|pounds|bucks)\b)"#, options: .caseInsensitive)
    nonisolated(unsafe) static let percentPattern = try! NSRegularExpression(pattern: #"\b(\d+(?:\.\d+)?)\s?(?:%|percent\b)"#, options: .caseInsensitive)
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    nonisolated(unsafe) static let isoDatePattern = try! NSRegularExpression(pattern: #"\b(\d{4})-(\d{2})-(\d{2})"#)
    nonisolated(unsafe) static let monthDayPattern = try! NSRegularExpression(
        pattern: #"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"#, options: .caseInsensitive)
    nonisolated(unsafe) static let dayMonthPattern = try! NSRegularExpression(
        pattern: #"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"#, options: .caseInsensitive)
    nonisolated(unsafe) static let slashDatePattern = try! NSRegularExpression(pattern: #"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b"#)
    nonisolated(unsafe) static let quantityPattern = try! NSRegularExpression(
        pattern: #"\b(\d+(?:\.\d+)?)\s?(gb|tb|mb|ghz|mhz|mah|mp|kg|lbs?|inch(?:es)?|cm|mm|watts?|w|kwh|hz|fps|rpm|mph|km|miles?|liters?|litres?|ml|oz)\b"#,
        options: .caseInsensitive)
    nonisolated(unsafe) static let durationPattern = try! NSRegularExpression(
        pattern: #"(?<![\d.\-–])\b(\d+)[\s-]?(hours?|days?|weeks?|months?|years?)\b"#, options: .caseInsensitive)
    nonisolated(unsafe) static let numberPattern = try! NSRegularExpression(pattern: #"\d[\d,]*(?:\.\d+)?"#)

    static func number(_ s: String) -> Double? { Double(s.replacingOccurrences(of: ",", with: "")) }

    static func numberKey(_ d: Double) -> String { String(format: "%.2f", d) }

    /// Every fact in `text`.
    static func extract(_ text: String) -> [Fact] {
        let ns = text as NSString
        let range = NSRange(location: 0, length: ns.length)
        var out: [Fact] = []
        var covered: [NSRange] = []
        func add(_ kind: FactKind, _ m: NSTextCheckingResult, key: String, number: Double?) {
            covered.append(m.range)
            out.append(Fact(kind: kind, key: key, number: number, text: ns.substring(with: m.range)))
        }
        func free(_ r: NSRange) -> Bool { !covered.contains { NSIntersectionRange($0, r).length > 0 } }
        for m in moneyPattern.matches(in: text, range: range) {
            let g = m.range(at: 1).location != NSNotFound ? m.range(at: 1) : m.range(at: 2)
            guard let v = number(ns.substring(with: g)) else { continue }
            add(.money, m, key: numberKey(v), number: v)
        }
        for m in percentPattern.matches(in: text, range: range) where free(m.range) {
            guard let v = number(ns.substring(with: m.range(at: 1))) else { continue }
            add(.percent, m, key: numberKey(v), number: v)
        }
        for m in isoDatePattern.matches(in: text, range: range) where free(m.range) {
            guard let mo = Int(ns.substring(with: m.range(at: 2))), let d = Int(ns.substring(with: m.range(at: 3))), (1...12).contains(mo), (1...31).contains(d) else { continue }
            add(.date, m, key: String(format: "%02d-%02d", mo, d), number: nil)
        }
        for m in monthDayPattern.matches(in: text, range: range) where free(m.range) {
            let mo = (months.firstIndex(of: String(ns.substring(with: m.range(at: 1)).lowercased().prefix(3))) ?? 0) + 1
            guard let d = Int(ns.substring(with: m.range(at: 2))), (1...31).contains(d) else { continue }
            add(.date, m, key: String(format: "%02d-%02d", mo, d), number: nil)
        }
        for m in dayMonthPattern.matches(in: text, range: range) where free(m.range) {
            let mo = (months.firstIndex(of: String(ns.substring(with: m.range(at: 2)).lowercased().prefix(3))) ?? 0) + 1
            guard let d = Int(ns.substring(with: m.range(at: 1))), (1...31).contains(d) else { continue }
            add(.date, m, key: String(format: "%02d-%02d", mo, d), number: nil)
        }
        for m in slashDatePattern.matches(in: text, range: range) where free(m.range) {
            guard let a = Int(ns.substring(with: m.range(at: 1))), let b = Int(ns.substring(with: m.range(at: 2))) else { continue }
            // Month first when it can be; the other reading is also accepted as support (see `supports`).
            let (mo, d) = a <= 12 ? (a, b) : (b, a)
            guard (1...12).contains(mo), (1...31).contains(d) else { continue }
            add(.date, m, key: String(format: "%02d-%02d", mo, d), number: nil)
        }
        for m in quantityPattern.matches(in: text, range: range) where free(m.range) {
            guard let v = number(ns.substring(with: m.range(at: 1))) else { continue }
            add(.quantity, m, key: numberKey(v), number: v)
        }
        for m in durationPattern.matches(in: text, range: range) where free(m.range) {
            guard let v = number(ns.substring(with: m.range(at: 1))), v >= 2 else { continue }
            // Ranges ("3-5 days", "3 to 5 days") and bounds ("within 24 hours", "up to 10 days") are
            // estimates, not claims of fact.
            let before = ns.substring(to: m.range.location).lowercased().suffix(12)
            if before.hasSuffix("-") || before.hasSuffix("–") || before.hasSuffix(" to ") || before.hasSuffix("within ") || before.hasSuffix("up to ")
                || before.hasSuffix("about ") || before.hasSuffix("around ") || before.hasSuffix("least ") || before.hasSuffix("than ") { continue }
            add(.duration, m, key: numberKey(v), number: v)
        }
        for id in identifiers(text) {
            let r = ns.range(of: id)
            if r.location != NSNotFound, !free(r) { continue }
            out.append(Fact(kind: .identifier, key: normalizedID(id), number: nil, text: id))
        }
        return out
    }

    /// Identifier-like tokens: at least five characters of letters, digits, '-', '_' or '#', with a
    /// digit, and either a letter or at least five digits; never a date, time or plain amount.
    static func identifiers(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        func flush() {
            defer { cur = "" }
            while let l = cur.last, l == "-" || l == "_" || l == "#" { cur.removeLast() }
            while let f = cur.first, f == "-" || f == "_" || f == "#" { cur.removeFirst() }
            guard cur.count >= 5, cur.count <= 64 else { return }
            let digits = cur.filter(\.isNumber).count
            let letters = cur.filter(\.isLetter).count
            guard digits >= 1, letters >= 1 || digits >= 5 else { return }
            guard letters > 0 || !cur.contains("-") || cur.split(separator: "-").count < 3 else { return } // 2024-05-20, 555-123-4567
            if letters > 0 {
                // 10am, 3pm, 2nd, 45kg: a number with a short unit is not an identifier.
                let tail = cur.drop(while: \.isNumber)
                if tail.allSatisfy(\.isLetter), tail.count <= 4, cur.first!.isNumber { return }
            }
            out.append(cur)
        }
        for ch in text {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ch == "-" || ch == "_" || ch == "#") { cur.append(ch) } else { flush() }
        }
        flush()
        return out
    }

    static func normalizedID(_ s: String) -> String { String(s.lowercased().filter { $0.isLetter || $0.isNumber }) }

    /// Whether a sentence states facts rather than asking, hedging or giving an example.
    static func isAssertion(_ sentence: String) -> Bool {
        let s = sentence.lowercased()
        if s.contains("?") { return false }
        let hedges = ["might", "may be", "maybe", "approximately", "roughly", "estimate", "typically", "usually", "generally", "for example",
                      "e.g.", "such as", "if you", "if the", "if it", "you mentioned", "you said", "you provided", "you gave", "according to you"]
        return !hedges.contains { s.contains($0) }
    }

    /// Sentences of a text (split at . ! ? and line breaks, keeping decimals and abbreviations whole).
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        let chars = Array(text)
        for (i, ch) in chars.enumerated() {
            cur.append(ch)
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if ch == "\n" || ((ch == "." || ch == "!" || ch == "?") && (next == nil || next!.isWhitespace)) {
                let t = cur.trimmed
                if !t.isEmpty { out.append(t) }
                cur = ""
            }
        }
        let t = cur.trimmed
        if !t.isEmpty { out.append(t) }
        return out
    }
}

/// What a trace offers in support of a claim: every number, date and identifier in the system
/// prompts, user turns, tool arguments, tool results and error messages.
struct EvidencePool {
    var numbers: [Double] = []
    var numberKeys = Set<String>()
    var dates = Set<String>()
    var text = ""
    var digitRuns = Set<String>()
    /// Month-day of the conversation and the days beside it ("today", "tomorrow").
    var nearDates = Set<String>()
    var offsetDates = Set<String>()

    init(texts: [String], created: Timestamp) {
        var seen = Set<String>()
        for t in texts {
            text += t.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " }
            text += " "
            let ns = t as NSString
            for m in Facts.numberPattern.matches(in: t, range: NSRange(location: 0, length: ns.length)) {
                guard let v = Facts.number(ns.substring(with: m.range)) else { continue }
                let k = Facts.numberKey(v)
                if seen.insert(k).inserted { numbers.append(v) }
                numberKeys.insert(k)
            }
            for f in Facts.extract(t) where f.kind == .date { dates.insert(f.key) }
            var run = ""
            for ch in t {
                if ch.isNumber { run.append(ch) } else { if run.count >= 4 { digitRuns.insert(run) }; run = "" }
            }
            if run.count >= 4 { digitRuns.insert(run) }
        }
        let day = Int((created.seconds / 86400).rounded(.down))
        for d in (day - 1)...(day + 1) {
            let c = Timestamp.civil(fromDays: d)
            nearDates.insert(String(format: "%02d-%02d", c.month, c.day))
        }
        // Dates a stated number of days from the conversation ("back in stock in 3 days").
        for n in numbers where n >= 2 && n <= 90 && n == n.rounded() {
            let c = Timestamp.civil(fromDays: day + Int(n))
            offsetDates.insert(String(format: "%02d-%02d", c.month, c.day))
        }
        if numbers.count > 400 { numbers = Array(numbers.prefix(400)) }
    }

    /// Whether the evidence supports the fact: it appears there, or (for amounts) follows from
    /// evidence by one step of arithmetic (a sum, difference, multiple, or percentage of amounts).
    func supports(_ f: Fact) -> Bool {
        switch f.kind {
        case .identifier:
            if text.contains(f.key) { return true }
            let digits = String(f.text.filter(\.isNumber))
            return digits.count >= 4 && digitRuns.contains(where: { $0.contains(digits) })
        case .date:
            if dates.contains(f.key) || nearDates.contains(f.key) || offsetDates.contains(f.key) { return true }
            let p = f.key.split(separator: "-")
            return p.count == 2 && dates.contains("\(p[1])-\(p[0])")
        case .money, .percent, .quantity, .duration:
            guard let v = f.number else { return true }
            if numberKeys.contains(f.key) { return true }
            if f.kind != .money && f.kind != .percent { return false }
            return derivable(v)
        }
    }

    func derivable(_ v: Double) -> Bool {
        func near(_ a: Double) -> Bool { abs(a - v) < 0.0051 }
        let xs = numbers
        for a in xs {
            for m in 2...10 where near(a * Double(m)) || near(a / Double(m)) { return true }
        }
        for i in xs.indices {
            for j in xs.indices where j > i {
                let a = xs[i], b = xs[j]
                if near(a + b) || near(abs(a - b)) || near(a * b) { return true }
                if b <= 100, near(a * b / 100) || near(a * (1 - b / 100)) { return true }
                if a <= 100, near(b * a / 100) || near(b * (1 - a / 100)) { return true }
            }
        }
        // A total over several amounts.
        var total = 0.0
        for a in xs { total += a; if near(total) { return true } }
        return false
    }
}
