// Topics as they are kept between runs: label, centroid, radius. Classifying a vector against them,
// matching a new run's clusters to the previous run's topics (so ids stay stable), a 2-D projection
// for the scatterplot, and the agreement measures (NMI, ARI) used by `sift topics eval`.

import Foundation
import SiftModel

public struct TopicInfo: Hashable, Sendable {
    public var id: String
    public var label: String
    public var description: String
    public var terms: [String]
    public var centroid: [Float]
    public var radius: Float
    public var size: Int
    public var status: TopicStatus
    public var mergedInto: String?

    public init(id: String, label: String, description: String, terms: [String], centroid: [Float], radius: Float, size: Int, status: TopicStatus = .active, mergedInto: String? = nil) {
        self.id = id; self.label = label; self.description = description; self.terms = terms
        self.centroid = centroid; self.radius = radius; self.size = size; self.status = status; self.mergedInto = mergedInto
    }
}

public struct Assignment: Hashable, Sendable {
    /// Index into the topic list, or nil for no_match.
    public var topic: Int?
    public var distance: Float
    public var confidence: Float
}

public enum Classifier {
    /// The nearest live topic of each vector, its distance and a confidence (how much nearer it is than
    /// the runner-up); beyond the topic's radius the vector is `no_match`.
    public static func classify(_ vectors: Matrix, topics: [TopicInfo]) -> [Assignment] {
        let live = topics.indices.filter { topics[$0].status.isLive && !topics[$0].centroid.isEmpty }
        guard !live.isEmpty else { return [Assignment](repeating: Assignment(topic: nil, distance: 1, confidence: 0), count: vectors.rows) }
        return nearestTwo(vectors, live.map { topics[$0].centroid }).map { near in
            let t = live[near.index]
            return Assignment(topic: near.distance <= topics[t].radius ? t : nil, distance: near.distance, confidence: near.confidence)
        }
    }

    /// Per row: its nearest centroid, the cosine distance to it, and how much nearer it is than the
    /// runner-up, in [0, 1] (with a single centroid, the runner-up counts as at distance 2). Parallel
    /// over rows.
    public static func nearestTwo(_ vectors: Matrix, _ centroids: [[Float]]) -> [(index: Int, distance: Float, confidence: Float)] {
        let d = vectors.cols, k = centroids.count, n = vectors.rows
        var out = [(index: Int, distance: Float, confidence: Float)](repeating: (0, 1, 0), count: n)
        guard k > 0 else { return out }
        let flat = centroids.flatMap { $0.count == d ? $0 : Array(($0 + [Float](repeating: 0, count: d)).prefix(d)) }
        let chunks = n < 2048 ? 1 : ProcessInfo.processInfo.activeProcessorCount * 2
        out.withUnsafeMutableBufferPointer { op in
            vectors.data.withUnsafeBufferPointer { xp in
                flat.withUnsafeBufferPointer { cp in
                    let o = op.baseAddress!, xb = xp.baseAddress!, cb = cp.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: chunks) { ch in
                        for i in (n * ch / chunks)..<(n * (ch + 1) / chunks) {
                            var best = -Float.infinity, second = -Float.infinity, bi = 0
                            for c in 0..<k {
                                let s = simdDot(xb + i * d, cb + c * d, d)
                                if s > best { second = best; best = s; bi = c } else if s > second { second = s }
                            }
                            let d1 = max(0, 1 - best), d2 = second.isFinite ? max(0, 1 - second) : 2
                            o[i] = (bi, d1, d2 > 0 ? max(0, min(1, 1 - d1 / d2)) : 0)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Matches this run's clusters to the previous topics by centroid similarity (greedy, best pairs
    /// first, cosine >= `threshold`). Returns, per new cluster, the index of the previous topic it
    /// continues (nil: a new topic), and per previous topic the new cluster it merged into when it was
    /// not continued but lies near one (nil: retired).
    public static func match(new: [[Float]], previous: [[Float]], threshold: Float = 0.8) -> (continues: [Int?], mergedInto: [Int?]) {
        var pairs: [(Float, Int, Int)] = []
        for (i, a) in new.enumerated() {
            for (j, b) in previous.enumerated() where a.count == b.count && !b.isEmpty {
                let s = Vectors.dot(a, b)
                if s >= threshold { pairs.append((s, i, j)) }
            }
        }
        pairs.sort { $0.0 > $1.0 || ($0.0 == $1.0 && ($0.1, $0.2) < ($1.1, $1.2)) }
        var continues = [Int?](repeating: nil, count: new.count)
        var taken = [Bool](repeating: false, count: previous.count)
        for (_, i, j) in pairs where continues[i] == nil && !taken[j] { continues[i] = j; taken[j] = true }
        var merged = [Int?](repeating: nil, count: previous.count)
        for (_, i, j) in pairs where !taken[j] && merged[j] == nil { merged[j] = i }
        return (continues, merged)
    }
}

public enum Projection {
    /// 2-D coordinates: the first two principal components of the vectors (power iteration on a
    /// seeded sample), so the dense centre is common behaviour and unusual groups sit apart; a small
    /// deterministic jitter per point keeps identical summaries from hiding each other.
    public static func project(_ x: Matrix, jitterKeys: [UInt64], seed: UInt64 = 7) -> [(Float, Float)] {
        let n = x.rows, d = x.cols
        guard n > 0, d > 0 else { return [] }
        var rng = SeededRandom(seed: seed &+ SeededRandom.golden)
        let sample = n <= 4000 ? Array(0..<n) : (0..<4000).map { _ in Int(rng.next() % UInt64(n)) }
        var mean = [Float](repeating: 0, count: d)
        for i in sample { for j in 0..<d { mean[j] += x.data[i * d + j] } }
        for j in 0..<d { mean[j] /= Float(sample.count) }
        func covTimes(_ v: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: d)
            for i in sample {
                var s: Float = 0
                for j in 0..<d { s += (x.data[i * d + j] - mean[j]) * v[j] }
                for j in 0..<d { out[j] += s * (x.data[i * d + j] - mean[j]) }
            }
            return out
        }
        var components: [[Float]] = []
        for _ in 0..<2 {
            var v = (0..<d).map { _ in Float(rng.unit() - 0.5) }
            for _ in 0..<40 {
                var w = covTimes(v)
                for c in components { let p = Vectors.dot(w, c); for j in 0..<d { w[j] -= p * c[j] } }
                Vectors.normalize(&w)
                if w.allSatisfy({ $0 == 0 }) { break }
                v = w
            }
            components.append(v)
        }
        var coords: [(Float, Float)] = []
        coords.reserveCapacity(n)
        var spread: Float = 0
        for i in 0..<n {
            var a: Float = 0, b: Float = 0
            for j in 0..<d { let c = x.data[i * d + j] - mean[j]; a += c * components[0][j]; b += c * components[1][j] }
            coords.append((a, b))
            spread = max(spread, abs(a), abs(b))
        }
        let scale = spread > 0 ? spread : 1
        return coords.enumerated().map { i, p in
            let h = i < jitterKeys.count ? jitterKeys[i] : UInt64(i)
            let jx = Float(Double(h & 0xffff) / 65535 - 0.5), jy = Float(Double((h >> 16) & 0xffff) / 65535 - 0.5)
            return (p.0 / scale + jx * 0.03, p.1 / scale + jy * 0.03)
        }
    }
}

public enum Agreement {
    /// Normalised mutual information (arithmetic mean normalisation, as scikit-learn's default).
    public static func nmi(_ a: [Int], _ b: [Int]) -> Double {
        let n = Double(a.count)
        guard n > 0 else { return 0 }
        var ca: [Int: Double] = [:], cb: [Int: Double] = [:], cab: [Int64: Double] = [:]
        for i in a.indices {
            ca[a[i], default: 0] += 1; cb[b[i], default: 0] += 1
            cab[Int64(a[i]) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: b[i]))), default: 0] += 1
        }
        func h(_ c: [Int: Double]) -> Double { c.values.reduce(0) { $0 - ($1 / n) * log($1 / n) } }
        var mi = 0.0
        for (key, nij) in cab {
            let i = Int(key >> 32), j = Int(Int32(truncatingIfNeeded: key))
            mi += nij / n * log(n * nij / (ca[i]! * cb[j]!))
        }
        let ha = h(ca), hb = h(cb)
        let denom = (ha + hb) / 2
        return denom > 0 ? max(0, mi / denom) : 1
    }

    /// Adjusted Rand index.
    public static func ari(_ a: [Int], _ b: [Int]) -> Double {
        let n = Double(a.count)
        guard n > 1 else { return 1 }
        func c2(_ x: Double) -> Double { x * (x - 1) / 2 }
        var ca: [Int: Double] = [:], cb: [Int: Double] = [:], cab: [Int64: Double] = [:]
        for i in a.indices {
            ca[a[i], default: 0] += 1; cb[b[i], default: 0] += 1
            cab[Int64(a[i]) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: b[i]))), default: 0] += 1
        }
        let index = cab.values.reduce(0) { $0 + c2($1) }
        let sa = ca.values.reduce(0) { $0 + c2($1) }, sb = cb.values.reduce(0) { $0 + c2($1) }
        let expected = sa * sb / c2(n)
        let maxIndex = (sa + sb) / 2
        return maxIndex - expected == 0 ? 1 : (index - expected) / (maxIndex - expected)
    }
}
