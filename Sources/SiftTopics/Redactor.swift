// PII redaction: emails, phone numbers, card numbers (Luhn-checked), API keys and tokens, IP
// addresses, US social security numbers and IBANs are replaced with typed placeholders before any
// model sees the text. Teams add their own patterns (name + regular expression).

import Foundation

public struct Redactor: @unchecked Sendable {
    public struct Rule {
        public var kind: String
        let regex: NSRegularExpression
        /// Only worth running when the text contains one of these (cheap pre-check); empty: always.
        let hints: [String]
        let needsDigit: Bool
        let validate: ((String) -> Bool)?
    }

    public private(set) var rules: [Rule]

    public static let builtinKinds = ["API_KEY", "EMAIL", "CARD", "IBAN", "SSN", "PHONE", "IP"]

    /// The built-in rules, plus `extra` (name -> pattern) as typed placeholders `<NAME>`.
    public init(extra: [(name: String, pattern: String)] = []) throws {
        func rx(_ p: String) throws -> NSRegularExpression { try NSRegularExpression(pattern: p, options: []) }
        rules = try [
            Rule(kind: "API_KEY", regex: try rx(#"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}|ghp_[A-Za-z0-9]{20,}|gh[ousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9\-]{10,}|AIza[0-9A-Za-z_\-]{30,}|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})|(?<=Bearer )[A-Za-z0-9._~+/\-]{16,}=*"#),
                 hints: ["sk-", "gh", "AKIA", "xox", "AIza", "eyJ", "Bearer"], needsDigit: false, validate: nil),
            Rule(kind: "EMAIL", regex: try rx(#"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b"#), hints: ["@"], needsDigit: false, validate: nil),
            Rule(kind: "CARD", regex: try rx(#"\b(?:\d[ \-]?){12,18}\d\b"#), hints: [], needsDigit: true, validate: Self.luhn),
            Rule(kind: "IBAN", regex: try rx(#"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b"#), hints: [], needsDigit: true, validate: Self.ibanChecksum),
            Rule(kind: "SSN", regex: try rx(#"\b\d{3}-\d{2}-\d{4}\b"#), hints: ["-"], needsDigit: true, validate: nil),
            Rule(kind: "PHONE", regex: try rx(#"(?<![\w\-])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{3}\)|\d{3})[ .\-]?\d{3}[ .\-]\d{4}(?![\w\-])"#), hints: [], needsDigit: true, validate: nil),
            Rule(kind: "IP", regex: try rx(#"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b"#), hints: [], needsDigit: true, validate: nil),
        ]
        for (name, pattern) in extra {
            let kind = name.uppercased().replacingOccurrences(of: " ", with: "_")
            do {
                rules.append(Rule(kind: kind, regex: try NSRegularExpression(pattern: pattern), hints: [], needsDigit: false, validate: nil))
            } catch {
                throw TopicsError.invalid("redaction pattern '\(name)' is not a valid regular expression: \(pattern)")
            }
        }
    }

    /// The text with every match replaced by `<KIND>`.
    public func redact(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var out = text
        let hasDigit = text.utf8.contains { $0 >= 48 && $0 <= 57 }
        for rule in rules {
            if rule.needsDigit && !hasDigit { continue }
            if !rule.hints.isEmpty && !rule.hints.contains(where: { out.contains($0) }) { continue }
            let ns = out as NSString
            let matches = rule.regex.matches(in: out, range: NSRange(location: 0, length: ns.length))
            guard !matches.isEmpty else { continue }
            var result = ""
            var last = 0
            var changed = false
            for m in matches {
                let piece = ns.substring(with: m.range)
                if let v = rule.validate, !v(piece) { continue }
                result += ns.substring(with: NSRange(location: last, length: m.range.location - last))
                result += "<\(rule.kind)>"
                last = m.range.location + m.range.length
                changed = true
            }
            if changed {
                result += ns.substring(from: last)
                out = result
            }
        }
        return out
    }

    /// The Luhn checksum of a card number (spaces and dashes ignored).
    public static func luhn(_ s: String) -> Bool {
        let digits = s.compactMap { $0.wholeNumberValue }
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 { let x = d * 2; sum += x > 9 ? x - 9 : x } else { sum += d }
        }
        return sum % 10 == 0
    }

    /// The ISO 13616 mod-97 check of an IBAN.
    static func ibanChecksum(_ s: String) -> Bool {
        let c = Array(s.filter { !$0.isWhitespace })
        guard c.count >= 15, c.count <= 34 else { return false }
        let rearranged = c[4...] + c[..<4]
        var rem = 0
        for ch in rearranged {
            if let d = ch.wholeNumberValue { rem = (rem * 10 + d) % 97 }
            else if let a = ch.asciiValue, a >= 65, a <= 90 { rem = (rem * 100 + Int(a) - 55) % 97 }
            else { return false }
        }
        return rem == 1
    }
}
