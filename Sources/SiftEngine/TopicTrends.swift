// Topic trends: per topic, daily counts and share over a window, and flags for topics that are new,
// whose share doubled within the last 2 days, or that grew steadily over the window. The tests are
// noise-aware: a two-proportion z-test for the jump (last 2 days against the 2 before) and a least-squares slope with its t statistic
// for steady growth, each with a minimum count, so a 3-trace topic going to 6 raises no flag.

import Foundation
import SiftModel
import SiftStore

public struct TopicTrend: Sendable {
    public var id: String
    public var label: String
    public var daily: [Int]
    public var share: [Double]
    public var total: Int
    public var flags: [String]
    public var detail: String
}

public struct TrendReport: Sendable {
    public var facet: String
    public var days: [String]
    public var dayTotals: [Int]
    public var topics: [TopicTrend]
}

public enum TopicTrends {
    static let day: Int64 = 86_400_000_000

    /// Trends of `facet` over the `days` days ending with the latest trace (or `end`).
    public static func compute(store: Store, project: String, facet: String, days: Int = 14, end: Int64? = nil) throws -> TrendReport {
        let pid = try store.projectRow(named: project)
        let starts = Dictionary(try store.traceStarts(projectRow: pid).map { ($0.id, $0.created) }, uniquingKeysWith: { a, _ in a })
        let topics = try store.topics(projectRow: pid, facet: facet)
        guard !topics.isEmpty else { throw StoreError.notFound("no \(facet) topics in '\(project)': run sift topics run") }
        let latest = end ?? (starts.values.max() ?? 0)
        let lastDay = latest / day
        let firstDay = lastDay - Int64(days) + 1
        var dayTotals = [Int](repeating: 0, count: days)
        var counts: [String: [Int]] = [:]
        for c in try store.classifications(projectRow: pid, facet: facet) {
            guard let t = starts[c.trace] else { continue }
            let d = Int(t / day - firstDay)
            guard d >= 0, d < days else { continue }
            dayTotals[d] += 1
            counts[c.topic ?? "no_match", default: [Int](repeating: 0, count: days)][d] += 1
        }
        let labels = Dictionary(topics.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let newest = topics.compactMap(\.lastRun).max()
        var out: [TopicTrend] = []
        for (id, daily) in counts {
            let share = daily.indices.map { dayTotals[$0] > 0 ? Double(daily[$0]) / Double(dayTotals[$0]) : 0 }
            var flags: [String] = []
            var detail: [String] = []
            // "Doubled within 2 days": the last 2 days against the 2 days before them.
            let recent = daily.suffix(2).reduce(0, +), before = daily.dropLast(2).suffix(2).reduce(0, +)
            let recentN = dayTotals.suffix(2).reduce(0, +), beforeN = dayTotals.dropLast(2).suffix(2).reduce(0, +)
            let earlier = daily.dropLast(2).reduce(0, +)
            let t = labels[id]
            if (t?.status == .new && t?.firstRun == newest) || (earlier == 0 && recent >= 5) { flags.append("new") }
            if recent >= 5, recentN > 0, beforeN > 0 {
                let p1 = Double(recent) / Double(recentN), p0 = Double(before) / Double(beforeN)
                let z = zTwoProportions(recent, recentN, before, beforeN)
                if p1 >= 2 * p0 && z >= 3 {
                    flags.append("doubled")
                    detail.append(String(format: "share %.1f%% -> %.1f%% in the last 2 days (z=%.1f)", 100 * p0, 100 * p1, z))
                }
            }
            let total = daily.reduce(0, +)
            if total >= 20 {
                let (slope, tStat) = slopeT(share, weights: dayTotals)
                if slope > 0 && tStat >= 3 {
                    flags.append("growing")
                    detail.append(String(format: "share +%.2f points/day (t=%.1f)", 100 * slope, tStat))
                }
            }
            out.append(TopicTrend(id: id, label: t?.label ?? id, daily: daily, share: share, total: total, flags: flags, detail: detail.joined(separator: "; ")))
        }
        out.sort { ($0.total, $1.id) > ($1.total, $0.id) }
        let names = (0..<days).map { dayName(Int(firstDay) + $0) }
        return TrendReport(facet: topics.first?.facet ?? facet, days: names, dayTotals: dayTotals, topics: out)
    }

    /// "2026-11-24" for a day number (days since 1970-01-01, UTC).
    static func dayName(_ day: Int) -> String {
        let (y, m, d) = Timestamp.civil(fromDays: day)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// z statistic for p1 = a/n > p0 = b/m (pooled).
    public static func zTwoProportions(_ a: Int, _ n: Int, _ b: Int, _ m: Int) -> Double {
        let p1 = Double(a) / Double(n), p0 = Double(b) / Double(m)
        let p = Double(a + b) / Double(n + m)
        let se = (p * (1 - p) * (1 / Double(n) + 1 / Double(m))).squareRoot()
        return se > 0 ? (p1 - p0) / se : 0
    }

    /// Weighted least-squares slope of y over day index, and its t statistic.
    public static func slopeT(_ y: [Double], weights: [Int]) -> (Double, Double) {
        let pts = y.indices.filter { weights[$0] > 0 }
        guard pts.count >= 4 else { return (0, 0) }
        let w = pts.map { Double(weights[$0]) }, x = pts.map(Double.init), v = pts.map { y[$0] }
        let sw = w.reduce(0, +)
        let mx = zip(w, x).map(*).reduce(0, +) / sw, my = zip(w, v).map(*).reduce(0, +) / sw
        var sxx = 0.0, sxy = 0.0
        for i in pts.indices { sxx += w[i] * (x[i] - mx) * (x[i] - mx); sxy += w[i] * (x[i] - mx) * (v[i] - my) }
        guard sxx > 0 else { return (0, 0) }
        let b = sxy / sxx
        var sse = 0.0
        for i in pts.indices { let r = v[i] - my - b * (x[i] - mx); sse += w[i] * r * r }
        let dof = Double(pts.count - 2)
        let se = (sse / dof / sxx).squareRoot()
        return (b, se > 0 ? b / se : (b > 0 ? .infinity : 0))
    }
}
