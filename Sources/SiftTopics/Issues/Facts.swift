// Facts: the checkable specifics in a piece of text (amounts of money, percentages, calendar dates,
// identifiers, quantities with units, durations); the evidence that supports them is EvidencePool.swift.
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
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func number(_ s: String) -> Double? { Double(s.replacingOccurrences(of: ",", with: "")) }

    static func numberKey(_ d: Double) -> String {
        // As "%.2f" writes it, without the cost of a format string (a key is made for every number read).
        guard d.isFinite, abs(d) < 1e15 else { return String(format: "%.2f", d) }
        let cents = Int64((abs(d) * 100).rounded())
        let frac = cents % 100
        return (d < 0 ? "-" : "") + String(cents / 100) + (frac < 10 ? ".0" : ".") + String(frac)
    }

    /// "MM-DD", the key of a month and day.
    static func dayKey(_ month: Int, _ day: Int) -> String {
        (month < 10 ? "0" : "") + String(month) + (day < 10 ? "-0" : "-") + String(day)
    }

    /// The detectors' fixed patterns, case-insensitive. They are constants, so they compile; should
    /// one ever not, its detector finds nothing rather than stopping the run (a test checks all of them).
    static func compiled(_ pattern: String) -> NSRegularExpression? { try? NSRegularExpression(pattern: pattern, options: .caseInsensitive) }

    static let monthNames = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
    /// Every kind but identifiers in one pattern, so a text is scanned once; at one position the
    /// alternatives are tried in this order (money before a bare number, a date before a duration).
    nonisolated(unsafe) static let factPattern = compiled([
        #"[$€£¥]\s?(?<m1>\d[\d,]*(?:\.\d+)?)"#,
        #"\b(?<m2>\d[\d,]*(?:\.\d+)?)\s?(?:usd|eur|gbp|dollars|euros|pounds|bucks)\b"#,
        #"\b(?<p>\d+(?:\.\d+)?)\s?(?:%|percent\b)"#,
        #"\b(?<iy>\d{4})-(?<im>\d{2})-(?<id>\d{2})"#,
        #"\b(?<mm>"# + monthNames + #")[a-z]*\.?\s+(?<md>\d{1,2})(?:st|nd|rd|th)?\b"#,
        #"\b(?<dd>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<dm>"# + monthNames + #")[a-z]*\b"#,
        #"\b(?<sa>\d{1,2})/(?<sb>\d{1,2})/\d{2,4}\b"#,
        #"\b(?<qv>\d[\d,]*(?:\.\d+)?)\s?(?:gb|tb|mb|ghz|mhz|mah|mp|kg|lbs?|inch(?:es)?|cm|mm|watts?|w|kwh|hz|fps|rpm|mph|km|miles?|liters?|litres?|ml|oz)\b"#,
        #"(?<![\d.\-–])\b(?<dv>\d+)[\s-]?(?:(?:working|business|calendar)\s)?(?:hours?|days?|weeks?|months?|years?)\b"#,
    ].joined(separator: "|"))

    /// Long texts read before (a system prompt, a policy) are not read again.
    static let memo = TextMemo<[Fact]>()

    /// Every fact in `text`. Every kind holds a digit, so text without one is skipped at once.
    static func extract(_ text: String) -> [Fact] {
        guard text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return [] }
        return memo.value(text) { extractOnce($0) }
    }

    /// Every match of `factPattern` holds a digit, with at most one word before the word holding it
    /// (a currency sign, a month) and three after ("5th of September", "100 dollars"). So the pattern
    /// is run only over those words around each word with a digit (UTF-16 ranges, words split at ASCII
    /// whitespace, overlapping ranges joined), with transparent bounds so that boundaries and
    /// look-behinds see the text outside as a search of the whole text would.
    static func factWindows(_ text: String) -> [NSRange] {
        let u = Array(text.utf16)
        var words: [(lo: Int, hi: Int, digit: Bool)] = []
        var i = 0
        while i < u.count {
            while i < u.count, u[i] == 0x20 || u[i] == 0x0a || u[i] == 0x0d || u[i] == 0x09 { i += 1 }
            guard i < u.count else { break }
            let lo = i
            var digit = false
            while i < u.count, !(u[i] == 0x20 || u[i] == 0x0a || u[i] == 0x0d || u[i] == 0x09) {
                if u[i] >= 0x30 && u[i] <= 0x39 { digit = true }
                i += 1
            }
            words.append((lo, i, digit))
        }
        var out: [NSRange] = []
        for (k, w) in words.enumerated() where w.digit {
            let lo = words[max(0, k - 1)].lo, hi = words[min(words.count - 1, k + 3)].hi
            if let last = out.last, last.location + last.length >= lo {
                out[out.count - 1] = NSRange(location: last.location, length: max(hi, last.location + last.length) - last.location)
            } else {
                out.append(NSRange(location: lo, length: hi - lo))
            }
        }
        return out
    }

    /// The pattern's matches by ICU, over the windows around words with digits (or the whole text).
    static func icuMatches(_ text: String, whole: Bool) -> [RawFactMatch] {
        let ns = text as NSString
        let ranges = whole ? [NSRange(location: 0, length: ns.length)] : factWindows(text)
        return ranges.flatMap { factPattern?.matches(in: text, options: .withTransparentBounds, range: $0) ?? [] }.compactMap { m in
            func group(_ name: String) -> String? {
                let r = m.range(withName: name)
                return r.location == NSNotFound ? nil : ns.substring(with: r)
            }
            let g: RawFactMatch.Groups
            if let v = group("m1") ?? group("m2") { g = .money(v) }
            else if let v = group("p") { g = .percent(v) }
            else if let mo = group("im"), let d = group("id") { g = .isoDate(month: mo, day: d) }
            else if let mo = group("mm"), let d = group("md") { g = .monthDay(month: mo, day: d) }
            else if let mo = group("dm"), let d = group("dd") { g = .dayMonth(day: d, month: mo) }
            else if let a = group("sa"), let b = group("sb") { g = .slashDate(a, b) }
            else if let v = group("qv") { g = .quantity(v) }
            else if let v = group("dv") { g = .duration(v) }
            else { return nil }
            return RawFactMatch(range: m.range, groups: g)
        }
    }

    /// The facts in `text`: ASCII text by `FactScanner`, other text by the ICU expression (`icu`
    /// forces it, for the test that holds the two together).
    static func extractOnce(_ text: String, whole: Bool = false, icu: Bool = false) -> [Fact] {
        let ns = text as NSString
        var out: [Fact] = []
        var covered: [[UInt8]] = []
        func monthIndex(_ s: String) -> Int { (months.firstIndex(of: String(s.lowercased().prefix(3))) ?? 0) + 1 }
        func date(_ mo: Int, _ d: Int) -> String? { (1...12).contains(mo) && (1...31).contains(d) ? dayKey(mo, d) : nil }
        let matches = (icu ? nil : FactScanner.scan(text)) ?? icuMatches(text, whole: whole)
        for m in matches {
            let written = ns.substring(with: m.range)
            var fact: Fact?
            switch m.groups {
            case .money(let s):
                fact = number(s).map { Fact(kind: .money, key: numberKey($0), number: $0, text: written) }
            case .percent(let s):
                fact = number(s).map { Fact(kind: .percent, key: numberKey($0), number: $0, text: written) }
            case .isoDate(let mo, let d):
                fact = Int(mo).flatMap { mo in Int(d).flatMap { date(mo, $0) } }.map { Fact(kind: .date, key: $0, number: nil, text: written) }
            case .monthDay(let mo, let d), .dayMonth(let d, let mo):
                // The pattern takes any word that starts like a month ("mardi 25", "13 marketing emails").
                guard isMonthWord(written) else {
                    // The day after a weekday may start a date of its own ("mardi 25 novembre").
                    if case .monthDay = m.groups, written.hasSuffix(d) {
                        let from = m.range.location + m.range.length - (d as NSString).length
                        let rest = ns.substring(with: NSRange(location: from, length: min(40, ns.length - from)))
                        if let own = extractOnce(rest, whole: true, icu: icu).first(where: { $0.kind == .date && $0.text.hasPrefix(d) }) { out.append(own) }
                    }
                    break
                }
                fact = Int(d).flatMap { date(monthIndex(mo), $0) }.map { Fact(kind: .date, key: $0, number: nil, text: written) }
            case .slashDate(let a, let b):
                // Month first when it can be; the other reading is also accepted as support (see `supports`).
                if let a = Int(a), let b = Int(b) { fact = (a <= 12 ? date(a, b) : date(b, a)).map { Fact(kind: .date, key: $0, number: nil, text: written) } }
            case .quantity(let s):
                fact = number(s).map { Fact(kind: .quantity, key: numberKey($0), number: $0, text: written) }
            case .duration(let s):
                guard let v = number(s), v >= 2 else { break }
                // Ranges ("3-5 days", "3 to 5 days") and bounds ("within 24 hours", "up to 10 days") are
                // estimates, not claims of fact.
                let before = ns.substring(with: NSRange(location: max(0, m.range.location - 12), length: min(12, m.range.location))).lowercased()
                // So are process times stated as a rule ("refunds take 5 days to process").
                let estimate = ["-", "–", " to ", "up to ", "about ", "around ", "least ", "than "].contains { before.hasSuffix($0) }
                    || ByteText.any(text, ["take ", "takes ", "taking ", "allow ", "processing"])
                if !estimate { fact = Fact(kind: .duration, key: numberKey(v), number: v, text: written) }
            }
            covered.append(Array(written.utf8))
            if let fact { out.append(fact) }
        }
        for id in identifiers(text) {
            // Part of a fact already read ("2-year" in a duration): not an identifier of its own.
            let b = Array(id.utf8)
            if covered.contains(where: { ByteText.contains($0, b) || ByteText.contains(b, $0) }) { continue }
            out.append(Fact(kind: .identifier, key: normalizedID(id), number: nil, text: id))
        }
        return out
    }

    /// Month names as written in English and in the languages whose names start as the English
    /// ones do (March, mars, marzo; November, novembre, noviembre), and their abbreviations.
    static let monthWords: Set<String> = [
        "jan", "january", "janvier", "januar", "feb", "february", "februar", "febrero", "mar", "march", "mars", "marzo", "marz",
        "apr", "april", "may", "mayo", "jun", "june", "juni", "junio", "jul", "july", "juli", "julio", "aug", "august",
        "sep", "sept", "september", "septembre", "septiembre", "oct", "october", "octobre", "octubre", "nov", "november", "novembre",
        "noviembre", "dec", "december", "decembre", "janeiro", "junho", "julho", "novembro", "januari", "februari", "maart", "augustus",
        "aprile", "febbraio",
    ]

    /// Whether the first word of letters in a matched date ("November 3", "3rd of sept.") is a month.
    static func isMonthWord(_ written: String) -> Bool {
        let words = written.lowercased().split(whereSeparator: { !($0.isASCII && $0.isLetter) })
        guard let w = words.first(where: { !["st", "nd", "rd", "th", "of"].contains($0) }) else { return false }
        return monthWords.contains(String(w))
    }

    /// Whether `text` may hold an amount of money or a percentage. Each of those alternatives of
    /// `factPattern` needs a currency sign, '%', or a currency or percent word, so text with none of
    /// them holds neither; text with any byte outside ASCII (other signs, letters that case-fold to
    /// ASCII ones, such as the long s) is always read.
    static func mayHoldMoneyOrPercent(_ text: String) -> Bool {
        var sawLetter = false
        for b in text.utf8 {
            if b >= 0x80 || b == UInt8(ascii: "$") || b == UInt8(ascii: "%") { return true }
            if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a { sawLetter = true }
        }
        return sawLetter && ByteText.any(text, moneyOrPercentWords)
    }
    static let moneyOrPercentWords = ["usd", "eur", "gbp", "dollar", "pound", "buck", "percent"]

    /// The month-days of the dates in `text`.
    static func dates(_ text: String) -> [String] { extract(text).compactMap { $0.kind == .date ? $0.key : nil } }

    /// Identifier-like tokens: at least five characters of letters, digits, '-', '_' or '#', with a
    /// digit, and either a letter or at least five digits; never a date, time or plain amount.
    static func identifiers(_ text: String) -> [String] {
        var out: [String] = []
        let bytes = Array(text.utf8)
        var start = 0
        func flush(_ end: Int) {
            let (lo, hi) = ByteText.trim(bytes, start, end, ByteText.isSeparator)
            let n = hi - lo
            guard n >= 5, n <= 64 else { return }
            var digits = 0, letters = 0, dashes = 0
            for b in bytes[lo..<hi] {
                if ByteText.isDigit(b) { digits += 1 } else if ByteText.isLetter(b) { letters += 1 } else if b == UInt8(ascii: "-") { dashes += 1 }
            }
            guard digits >= 1, letters >= 1 || digits >= 5 else { return }
            guard letters > 0 || dashes < 2 else { return } // 2024-05-20, 555-123-4567
            // 2026-03: a year and month (a billing period), not an identifier.
            if letters == 0, n == 7, bytes[lo + 4] == UInt8(ascii: "-"), let y = Int(String(decoding: bytes[lo..<(lo + 4)], as: UTF8.self)),
               let m = Int(String(decoding: bytes[(lo + 5)..<hi], as: UTF8.self)), (1900...2199).contains(y), (1...12).contains(m) { return }
            if letters > 0, ByteText.isDigit(bytes[lo]) {
                // 10am, 3pm, 2nd, 45kg: a number with a short unit is not an identifier.
                var k = lo
                while k < hi, ByteText.isDigit(bytes[k]) { k += 1 }
                if hi - k <= 4, bytes[k..<hi].allSatisfy(ByteText.isLetter) { return }
                // 6-digit, 30-day, 2-year: a number joined to a lower-case word is an adjective.
                if k - lo <= 3, k + 3 < hi, bytes[k] == UInt8(ascii: "-"), bytes[(k + 1)..<hi].allSatisfy({ $0 >= 0x61 && $0 <= 0x7a }) { return }
            }
            if letters > 0, isTimeRange(bytes[lo..<hi]) { return }
            // 14h00, 9h30: a time of day as French, German and others write it.
            if letters == 1, n <= 5, let h = bytes[lo..<hi].firstIndex(where: { $0 | 0x20 == UInt8(ascii: "h") }), h > lo, h - lo <= 2, hi - h == 3 { return }
            out.append(String(decoding: bytes[lo..<hi], as: UTF8.self))
        }
        for (i, b) in bytes.enumerated() where !(ByteText.isAlnum(b) || ByteText.isSeparator(b)) {
            flush(i)
            start = i + 1
        }
        flush(bytes.count)
        return out
    }

    /// Pieces of times of day split at their colons ("8:00 AM-12:00 PM" reads as "AM-12"; "10am-2pm"):
    /// every '-'-separated part is a meridiem, an hour, or an hour with one.
    static func isTimeRange(_ b: ArraySlice<UInt8>) -> Bool {
        b.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false).allSatisfy { part in
            var digits = 0
            while digits < part.count, ByteText.isDigit(part[part.startIndex + digits]) { digits += 1 }
            let rest = part.dropFirst(digits).map { $0 | 0x20 }
            return digits <= 2 && (rest.isEmpty ? digits > 0 : rest == Array("am".utf8) || rest == Array("pm".utf8))
        }
    }

    static func normalizedID(_ s: String) -> String { String(decoding: ByteText.alnum(s), as: UTF8.self) }

    /// Whether a sentence states facts rather than asking, hedging or giving an example.
    static func isAssertion(_ sentence: String) -> Bool {
        let s = sentence.lowercased()
        if s.contains("?") { return false }
        // A request for details claims nothing, unless it names an amount ("we'll need the £250 excess").
        if asksForDetails(s), !extract(sentence).contains(where: { $0.kind == .money || $0.kind == .percent }) { return false }
        // (A condition is no hedge: "If you cancel today you'll get £120 back" states the £120.)
        let hedges = ["might", "may be", "maybe", "approximately", "roughly", "estimate", "typically", "usually", "generally", "for example",
                      "e.g.", "such as", "you mentioned", "you said", "you provided", "you gave", "according to you"]
        return !ByteText.any(s, hedges)
    }

    /// Whether a (lower-cased) sentence asks the user for details rather than stating anything: "I'll
    /// need her full name, date of birth and any points in the last 5 years", "please provide your
    /// policy number". (RAGAS's faithfulness checks statements; a request claims nothing.) "I'll need to
    /// charge you £50" states something, so "need" must be followed by whose details are asked for.
    static func asksForDetails(_ s: String) -> Bool {
        let asks = ["please provide", "please send", "please share", "please give me", "please tell me", "please let me know", "please confirm your",
                    "could you provide", "could you give me", "could you send", "could you share", "could you tell me", "could you confirm your",
                    "can you provide", "can you give me", "can you send", "can you share", "can you tell me", "can you confirm your"]
        if ByteText.any(s, asks) { return true }
        let b = Array(s.utf8)
        for who in ["i'll need ", "i will need ", "i need ", "we'll need ", "we will need ", "we need ", "i'd need ", "we'd need ", "i just need ", "we just need "] {
            let w = Array(who.utf8)
            var from = 0
            while let at = ByteText.firstIndex(of: w, in: b, from: from) {
                from = at + 1
                guard at == 0 || !ByteText.isLetter(b[at - 1]) else { continue }
                var k = at + w.count
                let w0 = k
                while k < b.count, ByteText.isLetter(b[k]) { k += 1 }
                let next = String(decoding: b[w0..<k], as: UTF8.self)
                // Whose details: the user's or the person they act for ("we need an actual meter reading
                // from the last 30 days" states a condition).
                if ["your", "his", "her", "their", "you"].contains(next) { return true }
            }
        }
        return false
    }

    /// Sentences of a text (split at . ! ? followed by a space, and at line breaks, so decimals and
    /// dotted names stay whole).
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        let bytes = Array(text.utf8)
        var start = 0
        func cut(_ end: Int) {
            let (lo, hi) = ByteText.trim(bytes, start, end, ByteText.isSpace)
            if hi > lo { out.append(String(decoding: bytes[lo..<hi], as: UTF8.self)) }
        }
        for (i, b) in bytes.enumerated() {
            let end = b == UInt8(ascii: "\n")
                || ((b == UInt8(ascii: ".") || b == UInt8(ascii: "!") || b == UInt8(ascii: "?")) && (i + 1 == bytes.count || ByteText.isSpace(bytes[i + 1])))
            if end { cut(i + 1); start = i + 1 }
        }
        cut(bytes.count)
        return out
    }
}

/// Text primitives over UTF-8 bytes, for the detectors' hot paths: character classes, lower-cased
/// alphanumerics, substring search.
enum ByteText {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    @inline(__always) static func isSeparator(_ b: UInt8) -> Bool { b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "#") }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 }
    /// A letter for word boundaries: ASCII letters and any byte of a non-ASCII character.
    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool { isLetter(b) || b >= 0x80 }

    /// `lo..<hi` without the bytes `drop` accepts at either end.
    static func trim(_ bytes: [UInt8], _ lo: Int, _ hi: Int, _ drop: (UInt8) -> Bool) -> (Int, Int) {
        var lo = lo, hi = hi
        while lo < hi, drop(bytes[lo]) { lo += 1 }
        while hi > lo, drop(bytes[hi - 1]) { hi -= 1 }
        return (lo, hi)
    }

    /// ASCII letters (lower-cased) and digits; non-ASCII bytes kept; everything else dropped.
    static func alnum(_ s: String) -> [UInt8] {
        var s = s
        return s.withUTF8 { src in
            [UInt8](unsafeUninitializedCapacity: src.count) { dst, count in
                var k = 0
                for b in src {
                    if b >= 0x41 && b <= 0x5a { dst[k] = b | 0x20; k += 1 } else if isDigit(b) || (b >= 0x61 && b <= 0x7a) || b >= 0x80 { dst[k] = b; k += 1 }
                }
                count = k
            }
        }
    }

    /// Whether `text` (compared ASCII-case-insensitively) contains any of the lower-case `cues`.
    static func any(_ text: String, _ cues: [String]) -> Bool {
        let b = lower(text)
        return cues.contains { contains(b, Array($0.utf8)) }
    }

    /// Per byte value, whether one of `words` starts with it (a check before a lookup).
    static func firstBytes(_ words: [[UInt8]]) -> [Bool] {
        var t = [Bool](repeating: false, count: 256)
        for w in words { if let b = w.first { t[Int(b)] = true } }
        return t
    }

    /// ASCII lower-cased bytes.
    static func lower(_ s: String) -> [UInt8] {
        var s = s
        return s.withUTF8 { src in
            [UInt8](unsafeUninitializedCapacity: src.count) { dst, count in
                for (k, b) in src.enumerated() { dst[k] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b }
                count = src.count
            }
        }
    }

    /// Whether `a` becomes `b` by at most one letter added, dropped, changed, or two neighbours swapped.
    static func withinOneEdit(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = a.count, m = b.count
        guard abs(n - m) <= 1 else { return false }
        var i = 0
        while i < min(n, m), a[i] == b[i] { i += 1 }
        if i == n && i == m { return true }
        if n == m {
            if a[(i + 1)...] == b[(i + 1)...] { return true }
            return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)...] == b[(i + 2)...]
        }
        return n > m ? a[(i + 1)...] == b[i...] : b[(i + 1)...] == a[i...]
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool { firstIndex(of: needle, in: hay, from: 0) != nil }

    /// Where `needle` next occurs in `hay` at or after `start`: each place its first byte occurs
    /// (memchr), then the rest compared (memcmp).
    static func firstIndex(of needle: [UInt8], in hay: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty else { return start }
        guard start + needle.count <= hay.count else { return nil }
        return hay.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                let base = h.baseAddress!, last = h.count - n.count, first = Int32(n[0])
                var i = start
                while i <= last {
                    guard let p = memchr(base + i, first, last - i + 1) else { return nil }
                    i = base.distance(to: UnsafeRawPointer(p))
                    if memcmp(base + i, n.baseAddress!, n.count) == 0 { return i }
                    i += 1
                }
                return nil
            }
        }
    }

    /// Whether `cue` occurs in `s` at a word start (and, for cues of up to four bytes, a word end).
    static func hasCue(_ s: [UInt8], _ cue: [UInt8]) -> Bool {
        guard let first = cue.first, let last = cue.last else { return false }
        var from = 0
        while let i = firstIndex(of: cue, in: s, from: from) {
            let leftOK = i == 0 || !isWordByte(s[i - 1]) || !isLetter(first)
            let e = i + cue.count
            let rightOK = cue.count > 4 || e == s.count || !isWordByte(s[e]) || !isLetter(last)
            if leftOK && rightOK { return true }
            from = i + 1
        }
        return false
    }
}
