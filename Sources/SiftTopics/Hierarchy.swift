// Two levels of topics: a facet's topics grouped into parent topics, as LangSmith, Clio and Kura show
// them. The groups join topics whose centroids are near by complete linkage (a group's similarity to
// another is that of its least similar pair, so groups stay compact instead of chaining through a
// dense region) until about the square root of the number of topics remain, so 9 topics make 3
// parents and 100 make 10; fewer than `minTopics` are not grouped. Parents are named like topics, by
// what distinguishes their texts from the other parents'. Complete linkage was chosen on hwu64's 64
// intents against its 18 scenarios: NMI 0.746 at 8 parents, against 0.672 for average linkage, 0.709
// for Ward's and 0.694 for weighted average (BENCHMARKS.md).

import Foundation

public enum TopicHierarchy {
    /// Fewer topics than this are listed flat.
    public static let minTopics = 6

    /// How many parents `count` topics are grouped into.
    public static func parentCount(_ count: Int) -> Int { max(2, Int(Double(count).squareRoot().rounded())) }

    /// Per topic, its parent (0..<parents, the heaviest parent first), or nil when there are too few
    /// topics to group. `weights` (traces per topic) only order the parents.
    public static func group(_ centroids: [[Float]], weights: [Double]) -> [Int]? {
        let k = centroids.count
        guard k >= minTopics else { return nil }
        let target = parentCount(k)
        var sim = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for a in 0..<k { for b in (a + 1)..<k { let s = Double(Vectors.dot(centroids[a], centroids[b])); sim[a][b] = s; sim[b][a] = s } }
        var members = (0..<k).map { [$0] }
        var alive = Array(0..<k)
        while alive.count > target {
            var best = (s: -Double.infinity, a: 0, b: 0)
            for (i, a) in alive.enumerated() {
                for b in alive[(i + 1)...] where sim[a][b] > best.s { best = (sim[a][b], a, b) }
            }
            let (a, b) = (best.a, best.b)
            for c in alive where c != a && c != b {
                let s = min(sim[a][c], sim[b][c])
                sim[a][c] = s; sim[c][a] = s
            }
            members[a] += members[b]
            members[b] = []
            alive.removeAll { $0 == b }
        }
        let mass = alive.map { g in members[g].reduce(0.0) { $0 + weights[$1] } }
        let order = alive.indices.sorted { mass[$0] > mass[$1] || (mass[$0] == mass[$1] && members[alive[$0]].min()! < members[alive[$1]].min()!) }
        var parent = [Int](repeating: 0, count: k)
        for (rank, i) in order.enumerated() { for t in members[alive[i]] { parent[t] = rank } }
        return parent
    }

    /// Labels for the parents from their topics' members (as `Labeler.label` takes them): the terms
    /// that set a parent's texts apart from the other parents' (a parent mixes requests, so one
    /// request's words would mislead), or a shared lead-in. A parent of one topic takes its label; a
    /// parent of several named like one of its topics gets "and related".
    static func labels(parents: [Int], members: [[(text: String, weight: Double, distance: Float)]], topicLabels: [TopicLabel],
                       phrases: Bool) -> [TopicLabel] {
        let count = (parents.max() ?? -1) + 1
        var grouped = [[(text: String, weight: Double, distance: Float)]](repeating: [], count: count)
        for (t, p) in parents.enumerated() { grouped[p] += members[t] }
        return distinct(Labeler.label(grouped, phrases: false), parents: parents, topicLabels: topicLabels)
    }

    /// Parent labels that never repeat a topic's or each other: a parent of one topic takes its
    /// label; a parent of several named like one of the topics gets "and related"; two parents of one
    /// name are told apart as topics are.
    static func distinct(_ labels: [TopicLabel], parents: [Int], topicLabels: [TopicLabel]) -> [TopicLabel] {
        var out = labels
        let leafLabels = Set(topicLabels.map { $0.label.lowercased() })
        for i in out.indices {
            let children = parents.indices.filter { parents[$0] == i }
            if children.count == 1 { out[i].label = topicLabels[children[0]].label; out[i].description = topicLabels[children[0]].description }
            else if leafLabels.contains(out[i].label.lowercased()) { out[i].label += " and related" }
        }
        return Labeler.disambiguated(out)
    }
}
