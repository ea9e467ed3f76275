// Clustering with an automatic number of topics: spherical k-means (cosine), k-means++ seeding, and k
// chosen by the weighted silhouette on a deterministic sample (with a small preference for fewer
// topics on near-ties), then refined on all points. Identical texts are clustered once with their
// count as weight. Points far from every centroid (beyond the topic's radius) are kept aside as an
// explicit "unclustered" group. Seeded: the same input and seed give the same topics.

import Foundation
import SiftModel

/// Row-major n x d matrix of floats.
public struct Matrix: Sendable {
    public var rows: Int
    public var cols: Int
    public var data: [Float]

    public init(rows: Int, cols: Int) { self.rows = rows; self.cols = cols; data = [Float](repeating: 0, count: rows * cols) }

    public init(_ vectors: [[Float]], cols: Int) {
        self.rows = vectors.count
        self.cols = cols
        data = []
        data.reserveCapacity(vectors.count * cols)
        for v in vectors { data.append(contentsOf: v.count == cols ? v : Array((v + [Float](repeating: 0, count: cols)).prefix(cols))) }
    }

    public func row(_ i: Int) -> [Float] { Array(data[(i * cols)..<((i + 1) * cols)]) }
}

@inline(__always) func simdDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 16 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

public struct Clustering: Sendable {
    public var assignment: [Int]        // cluster per point, -1 for unclustered
    public var distance: [Float]        // cosine distance to the assigned (or nearest) centroid
    public var centroids: [[Float]]
    public var radius: [Float]          // per cluster: beyond this distance a point is unclustered
    public var k: Int { centroids.count }
    /// (k, silhouette) for each candidate tried, for the run record and `topics eval`.
    public var candidates: [(k: Int, score: Double)]
}

public struct AutoKMeans: Sendable {
    public var seed: UInt64 = 42
    public var minK = 2
    public var maxK = 150
    public var sampleSize = 1500
    public var restarts = 3
    /// A topic smaller than this (in weighted points) is dissolved into its neighbours.
    public var minTopicSize = 3.0
    /// Force a number of topics (for experiments); nil chooses it.
    public var fixedK: Int?

    public init(seed: UInt64 = 42) { self.seed = seed }

    public func fit(_ x: Matrix, weights: [Double]) -> Clustering {
        let n = x.rows
        precondition(weights.count == n)
        if n == 0 { return Clustering(assignment: [], distance: [], centroids: [], radius: [], candidates: []) }
        // Sample for choosing k: the heaviest points first would bias; take a seeded weighted sample.
        var rng = SeededRandom(seed: seed &+ SeededRandom.golden)
        var sample: [Int]
        if n <= sampleSize { sample = Array(0..<n) } else {
            // Weighted reservoir sampling (A-Res): key = u^(1/w).
            var keyed = (0..<n).map { i -> (Double, Int) in (pow(rng.unit(), 1 / max(weights[i], 1e-9)), i) }
            keyed.sort { $0.0 > $1.0 }
            sample = keyed.prefix(sampleSize).map(\.1).sorted()
        }
        let s = Matrix(sample.map { x.row($0) }, cols: x.cols)
        let sw = sample.map { n <= sampleSize ? weights[$0] : 1.0 }
        var chosen: [[Float]]
        var candidates: [(Int, Double)] = []
        if let fixed = fixedK {
            chosen = bestOf(s, sw, k: min(fixed, s.rows), rng: &rng)
        } else if s.rows <= 2 {
            chosen = bestOf(s, sw, k: 1, rng: &rng)
        } else {
            let dist = pairwise(s)
            let grid = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 23, 26, 30, 34, 38, 43, 48, 54, 60, 67, 75, 84, 94, 105, 118]
            let upper = min(maxK, s.rows / 2, 150)
            var best: (score: Double, cents: [[Float]])?
            for k in grid where k >= minK && k <= upper {
                let cents = bestOf(s, sw, k: k, rng: &rng)
                let (assign, _) = assignAll(s, cents)
                let score = silhouette(dist, n: s.rows, assign: assign, weights: sw, k: cents.count)
                candidates.append((k, score))
                // Prefer fewer topics unless more clearly separate better.
                if best == nil || score > best!.score + 0.01 { best = (score, cents) }
            }
            chosen = best?.cents ?? bestOf(s, sw, k: 1, rng: &rng)
            // Everything identical or nearly so: one topic.
            if let b = best, b.score < 0.02 { chosen = bestOf(s, sw, k: 1, rng: &rng) }
        }
        return finish(x, weights: weights, centroids: chosen, candidates: candidates.map { (k: $0.0, score: $0.1) }, refine: 8)
    }

    /// From chosen centroids to the final clustering: Lloyd refinement on all points, tiny topics
    /// dissolved, topics ordered by size, radii, and far points kept aside as unclustered.
    /// `memberships` (a centroid index per point, -1 for none) keeps the groups a graph method drew
    /// instead of moving every point to its nearest centroid; points without one go to the nearest.
    public func finish(_ x: Matrix, weights: [Double], centroids chosen: [[Float]], candidates: [(k: Int, score: Double)], refine: Int,
                       memberships: [Int]? = nil) -> Clustering {
        let n = x.rows
        var (cents, assign, dists) = lloyd(x, weights, chosen, iterations: refine)
        if let memberships, refine == 0 {
            x.data.withUnsafeBufferPointer { xp in
                for i in 0..<n where memberships[i] >= 0 && memberships[i] < cents.count && memberships[i] != assign[i] {
                    assign[i] = memberships[i]
                    dists[i] = cents[assign[i]].withUnsafeBufferPointer { max(0, 1 - simdDot(xp.baseAddress! + i * x.cols, $0.baseAddress!, x.cols)) }
                }
            }
        }
        // Dissolve tiny topics into their neighbours.
        var mass = [Double](repeating: 0, count: cents.count)
        for i in 0..<n { mass[assign[i]] += weights[i] }
        let keep = mass.indices.filter { mass[$0] >= minTopicSize }
        if keep.count < cents.count && !keep.isEmpty {
            if memberships != nil && refine == 0 {
                // Groups drawn by a graph stay as drawn; only the points of dissolved topics move, to
                // the nearest kept one.
                var newIndex = [Int](repeating: -1, count: cents.count)
                for (j, c) in keep.enumerated() { newIndex[c] = j }
                cents = keep.map { cents[$0] }
                let (nearest, nearDists) = assignAll(x, cents)
                for i in 0..<n {
                    if newIndex[assign[i]] >= 0 { assign[i] = newIndex[assign[i]] } else { assign[i] = nearest[i]; dists[i] = nearDists[i] }
                }
            } else {
                cents = keep.map { cents[$0] }
                (assign, dists) = assignAll(x, cents)
                cents = recompute(x, weights, assign, k: cents.count, previous: cents)
                (assign, dists) = assignAll(x, cents)
            }
        }
        // Order topics by size (largest first) so ids and colours are stable and readable.
        mass = [Double](repeating: 0, count: cents.count)
        for i in 0..<n { mass[assign[i]] += weights[i] }
        let order = cents.indices.sorted { mass[$0] > mass[$1] || (mass[$0] == mass[$1] && $0 < $1) }
        var remap = [Int](repeating: 0, count: cents.count)
        for (newIndex, old) in order.enumerated() { remap[old] = newIndex }
        cents = order.map { cents[$0] }
        assign = assign.map { remap[$0] }
        // Radius: 1.5 x the 95th percentile of member distances, at least 0.15, at most 0.9.
        var radius = [Float](repeating: 0.15, count: cents.count)
        var members = [[(Float, Double)]](repeating: [], count: cents.count)
        for i in 0..<n { members[assign[i]].append((dists[i], weights[i])) }
        for c in cents.indices {
            let m = members[c].sorted { $0.0 < $1.0 }
            let total = m.reduce(0) { $0 + $1.1 }
            var acc = 0.0, p95: Float = 0
            for (d, w) in m { acc += w; p95 = d; if acc >= 0.95 * total { break } }
            radius[c] = min(0.9, max(0.15, 1.5 * p95))
        }
        for i in 0..<n where dists[i] > radius[assign[i]] { assign[i] = -1 }
        return Clustering(assignment: assign, distance: dists, centroids: cents, radius: radius, candidates: candidates)
    }

    /// The best (lowest weighted inertia) of `restarts` k-means runs.
    func bestOf(_ x: Matrix, _ w: [Double], k: Int, rng: inout SeededRandom) -> [[Float]] {
        var best: (Double, [[Float]])?
        for _ in 0..<max(1, restarts) {
            let (cents, _, dists) = lloyd(x, w, plusPlus(x, w, k: k, rng: &rng), iterations: 20)
            var inertia = 0.0
            for i in 0..<x.rows { inertia += Double(dists[i]) * w[i] }
            if best == nil || inertia < best!.0 { best = (inertia, cents) }
        }
        return best!.1
    }

    /// Lloyd's iterations from `start` until nothing moves (or `iterations`); the final centroids with
    /// each point's nearest centroid and distance.
    func lloyd(_ x: Matrix, _ w: [Double], _ start: [[Float]], iterations: Int) -> ([[Float]], [Int], [Float]) {
        var cents = start
        for _ in 0..<iterations {
            let (assign, _) = assignAll(x, cents)
            let updated = recompute(x, w, assign, k: cents.count, previous: cents)
            if updated == cents { break }
            cents = updated
        }
        let (assign, dists) = assignAll(x, cents)
        return (cents, assign, dists)
    }

    /// k-means++ seeding on weighted points (duplicates of a chosen point are never chosen again).
    func plusPlus(_ x: Matrix, _ w: [Double], k: Int, rng: inout SeededRandom) -> [[Float]] {
        let n = x.rows
        var d2 = [Double](repeating: .infinity, count: n)
        var cents: [[Float]] = []
        var total = w.reduce(0, +)
        var pick = 0
        var r = rng.unit() * total
        for i in 0..<n { r -= w[i]; if r <= 0 { pick = i; break } }
        while cents.count < k {
            let c = x.row(pick)
            cents.append(c)
            total = 0
            c.withUnsafeBufferPointer { cp in
                x.data.withUnsafeBufferPointer { xp in
                    for i in 0..<n {
                        let d = Double(max(0, 1 - simdDot(xp.baseAddress! + i * x.cols, cp.baseAddress!, x.cols)))
                        if d < d2[i] { d2[i] = d }
                        total += d2[i] * d2[i] * w[i]
                    }
                }
            }
            guard total > 1e-12 else { break }   // every point sits on a centroid
            r = rng.unit() * total
            pick = n - 1
            for i in 0..<n { r -= d2[i] * d2[i] * w[i]; if r <= 0 { pick = i; break } }
        }
        return cents
    }

    func recompute(_ x: Matrix, _ w: [Double], _ assign: [Int], k: Int, previous: [[Float]]) -> [[Float]] {
        var sums = [[Float]](repeating: [Float](repeating: 0, count: x.cols), count: k)
        var mass = [Double](repeating: 0, count: k)
        x.data.withUnsafeBufferPointer { xp in
            for i in 0..<x.rows {
                let c = assign[i]
                let wi = Float(w[i])
                mass[c] += w[i]
                sums[c].withUnsafeMutableBufferPointer { sp in
                    let row = xp.baseAddress! + i * x.cols
                    for j in 0..<x.cols { sp[j] += wi * row[j] }
                }
            }
        }
        for c in 0..<k {
            if mass[c] == 0 { sums[c] = previous[c]; continue }
            var v = sums[c]
            Vectors.normalize(&v)
            sums[c] = v
        }
        return sums
    }

    /// Nearest centroid and its cosine distance for every point (parallel over rows).
    public func assignAll(_ x: Matrix, _ cents: [[Float]]) -> ([Int], [Float]) {
        let n = x.rows, d = x.cols, k = cents.count
        var assign = [Int](repeating: 0, count: n), dists = [Float](repeating: 0, count: n)
        let flat = cents.flatMap { $0.count == d ? $0 : Array(($0 + [Float](repeating: 0, count: d)).prefix(d)) }
        let chunks = n < 2048 ? 1 : ProcessInfo.processInfo.activeProcessorCount * 2
        assign.withUnsafeMutableBufferPointer { ap in
            dists.withUnsafeMutableBufferPointer { dp in
                x.data.withUnsafeBufferPointer { xp in
                    flat.withUnsafeBufferPointer { cp in
                        let a = ap.baseAddress!, dd = dp.baseAddress!, xb = xp.baseAddress!, cb = cp.baseAddress!
                        DispatchQueue.concurrentPerform(iterations: chunks) { ch in
                            for i in (n * ch / chunks)..<(n * (ch + 1) / chunks) {
                                var best = -Float.infinity, bi = 0
                                for c in 0..<k {
                                    let s = simdDot(xb + i * d, cb + c * d, d)
                                    if s > best { best = s; bi = c }
                                }
                                a[i] = bi
                                dd[i] = max(0, 1 - best)
                            }
                        }
                    }
                }
            }
        }
        return (assign, dists)
    }

    func pairwise(_ x: Matrix) -> [Float] {
        let n = x.rows, d = x.cols
        var out = [Float](repeating: 0, count: n * n)
        x.data.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                let xb = xp.baseAddress!, ob = op.baseAddress!
                let chunks = n < 256 ? 1 : ProcessInfo.processInfo.activeProcessorCount * 4
                DispatchQueue.concurrentPerform(iterations: chunks) { ch in
                    for i in (n * ch / chunks)..<(n * (ch + 1) / chunks) {
                        for j in 0..<n { ob[i * n + j] = max(0, 1 - simdDot(xb + i * d, xb + j * d, d)) }
                    }
                }
            }
        }
        return out
    }

    /// Weighted mean silhouette; a point's duplicates count as members at distance 0.
    func silhouette(_ dist: [Float], n: Int, assign: [Int], weights w: [Double], k: Int) -> Double {
        guard k > 1 else { return 0 }
        var mass = [Double](repeating: 0, count: k)
        for i in 0..<n { mass[assign[i]] += w[i] }
        var total = 0.0, wsum = 0.0
        var sums = [Double](repeating: 0, count: k)
        for i in 0..<n {
            for c in 0..<k { sums[c] = 0 }
            for j in 0..<n { sums[assign[j]] += Double(dist[i * n + j]) * w[j] }
            let own = assign[i]
            let ownMass = mass[own] - 1   // the point itself (one copy) does not count
            let s: Double
            if ownMass <= 0 { s = 0 } else {
                let a = sums[own] / ownMass
                var b = Double.infinity
                for c in 0..<k where c != own && mass[c] > 0 { b = min(b, sums[c] / mass[c]) }
                s = b.isFinite && max(a, b) > 0 ? (b - a) / max(a, b) : 0
            }
            total += s * w[i]
            wsum += w[i]
        }
        return wsum > 0 ? total / wsum : 0
    }
}
