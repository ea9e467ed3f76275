// Embeddings: text -> unit vector. The built-in embedder is offline and deterministic: words, word
// pairs and character n-grams (which catch "refund"/"refunded"/"refunds" alike), weighted by
// sublinear term frequency, hashed with a sign into a fixed number of dimensions (a random projection
// of the sparse TF vector that preserves cosine similarity on average), then L2-normalised. The same
// text always gives the same vector, so vectors can be cached by text hash.

import Foundation
import SiftModel

public protocol EmbeddingModel: Sendable {
    /// Names the model and its settings; the embedding cache is keyed by it.
    var name: String { get }
    var dimensions: Int { get }
    /// One unit vector per text.
    func embed(_ texts: [String]) throws -> [[Float]]
}

public struct HashingEmbedder: EmbeddingModel {
    public let dimensions: Int
    public var name: String { "builtin-hash-\(dimensions)-v1" }

    public init(dimensions: Int = 384) { self.dimensions = dimensions }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        var out = [[Float]](repeating: [], count: texts.count)
        let chunks = max(1, min(texts.count / 256, ProcessInfo.processInfo.activeProcessorCount * 4))
        out.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = texts.count * c / chunks, hi = texts.count * (c + 1) / chunks
                for i in lo..<hi { base[i] = vector(texts[i]) }
            }
        }
        return out
    }

    /// The vector of one text.
    public func vector(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: dimensions)
        let words = Tokens.words(text)
        var counts: [UInt64: Float] = [:]
        func add(_ h: UInt64, _ w: Float) { counts[h, default: 0] += w }
        var previous: String?
        for w in words {
            if Tokens.stopwords.contains(w) { previous = nil; continue }
            add(StableHash.fnv(w, seed: 1), 1.0)
            if let p = previous { add(StableHash.fnv(p + " " + w, seed: 2), 0.8) }
            previous = w
            // Character n-grams of the word with boundary marks, sharing one unit of weight.
            let chars = Array(("<" + w + ">").utf8)
            if chars.count >= 5 {
                var grams: [UInt64] = []
                for n in 3...5 where chars.count >= n {
                    for s in 0...(chars.count - n) { grams.append(StableHash.fnv(chars[s..<(s + n)], seed: UInt64(10 + n))) }
                }
                let share = 1.0 / Float(grams.count).squareRoot()
                for g in grams { add(g, share) }
            }
        }
        // In hash order, not the dictionary's (which varies between instances): float sums must add
        // up in the same order every time for the same text to give the very same vector.
        for (h, tf) in counts.sorted(by: { $0.key < $1.key }) {
            let weight = 1 + log(tf)          // sublinear term frequency
            let dim = Int(h % UInt64(dimensions))
            v[dim] += (h >> 63) == 0 ? weight : -weight
        }
        Vectors.normalize(&v)
        return v
    }
}

public enum Tokens {
    /// Lower-cased words: letters, digits, `_` and inner apostrophes; pure numbers and `<placeholders>`
    /// are kept as the typed word ("number", "id"), so identifiers never split topics.
    public static func words(_ text: String) -> [String] {
        Words.split(text, innerApostrophes: true)
            .filter { w in !(w.count > 2 && w.allSatisfy(\.isNumber)) }
            .map { $0.hasSuffix("'") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
    }

    public static let stopwords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "it", "its", "it's",
        "this", "that", "these", "those", "i", "i'm", "i've", "i'd", "me", "my", "we", "our", "you", "your", "he", "she", "they",
        "them", "their", "his", "her", "what", "which", "who", "whom", "can", "could", "would", "should", "will", "just", "please",
        "there", "here", "about", "into", "out", "up", "down", "over", "than", "too", "very", "also", "any", "some", "all", "no",
        "not", "only", "own", "same", "such", "more", "most", "other", "s", "t", "d", "ll", "m", "re", "ve", "hi", "hello", "hey",
        "thanks", "thank", "want", "need", "like", "get", "know", "let", "how", "when", "where", "why", "much", "many",
    ]
}

public enum Vectors {
    @inline(__always) public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var i = 0
        while i + 4 <= n {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < n { s0 += a[i] * b[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, min(a.count, b.count)) } }
    }

    public static func normalize(_ v: inout [Float]) {
        var s: Float = 0
        for x in v { s += x * x }
        guard s > 0 else { return }
        let inv = 1 / s.squareRoot()
        for i in v.indices { v[i] *= inv }
    }

    /// Cosine distance of two unit vectors, in [0, 2].
    public static func distance(_ a: [Float], _ b: [Float]) -> Float { max(0, 1 - dot(a, b)) }

    public static func toBlob(_ v: [Float]) -> [UInt8] {
        v.withUnsafeBytes { Array($0) }
    }

    public static func fromBlob(_ b: [UInt8]) -> [Float] {
        guard b.count % 4 == 0 else { return [] }
        return b.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
    }
}
