// Substring search over a column's bytes, before anything is decoded: for `x [I]LIKE '%text%'` the
// rows whose value cannot match are ruled out from the dictionary entries' bytes, so only the others
// are decoded and tested. [I]LIKE tests a string, or each string element of an array (DIALECT.md
// section 8); objects, numbers and booleans never match. So a string entry is a candidate when its
// bytes hold the text; a JSON entry only when it is an array one of whose top-level string elements
// does (or might: an escape sequence, or non-ASCII bytes under case folding, keeps it a candidate).

import Foundation
import SiftModel

extension ColumnCodec {
    /// Per row, whether its value might contain `needle` (ASCII, folded to lower case when
    /// `caseInsensitive`); false rows certainly do not match a pattern that requires it. Nil for
    /// bytes that are not a column.
    static func mayContain(_ bytes: [UInt8], needle: [UInt8], caseInsensitive: Bool) -> [Bool]? {
        bytes.withUnsafeBufferPointer { b -> [Bool]? in
            guard let parts = ColumnFormat.Parts(b), !needle.isEmpty else { return nil }
            let quoteOrEscape = needle.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }
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
                    entryMay[e] = quoteOrEscape || arrayStringsMayContain(text, needle, caseInsensitive)
                } else {
                    entryMay[e] = contains(text, needle, caseInsensitive) || (caseInsensitive && text.contains { $0 >= 0x80 })
                }
            }
            return rowCode.map { $0 >= 0 && entryMay[Int($0)] }
        }
    }

    /// Whether `hay` holds `needle` (folding ASCII letters of `hay` when asked; `needle` is folded).
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
        let n = needle.count
        guard hay.count >= n else { return false }
        let first = needle[0]
        let firstOther: UInt8 = fold && first >= 97 && first <= 122 ? first - 32 : first
        var i = 0
        let last = hay.count - n
        while i <= last {
            let c = hay[i]
            if c == first || c == firstOther {
                var j = 1
                while j < n {
                    var h = hay[i + j]
                    if fold && h >= 65 && h <= 90 { h |= 0x20 }
                    if h != needle[j] { break }
                    j += 1
                }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    /// For JSON text: whether it is an array one of whose top-level string elements might contain
    /// `needle`. Objects and scalars give false; an element with an escape sequence, or with non-ASCII
    /// bytes when folding case, gives true (decided on the decoded value instead). Strings are
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
                if depth == 1 {
                    let element = UnsafeBufferPointer(rebasing: text[start..<j])
                    if element.contains(UInt8(ascii: "\\")) || (fold && element.contains { $0 >= 0x80 }) { return true }
                    if contains(element, needle, fold) { return true }
                }
                i = j + 1
                continue
            }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1 }
            i += 1
        }
        return false
    }
}
