// The BERT tokenizer: the basic tokenizer (clean control characters, space out CJK ideographs,
// lowercase, strip accents, split punctuation) and WordPiece (greedy longest match from a vocabulary,
// continuations prefixed "##", [UNK] for words it cannot cover), with [CLS] ... [SEP] and truncation,
// as Hugging Face's BertTokenizer does for uncased models.

import Foundation

public struct WordPiece: Sendable {
    public let vocab: [String: Int32]
    public let lowercase: Bool
    public let unk: Int32, cls: Int32, sep: Int32, pad: Int32
    let maxWordChars = 100

    public init(vocabFile: String, lowercase: Bool = true) throws {
        guard let data = FileManager.default.contents(atPath: vocabFile) else { throw TopicsError.invalid("\(vocabFile): cannot read the vocabulary") }
        var vocab: [String: Int32] = [:]
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        // One token per line; its id is the line number.
        for (i, line) in lines.enumerated() {
            var token = String(line)
            if token.hasSuffix("\r") { token.removeLast() }
            if vocab[token] == nil { vocab[token] = Int32(i) }
        }
        try self.init(vocab: vocab, lowercase: lowercase)
    }

    public init(vocab: [String: Int32], lowercase: Bool = true) throws {
        self.vocab = vocab
        self.lowercase = lowercase
        guard let unk = vocab["[UNK]"], let cls = vocab["[CLS]"], let sep = vocab["[SEP]"] else {
            throw TopicsError.invalid("the vocabulary lacks [UNK], [CLS] or [SEP]")
        }
        self.unk = unk; self.cls = cls; self.sep = sep
        pad = vocab["[PAD]"] ?? 0
    }

    /// Token ids for one text: [CLS] pieces... [SEP], at most `maxLength` ids.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        var ids: [Int32] = [cls]
        let budget = max(0, maxLength - 2)
        outer: for word in basicTokens(text) {
            for id in wordPiece(word) {
                if ids.count - 1 >= budget { break outer }
                ids.append(id)
            }
        }
        ids.append(sep)
        return ids
    }

    // MARK: - Basic tokenizer

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s == " " || s == "\t" || s == "\n" || s == "\r" { return true }
        return s.properties.generalCategory == .spaceSeparator
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate, .unassigned: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v) || (0x2A700...0x2B73F).contains(v)
            || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v) || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    /// Words after cleaning, CJK spacing, lowercasing, accent stripping and punctuation splitting.
    public func basicTokens(_ text: String) -> [String] {
        // Clean and space out CJK characters.
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) { continue }
            if Self.isWhitespace(s) { cleaned.append(" ") }
            else if Self.isCJK(s) { cleaned.append(" "); cleaned.append(s); cleaned.append(" ") }
            else { cleaned.append(s) }
        }
        var out: [String] = []
        for raw in String(cleaned).split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(raw)
            if lowercase {
                word = word.lowercased()
                // Strip accents: canonical decomposition, then drop non-spacing marks.
                var kept = String.UnicodeScalarView()
                for s in word.decomposedStringWithCanonicalMapping.unicodeScalars where s.properties.generalCategory != .nonspacingMark { kept.append(s) }
                word = String(kept)
            }
            // Split punctuation into tokens of its own.
            var current = String.UnicodeScalarView()
            for s in word.unicodeScalars {
                if Self.isPunctuation(s) {
                    if !current.isEmpty { out.append(String(current)); current = String.UnicodeScalarView() }
                    out.append(String(s))
                } else {
                    current.append(s)
                }
            }
            if !current.isEmpty { out.append(String(current)) }
        }
        return out
    }

    // MARK: - WordPiece

    func wordPiece(_ word: String) -> [Int32] {
        let chars = Array(word.unicodeScalars)
        if chars.count > maxWordChars { return [unk] }
        var ids: [Int32] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var found: Int32?
            while start < end {
                var piece = String(String.UnicodeScalarView(chars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = vocab[piece] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unk] }
            ids.append(id)
            start = end
        }
        return ids
    }
}
