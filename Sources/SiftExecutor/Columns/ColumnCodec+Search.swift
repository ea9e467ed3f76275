// Substring search over a column's bytes, before anything is decoded: for `x [I]LIKE '%text%'` the
// rows whose value cannot match are ruled out from the dictionary entries' bytes, so only the others
// are decoded and tested. [I]LIKE tests a string, or each string element of an array (DIALECT.md
// section 8); objects, numbers and booleans never match. So a string entry is a candidate when its
// bytes hold the text; a JSON entry only when it is an array one of whose top-level string elements
// does. For a path below the column (`output.content`), a JSON entry is a candidate when any of its
// strings might hold the text, and a string entry never is (a path below a string is NULL).
//
// What "might" means: the text is ASCII without quotes, backslashes or control characters (other
// needles keep every JSON entry a candidate). A JSON escape then hides a needle's character only when
// it is `\u` or, for a needle with a slash, `\/`; any other escape decodes to a character the needle
// lacks, so a match in the decoded string is a match in the raw bytes. And a non-ASCII character equals
// an ASCII one (canonically, or once lower-cased) only for U+037E, U+1FEF and U+212A (checked over
// every scalar): a text holding one of those stays a candidate.

import CKernels
import Foundation
import SiftModel

extension ColumnCodec {
    /// Per row, whether its value might contain `needle` (ASCII, folded to lower case when
    /// `caseInsensitive`); false rows certainly do not match a pattern that requires it. Nil for
    /// bytes that are not a column.
    /// `below`: the search is for a path below the column's values (only JSON entries can hold one).
    static func mayContain(_ bytes: [UInt8], needle: [UInt8], caseInsensitive: Bool, below: Bool = false) -> [Bool]? {
        bytes.withUnsafeBufferPointer { b -> [Bool]? in
            guard let parts = ColumnFormat.Parts(b), !needle.isEmpty else { return nil }
            let quoteOrEscape = needle.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 >= 0x80 }
            var entryMay = [Bool](repeating: false, count: parts.entries.count)
            var entryIsJSON = [Bool](repeating: false, count: parts.entries.count)
            // Which entries are JSON text (their rows' tags say so).
            var codeAt = parts.codes.lowerBound
            var rowCode = [Int32](repeating: -1, count: parts.rows)
            for r in 0..<parts.rows {
                let t = b[parts.tags.lowerBound + r]
                guard t == ColumnFormat.Tag.string.rawValue || t == ColumnFormat.Tag.json.rawValue else { continue }
                guard codeAt + 4 <= parts.codes.upperBound else { return nil }
                let c = Int32(b[codeAt]) | Int32(b[codeAt + 1]) << 8 | Int32(b[codeAt + 2]) << 16 | Int32(b[codeAt + 3]) << 24
                codeAt += 4
                guard c >= 0, Int(c) < parts.entries.count else { return nil }
                rowCode[r] = c
                if t == ColumnFormat.Tag.json.rawValue { entryIsJSON[Int(c)] = true }
            }
            for (e, range) in parts.entries.enumerated() {
                let text = UnsafeBufferPointer(rebasing: b[range])
                if entryIsJSON[e] {
                    entryMay[e] = quoteOrEscape || (below ? jsonTextMayContain(text, needle, caseInsensitive)
                                                          : arrayStringsMayContain(text, needle, caseInsensitive))
                } else {
                    entryMay[e] = !below && (contains(text, needle, caseInsensitive) || holdsASCIIEquivalent(text))
                }
            }
            return rowCode.map { $0 >= 0 && entryMay[Int($0)] }
        }
    }

    /// Whether `hay` holds `needle` (folding ASCII letters of `hay` when asked; `needle` is folded).
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
        guard hay.count >= needle.count, let h = hay.baseAddress else { return false }
        return needle.withUnsafeBufferPointer { n in ck_find(h, hay.count, n.baseAddress, n.count, fold ? 1 : 0) >= 0 }
    }

    /// Whether the decoded strings of JSON text (a whole value, or one string's body) might hold
    /// `needle` (see the top of this file): its raw bytes hold it, or a `\u` escape (or `\/` for a
    /// needle with a slash) or a non-ASCII character equal to an ASCII one might hide it.
    static func jsonTextMayContain(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
        if contains(text, needle, fold) || holdsASCIIEquivalent(text) { return true }
        guard let base = text.baseAddress else { return false }
        let slash = needle.contains(UInt8(ascii: "/"))
        var i = 0
        while i < text.count, let p = memchr(base + i, 0x5C, text.count - i) {
            let k = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            guard k + 1 < text.count else { return false }
            let next = text[k + 1]
            if next == UInt8(ascii: "u") || (slash && next == UInt8(ascii: "/")) { return true }
            i = k + 2   // the escaped character is not the start of another escape
        }
        return false
    }

    /// Whether UTF-8 text holds U+037E, U+1FEF or U+212A: the only non-ASCII scalars that equal an
    /// ASCII character canonically or once lower-cased (`;`, `` ` ``, `K`/`k`).
    static func holdsASCIIEquivalent(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress, text.count >= 2 else { return false }
        // Each lead byte is found with memchr: most texts have none, and are passed over quickly.
        func holds(_ lead: UInt8, _ b1: UInt8, _ b2: UInt8?) -> Bool {
            var i = 0
            while i < text.count, let p = memchr(base + i, Int32(lead), text.count - i) {
                let k = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if k + 1 < text.count, text[k + 1] == b1, b2.map({ k + 2 < text.count && text[k + 2] == $0 }) ?? true { return true }
                i = k + 1
            }
            return false
        }
        return holds(0xCD, 0xBE, nil) || holds(0xE1, 0xBF, 0xAF) || holds(0xE2, 0x84, 0xAA)
    }

    /// For JSON text: whether it is an array one of whose top-level string elements might contain
    /// `needle`. Objects and scalars give false; an element that might hide it (`jsonTextMayContain`)
    /// gives true (decided on the decoded value instead). Strings are
    /// skipped to their closing quote with `memchr` (a quote after an odd run of backslashes is
    /// escaped); only elements at the top level are read.
    static func arrayStringsMayContain(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
        var i = 0
        while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x0D || text[i] == 0x09 { i += 1 }
        guard i < text.count, text[i] == UInt8(ascii: "["), let base = text.baseAddress else { return false }
        var depth = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "\"") {
                let start = i + 1
                var j = start
                while true {
                    guard j < text.count, let p = memchr(base + j, 0x22, text.count - j) else { j = text.count; break }
                    let q = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    var k = q - 1, backslashes = 0
                    while k >= start && text[k] == UInt8(ascii: "\\") { backslashes += 1; k -= 1 }
                    if backslashes % 2 == 0 { j = q; break }
                    j = q + 1
                }
                if depth == 1, jsonTextMayContain(UnsafeBufferPointer(rebasing: text[start..<j]), needle, fold) { return true }
                i = j + 1
                continue
            }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1 }
            i += 1
        }
        return false
    }
}
