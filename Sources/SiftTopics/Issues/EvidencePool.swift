// The evidence a trace offers for the claims in its answers and the amounts in its calls: every
// number, date, identifier and run of digits its tool results, documents, system prompt and user
// turns hold, and what follows from them by a step of arithmetic or a change of unit.
// Part of the Issues detectors (IssueFinder+Grounding.swift and IssueFinder+Arguments.swift use it).

import Foundation
import SiftModel

/// What a trace offers in support of a claim: every number, date and identifier in the system
/// prompts, user turns, tool arguments, tool results and error messages.
final class EvidencePool {
    var numbers: [Double] = []
    var numberKeys = Set<String>()
    /// Dates are read only when a date claim is checked (most traces have none).
    private(set) var datedTexts: [String] = []
    /// Durations the evidence states with their unit, in seconds (EvidencePool+Durations.swift).
    var timedRead: [Double]?
    /// When the conversation happened, for durations counted from a time stamp to it.
    let createdSeconds: Double
    private var datesRead: Set<String>?
    private var dates: Set<String> {
        if let d = datesRead { return d }
        let d = Set(datedTexts.flatMap(Facts.dates))
        datesRead = d
        return d
    }
    /// The conversation's day, for dates stated as a number of days from it.
    private let day: Int
    var text: [UInt8] = []
    var digitRuns = Set<String>()
    /// Month-day of the conversation and the days beside it ("today", "tomorrow").
    var nearDates = Set<String>()
    /// Dates a stated number of days or weeks from the conversation ("back in stock in 3 days",
    /// "restock_in_days": 3), read when a date claim is checked. Only a number stated as days counts:
    /// with any number of the evidence, nearly every date of the next three months was supported.
    var offsetDates: Set<String> {
        if let o = offsetRead { return o }
        var out = Set<String>()
        for s in timedSeconds where s >= 86400 && s <= 90 * 86400 && s.truncatingRemainder(dividingBy: 86400) == 0 {
            let c = Timestamp.civil(fromDays: day + Int(s / 86400))
            out.insert(Facts.dayKey(c.month, c.day))
        }
        // A stated wait counted from the date it names ("at least 180 days must have passed since the
        // last limit increase" from "last_increase_date": "2023-12-03": ask again after 31 May 2024):
        // the date's field shares a word with the wait's sentence. (Any wait from any date supported
        // invented dates: a trace holds many of both.)
        var waits: [(days: Int, stems: Set<String>)] = []
        var fields: [(day: Int, stems: Set<String>)] = []
        for text in datedTexts {
            if let first = text.utf8.first(where: { $0 > 0x20 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                guard text.utf8.count < 200_000, let v = try? JSONReader.parse(text) else { continue }
                func walk(_ v: Value, depth: Int) {
                    guard depth < 6, fields.count < 100 else { return }
                    switch v {
                    case .object(let o):
                        for (k, x) in o {
                            if let s = x.stringValue, s.utf8.count >= 10, let d = Self.isoDays(s).first {
                                fields.append((d, IssueFinder.stems(k).subtracting(["date", "time", "dated", "last", "next", "updat", "creat", "modif", "first"])))
                            } else { walk(x, depth: depth + 1) }
                        }
                    case .array(let a): for x in a.prefix(50) { walk(x, depth: depth + 1) }
                    default: break
                    }
                }
                walk(v, depth: 0)
            } else {
                for sentence in Facts.sentences(text) where sentence.utf8.count < 400 {
                    for s in Self.durations(sentence) where s >= 86400 && s <= 800 * 86400 && s.truncatingRemainder(dividingBy: 86400) == 0 {
                        waits.append((Int(s / 86400), IssueFinder.stems(sentence)))
                    }
                }
            }
        }
        for w in waits.prefix(40) {
            for f in fields where !f.stems.isDisjoint(with: w.stems) {
                let c = Timestamp.civil(fromDays: f.day + w.days)
                out.insert(Facts.dayKey(c.month, c.day))
            }
        }
        offsetRead = out
        return out
    }
    private var offsetRead: Set<String>?
    private var totalsRead: Set<String>?

    /// What one text offers as evidence, read once per distinct long text (see `TextMemo`).
    struct TextEvidence {
        var alnum: [UInt8] = []
        /// Numbers in the order they appear, with their keys.
        var numbers: [(value: Double, key: String)] = []
        var digitRuns: [String] = []
        var hasDigit = false

        init(_ t: String) {
            alnum = ByteText.alnum(t)
            // Numbers ("1,249.50", "42") and runs of digits, in one pass over the bytes.
            var num: [UInt8] = [], run = 0, numStart = 0
            let bytes = Array(t.utf8)
            func endNumber() {
                while let l = num.last, l == UInt8(ascii: ".") || l == UInt8(ascii: ",") { num.removeLast() }
                if !num.isEmpty, let v = Double(String(decoding: num.filter { $0 != UInt8(ascii: ",") }, as: UTF8.self)) {
                    numbers.append((v, Facts.numberKey(v)))
                    // Money in minor units ("refund_due_minor": 1129) is also the amount (11.29).
                    if !num.contains(UInt8(ascii: ".")), EvidencePool.minorUnitKey(bytes, before: numStart) { numbers.append((v / 100, Facts.numberKey(v / 100))) }
                }
                num = []
            }
            for (i, b) in bytes.enumerated() {
                let digit = b >= 0x30 && b <= 0x39
                if digit {
                    hasDigit = true
                    if num.isEmpty { numStart = i }
                    num.append(b); run += 1
                } else {
                    if run >= 4 { digitRuns.append(String(decoding: bytes[(i - run)..<i], as: UTF8.self)) }
                    run = 0
                    if !num.isEmpty && (b == UInt8(ascii: ".") || b == UInt8(ascii: ",")) && i + 1 < bytes.count && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 {
                        num.append(b)
                    } else { endNumber() }
                }
            }
            if run >= 4 { digitRuns.append(String(decoding: bytes[(bytes.count - run)...], as: UTF8.self)) }
            endNumber()
        }
    }

    /// Whether the JSON key just before `start` names money in minor units (`"amount_minor": `,
    /// `"price_cents": `, `"fee_pence": `).
    static func minorUnitKey(_ b: [UInt8], before start: Int) -> Bool {
        var j = start - 1
        while j >= 0, b[j] == 0x20 { j -= 1 }
        guard j >= 1, b[j] == UInt8(ascii: ":") else { return false }
        j -= 1
        while j >= 0, b[j] == 0x20 { j -= 1 }
        guard j >= 1, b[j] == UInt8(ascii: "\"") else { return false }
        let end = j
        var q = j - 1
        while q >= 0, b[q] != UInt8(ascii: "\""), end - q < 64 { q -= 1 }
        guard q >= 0 else { return false }
        let key = String(decoding: b[(q + 1)..<end], as: UTF8.self).lowercased()
        return ["_minor", "_cents", "_pence", "_cent", "minor_units"].contains { key.hasSuffix($0) }
    }

    static let memo = TextMemo<TextEvidence>()

    /// A text's evidence read paragraph by paragraph (see `TextMemo.parts`), the same as read whole:
    /// no number, run of digits or alphanumeric byte spans a blank line.
    static func evidence(_ t: String) -> TextEvidence {
        let parts = memo.values(byParagraph: t, TextEvidence.init)
        guard var e = parts.first, parts.count > 1 else { return parts.first ?? TextEvidence(t) }
        for p in parts.dropFirst() {
            e.alnum += p.alnum
            e.numbers += p.numbers
            e.digitRuns += p.digitRuns
            e.hasDigit = e.hasDigit || p.hasDigit
        }
        return e
    }

    init(texts: [String], created: Timestamp) {
        day = Int((created.seconds / 86400).rounded(.down))
        createdSeconds = created.seconds
        for d in (day - 1)...(day + 1) {
            let c = Timestamp.civil(fromDays: d)
            nearDates.insert(Facts.dayKey(c.month, c.day))
        }
        add(texts)
    }

    /// More evidence: the pool then equals one made of all the texts at once.
    func add(_ texts: [String]) {
        var fresh: [Double] = []
        for t in texts {
            let e = Self.evidence(t)
            text += e.alnum
            text.append(0x20)
            for (v, k) in e.numbers where numberKeys.insert(k).inserted { fresh.append(v) }
            digitRuns.formUnion(e.digitRuns)
            if e.hasDigit { datedTexts.append(t); datesRead = nil; timedRead = nil; offsetRead = nil; totalsRead = nil }
        }
        numbers += fresh.prefix(max(0, 400 - numbers.count))
    }

    /// Whether the evidence supports the fact: it appears there, or (for amounts) follows from
    /// evidence by one step of arithmetic (a sum, difference, multiple, or percentage of amounts).
    func supports(_ f: Fact) -> Bool {
        switch f.kind {
        case .identifier:
            if ByteText.contains(text, Array(f.key.utf8)) { return true }
            let digits = String(f.text.filter(\.isNumber))
            // Written another way ("INC 6182" for "INC-6182"): its digits as a run of the evidence,
            // or inside one barely longer. Any run holding them (a request id's "5917561829")
            // supported every invented ticket number.
            return digits.count >= 4 && digitRuns.contains(where: { $0.count <= digits.count + 2 && $0.contains(digits) })
        case .date:
            if dates.contains(f.key) || nearDates.contains(f.key) || offsetDates.contains(f.key) { return true }
            let p = f.key.split(separator: "-")
            return p.count == 2 && dates.contains("\(p[1])-\(p[0])")
        case .duration:
            // A duration needs a duration: the same number of something else (a count, a price)
            // supported "about 3 hours" in nearly every trace.
            guard let v = f.number else { return true }
            return timed(f, v)
        case .money, .percent, .quantity:
            guard let v = f.number else { return true }
            if numberKeys.contains(f.key) { return true }
            if f.kind != .money && f.kind != .percent { return converted(f, v) || columnTotals.contains(f.key) }
            return derivable(v) || (f.kind == .money && columnTotals.contains(f.key))
        }
    }

    /// Totals of a field that repeats in one result ("amount" of each of three statements), read
    /// when a claim needs them: "your last three quarters earned £177.39 in total".
    var columnTotals: Set<String> {
        if let t = totalsRead { return t }
        let t = Set(datedTexts.flatMap(Self.columnTotals).map(Facts.numberKey))
        totalsRead = t
        return t
    }

    /// The sum of each JSON field that holds a number at least twice in one text.
    static func columnTotals(_ text: String) -> [Double] {
        guard let first = text.utf8.first(where: { $0 > 0x20 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
              let value = try? JSONReader.parse(text) else { return [] }
        var sums: [String: (total: Double, count: Int)] = [:]
        // And of each list on its own: a statement's purchases, apart from its payments and fees
        // (all "amount"), sum to what it spent.
        var lists: [Double] = []
        func walk(_ v: Value, depth: Int) {
            guard depth < 8 else { return }
            switch v {
            case .object(let o):
                for (k, x) in o {
                    if let d = x.doubleValue, x.stringValue == nil { let s = sums[k] ?? (0, 0); sums[k] = (s.total + d, s.count + 1) } else { walk(x, depth: depth + 1) }
                }
            case .array(let a):
                // (A field one object down too: "amount": {"value_minor": 19633, "currency": "GBP"}.)
                var own: [String: (total: Double, count: Int)] = [:]
                // (Amounts written as strings count here: "amount": "28.26".)
                func add(_ k: String, _ x: Value) {
                    let d = x.stringValue == nil ? x.doubleValue : x.stringValue.flatMap { t in t.range(of: #"^-?\d+\.\d{2}$"#, options: .regularExpression) != nil ? Double(t) : nil }
                    if let d { let s = own[k] ?? (0, 0); own[k] = (s.total + d, s.count + 1) }
                }
                for case .object(let o) in a.prefix(200) {
                    for (k, x) in o {
                        if case .object(let inner) = x { for (k2, y) in inner { add(k + "." + k2, y) } } else { add(k, x) }
                    }
                }
                for (k, v) in own where v.count >= 2 {
                    lists.append(v.total)
                    if ["_minor", "_cents", "_pence", "_cent"].contains(where: { k.lowercased().hasSuffix($0) }) { lists.append(v.total / 100) }
                }
                for x in a.prefix(200) { walk(x, depth: depth + 1) }
            default: break
            }
        }
        walk(value, depth: 0)
        return sums.values.filter { $0.count >= 2 && $0.count <= 100 }.map(\.total) + lists
    }

    /// Scale and unit steps a quantity or duration may be written in other than its source's, within
    /// its dimension: decimal and binary prefixes of data (793 MB as "0.8 GB"), and seconds, minutes,
    /// hours, days and weeks of time. Other units are only rounded.
    static let dataFactors: [Double] = [1, 1000, 1024, 1_000_000, 1_048_576]
    static let timeFactors: [Double] = [1, 60, 3600, 86400, 24, 7, 1440]

    /// Whether a quantity or duration is an evidence number in another unit or scale, rounded to
    /// the precision it is written with ("0.8" stands for 0.75..<0.85, "10" for 9.5..<10.5).
    func converted(_ f: Fact, _ v: Double) -> Bool {
        let (half, decimals) = Self.precision(f.text)
        let unit = f.text.lowercased().drop(while: { $0.isNumber || $0 == "." || $0 == "," || $0 == " " || $0 == "-" })
        let factors = f.kind == .duration ? Self.timeFactors : ["kb", "mb", "gb", "tb"].contains(String(unit.prefix(2))) ? Self.dataFactors : [1]
        // A whole number converted must also be within 5% ("3 hours" is not 10,240 seconds, 2.84 hours).
        func near(_ x: Double, _ k: Double) -> Bool { abs(x - v) <= half * 1.000001 && (k == 1 || decimals > 0 || abs(x - v) <= 0.05 * v) }
        for n in numbers where n > 0 {
            for k in factors where near(n / k, k) || (k > 1 && near(n * k, k)) { return true }
        }
        return false
    }

    /// Half the last written digit of a claim's number ("0.8": 0.05, "10": 0.5), and its decimals.
    static func precision(_ text: String) -> (half: Double, decimals: Int) {
        let written = text.drop(while: { !$0.isNumber }).prefix(while: { $0.isNumber || $0 == "." || $0 == "," })
        let decimals = written.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0
        var half = 0.5
        for _ in 0..<min(decimals, 6) { half /= 10 }
        return (half, decimals)
    }

    /// Full dates (days since 1970) in the evidence, for day counts between two of them.
    private var fullDaysRead: [Int]?
    var fullDays: [Int] {
        if let d = fullDaysRead { return d }
        var d = Set<Int>()
        for t in datedTexts { for x in Self.isoDays(t) { d.insert(x) } }
        let out = Array(d.sorted().prefix(200))
        fullDaysRead = out
        return out
    }

    /// Days since 1970 of every yyyy-mm-dd in the text.
    static func isoDays(_ text: String) -> [Int] {
        let b = Array(text.utf8)
        var out: [Int] = []
        var i = 0
        func num(_ lo: Int, _ n: Int) -> Int? {
            var v = 0
            for k in lo..<(lo + n) { guard ByteText.isDigit(b[k]) else { return nil }; v = v * 10 + Int(b[k] - 0x30) }
            return v
        }
        while i + 10 <= b.count {
            if ByteText.isDigit(b[i]), (i == 0 || !ByteText.isDigit(b[i - 1])), b[i + 4] == UInt8(ascii: "-"), b[i + 7] == UInt8(ascii: "-"),
               let y = num(i, 4), let m = num(i + 5, 2), let d = num(i + 8, 2), (1900...2199).contains(y), (1...12).contains(m), (1...31).contains(d) {
                out.append(Timestamp.daysFromCivil(year: y, month: m, day: d))
                i += 10
            } else { i += 1 }
        }
        return out
    }

    /// The other reading of a number grouped by dots ("4.617 GB", "1.224,50 €": thousands in most of
    /// Europe), when it has one.
    static func groupedByDots(_ f: Fact) -> Double? {
        let written = String(f.text.drop(while: { !$0.isNumber }).prefix(while: { $0.isNumber || $0 == "." || $0 == "," }))
        let parts = written.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1 {
            // "145,1 GB": a decimal comma (one comma, not followed by three digits).
            let c = written.split(separator: ",", omittingEmptySubsequences: false)
            guard c.count == 2, !c[0].isEmpty, (1...2).contains(c[1].count) else { return nil }
            return Double(c[0] + "." + c[1])
        }
        guard parts.dropFirst().allSatisfy({ $0.count == 3 || ($0.count > 3 && $0 == parts.last! && $0.dropFirst(3).first == ",") }),
              parts[0].count <= 3, !parts[0].isEmpty, !parts[0].contains(",") else { return nil }
        let euro = written.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        return Double(euro)
    }

    /// Whether a claim the evidence does not support on its own follows from it together with
    /// other claims of the same answer that it does support (`own`): an amount one step of
    /// arithmetic from them ($136.00 a month for 20 seats at $6.80, then $115.60 with 15% off, then
    /// $1,387.20 a year); a percentage that relates two of them ("1,392 GB of 1,524 GB (91%)"); a
    /// number of days between two dates of the evidence or the answer ("issued 2025-03-05, which is
    /// 115 days ago"). A number written with dots between thousands is also read that way.
    func supports(_ f: Fact, own: [Double], answerDays: [Int]) -> Bool {
        guard let v0 = f.number else { return true }
        let alt = f.kind == .money || f.kind == .quantity ? Self.groupedByDots(f) : nil
        if let alt {
            // Judged as written the other way: "5.152 GB" as 5152 GB, to the unit.
            var g = f
            g.number = alt; g.key = Facts.numberKey(alt)
            let unit = f.text.drop(while: { !$0.isNumber }).drop(while: { $0.isNumber || $0 == "." || $0 == "," })
            let plain = alt == alt.rounded() && abs(alt) < 1e15 ? String(Int64(alt)) : String(alt)
            g.text = String(f.text.prefix(while: { !$0.isNumber })) + plain + unit
            if supports(g) { return true }
        }
        for v in [v0] + (alt.map { [$0] } ?? []) {
            switch f.kind {
            case .percent:
                if Self.ratio(v, of: own, written: f.text) { return true }
            case .duration:
                let lower = f.text.lowercased()
                if lower.contains("day"), daysApart(v, answerDays: answerDays) { return true }
                if own.contains(where: { abs($0 - v) < 0.0051 }) { return true }
            case .money, .quantity:
                if derivable(v, with: own) { return true }
            default:
                break
            }
        }
        return false
    }

    /// Whether two dates of the evidence, the answer or the conversation's day are `n` days apart
    /// (one either way: counting both ends or neither).
    func daysApart(_ n: Double, answerDays: [Int]) -> Bool {
        let days = fullDays + answerDays + [day]
        let n = Int(n.rounded())
        for i in days.indices { for j in days.indices where j > i && abs(abs(days[j] - days[i]) - n) <= 1 { return true } }
        return false
    }

    /// Whether `v` percent is one of `xs` as a share of another, or the discount between them,
    /// rounded as written.
    static func ratio(_ v: Double, of xs: [Double], written: String) -> Bool {
        let decimals = written.split(separator: ".").dropFirst().first.map { $0.prefix(while: \.isNumber).count } ?? 0
        var half = 0.5
        for _ in 0..<min(decimals, 6) { half /= 10 }
        for a in xs where a > 0 {
            for b in xs where b > 0 && b != a {
                let r = 100 * a / b
                if abs(r - v) <= half * 1.000001 || abs(100 - r - v) <= half * 1.000001 { return true }
            }
        }
        return false
    }

    /// One step of arithmetic with at least one operand from `own`.
    func derivable(_ v: Double, with own: [Double]) -> Bool {
        guard !own.isEmpty else { return false }
        // Amounts rounded to the cent at each step drift by a few cents over a year of months.
        func near(_ a: Double) -> Bool { abs(a - v) < max(0.0051, abs(v) * 5e-6) }
        for a in own {
            // A monthly amount rounded to the cent is up to half a cent a month off the year's.
            for m in Self.multipliers where abs(a * m - v) < 0.0051 * m || near(a / m) { return true }
            for b in numbers + own {
                if near(a + b) || near(abs(a - b)) || near(a * b) { return true }
                if b <= 100, near(a * b / 100) || near(a * (1 - b / 100)) || near(a * (1 + b / 100)) { return true }
                if a <= 100, near(b * a / 100) || near(b * (1 - a / 100)) { return true }
            }
        }
        return false
    }

    /// Results an answer works out in the open ("3 × £163.20 × 315/365 = £422.53"), when the
    /// arithmetic is right and every operand is supported: by the evidence, by `own`, or as a count
    /// of days between two dates of the evidence or the answer.
    func shownResults(_ sentence: String, own: [Double], answerDays: [Int]) -> [Double] {
        let b = Array(sentence.utf8)
        guard b.contains(UInt8(ascii: "=")) else { return [] }
        var out: [Double] = []
        func number(_ lo: Int) -> (Double, Int)? {
            var k = lo
            var digits: [UInt8] = []
            while k < b.count, ByteText.isDigit(b[k]) || ((b[k] == UInt8(ascii: ",") || b[k] == UInt8(ascii: ".")) && k + 1 < b.count && ByteText.isDigit(b[k + 1])) {
                if b[k] != UInt8(ascii: ",") { digits.append(b[k]) }
                k += 1
            }
            guard !digits.isEmpty, let v = Double(String(decoding: digits, as: UTF8.self)) else { return nil }
            return (v, k)
        }
        func skipCurrency(_ k: Int) -> Int {
            var k = k
            while k < b.count, b[k] == 0x20 { k += 1 }
            if k < b.count, b[k] == UInt8(ascii: "$") { return k + 1 }
            for sign in ["€", "£", "¥"] {
                let s = Array(sign.utf8)
                if k + s.count <= b.count, Array(b[k..<(k + s.count)]) == s { return k + s.count }
            }
            return k
        }
        for eq in b.indices where b[eq] == UInt8(ascii: "=") {
            guard let (result, _) = number(skipCurrency(eq + 1)) else { continue }
            // The expression: numbers and operators back from '='.
            var k = eq
            while k > 0, [0x20, 0x24].contains(b[k - 1]) || ByteText.isDigit(b[k - 1]) || b[k - 1] >= 0x80
                    || [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "x")].contains(b[k - 1]) {
                k -= 1
            }
            // Tokens from k to eq: numbers and the operators between them.
            var values: [Double] = [], ops: [UInt8] = []
            var i = k
            var ok = true
            while i < eq {
                let c = b[i]
                if c == 0x20 || c == 0x24 { i += 1; continue }
                if ByteText.isDigit(c) {
                    guard values.count == ops.count, let (v, e) = number(i) else { ok = false; break }
                    values.append(v); i = e; continue
                }
                if c == 0xC3, i + 1 < eq, b[i + 1] == 0x97 { ops.append(UInt8(ascii: "*")); i += 2; continue }      // ×
                if c == 0xE2, i + 2 < eq, b[i + 1] == 0x88, b[i + 2] == 0x92 { ops.append(UInt8(ascii: "-")); i += 3; continue }  // −
                if [UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "x")].contains(c) {
                    if values.count == ops.count + 1 { ops.append(c == UInt8(ascii: "x") ? UInt8(ascii: "*") : c) }
                    i += 1; continue
                }
                if c >= 0x80 { i += 1; continue }   // a currency sign
                ok = false; break
            }
            guard ok, values.count >= 2, values.count == ops.count + 1 else { continue }
            // Products and quotients first, then sums.
            var terms: [Double] = [values[0]], signs: [Double] = [1]
            for (o, v) in zip(ops, values.dropFirst()) {
                switch o {
                case UInt8(ascii: "*"): terms[terms.count - 1] *= v
                case UInt8(ascii: "/"): terms[terms.count - 1] = v == 0 ? .nan : terms[terms.count - 1] / v
                case UInt8(ascii: "+"): terms.append(v); signs.append(1)
                default: terms.append(v); signs.append(-1)
                }
            }
            let value = zip(terms, signs).reduce(0) { $0 + $1.0 * $1.1 }
            guard value.isFinite, abs(value - result) <= max(0.0051, abs(result) * 0.001) else { continue }
            func dayCount(_ n: Double) -> Bool { n == n.rounded() && n >= 1 && n <= 3660 && daysApart(n, answerDays: answerDays) }
            let supported = values.allSatisfy { v in
                numberKeys.contains(Facts.numberKey(v)) || own.contains { abs($0 - v) < 0.0051 } || [12, 24, 30, 31, 52, 60, 100, 365, 366].contains(v)
                    || (v <= 10 && v == v.rounded()) || dayCount(v)
            }
            if supported { out.append(result) }
        }
        return out
    }

    /// Whether an amount is one step of arithmetic from the evidence with a rate of the evidence
    /// (tax, VAT, a discount: a whole or half percentage up to 50) added or taken off: 16 seats at
    /// 24.00 with 23% VAT is 472.32.
    func derivableWithRate(_ v: Double) -> Bool {
        var rates = Set<Double>()
        for x in numbers where x > 0 && x <= 50 && (x * 2).rounded() == x * 2 { rates.insert(x) }
        for r in rates.sorted().prefix(24) {
            for base in [v / (1 + r / 100), v / (1 - r / 100)] {
                let cents = (base * 100).rounded() / 100
                // The base was rounded to the cent before the rate was applied, or not at all.
                if abs(cents * (1 + r / 100) - v) < 0.0051 || abs(cents * (1 - r / 100) - v) < 0.0051 || abs(base - cents) < 0.0051 {
                    if numberKeys.contains(Facts.numberKey(cents)) || derivable(cents) { return true }
                }
            }
        }
        return false
    }

    /// Counts and calendar steps an amount is multiplied or divided by: 2-10 of something, 12 months,
    /// 24 hours, 52 weeks, 365 days.
    static let multipliers: [Double] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 24, 52, 365]

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
