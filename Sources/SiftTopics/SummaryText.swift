// Summary text normalised so summaries group behaviour, not surface: identifiers, amounts, dates and
// numbers become typed words, and sentences about tone are dropped from requests.

import Foundation

public enum SummaryText {
    /// Replaces identifiers, amounts, dates and numbers with typed words, so summaries of the same
    /// request in different orders look alike: "$129.00" -> "<amount>", "A123456" -> "<id>".
    public static func generalize(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        var token = ""
        func flush() {
            guard !token.isEmpty else { return }
            let digits = token.filter(\.isNumber).count
            if digits == 0 { out += token }
            else if token.hasPrefix("$") || token.hasPrefix("€") || token.hasPrefix("£") { out += "<amount>" }
            else if token.range(of: #"^\d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil { out += "<date>" }
            else if token.allSatisfy({ $0.isNumber || $0 == "." || $0 == "," }) { out += digits <= 2 ? token : "<number>" }
            else if token.hasSuffix("%") { out += "<percent>" }
            else if token.first!.isNumber, token.drop(while: \.isNumber).allSatisfy({ $0.isLetter }), token.count <= 6 { out += token } // 45L, 2P, 20W
            else { out += "<id>" }
            token = ""
        }
        for ch in s {
            if ch.isLetter || ch.isNumber || ch == "$" || ch == "€" || ch == "£" || ((ch == "." || ch == "," || ch == "-" || ch == "%") && !token.isEmpty && token.last!.isNumber) || (ch == "-" && !token.isEmpty && token.contains(where: \.isNumber)) {
                token.append(ch)
            } else {
                // A trailing '.' or ',' after a number is punctuation, not part of it.
                var trailing = ""
                while let l = token.last, l == "." || l == "," || l == "-" { trailing = String(l) + trailing; token.removeLast() }
                flush()
                out += trailing
                out.append(ch)
            }
        }
        var trailing = ""
        while let l = token.last, l == "." || l == "," || l == "-" { trailing = String(l) + trailing; token.removeLast() }
        flush()
        out += trailing
        return out
    }

    /// Drops sentences that only carry tone ("Ugh.", "Honestly this is annoying."), keeping the request.
    static func dropToneSentences(_ s: String) -> String {
        var sentences: [String] = []
        var current = ""
        for ch in s {
            current.append(ch)
            if ch == "." || ch == "!" || ch == "?" { sentences.append(current); current = "" }
        }
        if !current.trimmed.isEmpty { sentences.append(current) }
        guard sentences.count > 1 else { return s.trimmed }
        let kept = sentences.filter { sent in
            let words = sent.lowercased().split { !$0.isLetter && $0 != "'" }
            let tone = BuiltinFacetModel.tone(sent)
            return !(words.count <= 8 && (tone == .negative || tone == .frustrated))
        }
        return (kept.isEmpty ? sentences : kept).joined().trimmed
    }
}
