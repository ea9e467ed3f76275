// The demo: a fresh store of simulated support-agent traffic with hidden failure patterns, written
// through the same batch writer as ingest, then the topics pipeline over it and the cross-slice of
// user sentiment by Issues topic that the investigation starts from.

import Foundation
import SiftEngine
import SiftModel
import SiftSimulator
import SiftStore

public struct DemoResult {
    public var path: String
    public var traces: Int
    public var spans: Int
    public var seconds: Double
    public var from: Timestamp
    public var to: Timestamp
    public var tasks: [String: Int]
    public var patterns: [String: Int]
}

public enum Demo {
    /// The cross-slice the demo prints: traces per Issues topic and Sentiment label.
    public static let crossSliceQuery = """
        SELECT classifications.Issues[0].label AS issue, classifications.Sentiment[0].label AS sentiment, count(1) AS traces
        FROM project_logs('demo', shape => 'traces')
        WHERE classifications.Issues IS NOT NULL
        GROUP BY issue, sentiment
        """

    public struct CrossSlice {
        public var sentiments: [String]
        /// (issue label, total, count per sentiment), largest first, NONE last.
        public var rows: [(issue: String, total: Int, counts: [Int])]
    }

    /// Runs `crossSliceQuery` through the query engine and pivots it: one row per Issues topic.
    public static func crossSlice(store: Store) throws -> CrossSlice {
        let result = try Session(store: store, caching: false).run(crossSliceQuery, options: QueryOptions())
        let sentiments = ["POSITIVE", "NEUTRAL", "MIXED", "NEGATIVE", "FRUSTRATED"]
        var table: [String: [Int]] = [:]
        for r in result.rows {
            let issue = r[0].isNull ? "(none)" : r[0].text
            let n = Int(r[2].text) ?? 0
            var counts = table[issue] ?? [Int](repeating: 0, count: sentiments.count)
            if let i = sentiments.firstIndex(of: r[1].text) { counts[i] += n }
            table[issue] = counts
        }
        func rank(_ r: (issue: String, total: Int, counts: [Int])) -> (Int, Int, String) { (r.issue == "NONE" ? 1 : 0, -r.total, r.issue) }
        var rows: [(issue: String, total: Int, counts: [Int])] = []
        for (issue, counts) in table { rows.append((issue, counts.reduce(0, +), counts)) }
        rows.sort { rank($0) < rank($1) }
        return CrossSlice(sentiments: sentiments, rows: rows)
    }

    /// The end of demo traffic: the start of the current UTC day, so "the last 7 days" always has
    /// data and nothing lies in the future. Traffic is busier by day than by night, so the end must
    /// fall at the same time of day for a seed to give the same conversations on any day: midnight.
    public static func defaultEnd(now: Date = Date()) -> Timestamp {
        let day = Int64(86_400 * 1_000_000)
        let us = Int64(now.timeIntervalSince1970 * 1_000_000)
        return Timestamp(microseconds: us / day * day)
    }

    /// Writes a fresh demo store at `path` with `traces` conversations in project "demo".
    public static func run(path: String, traces: Int, seed: UInt64 = 42, end: Timestamp,
                           progress: ((Int) -> Void)? = nil) throws -> DemoResult {
        let started = Date()
        try Workspace.removeStore(at: path)
        let store = try Store(path: path)
        var config = SimulatorConfig(end: end)
        config.traces = traces
        config.seed = seed
        let sim = Simulator(config: config)
        let writer = try BatchWriter(store: store, defaultProject: "demo")
        let run = try store.beginIngestRun(source: "sift demo (seed \(seed))", format: "simulator")
        var batch: [SpanRow] = []
        var records = 0, spans = 0
        var tasks: [String: Int] = [:], patterns: [String: Int] = [:]
        for (n, i) in sim.chronologicalOrder().enumerated() {
            let t = sim.trace(i)
            tasks[t.task.rawValue, default: 0] += 1
            if let p = t.pattern { patterns[p.rawValue, default: 0] += 1 }
            batch.append(contentsOf: t.spans.map { SpanRow($0) })
            records += 1
            if batch.count >= 8192 {
                try writer.commit(batch, records: records, rejected: 0, run: run)
                spans += batch.count
                batch = []; records = 0
                progress?(n + 1)
            }
        }
        try writer.commit(batch, records: records, rejected: 0, run: run)
        spans += batch.count
        try store.finishIngestRun(run)
        return DemoResult(path: path, traces: traces, spans: spans, seconds: Date().timeIntervalSince(started),
                          from: Timestamp(microseconds: end.microseconds - Int64(config.days) * 86_400_000_000), to: end,
                          tasks: tasks, patterns: patterns)
    }
}
