// Graph clustering: a k-nearest-neighbour graph over the vectors (cosine similarity, UMAP's fuzzy
// weights), split into communities by Louvain modularity optimisation. The graph is built on a seeded
// sample of at most `sampleSize` distinct texts, so the topic count depends on the data's groups and
// not on how many texts there are; the rest join the community most of their nearest sampled
// neighbours belong to. The resolution is chosen per data set so that two groups become one topic
// when a fixed share of their edges join them, whatever the number of groups (`crossingResolution`).
// Deterministic: fixed seeds, nodes visited in a fixed order.

import CKernels
import Foundation
import SiftModel

public struct GraphClusterer: Sendable {
    public var neighbours = 15
    /// A fixed resolution (higher splits finer); nil chooses it from the data (`crossingResolution`).
    public var resolution: Double?
    /// Candidate resolutions, tried in order for the crossing (see `crossingResolution`).
    public var grid: [Double] = [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32]
    /// The share of a group's edges to another above which the two are one topic.
    public var share = 0.1
    public var tolerance = 0.05
    /// The graph is built on at most this many distinct texts (a seeded sample beyond it).
    public var sampleSize = 3_000
    /// Beyond this many distinct texts, texts outside the sample go to the nearest topic centroid
    /// instead of a vote of their nearest sampled neighbours (the vote costs a pass over the sample).
    public var voteLimit = 40_000
    /// Up to this many distinct texts, the vote is followed by local moves on the graph of all texts
    /// (`settle`: a quadratic neighbour search by blocked matrix products, about 3 s for 11,000 texts and 9 s for 20,000 on 2 cores).
    public var settleLimit = 20_000
    public var minTopicSize = 3.0
    public var seed: UInt64 = 42

    public init() {}

    /// Communities of the kNN graph, as a Clustering (centroids, radius, unclustered for tiny groups).
    /// `candidates` lists each resolution tried: (topic count, resolution).
    public func fit(_ x: Matrix, weights: [Double]) -> Clustering {
        let n = x.rows
        var rng = SeededRandom(seed: seed &+ SeededRandom.golden)
        let sample = n <= sampleSize ? Array(0..<n) : Self.seededSubset(n, sampleSize, &rng)
        let sampleWeights = sample.map { weights[$0] }
        var candidates: [(k: Int, score: Double)] = []
        let adj = graph(x, sample, sampleWeights)
        let chosen: Double
        if let resolution { chosen = resolution } else { (chosen, candidates) = crossingResolution(adj, sampleWeights: sampleWeights) }
        let community = louvain(adj, resolution: chosen)
        // Communities -> clusters, dropping tiny ones (their points go to the nearest big one, or unclustered).
        var members: [Int: [Int]] = [:]
        for (local, c) in community.enumerated() { members[c, default: []].append(local) }
        var cents: [[Float]] = []
        var sampleMembership = [Int](repeating: -1, count: sample.count)
        for (_, m) in members.sorted(by: { $0.value.first! < $1.value.first! }) {
            let mass = m.reduce(0.0) { $0 + sampleWeights[$1] }
            guard mass >= minTopicSize else { continue }
            for local in m { sampleMembership[local] = cents.count }
            var c = [Float](repeating: 0, count: x.cols)
            for local in m {
                let i = sample[local], w = Float(sampleWeights[local])
                for j in 0..<x.cols { c[j] += w * x.data[i * x.cols + j] }
            }
            Vectors.normalize(&c)
            cents.append(c)
        }
        if cents.isEmpty { return AutoKMeans(seed: seed).fit(x, weights: weights) }
        var memberships = [Int](repeating: -1, count: n)
        for (local, i) in sample.enumerated() { memberships[i] = sampleMembership[local] }
        if n > sample.count && n <= voteLimit { vote(x, sample: sample, sampleMembership: sampleMembership, into: &memberships) }
        if n > sample.count && n <= settleLimit { settle(x, weights: weights, memberships: &memberships, topics: cents.count, resolution: chosen) }
        if candidates.isEmpty { candidates = [(k: cents.count, score: 0)] }
        return AutoKMeans(seed: seed).finish(x, weights: weights, centroids: cents, candidates: candidates, refine: 0, memberships: memberships)
    }

    /// `count` distinct indices of 0..<n, sorted, drawn with the generator.
    static func seededSubset(_ n: Int, _ count: Int, _ rng: inout SeededRandom) -> [Int] {
        var idx = Array(0..<n)
        for i in 0..<min(count, n - 1) { idx.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
        return Array(idx.prefix(count)).sorted()
    }

    /// The resolution at which modularity's merge threshold is a fixed share of edges. Modularity at
    /// resolution r joins two groups when the edges between them exceed about r / K of a group's
    /// edges (K groups of similar size), so a fixed r merges ever more distinct groups as K grows
    /// (its resolution limit) and splits few groups into arbitrary pieces. Here r is the point where
    /// r = share x K(r), K(r) being the number of communities found at r: found on `grid` from below
    /// and interpolated. Data whose community count keeps outgrowing the line (no crossing) takes the
    /// grid point nearest to it. Within `tolerance` of the line counts as meeting it (a count that
    /// touches the line and then outgrows it again has found its groups there).
    func crossingResolution(_ adj: [[Int: Double]], sampleWeights: [Double]) -> (Double, [(k: Int, score: Double)]) {
        var tried: [(k: Int, score: Double)] = []
        var previous: (r: Double, k: Double)?
        var nearest: (gap: Double, r: Double) = (.infinity, grid.last ?? 1)
        for r in grid {
            let c = louvain(adj, resolution: r)
            var mass: [Int: Double] = [:]
            for (i, x) in c.enumerated() { mass[x, default: 0] += sampleWeights[i] }
            let k = Double(mass.values.filter { $0 >= minTopicSize }.count)
            tried.append((k: Int(k), score: r))
            let gap = share * k - (1 + tolerance) * r
            if gap / r < nearest.gap { nearest = (gap / r, r) }
            if gap <= 0 {
                guard let p = previous else { return (r, tried) }
                // Between p.r (above the line) and r (on or below it): where share x K meets r.
                let g0 = share * p.k - (1 + tolerance) * p.r
                let t = g0 / (g0 - gap)
                return (p.r + t * (r - p.r), tried)
            }
            previous = (r, k)
        }
        return (nearest.r, tried)
    }

    /// Texts outside the sample join the community most of their nearest sampled neighbours are in
    /// (similarity-weighted); a text whose neighbours are all unclustered stays without one.
    func vote(_ x: Matrix, sample: [Int], sampleMembership: [Int], into memberships: inout [Int]) {
        var inSample = [Bool](repeating: false, count: x.rows)
        for i in sample { inSample[i] = true }
        let rest = (0..<x.rows).filter { !inSample[$0] }
        let k = min(neighbours, sample.count)
        let nearest = Self.nearest(x, queries: rest, among: sample, k: k, excludeSelf: false)
        for (q, i) in rest.enumerated() {
            var votes: [Int: Float] = [:]
            for (local, s) in nearest[q] where sampleMembership[local] >= 0 { votes[sampleMembership[local], default: 0] += max(s, 0) + 1e-6 }
            memberships[i] = votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? -1
        }
    }

    /// For each query row, its `k` most similar rows of `among` as (index into `among`, cosine),
    /// most similar first (ties: lower index). Similarities come from blocked matrix products (the
    /// encoder's AVX2 kernel), 64 queries at a time, in parallel. With `excludeSelf`, `queries` and
    /// `among` are the same list and a row is not its own neighbour.
    static func nearest(_ x: Matrix, queries: [Int], among: [Int], k: Int, excludeSelf: Bool) -> [[(Int, Float)]] {
        let d = x.cols, m = among.count
        var pool = [Float](repeating: 0, count: m * d)
        x.data.withUnsafeBufferPointer { xp in
            pool.withUnsafeMutableBufferPointer { pp in
                for (j, row) in among.enumerated() { (pp.baseAddress! + j * d).update(from: xp.baseAddress! + row * d, count: d) }
            }
        }
        let zeros = [Float](repeating: 0, count: m)
        let block = 64
        let blocks = (queries.count + block - 1) / block
        var results = [[(Int, Float)]](repeating: [], count: queries.count)
        x.data.withUnsafeBufferPointer { xp in
            pool.withUnsafeBufferPointer { pp in
                zeros.withUnsafeBufferPointer { zp in
                    results.withUnsafeMutableBufferPointer { rp in
                        let r = rp.baseAddress!
                        let workers = min(blocks, ProcessInfo.processInfo.activeProcessorCount * 2)
                        DispatchQueue.concurrentPerform(iterations: max(workers, 1)) { w in
                            var q = [Float](repeating: 0, count: block * d)
                            var sims = [Float](repeating: 0, count: block * m)
                            var top: [(Int, Float)] = []
                            for b in stride(from: w, to: blocks, by: max(workers, 1)) {
                                let lo = b * block, hi = min(queries.count, lo + block)
                                q.withUnsafeMutableBufferPointer { qp in
                                    for t in lo..<hi { (qp.baseAddress! + (t - lo) * d).update(from: xp.baseAddress! + queries[t] * d, count: d) }
                                }
                                sims.withUnsafeMutableBufferPointer { sp in
                                    q.withUnsafeBufferPointer { qp in
                                        ck_linear(qp.baseAddress!, Int32(hi - lo), Int32(d), pp.baseAddress!, zp.baseAddress!, Int32(m), sp.baseAddress!, 0, Int32(m))
                                    }
                                    for t in lo..<hi {
                                        let row = sp.baseAddress! + (t - lo) * m
                                        top.removeAll(keepingCapacity: true)
                                        var floor = -Float.infinity
                                        for j in 0..<m where row[j] > floor && !(excludeSelf && j == t) {
                                            keepTop(&top, (j, row[j]), k)
                                            if top.count == k { floor = top[k - 1].1 }
                                        }
                                        (r + t).pointee = top
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return results
    }

    /// Keeps `top` as the k largest by similarity (ties: lower index first), sorted descending.
    @inline(__always) static func keepTop(_ top: inout [(Int, Float)], _ item: (Int, Float), _ k: Int) {
        if top.count < k {
            top.append(item)
            var p = top.count - 1
            while p > 0 && (top[p].1 > top[p - 1].1 || (top[p].1 == top[p - 1].1 && top[p].0 < top[p - 1].0)) { top.swapAt(p, p - 1); p -= 1 }
        } else if item.1 > top[k - 1].1 {
            var p = k - 1
            top[p] = item
            while p > 0 && top[p].1 > top[p - 1].1 { top.swapAt(p, p - 1); p -= 1 }
        }
    }

    /// The fuzzy kNN graph over the given rows (node i is row `rows[i]`); identical texts merged with a
    /// weight carry their mutual similarity as a self-loop.
    func graph(_ x: Matrix, _ rows: [Int], _ weights: [Double]) -> [[Int: Double]] {
        let n = rows.count
        let k = min(neighbours, max(1, n - 1))
        var adj = fuzzyGraph(Self.nearest(x, queries: rows, among: rows, k: k, excludeSelf: true))
        for i in 0..<n where weights[i] > 1 { adj[i][i, default: 0] += weights[i] - 1 }
        return adj
    }

    /// UMAP's fuzzy neighbourhood graph: each point's distances are measured from its nearest
    /// neighbour's (rho) on its own scale (sigma, set so the memberships sum to log2(k)), so dense and
    /// sparse regions weigh alike; the two directions combine as a fuzzy union, a + b - ab.
    func fuzzyGraph(_ nbr: [[(Int, Float)]]) -> [[Int: Double]] {
        let n = nbr.count
        var directed = [[(Int, Double)]](repeating: [], count: n)
        for i in 0..<n where !nbr[i].isEmpty {
            let d = nbr[i].map { Double(max(0, 1 - $0.1)) }
            let rho = d.min()!
            let target = log2(Double(max(2, nbr[i].count)))
            var lo = 0.0, hi = Double.infinity, sigma = 1.0
            for _ in 0..<64 {
                let v = d.reduce(0.0) { $0 + exp(-max(0, $1 - rho) / sigma) }
                if abs(v - target) < 1e-5 { break }
                if v > target { hi = sigma; sigma = (lo + hi) / 2 } else { lo = sigma; sigma = hi.isInfinite ? sigma * 2 : (lo + hi) / 2 }
            }
            sigma = max(sigma, 1e-3 * (d.reduce(0, +) / Double(d.count)), 1e-12)
            directed[i] = zip(nbr[i], d).map { ($0.0, exp(-max(0, $1 - rho) / sigma)) }
        }
        var a = [[Int: Double]](repeating: [:], count: n)
        for i in 0..<n { for (j, w) in directed[i] { a[i][j] = w } }
        var adj = [[Int: Double]](repeating: [:], count: n)
        for i in 0..<n {
            for (j, w) in directed[i] where j != i {
                let back = a[j][i] ?? 0
                let u = w + back - w * back
                adj[i][j] = u
                adj[j][i] = u
            }
        }
        return adj
    }

    /// Louvain: local moves, then aggregation, repeated until nothing moves. Returns a community per node.
    func louvain(_ graph: [[Int: Double]], resolution: Double) -> [Int] {
        var g = graph
        var membership = Array(0..<graph.count)   // original node -> current super-node
        while true {
            let n = g.count
            var comm = Array(0..<n)
            if !moveNodes(g, &comm, resolution: resolution) { break }
            // Renumber and aggregate.
            var ids: [Int: Int] = [:]
            for c in comm where ids[c] == nil { ids[c] = ids.count }
            var next = [[Int: Double]](repeating: [:], count: ids.count)
            for i in 0..<n { for (j, w) in g[i] { next[ids[comm[i]]!][ids[comm[j]]!, default: 0] += w } }
            membership = membership.map { ids[comm[$0]]! }
            g = next
            if ids.count == n { break }
        }
        return membership
    }

    /// Louvain's local moves: each node in turn goes to the neighbouring community that raises
    /// modularity most, until nothing moves (at most 50 rounds). Only communities already present can
    /// be joined. Returns whether anything moved.
    func moveNodes(_ g: [[Int: Double]], _ comm: inout [Int], resolution: Double) -> Bool {
        let n = g.count
        let degree = g.map { $0.values.reduce(0, +) }
        let m2 = degree.reduce(0, +)
        guard m2 > 0 else { return false }
        var tot: [Int: Double] = [:]
        for i in 0..<n { tot[comm[i], default: 0] += degree[i] }
        var moved = true, anyMove = false, rounds = 0
        while moved && rounds < 50 {
            moved = false
            rounds += 1
            for i in 0..<n {
                let ci = comm[i]
                var links: [Int: Double] = [:]
                for (j, w) in g[i] where j != i { links[comm[j], default: 0] += w }
                tot[ci, default: 0] -= degree[i]
                var best = ci, bestGain = (links[ci] ?? 0) - resolution * tot[ci, default: 0] * degree[i] / m2
                for (c, w) in links.sorted(by: { $0.key < $1.key }) {
                    let gain = w - resolution * tot[c, default: 0] * degree[i] / m2
                    if gain > bestGain + 1e-12 { bestGain = gain; best = c }
                }
                tot[best, default: 0] += degree[i]
                if best != ci { comm[i] = best; moved = true; anyMove = true }
            }
        }
        return anyMove
    }

    /// After the vote, every text's community is settled on the graph of all texts: local moves at
    /// the chosen resolution, starting from the sample's communities and the vote (a text without one
    /// starts alone), so texts the vote placed at a border go where their own neighbours are. No new
    /// communities form (local moves join existing ones), so the count the sample chose stands.
    func settle(_ x: Matrix, weights: [Double], memberships: inout [Int], topics: Int, resolution: Double) {
        let all = Array(0..<x.rows)
        let adj = graph(x, all, weights)
        var comm = memberships.enumerated().map { i, m in m >= 0 ? m : topics + i }
        _ = moveNodes(adj, &comm, resolution: resolution)
        for i in all { memberships[i] = comm[i] < topics ? comm[i] : -1 }
    }
}
