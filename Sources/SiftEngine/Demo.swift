// The demo: a fresh store of simulated support-agent traffic with hidden failure patterns, written
// through the same batch writer as ingest. As topics and the report land, the demo runs them too.

import Foundation
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
