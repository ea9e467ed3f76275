// Topic labels, descriptions and distinctive terms with the built-in model: class-based TF-IDF over
// the summaries of each topic (a term scores high when it is frequent in the topic and rare in the
// others), the shared lead-in of the summaries when most of them have one ("Retry storm: ..."), and
// the summary nearest the centroid as the description.

import Foundation

public struct TopicLabel: Hashable, Sendable {
    public var label: String
    public var description: String
    public var terms: [String]
}

public enum Labeler {
    /// Labels for each cluster. `members[c]` lists (summary, weight, distance to centroid).
    /// With `phrases`, a topic without a shared lead-in is named by its most typical member (the one
    /// carrying most of the topic's distinctive terms), cut to its first clause of at most 8 words,
    /// rather than by a list of terms.
    public static func label(_ members: [[(text: String, weight: Double, distance: Float)]], phrases: Bool = false) -> [TopicLabel] {
        let k = members.count
        // Term counts per topic (unigrams and bigrams of content words).
        var tf = [[String: Double]](repeating: [:], count: k)
        var totalTF: [String: Double] = [:]
        var sizes = [Double](repeating: 0, count: k)
        for c in 0..<k {
            for m in members[c] {
                let words = Tokens.words(withoutPlaceholders(m.text)).filter { !Tokens.stopwords.contains($0) && $0.count > 1 }
                var terms = Set(words)
                for i in 0..<max(0, words.count - 1) where words[i] != words[i + 1] { terms.insert(words[i] + " " + words[i + 1]) }
                for t in terms { tf[c][t, default: 0] += m.weight; totalTF[t, default: 0] += m.weight }
                sizes[c] += m.weight
            }
        }
        let avg = max(1, sizes.reduce(0, +) / Double(max(k, 1)))
        var out: [TopicLabel] = []
        for c in 0..<k {
            let size = max(sizes[c], 1)
            var scored: [(String, Double)] = tf[c].map { t, n in
                // Share of the topic containing the term x how specific it is to the topic.
                let idf = log(1 + avg / max(totalTF[t]!, 1))
                let bigramBoost = t.contains(" ") ? 1.15 : 1.0
                return (t, n / size * idf * bigramBoost * (n / totalTF[t]!))
            }
            scored.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
            // Drop unigrams already inside a chosen bigram.
            var terms: [String] = []
            for (t, _) in scored where terms.count < 8 {
                if !t.contains(" ") && terms.contains(where: { $0.split(separator: " ").contains(Substring(t)) }) { continue }
                terms.append(t)
            }
            // Shared lead-in ("Retry storm: ...") covering most of the topic.
            var heads: [String: Double] = [:]
            for m in members[c] {
                if let colon = m.text.firstIndex(of: ":") {
                    let head = String(m.text[..<colon]).trimmingCharacters(in: .whitespaces)
                    if !head.isEmpty, head.split(separator: " ").count <= 10, head.first?.isLetter == true { heads[head, default: 0] += m.weight }
                }
            }
            let representative = members[c].min { ($0.distance, -$0.weight, $0.text) < ($1.distance, -$1.weight, $1.text) }?.text ?? ""
            var label: String
            if let (head, w) = heads.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }), w >= 0.6 * size {
                label = head
            } else if members[c].count == 1 || (members[c].first.map { m in m.weight >= 0.8 * size } ?? false) {
                label = (phrases ? labelReady(representative) : representative).clipped(60)
            } else if phrases, let request = typical(members[c], terms: terms) {
                label = request
            } else {
                label = terms.prefix(3).joined(separator: ", ")
            }
            if label.isEmpty { label = "Topic \(c + 1)" }
            label = label.prefix(1).uppercased() + label.dropFirst()
            out.append(TopicLabel(label: label, description: representative.clipped(200), terms: terms))
        }
        return disambiguated(out)
    }

    /// The text without redaction placeholders (`<EMAIL>`, `<NAME>`): they say what was removed, not
    /// what a topic is about, so they never become its terms.
    static func withoutPlaceholders(_ text: String) -> String {
        guard text.contains("<") else { return text }
        return text.replacingOccurrences(of: #"<[A-Z_]{2,}>"#, with: " ", options: .regularExpression)
    }

    /// A member's text as a label may show it: without redaction placeholders and pictographs, runs of
    /// spaces made one. A clause left hanging by a removed placeholder ("Reset my password please,
    /// email is <EMAIL>") is cut at the break before it when two words or more come before that.
    static func labelReady(_ text: String) -> String {
        let hole: Unicode.Scalar = "\u{2}", pictograph: Unicode.Scalar = "\u{1}"
        let marked = text.contains("<") ? text.replacingOccurrences(of: #"<[A-Z_]{2,}>"#, with: "\u{2}", options: .regularExpression) : text
        var scalars = Array(marked.unicodeScalars)
        if let h = scalars.firstIndex(of: hole) {
            let breaks: Set<Unicode.Scalar> = [",", ";", ":", "(", pictograph]
            var b = h - 1
            while b >= 0, !(breaks.contains(scalars[b]) || isPictograph(scalars[b])) { b -= 1 }
            // (Only when the request does not go on after it: "Good morning, this is <NAME>, I can't log in"
            // keeps its request.)
            let after = String(String.UnicodeScalarView(scalars[(h + 1)...])).split(whereSeparator: { !$0.isLetter }).count
            if b > 0, after < 2, String(String.UnicodeScalarView(scalars[..<b])).split(separator: " ").count >= 2 { scalars = Array(scalars[..<b]) }
        }
        var out = String.UnicodeScalarView()
        var space = false
        for u in scalars {
            if u == hole || isPictograph(u) { space = space || !out.isEmpty; continue }
            if u == " " || u == "\t" { space = !out.isEmpty; continue }
            if u == "\n" || u == "\r" { space = false }
            if space {
                // No space before punctuation left behind by a removed placeholder ("is <EMAIL>, thanks").
                if !",.;:!?)".unicodeScalars.contains(u) { out.append(" ") }
                space = false
            }
            out.append(u)
        }
        return String(out).trimmingCharacters(in: CharacterSet(charactersIn: ",;: "))
    }

    static func isPictograph(_ u: Unicode.Scalar) -> Bool {
        guard u.value >= 0x80 else { return false }
        let p = u.properties
        return p.isEmojiPresentation || (p.isEmoji && u.value > 0xFF) || p.generalCategory == .otherSymbol
            || u.value == 0xFE0F || u.value == 0x200D
    }

    /// The member text that carries most of the topic's distinctive terms, shortened to a label.
    static func typical(_ members: [(text: String, weight: Double, distance: Float)], terms: [String]) -> String? {
        let top = Array(terms.prefix(8))
        var best: (score: Double, text: String)?
        for m in members {
            let text = labelReady(m.text)
            let redacted = withoutPlaceholders(m.text) != m.text
            let words = Tokens.words(text).filter { !Tokens.stopwords.contains($0) && $0.count > 1 }
            var have = Set(words)
            for i in 0..<max(0, words.count - 1) { have.insert(words[i] + " " + words[i + 1]) }
            var score = 0.0
            for (rank, t) in top.enumerated() where have.contains(t) { score += Double(top.count - rank) }
            score = score * (1 + log(m.weight)) / (1 + Double(words.count) / 12)
            // A figure belongs to one member ("16 people left", "order 4417"), not to the topic: a member
            // without one names the topic better when it says as much.
            if text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { score *= 0.5 }
            // So does one whose wording did not lose a redacted e-mail or name.
            if redacted { score *= 0.7 }
            if best == nil || score > best!.score || (score == best!.score && text < best!.text) { best = (score, text) }
        }
        guard let text = best?.text else { return nil }
        // The first clause that says something, without a greeting.
        let clauses = text.split(whereSeparator: { ".?!;\n".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
        let greetings: Set<String> = ["hi", "hello", "hey", "hiya", "ok", "okay", "so", "um", "ugh", "please"]
        for c in clauses {
            var words = c.split(separator: " ").map(String.init)
            while let f = words.first, greetings.contains(f.lowercased().trimmingCharacters(in: .punctuationCharacters)) { words.removeFirst() }
            guard words.count >= 2 else { continue }
            var label = words.prefix(8).joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: ",:- "))
            if words.count > 8 { label += "…" }
            return label
        }
        return nil
    }

    static func disambiguated(_ labels: [TopicLabel]) -> [TopicLabel] {
        var out = labels
        // Two topics with one label: tell them apart by their most distinctive term not in the label.
        var seen: [String: Int] = [:]
        for i in out.indices { seen[out[i].label, default: 0] += 1 }
        for i in out.indices where seen[out[i].label]! > 1 {
            // Prefer an identifier-like term (a tool or index name such as issue_refund), then any word.
            let lower = out[i].label.lowercased()
            var words: [String] = []
            for t in out[i].terms { for w in t.split(separator: " ") where !words.contains(String(w)) { words.append(String(w)) } }
            let fresh = words.filter { !lower.contains($0) && !Tokens.stopwords.contains($0) }
            if let extra = fresh.first(where: { $0.contains("_") }) ?? fresh.first { out[i].label += " (\(extra))" }
        }
        var again: [String: Int] = [:]
        for i in out.indices {
            again[out[i].label, default: 0] += 1
            if again[out[i].label]! > 1 { out[i].label += " #\(again[out[i].label]!)" }
        }
        return out
    }
}
