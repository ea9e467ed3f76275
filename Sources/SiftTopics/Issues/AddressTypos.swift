// E-mail addresses typed into tool calls one or two letters off an address the conversation gave:
// read before redaction, which writes every address as <EMAIL> and so hides the difference.
// Part of the Issues detectors (IssueFinder+Arguments.swift reports what this finds).

import Foundation
import SiftModel

extension TraceThread {
    /// The thread with its text redacted, and the calls whose e-mail argument is a near miss of an
    /// address seen earlier noted first (`addressTypos`), since after redaction every address reads
    /// `<EMAIL>`.
    public func redacted(by redactor: Redactor) -> TraceThread {
        let typos = addressTyposBeforeRedaction()
        var t = mapText(redactor.redact)
        t.addressTypos = typos
        return t
    }

    /// Event index -> argument key, for each call carrying an e-mail address that nothing before the
    /// call wrote, within one or two edits of one that something before it did (the user's, a
    /// record's). An address with no near match is not reported: agents look up addresses they know
    /// from tools the trace does not record.
    func addressTyposBeforeRedaction() -> [Int: String] {
        // Most traces type no address into a call: nothing is read for them.
        guard toolCalls.contains(where: { $0.arguments.utf8.contains(UInt8(ascii: "@")) }) else { return [:] }
        var seen = Set<String>()
        for s in system { seen.formUnion(Self.addresses(s)) }
        var out: [Int: String] = [:]
        for (i, e) in events.enumerated() {
            switch e {
            case .user(let s), .assistant(let s): seen.formUnion(Self.addresses(s))
            case .tool(let c):
                if c.arguments.utf8.contains(UInt8(ascii: "@")) {
                    for (key, v) in IssueFinder.argumentLeaves(c) ?? [] {
                        guard case .string(let s) = v else { continue }
                        for a in Self.addresses(s) where !seen.contains(a) && seen.contains(where: { IssueFinder.isNearMiss(a, $0) }) {
                            out[i] = key.isEmpty ? "email" : key
                        }
                    }
                }
                seen.formUnion(Self.addresses(c.arguments))
                seen.formUnion(Self.addresses(c.result))
                seen.formUnion(Self.addresses(c.errorMessage ?? ""))
            }
        }
        return out
    }

    /// The e-mail addresses in `text`, lower-cased: letters, digits and `._%+-` before an `@`, a
    /// domain of letters, digits, `.` and `-` with a dot after it.
    static func addresses(_ text: String) -> Set<String> {
        let b = Array(text.utf8)
        guard b.contains(UInt8(ascii: "@")) else { return [] }
        func local(_ c: UInt8) -> Bool { ByteText.isAlnum(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D }
        func domain(_ c: UInt8) -> Bool { ByteText.isAlnum(c) || c == 0x2E || c == 0x2D }
        var out = Set<String>()
        for (at, c) in b.enumerated() where c == UInt8(ascii: "@") {
            var lo = at
            while lo > 0, local(b[lo - 1]) { lo -= 1 }
            var hi = at + 1
            while hi < b.count, domain(b[hi]) { hi += 1 }
            while hi > at + 1, b[hi - 1] == 0x2E || b[hi - 1] == 0x2D { hi -= 1 }
            while lo < at, b[lo] == 0x2E { lo += 1 }
            guard lo < at, hi > at + 1, b[(at + 1)..<hi].contains(0x2E) else { continue }
            out.insert(String(decoding: b[lo..<hi], as: UTF8.self).lowercased())
        }
        return out
    }
}
