// FactScanner: `Facts.factPattern` hand-compiled for ASCII text. The ICU expression was a fifth of
// `topics run`'s time on realistic traces; on ASCII text its classes are plain (\d = [0-9],
// \s = [\t\n\v\f\r ], word characters [A-Za-z0-9_]), and every alternative turns out deterministic:
// each of its greedy parts can give back nothing that lets the rest match, so one forward pass per
// alternative decides it. The alternatives are tried in the pattern's order at each position, and
// the search goes on after a match, as the ICU search does. Text with any other byte goes to ICU.
// `testFactScannerAgreesWithTheExpression` holds the two to the same matches.

import Foundation

/// One match of the fact pattern: where it is (UTF-16 offsets, which are byte offsets in ASCII),
/// and which alternative matched with its groups.
struct RawFactMatch {
    enum Groups {
        case money(String)
        case percent(String)
        case isoDate(month: String, day: String)
        case monthDay(month: String, day: String)
        case dayMonth(day: String, month: String)
        case slashDate(String, String)
        case quantity(String)
        case duration(String)
    }
    var range: NSRange
    var groups: Groups
}

enum FactScanner {
    static let months = Set(Facts.months)
    static let currencyWords: Set<String> = ["usd", "eur", "gbp", "dollars", "euros", "pounds", "bucks"]
    static let unitWords: Set<String> = ["gb", "tb", "mb", "ghz", "mhz", "mah", "mp", "kg", "lb", "lbs", "inch", "inches", "cm", "mm", "watt", "watts",
                                         "w", "kwh", "hz", "fps", "rpm", "mph", "km", "mile", "miles", "liter", "liters", "litre", "litres", "ml", "oz"]
    static let durationWords: Set<String> = ["hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years"]
    static let durationQualifiers: Set<String> = ["working", "business", "calendar"]
    static let ordinalSuffixes: Set<String> = ["st", "nd", "rd", "th"]

    /// Every match in `text`, or nil when the text is not ASCII (then ICU decides).
    static func scan(_ text: String) -> [RawFactMatch]? {
        var out: [RawFactMatch] = []
        let ok: Bool = text.utf8.withContiguousStorageIfAvailable { scan($0, &out) } ?? {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { scan($0, &out) }
        }()
        return ok ? out : nil
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>, _ out: inout [RawFactMatch]) -> Bool {
        let n = b.count
        for x in b where x >= 0x80 { return false }
        @inline(__always) func digit(_ i: Int) -> Bool { i < n && b[i] >= 0x30 && b[i] <= 0x39 }
        @inline(__always) func letter(_ i: Int) -> Bool { i < n && ((b[i] | 0x20) >= 0x61 && (b[i] | 0x20) <= 0x7a) }
        @inline(__always) func word(_ i: Int) -> Bool { i >= 0 && i < n && (digit(i) || letter(i) || b[i] == 0x5f) }
        @inline(__always) func space(_ i: Int) -> Bool { i < n && (b[i] == 0x20 || (b[i] >= 0x09 && b[i] <= 0x0d)) }
        func text(_ lo: Int, _ hi: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self) }
        func lower(_ lo: Int, _ hi: Int) -> String { String(decoding: b[lo..<hi].map { $0 | 0x20 }, as: UTF8.self) }
        func digitsEnd(_ i: Int) -> Int { var k = i; while digit(k) { k += 1 }; return k }
        /// End of `\d+(?:\.\d+)?` from a digit at i.
        func decimalEnd(_ i: Int) -> Int {
            let k = digitsEnd(i)
            return b.indices.contains(k) && b[k] == 0x2e && digit(k + 1) ? digitsEnd(k + 1) : k
        }
        /// End of `\d[\d,]*(?:\.\d+)?` from a digit at i.
        func groupedEnd(_ i: Int) -> Int {
            var k = i + 1
            while digit(k) || (k < n && b[k] == 0x2c) { k += 1 }
            return k < n && b[k] == 0x2e && digit(k + 1) ? digitsEnd(k + 1) : k
        }
        /// The run of word characters from i, when it is one of `words` (a letters-only word then
        /// followed by a boundary, as `(?:a|b)\b` demands).
        func wordRun(_ i: Int, in words: Set<String>) -> Int? {
            var k = i
            while word(k) { k += 1 }
            return k > i && k - i <= 7 && words.contains(lower(i, k)) ? k : nil
        }
        /// After an optional one whitespace (`\s?`), the position a unit would start at.
        func afterOptionalSpace(_ k: Int) -> Int { space(k) ? k + 1 : k }
        /// `(?:jan|...|dec)[a-z]*` from r: the month's first three letters and where its letters end.
        func monthLetters(_ r: Int) -> (String, Int)? {
            guard letter(r), letter(r + 1), letter(r + 2), months.contains(lower(r, r + 3)) else { return nil }
            var e = r + 3
            while letter(e) { e += 1 }
            return (text(r, r + 3), e)
        }
        /// The same followed by a boundary (`[a-z]*\b`).
        func month(_ r: Int) -> (String, Int)? {
            guard let (m, e) = monthLetters(r), !word(e) else { return nil }
            return (m, e)
        }
        /// `(?:st|nd|rd|th)` at k.
        func ordinal(_ k: Int) -> Bool { letter(k) && letter(k + 1) && ordinalSuffixes.contains(lower(k, k + 2)) }

        func match(at i: Int) -> RawFactMatch? {
            func found(_ end: Int, _ g: RawFactMatch.Groups) -> RawFactMatch { RawFactMatch(range: NSRange(location: i, length: end - i), groups: g) }
            if b[i] == 0x24 {  // $
                let j = space(i + 1) ? i + 1 + 1 : i + 1
                guard digit(j) else { return nil }
                let e = groupedEnd(j)
                return found(e, .money(text(j, e)))
            }
            guard !word(i - 1) else { return nil }  // every other alternative starts at a boundary
            if digit(i) {
                // Money with a currency word.
                let g = groupedEnd(i)
                if let e = wordRun(afterOptionalSpace(g), in: currencyWords) { return found(e, .money(text(i, g))) }
                // Percent.
                let d = decimalEnd(i)
                let u = afterOptionalSpace(d)
                if u < n && b[u] == 0x25 { return found(u + 1, .percent(text(i, d))) }
                if let e = wordRun(u, in: ["percent"]) { return found(e, .percent(text(i, d))) }
                let run = digitsEnd(i) - i
                // 2026-11-05 (no boundary after).
                if run == 4, i + 10 <= n, b[i + 4] == 0x2d, digit(i + 5), digit(i + 6), b[i + 7] == 0x2d, digit(i + 8), digit(i + 9) {
                    return found(i + 10, .isoDate(month: text(i + 5, i + 7), day: text(i + 8, i + 10)))
                }
                if run <= 2 {
                    // 5th (of) September.
                    var p = i + run
                    if ordinal(p) { p += 2 }
                    if space(p) {
                        while space(p) { p += 1 }
                        var q = p
                        if letter(p), letter(p + 1), (b[p] | 0x20) == 0x6f, (b[p + 1] | 0x20) == 0x66, space(p + 2) {  // "of"
                            q = p + 2
                            while space(q) { q += 1 }
                        }
                        if let (m, e) = month(q) { return found(e, .dayMonth(day: text(i, i + run), month: m)) }
                    }
                    // 05/11/2026.
                    let a = i + run
                    if a < n, b[a] == 0x2f, digit(a + 1) {
                        let run2 = digitsEnd(a + 1) - (a + 1)
                        let s = a + 1 + run2
                        if run2 <= 2, s < n, b[s] == 0x2f, digit(s + 1) {
                            let run3 = digitsEnd(s + 1) - (s + 1)
                            if run3 >= 2, run3 <= 4, !word(s + 1 + run3) {
                                return found(s + 1 + run3, .slashDate(text(i, a), text(a + 1, s)))
                            }
                        }
                    }
                }
                // Quantity with a unit.
                if let e = wordRun(afterOptionalSpace(g), in: unitWords) { return found(e, .quantity(text(i, g))) }
                // Duration, not after a digit, '.' or '-'.
                if i == 0 || !(b[i - 1] == 0x2e || b[i - 1] == 0x2d) {
                    let de = i + run
                    let k = de < n && (space(de) || b[de] == 0x2d) ? de + 1 : de
                    if let e = wordRun(k, in: durationWords) { return found(e, .duration(text(i, de))) }
                    // "7 working days": one qualifier and one whitespace before the unit.
                    var q = k
                    while word(q) { q += 1 }
                    if q > k, durationQualifiers.contains(lower(k, q)), space(q), let e = wordRun(q + 1, in: durationWords) {
                        return found(e, .duration(text(i, de)))
                    }
                }
                return nil
            }
            // September 5(th).
            guard let (m, e) = monthLetters(i) else { return nil }
            var p = e
            if p < n && b[p] == 0x2e { p += 1 }
            guard space(p) else { return nil }
            while space(p) { p += 1 }
            guard digit(p) else { return nil }
            let run = digitsEnd(p) - p
            guard run <= 2 else { return nil }
            let d = p + run
            if ordinal(d), !word(d + 2) { return found(d + 2, .monthDay(month: m, day: text(p, d))) }
            return word(d) ? nil : found(d, .monthDay(month: m, day: text(p, d)))
        }
        var i = 0
        while i < n {
            let c = b[i]
            if c == 0x24 || digit(i) || letter(i) {
                if let m = match(at: i) {
                    out.append(m)
                    i = m.range.location + m.range.length
                    continue
                }
                // No match starts inside a run of word characters (no boundary there).
                if word(i) {
                    i += 1
                    while word(i) { i += 1 }
                    continue
                }
            }
            i += 1
        }
        return true
    }
}
