// `sift topics run|classify|list|show|status|eval`: discover topics in a project's traces, classify
// new traces against them, look at them, and try the embed -> cluster -> label stages on any
// labelled set of texts.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftTopics
import SiftReport

struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Summarise traces along facets, cluster them into topics, and classify every trace.",
        subcommands: [TopicsRun.self, TopicsClassify.self, TopicsList.self, TopicsShow.self, TopicsTrends.self, TopicsStatus.self, TopicsEval.self],
        defaultSubcommand: TopicsList.self
    )
}

/// "7d", "24h", "90m", "2w" before now, or an ISO-8601 time.
func parseSince(_ text: String, now: Date = Date()) throws -> Int64 {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
    if let u = t.last, let mult = units[u], let n = Double(t.dropLast()), n >= 0 {
        return Int64((now.timeIntervalSince1970 - n * mult) * 1_000_000)
    }
    if let ts = Timestamp(iso8601: text) { return ts.microseconds }
    throw ValidationError("--since: '\(text)' is neither a duration (30m, 24h, 7d, 2w) nor an ISO-8601 time")
}

struct TopicsModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Facet model: builtin (offline, default) or the base URL of an OpenAI-compatible server.", valueName: "builtin|URL"))
    var model: String?
    @Option(help: ArgumentHelp("Embeddings from an OpenAI-compatible /embeddings server (base URL).", valueName: "URL"))
    var embeddings: String?
    @Option(name: .customLong("embedding-model"), help: ArgumentHelp("A sentence-transformers model directory, or builtin (default: SIFT_EMBEDDING_MODEL, else an installed all-MiniLM-L6-v2, else builtin).", valueName: "dir"))
    var embeddingModel: String?
    @Option(help: ArgumentHelp("Another pattern to redact before any model sees the text: NAME=REGEX, replaced by <NAME> (repeatable).", valueName: "name=regex"))
    var redact: [String] = []
    @Option(help: ArgumentHelp("Random seed for clustering.", valueName: "n")) var seed: UInt64 = 42

    /// Options for a run over `project` (or the store's only one), with comma-separated `facets`.
    /// Set by `options`: said once a run has used the fallback embedder.
    var embedderNote: String? { get { Self.note } nonmutating set { Self.note = newValue } }
    nonisolated(unsafe) static var note: String?

    func options(_ ws: Workspace, project: String?, facets: String?, since: String?) throws -> TopicsOptions {
        var options = try TopicsOptions(project: try ws.resolveProject(project))
        options.facets = facets.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        options.since = try since.map { try parseSince($0) }
        let servers = ModelServerSettings.fromEnvironment()
        if let chat = try servers.chatClient(option: model) {
            options.facetModel = ChatFacetModel(client: chat)
        }
        if let client = try servers.embeddingsClient(option: embeddings) {
            options.embedder = try ServerEmbedder(client: client)
        } else {
            let (embedder, note) = try ModelStore.embedder(explicit: embeddingModel)
            embedderNote = note
            options.embedder = embedder
        }
        if !redact.isEmpty {
            options.redactor = try Redactor(extra: try redact.map { r in
                let parts = r.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--redact '\(r)': expected NAME=REGEX") }
                return (name: parts[0], pattern: parts[1])
            })
        }
        options.seed = seed
        options.progress = progressPrinter()
        return options
    }
}

/// Progress on a terminal: the message, and a bar when it carries "done/total".
func progressPrinter() -> ((String) -> Void)? {
    guard stderrIsTerminal else { return nil }
    return { msg in
        var line = msg
        if let m = msg.range(of: #"(\d+)/(\d+)"#, options: .regularExpression) {
            let parts = msg[m].split(separator: "/").compactMap { Double($0) }
            if parts.count == 2, parts[1] > 0 {
                let filled = Int((parts[0] / parts[1] * 30).rounded())
                line = "[" + String(repeating: "#", count: min(30, filled)) + String(repeating: ".", count: max(0, 30 - filled)) + "] " + msg
            }
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }
}

func clearProgress() { if stderrIsTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }

struct TopicsRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Summarise every trace along its facets, discover topics, and classify every trace.",
        discussion: "Needs at least 100 traces. Results are queryable at once: facets.Issues, classifications.Issues[0].label, ..."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: ArgumentHelp("Facets to run, comma-separated (default: Task, Sentiment, Issues and custom facets).", valueName: "names")) var facets: String?
    @Option(help: ArgumentHelp("Only traces that started within this window (7d, 24h) or since an ISO-8601 time.", valueName: "window")) var since: String?
    @OptionGroup var modelOptions: TopicsModelOptions

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let options = try modelOptions.options(ws, project: project, facets: facets, since: since)
            let report = try ws.topics.run(options)
            clearProgress()
            if let note = modelOptions.embedderNote, report.facets.contains(where: { !$0.labelled }) { printError(note) }
            print(TopicsOutput.runSummary(report))
            print("")
            for f in report.facets where !f.labelled {
                print(try TopicsOutput.topicTable(ws, project: options.project, facet: f.facet, limit: 12))
                print("")
            }
            print("Next:")
            print("  sift topics list --facet Issues        every Issues topic with its share and trend")
            print("  sift topics show <id>                   a topic's description, terms and sample traces")
            print("  sift query \"SELECT classifications.Issues[0].label AS issue, count(1) AS traces FROM project_logs('\(options.project)', shape => 'traces') GROUP BY issue ORDER BY traces DESC\"")
        }
    }
}

struct TopicsClassify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify traces that arrived since the last run against the existing topics (no re-clustering)."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: ArgumentHelp("Facets, comma-separated (default: all with topics).", valueName: "names")) var facets: String?
    @Option(help: ArgumentHelp("Only traces within this window.", valueName: "window")) var since: String?
    @OptionGroup var modelOptions: TopicsModelOptions

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let options = try modelOptions.options(ws, project: project, facets: facets, since: since)
            let reports = try ws.topics.classifyNew(options)
            clearProgress()
            if reports.isEmpty { print("no topics yet in '\(options.project)': run `sift topics run` first"); return }
            print(table(["facet", "classified", "no_match", "seconds"],
                        reports.map { [$0.facet, grouped($0.classified), grouped($0.noMatch), String(format: "%.2f", $0.seconds)] }, rightAligned: [1, 2, 3]))
        }
    }
}

struct TopicsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Topics with their share, count and trend (last 3 days against the days before).")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: "Only this facet.") var facet: String?
    @Flag(help: "Include retired and merged topics.") var all = false
    @Flag(help: "Show the two levels: each parent topic with its topics under it.") var tree = false

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            let facets = try TopicsOutput.facetsWithTopics(ws, project: project, only: facet)
            if facets.isEmpty { print("no topics yet in '\(project)': run `sift topics run`"); return }
            for (i, f) in facets.enumerated() {
                if i > 0 { print("") }
                print(try TopicsOutput.topicTable(ws, project: project, facet: f, limit: nil, includeRetired: all, tree: tree))
            }
        }
    }
}

struct TopicsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One topic: description, distinctive terms and sample traces.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Argument(help: "Topic id (from sift topics list), or a label.") var id: String
    @Option(help: "Number of sample traces.") var samples: Int = 5

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            print(terminalSafe(try TopicsOutput.show(ws, project: project, id: id, samples: samples)))
        }
    }
}

struct TopicsStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Recent topic runs: when, which models, counts.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            let runs = try ws.topicRuns(project: project)
            if runs.isEmpty { print("no topic runs yet in '\(project)': run `sift topics run`"); return }
            let traces = try ws.traceStarts(project: project).count
            let classified = try TopicsOutput.facetsWithTopics(ws, project: project, only: nil).map { f in
                "\(f) \(grouped(try ws.classifications(project: project, facet: f).count))"
            }
            print("project \(project): \(grouped(traces)) traces; classified: \(classified.joined(separator: ", "))")
            print("")
            let rows = runs.map { r -> [String] in
                let c = r.counts
                let secs = r.finished.map { String(format: "%.1fs", $0.seconds - r.started.seconds) } ?? "-"
                return ["\(r.id)", r.facet, String(r.started.iso8601.prefix(19)), r.status, r.facetModel ?? "-", r.embeddingModel ?? "-",
                        c["summaries"]?.intValue.map { grouped(Int($0)) } ?? "-", c["topics"]?.intValue.map { "\($0)" } ?? "-",
                        c["new"]?.intValue.map { "\($0)" } ?? "-", c["retired"]?.intValue.map { "\($0)" } ?? "-", secs]
            }
            print(table(["run", "facet", "started (UTC)", "status", "facet model", "embedder", "summaries", "topics", "new", "retired", "took"], rows, rightAligned: [0, 6, 7, 8, 9, 10]))
        }
    }
}

struct TopicsTrends: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "Per topic, daily counts and share over a window; flags topics that are new, doubled within 2 days, or grew steadily.",
        discussion: "Flags need evidence: a two-proportion z-test (z >= 3, at least 5 recent traces) for doubling, a weighted least-squares slope with t >= 3 (at least 20 traces) for steady growth."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: "Facet.") var facet: String = "Issues"
    @Option(help: "Days in the window, ending with the newest trace.") var days: Int = 14
    @Option(help: "Output: table or json.") var format: String = "table"
    @Flag(help: "Only flagged topics.") var flagged = false

    func validate() throws {
        if days < 3 || days > 365 { throw ValidationError("--days must be between 3 and 365") }
        if !["table", "json"].contains(format) { throw ValidationError("--format must be table or json") }
    }

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            let r = try TopicTrends.compute(store: ws.store, project: project, facet: facet, days: days)
            let topics = flagged ? r.topics.filter { !$0.flags.isEmpty } : r.topics
            if format == "json" {
                print(JSONWriter.string(["facet": .string(r.facet), "days": .array(r.days.map(Value.string)), "traces_per_day": .array(r.dayTotals.map { .int(Int64($0)) }),
                                         "topics": .array(topics.map { t in
                                             ["id": .string(t.id), "label": .string(t.label), "total": .int(Int64(t.total)),
                                              "daily": .array(t.daily.map { .int(Int64($0)) }), "share": .array(t.share.map { .double(($0 * 10000).rounded() / 10000) }),
                                              "flags": .array(t.flags.map(Value.string)), "detail": .string(t.detail)]
                                         })]))
                return
            }
            let bars = "▁▂▃▄▅▆▇█"
            let rows = topics.map { t -> [String] in
                let m = max(t.share.max() ?? 0, 1e-9)
                let spark = String(t.share.map { bars[bars.index(bars.startIndex, offsetBy: min(7, Int($0 / m * 7.99)))] })
                return [t.id, t.label.clipped(44), grouped(t.total), spark, String(format: "%.1f%%", 100 * (t.share.last ?? 0)), t.flags.joined(separator: ","), t.detail]
            }
            print("\(r.facet): daily share, \(r.days.first ?? "") to \(r.days.last ?? "") (\(grouped(r.dayTotals.reduce(0, +))) traces)")
            print(table(["id", "label", "traces", "share by day", "last day", "flags", "evidence"], rows, rightAligned: [2, 4]))
        }
    }
}
