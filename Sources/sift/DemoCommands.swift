// `sift demo` (a fresh store of simulated agent traffic) and `sift simulate` (the same traffic as a file,
// for tests, benchmarks and trying the ingest formats).

import ArgumentParser
import Foundation
import SiftDemo
import SiftEngine
import SiftModel
import SiftSimulator
import SiftTopics
import SiftReport

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate support-agent traffic with hidden failure patterns and load it into a fresh store.",
        discussion: "Deterministic for a given --seed; traffic covers the 14 days up to the start of the current UTC day (or --now)."
    )

    @Option(help: ArgumentHelp("The demo store (replaced if it exists).", valueName: "path")) var db: String = "sift-demo.db"
    @Option(help: "Number of conversations.") var traces: Int = 3000
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("End of the simulated traffic (ISO-8601); default: the start of the current UTC day.", valueName: "time")) var now: String?

    func validate() throws { if traces < 1 { throw ValidationError("--traces must be at least 1") } }

    func run() throws {
        try guarded {
            let end = try now.map { try parseTimestamp($0, option: "--now") } ?? SiftDemo.Demo.defaultEnd()
            print("Simulating \(grouped(traces)) support conversations (seed \(seed)) ending \(end.iso8601.prefix(16))Z...")
            let r = try SiftDemo.Demo.run(path: db, traces: traces, seed: seed, end: end)
            print(String(format: "Wrote %@ traces, %@ spans to %@ (project demo) in %.2fs.", grouped(r.traces), grouped(r.spans), r.path, r.seconds))
            let ws = try Workspace(path: r.path, create: false)
            var options = try TopicsOptions(project: "demo")
            options.seed = seed
            options.progress = progressPrinter()
            let topics: TopicsRunReport
            do { topics = try ws.topics.run(options) } catch let e as TopicsError {
                clearProgress()
                print("Topics not run: \(e) (try --traces 100 or more).")
                print("")
                print("Next:")
                print("  sift traces list --db \(r.path)            the newest conversations; traces show <id> opens one")
                print("  sift repl --db \(r.path)                   ask questions interactively (.help)")
                return
            }
            clearProgress()
            let counts = topics.facets.map { "\($0.topics) \($0.facet)\($0.labelled ? " labels" : " topics")" }.joined(separator: ", ")
            print(String(format: "Ran topics over %@ traces in %.1fs: %@.", grouped(topics.traces), topics.totalSeconds, counts))
            print("")
            print("Issues topics, discovered without being told what to look for:")
            print(try TopicsOutput.topicTable(ws, project: "demo", facet: "Issues", limit: 12))
            print("")
            let slice = try SiftDemo.Demo.crossSlice(store: ws.store)
            print("User sentiment by Issues topic (traces):")
            print(table(["issue"] + slice.sentiments + ["total", "unhappy"], slice.rows.map { row in
                let bad = row.counts[3] + row.counts[4]
                return [row.issue.clipped(48)] + row.counts.map(grouped) + [grouped(row.total), String(format: "%.0f%%", 100 * Double(bad) / Double(max(row.total, 1)))]
            }, rightAligned: Set(1...(slice.sentiments.count + 2))))
            print("")
            let reportPath = (r.path.hasSuffix(".db") ? String(r.path.dropLast(3)) : r.path) + "-report.html"
            let report = try ReportBuilder.build(store: ws.store, project: "demo", facet: "Issues")
            try writeReport(report, to: reportPath)
            print("Report: \(reportPath) (open it in a browser: the scatterplot, daily volume and sample traces of every Issues topic)")
            print("")
            print("Planted by the simulator (ground truth, never shown to Sift): " + FailurePattern.allCases.map { "\($0.rawValue) \(r.patterns[$0.rawValue] ?? 0)" }.joined(separator: ", "))
            print("")
            print("Next:")
            print("  sift topics show issues-3 --db \(r.path)     a topic's description, terms and sample traces")
            print("  sift topics trends --db \(r.path)             which topics are new, doubling or growing")
            print("  sift traces show <id> --db \(r.path)          one conversation as a tree")
            print("  sift query --db \(r.path) \"SELECT classifications.Issues[0].label AS issue, classifications.Sentiment[0].label AS sentiment, count(1) AS traces FROM project_logs('demo', shape => 'traces') GROUP BY issue, sentiment ORDER BY traces DESC\"")
            print("  sift repl --db \(r.path)                   ask more questions interactively (.help)")
            print("  sift serve --db \(r.path)                  the web app at http://127.0.0.1:4318 (topics, traces, queries, review) and OTLP/HTTP ingest")
        }
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write simulated traffic as Braintrust-style span JSON lines (a fixture for tests and benchmarks)."
    )

    @Option(help: ArgumentHelp("Output file.", valueName: "path")) var out: String
    @Option(help: "Number of conversations.") var traces: Int = 3000
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Share of traces per failure pattern.") var prevalence: Double = 0.02
    @Option(help: ArgumentHelp("End of the traffic (ISO-8601); default: the start of the current UTC day.", valueName: "time")) var now: String?
    @Flag(help: "Write the simulator's ground truth (sim_task, sim_pattern, sim_sentiment) into root metadata.") var truth = false
    @Flag(help: "Write the ground truth as facets and classifications on root spans (a stand-in for a topics run).") var facets = false

    func validate() throws {
        if traces < 1 { throw ValidationError("--traces must be at least 1") }
        if !(0...0.15).contains(prevalence) { throw ValidationError("--prevalence must be between 0 and 0.15") }
    }

    func run() throws {
        try guarded {
            var config = SimulatorConfig(end: try now.map { try parseTimestamp($0, option: "--now") } ?? SiftDemo.Demo.defaultEnd())
            config.traces = traces
            config.seed = seed
            config.prevalence = prevalence
            let started = Date()
            let (t, s, b) = try TrafficExport.writeSpans(Simulator(config: config), to: out, includeTruth: truth, withFacets: facets)
            print(String(format: "wrote %@ traces, %@ spans (%@) to %@ in %.2fs", grouped(t), grouped(s), ByteCount.text(b), out, Date().timeIntervalSince(started)))
        }
    }
}
