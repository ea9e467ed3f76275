// DigitShape: the evidence a redaction rule's matches need, read in one pass over a text's bytes
// (runs of digits and their shapes, IBAN starts, IPv6-like runs), and the parts of the text each rule
// then searches (`windows`). Redactor.swift holds the rules; `RedactorTests.testPrechecksNeverSkipAMatch`
// holds the shortcuts to the plain search.

import Foundation

/// What a text's digits look like, read in one pass over its bytes, so that an expression whose every
/// match needs a long run of digits (a card, a phone number) is not run over text that has none; and
/// (`windows`) the parts of a text where a rule's matches can lie: around those runs, IBAN starts,
/// street words, cue words and given names.
public struct DigitShape {
    public private(set) var hasDigit = false
    /// The most digits in one run of digits and separators (space, `-`, `.`, `(`, `)`, `+`, `/`),
    /// where at most three separators stand together: "+1 (555) 123-4567" is one run of 11.
    public private(set) var longestRun = 0
    /// Two letters then two digits, as an IBAN starts.
    public private(set) var ibanLike = false
    /// A "::" or seven colons in one run of hex digits and colons, as an IPv6 address has.
    public private(set) var ipv6Like = false

    /// Byte ranges of the runs of digits and separators holding at least `DigitShape.keptRun` digits,
    /// with their digit counts.
    private(set) var runs: [Run] = []

    /// A run of digits and separators, with what the phone and IPv4 rules need of it.
    struct Run {
        var bytes: Range<Int>
        var digits: Int
        /// Could hold a phone number: a '+' in or just before it, ten digits together, a group of four
        /// after one separator and a group of three or more ("555-123-4567"), or a group of three to
        /// five starting with 0 (a trunk prefix). A date ("2024-05-15") has none of these.
        var phone: Bool
        /// Could hold an IPv4 address: four groups joined by single dots.
        var ipv4: Bool
        /// The most digits in groups joined by single spaces (a UK national insurance number's
        /// "12 34 56"); a date or a phone number's dashes break such a chain.
        var spaced: Int

        init(_ b: [UInt8], _ r: Range<Int>, digits: Int) {
            bytes = r
            self.digits = digits
            var groups: [(start: Int, len: Int)] = [], seps: [Range<Int>] = []
            var i = r.lowerBound
            while i < r.upperBound {
                let s = i
                while i < r.upperBound, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                if i > s { groups.append((s, i - s)) }
                let t = i
                while i < r.upperBound, !(b[i] >= 0x30 && b[i] <= 0x39) { i += 1 }
                if i > t { seps.append(t..<i) }   // seps[k] follows groups[k]
            }
            var plus = r.lowerBound > 0 && b[r.lowerBound - 1] == 0x2b
            for k in r where b[k] == 0x2b { plus = true }
            var shape = plus || groups.contains { $0.len >= 10 } || groups.contains { $0.len >= 3 && $0.len <= 5 && b[$0.start] == 0x30 }
            var dots = 0, ip = false
            var chain = groups.first?.len ?? 0, longest = chain
            for k in groups.indices.dropFirst() {
                let sep = seps[k - 1]
                let single = sep.count == 1
                chain = single && b[sep.lowerBound] == 0x20 ? chain + groups[k].len : groups[k].len
                longest = max(longest, chain)
                if groups[k].len == 4 && single && (b[sep.lowerBound] == 0x20 || b[sep.lowerBound] == 0x2e || b[sep.lowerBound] == 0x2d) && groups[k - 1].len >= 3 { shape = true }
                if single && b[sep.lowerBound] == 0x2e { dots += 1; if dots >= 3 { ip = true } } else { dots = 0 }
            }
            phone = shape
            ipv4 = ip
            spaced = longest
        }
    }
    static let keptRun = 4
    /// Where two letters followed by two digits start.
    private(set) var ibanStarts: [Int] = []

    /// The text's bytes, which `windows` reads.
    let bytes: [UInt8]

    public init(_ text: String) {
        var run = 0, gap = 0, colons = 0, prev: UInt8 = 0
        var letters = 0, digitsAfterLetters = 0
        var runStart = 0, runEnd = 0
        let bytes = Array(text.utf8)
        self.bytes = bytes
        func endRun() {
            if run >= Self.keptRun { runs.append(Run(bytes, runStart..<runEnd, digits: run)) }
            run = 0
        }
        for (i, b) in bytes.enumerated() {
            let digit = b >= 0x30 && b <= 0x39
            let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a
            if digit {
                hasDigit = true
                if run == 0 { runStart = i }
                run += 1; gap = 0; runEnd = i + 1
                if run > longestRun { longestRun = run }
            } else if b == 0x20 || b == 0x2d || b == 0x2e || b == 0x28 || b == 0x29 || b == 0x2b || b == 0x2f {
                gap += 1
                if gap > 3 { endRun() }
            } else {
                endRun(); gap = 0
            }
            // IBAN: letter letter digit digit.
            if letter { letters += 1; digitsAfterLetters = 0 } else if digit && letters >= 2 {
                digitsAfterLetters += 1
                if digitsAfterLetters == 2 { ibanLike = true; ibanStarts.append(i - 3) }
            } else { letters = 0; digitsAfterLetters = 0 }
            if digit && letters < 2 { letters = 0 }
            // IPv6.
            if b == 0x3a {
                if prev == 0x3a { ipv6Like = true }
                colons += 1
                if colons >= 7 { ipv6Like = true }
            } else if !(digit || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66)) { colons = 0 }
            prev = b
        }
        endRun()
    }

    /// Cue words that can come before a name (any case; the rule itself is stricter).
    static let nameCues: [[UInt8]] = ["my name is", "my name's", "name:", "this is", "i am", "i'm", "dear", "hi", "hello", "thanks", "regards",
                                      "sincerely", "cheers", "best", "signed", "contact", "customer", "account holder", "cardholder", "mr", "mrs",
                                      "ms", "miss", "dr", "prof", "mx"].map { Array($0.utf8) }

    /// Per byte, whether a cue starts with it.
    static let nameCueFirst = ByteText.firstBytes(nameCues)

    /// The parts of `text` a rule's matches can lie in: each place the rule's evidence starts (a run of
    /// digits with 40 bytes before it for a cue word such as "call me on"; two letters and two digits
    /// and the 48 bytes after; a cue word and the three words after it), widened to whitespace on both
    /// sides so that no word is cut (a boundary or look-behind then sees what it would see in the whole
    /// text); overlapping parts are joined. Nil: search the whole text (the rule has no such places,
    /// or a part cannot be bounded by whitespace within 400 bytes). The text is the one the shape was
    /// made of.
    func windows(_ search: Redactor.Search) -> [Range<Int>]? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 }
        /// Between the words of a name: the names' surnames are ASCII letters, and what separates
        /// them may be Unicode whitespace (a no-break space), so bytes outside ASCII separate too.
        func separates(_ b: UInt8) -> Bool { isSpace(b) || b >= 0x80 || b == 0x0b || b == 0x0c }
        var spans: [Range<Int>] = []
        switch search {
        case .whole, .hints:
            return nil
        case .digitRuns, .spacedRuns, .phoneRuns, .ipv4RunsUnlessIPv6:
            let keep: (Run) -> Bool
            switch search {
            case .digitRuns(let n):
                guard n >= Self.keptRun else { return nil }
                keep = { $0.digits >= n }
            case .spacedRuns(let n):
                guard n >= Self.keptRun else { return nil }
                keep = { $0.spaced >= n }
            case .phoneRuns: keep = { $0.digits >= 8 && $0.phone }
            default:
                if ipv6Like { return nil }
                keep = { $0.digits >= 4 && $0.ipv4 }
            }
            spans = runs.filter(keep).map { max(0, $0.bytes.lowerBound - 40)..<min(bytes.count, $0.bytes.upperBound + 2) }
        case .ibanStarts:
            spans = ibanStarts.map { $0..<min(bytes.count, $0 + 48) }
        case .nameCues:
            func isWord(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a || (b >= 0x30 && b <= 0x39) || b == 0x5f }
            for i in bytes.indices where i == 0 || !isWord(bytes[i - 1]) {
                let c = bytes[i] | 0x20
                guard Self.nameCueFirst[Int(c)] else { continue }
                for cue in Self.nameCues where cue[0] == c && i + cue.count <= bytes.count {
                    var k = 1
                    while k < cue.count && (bytes[i + k] | (bytes[i + k] >= 0x41 && bytes[i + k] <= 0x5a ? 0x20 : 0)) == cue[k] { k += 1 }
                    guard k == cue.count else { continue }
                    // The rule wants a ',', ':' or '.' or whitespace right after a cue ("Hi Jane", not
                    // "history"); a byte outside ASCII may begin Unicode whitespace.
                    if i + cue.count < bytes.count {
                        let next = bytes[i + cue.count]
                        guard next == 0x2c || next == 0x3a || next == 0x2e || next == 0x20 || (next >= 0x09 && next <= 0x0d) || next >= 0x80 else { continue }
                    }
                    // The cue, a ',', ':' or '.', then three words with what separates them.
                    var p = i + cue.count
                    if p < bytes.count, bytes[p] == 0x2c || bytes[p] == 0x3a || bytes[p] == 0x2e { p += 1 }
                    for _ in 0..<3 {
                        while p < bytes.count && separates(bytes[p]) { p += 1 }
                        while p < bytes.count && !separates(bytes[p]) { p += 1 }
                    }
                    spans.append(i..<p)
                    break
                }
            }
        case .streetWords:
            // Whitespace-separated words; a street word is one whose letters start with a street type.
            var words: [Range<Int>] = []
            var i = 0
            while i < bytes.count {
                while i < bytes.count && isSpace(bytes[i]) { i += 1 }
                let lo = i
                while i < bytes.count && !isSpace(bytes[i]) { i += 1 }
                if i > lo { words.append(lo..<i) }
            }
            for (k, w) in words.enumerated() {
                var e = w.lowerBound
                while e < w.upperBound && (bytes[e] | 0x20) >= 0x61 && (bytes[e] | 0x20) <= 0x7a { e += 1 }
                let n = e - w.lowerBound
                var street = false
                if n >= 2 && n <= 9 && Redactor.streetFirstBytes[Int(bytes[w.lowerBound])] {
                    let letters = Array(bytes[w.lowerBound..<e])
                    street = Redactor.streetTypeSet.contains(letters) || Redactor.frenchStreets.contains(letters)
                }
                if !street && w.count >= 4 {
                    // "-straße", "-weg", ... end the letters of a German street name, which a space and
                    // the house number follow: the suffix ends the word.
                    street = Redactor.germanStreets.contains { suffix in
                        w.count >= suffix.count && bytes[(w.upperBound - suffix.count)..<w.upperBound].elementsEqual(suffix)
                    }
                }
                if street { spans.append(words[max(0, k - 5)].lowerBound..<words[min(words.count - 1, k + 4)].upperBound) }
            }
        case .givenNames:
            // A match starts with a whole word (a run of letters, digits or '_') that is a listed given
            // name, then at most two more words.
            var offset = 0, start = -1
            var candidates: [Range<Int>] = []
            func endToken(_ end: Int) {
                // Only a word of a listed name's length and first byte can be one.
                if start >= 0, Redactor.givenNameLengths.contains(end - start), Redactor.givenNameFirstBytes[Int(bytes[start])],
                   Redactor.givenNameSet.contains(String(decoding: bytes[start..<end], as: UTF8.self)) { candidates.append(start..<end) }
                start = -1
            }
            func isASCIIWord(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a || (b >= 0x30 && b <= 0x39) || b == 0x5f }
            if !bytes.contains(where: { $0 >= 0x80 }) {
                for (i, b) in bytes.enumerated() {
                    if isASCIIWord(b) { if start < 0 { start = i } } else { endToken(i) }
                }
                offset = bytes.count
            } else {
                for u in String(decoding: bytes, as: UTF8.self).unicodeScalars {
                    let isWord = u.isASCII ? isASCIIWord(UInt8(u.value)) : (u.properties.isAlphabetic || u.properties.generalCategory == .nonspacingMark)
                    if isWord { if start < 0 { start = offset } } else { endToken(offset) }
                    offset += UTF8.width(u)
                }
            }
            endToken(offset)
            for c in candidates {
                var p = c.upperBound
                for _ in 0..<2 {
                    while p < bytes.count && separates(bytes[p]) { p += 1 }
                    while p < bytes.count && !separates(bytes[p]) { p += 1 }
                }
                spans.append(c.lowerBound..<p)
            }
        }
        return merged(spans)
    }

    /// Around every place one of `hints` (lower-cased bytes) occurs in `lower` (the text's bytes
    /// lower-cased): from 40 bytes before it to 48 after, widened to whitespace. For a rule whose
    /// every match holds or follows one of its hints within that reach (a token's prefix, a key
    /// name before its value).
    func windows(aroundAny hints: [[UInt8]], in lower: [UInt8]) -> [Range<Int>]? {
        var spans: [Range<Int>] = []
        for h in hints {
            var from = 0
            while let at = ByteText.firstIndex(of: h, in: lower, from: from) {
                spans.append(max(0, at - 40)..<min(bytes.count, at + h.count + 48))
                from = at + 1
            }
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        return merged(spans)
    }

    /// Spans widened to whitespace or a double quote on both sides and joined where they meet; nil
    /// when a span would grow past 400 bytes (a search of the whole text is then simpler). No match
    /// crosses such a byte beyond its span (only a secret after its name holds quotes, within the
    /// span of its hint), and compact JSON, a tool's result, has a quote where prose has a space.
    private func merged(_ spans: [Range<Int>]) -> [Range<Int>]? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 || b == 0x22 }
        var out: [Range<Int>] = []
        for span in spans {
            var lo = span.lowerBound
            while lo > 0 && !isSpace(bytes[lo - 1]) {
                lo -= 1
                if span.lowerBound - lo > 400 { return nil }
            }
            var hi = span.upperBound
            while hi < bytes.count && !isSpace(bytes[hi]) {
                hi += 1
                if hi - span.upperBound > 400 { return nil }
            }
            if let last = out.last, last.upperBound >= lo { out[out.count - 1] = last.lowerBound..<max(hi, last.upperBound) } else { out.append(lo..<hi) }
        }
        return out
    }
}
