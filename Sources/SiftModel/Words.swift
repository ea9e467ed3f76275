// The one word tokenizer: lower-cased runs of letters, digits and `_`, optionally keeping apostrophes
// inside words ("don't"). MATCH and search() use it as is; topic labels and the hashing embedder
// build on it (Tokens.words in SiftTopics).

public enum Words {
    /// Lower-cased words of `text`. With `innerApostrophes`, an apostrophe after a word character
    /// stays part of the word (a trailing one is kept too: callers trim it).
    public static func split(_ text: String, innerApostrophes: Bool = false) -> [String] {
        var out: [String] = [], cur = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "_" || (innerApostrophes && ch == "'" && !cur.isEmpty) {
                cur.append(ch)
            } else if !cur.isEmpty {
                out.append(cur)
                cur = ""
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }
}
