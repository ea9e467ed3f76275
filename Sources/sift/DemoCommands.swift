// `sift demo` (a fresh store of simulated agent traffic) and `sift simulate` (the same traffic as a file,
// for tests, benchmarks and trying the ingest formats).

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftSimulator
import SiftStore

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
            let end = try now.map { try parseTimestamp($0, option: "--now") } ?? SiftEngine.Demo.defaultEnd()
            print("Simulating \(grouped(traces)) support conversations (seed \(seed)) ending \(end.iso8601.prefix(16))Z...")
            let r = try SiftEngine.Demo.run(path: db, traces: traces, seed: seed, end: end)
            print(String(format: "Wrote %@ traces, %@ spans to %@ (project demo) in %.2fs.", grouped(r.traces), grouped(r.spans), r.path, r.seconds))
            print("")
            let taskRows = r.tasks.sorted { $0.value > $1.value }.map { [$0.key, grouped($0.value)] }
            print(table(["task (simulator truth)", "traces"], taskRows, rightAligned: [1]))
            print("")
            print("Hidden failure patterns planted (\(grouped(r.patterns.values.reduce(0, +))) traces); Sift's topics should find these:")
            let patternRows = FailurePattern.allCases.map { [$0.rawValue, grouped(r.patterns[$0.rawValue] ?? 0)] }
            print(table(["pattern", "traces"], patternRows, rightAligned: [1]))
            print("")
            print("Next:")
            print("  sift traces list --db \(r.path)            the newest conversations; traces show <id> opens one")
            print("  sift query --db \(r.path) \"SELECT span_attributes.name AS tool, count(error) AS errors, count(1) AS calls FROM project_logs('demo') WHERE span_attributes.type = 'tool' GROUP BY tool ORDER BY errors DESC\"")
            print("  sift repl --db \(r.path)                   ask more questions interactively (.help)")
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
            var config = SimulatorConfig(end: try now.map { try parseTimestamp($0, option: "--now") } ?? SiftEngine.Demo.defaultEnd())
            config.traces = traces
            config.seed = seed
            config.prevalence = prevalence
            let started = Date()
            let (t, s, b) = try TrafficExport.writeSpans(Simulator(config: config), to: out, includeTruth: truth, withFacets: facets)
            print(String(format: "wrote %@ traces, %@ spans (%@) to %@ in %.2fs", grouped(t), grouped(s), SiftStore.Ingester.formatBytes(b), out, Date().timeIntervalSince(started)))
        }
    }
}
