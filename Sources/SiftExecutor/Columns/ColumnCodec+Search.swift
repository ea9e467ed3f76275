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
    public static func mayContain(_ bytes: [UInt8], needle: [UInt8], caseInsensitive: Bool, below: Bool = false) -> [Bool]? {
        bytes.withUnsafeBufferPointer { b -> [Bool]? in
            // The layout (ColumnFormat) is read as the entries are searched, in one pass over the
            // bytes: magic | rows n | n tags | fixed bytes f | f bytes | entries e | e x (length |
            // bytes) | a 4-byte code per string or JSON row.
            let magic = ColumnFormat.magic
            guard !needle.isEmpty, b.count >= 12, let base = b.baseAddress,
                  b[0] == magic[0], b[1] == magic[1], b[2] == magic[2], b[3] == magic[3] else { return nil }
            func u64(_ at: Int) -> Int? {
                guard at >= 0, at + 8 <= b.count else { return nil }
                let x = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: at, as: UInt64.self))
                return x <= UInt64(b.count) ? Int(x) : nil
            }
            let string = ColumnFormat.Tag.string.rawValue, json = ColumnFormat.Tag.json.rawValue
            guard let n = u64(4), 12 + n <= b.count else { return nil }
            var at = 12 + n
            guard let f = u64(at), at + 8 + f <= b.count else { return nil }
            at += 8 + f
            guard let e = u64(at) else { return nil }
            at += 8
            var coded = 0
            for r in 0..<n where b[12 + r] == string || b[12 + r] == json { coded += 1 }
            let codesStart = b.count - 4 * coded
            guard codesStart >= at, e <= (codesStart - at) / 8 else { return nil }
            let quoteOrEscape = needle.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 >= 0x80 }
            // Which entries string rows and JSON rows use (one entry can serve both: the dictionary
            // is keyed by bytes, so a string that reads like JSON shares the JSON value's entry), and
            // each row's entry, flagged 1 << 31 for a JSON row.
            let stringUse: UInt8 = 1, jsonUse: UInt8 = 2
            var entryUse = [UInt8](repeating: 0, count: e)
            var rowCode = [Int32](repeating: -1, count: n)
            var codeAt = codesStart
            for r in 0..<n {
                let t = b[12 + r]
                guard t == string || t == json else { continue }
                let c = Int32(b[codeAt]) | Int32(b[codeAt + 1]) << 8 | Int32(b[codeAt + 2]) << 16 | Int32(b[codeAt + 3]) << 24
                codeAt += 4
                guard c >= 0, Int(c) < e else { return nil }
                rowCode[r] = t == json ? c | Int32(bitPattern: 1 << 31) : c
                entryUse[Int(c)] |= t == json ? jsonUse : stringUse
            }
            // Per entry, bit 0: a string row using it might match; bit 1: a JSON row might.
            var entryMay = [UInt8](repeating: 0, count: e)
            for k in 0..<e {
                guard let len = u64(at), at + 8 + len <= codesStart else { return nil }
                let text = UnsafeBufferPointer(rebasing: b[(at + 8)..<(at + 8 + len)])
                at += 8 + len
                if entryUse[k] & jsonUse != 0,
                   quoteOrEscape || (below ? jsonTextMayContain(text, needle, caseInsensitive)
                                     : arrayStringsMayContain(text, needle, caseInsensitive) || stringScalarMayContain(text, needle, caseInsensitive)) {
                    entryMay[k] |= jsonUse
                }
                if entryUse[k] & stringUse != 0, !below, contains(text, needle, caseInsensitive) || holdsASCIIEquivalent(text) {
                    entryMay[k] |= stringUse
                }
            }
            guard at == codesStart else { return nil }
            return rowCode.map { c in
                guard c != -1 else { return false }
                return c < 0 ? entryMay[Int(c & 0x7FFF_FFFF)] & jsonUse != 0 : entryMay[Int(c)] & stringUse != 0
            }
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
        guard let base = text.baseAddress else { return false }
        if contains(text, needle, fold) { return true }
        return ck_may_hide(base, text.count, 1, needle.contains(UInt8(ascii: "/")) ? 1 : 0) != 0
    }

    /// For JSON text that is a string scalar: whether it might contain `needle`. Such an entry decodes
    /// to a string, which [I]LIKE tests as one (our writer stores strings as string entries, but a
    /// column read back is judged by its bytes; the fuzzer's codec target found one).
    static func stringScalarMayContain(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
        let i = valueStart(text)
        return i < text.count && text[i] == UInt8(ascii: "\"") && jsonTextMayContain(text, needle, fold)
    }

    /// Where JSON text's value starts, past leading whitespace.
    static func valueStart(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x0D || text[i] == 0x09 { i += 1 }
        return i
    }

    /// Whether UTF-8 text holds U+037E, U+1FEF or U+212A: the only non-ASCII scalars that equal an
    /// ASCII character canonically or once lower-cased (`;`, `` ` ``, `K`/`k`).
    static func holdsASCIIEquivalent(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return false }
        return ck_may_hide(base, text.count, 0, 0) != 0
    }

    /// For JSON text: whether it is an array one of whose top-level string elements might contain
    /// `needle`. Objects and scalars give false; an element that might hide it (`jsonTextMayContain`)
    /// gives true (decided on the decoded value instead). Strings are
    /// skipped to their closing quote with `memchr` (a quote after an odd run of backslashes is
    /// escaped); only elements at the top level are read.
    static func arrayStringsMayContain(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], _ fold: Bool) -> Bool {
        // A text whose bytes neither hold the needle nor might hide it has no string that does: two
        // quick passes rule most texts out before their strings are walked.
        guard jsonTextMayContain(text, needle, fold) else { return false }
        var i = valueStart(text)
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
