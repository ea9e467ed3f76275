// Acting on confirmed topics: `sift scorers`, `sift datasets`, `sift review` and `sift check`.

import ArgumentParser
import Foundation
import SiftActions
import SiftEngine
import SiftModel
import SiftTopics

// MARK: - Scorers

struct ScorersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorers",
        abstract: "Scorers that keep checking confirmed patterns: dialect filters, or LLM judges.",
        subcommands: [ScorersAdd.self, ScorersList.self, ScorersRun.self, ScorersRemove.self],
        defaultSubcommand: ScorersList.self
    )
}

struct ScorersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add (or replace) a scorer.",
        discussion: """
            Filter: score 0 with the reason where the filter matches, 1 otherwise, null where the trace lacks a facet it reads:
              sift scorers add --name checkout_negative --reason "Negative sentiment during checkout" \\
                --filter "classifications.Task[0].label = 'Checkout Flow' AND classifications.Sentiment[0].label = 'NEGATIVE'"
            Judge (needs a model server): a prompt template with {{input}}, {{output}}, {{context}} and a choice scale:
              sift scorers add --name grounded --prompt "Is every claim in {{output}} supported by {{context}}?" --choices "Y=1,N=0"
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: "Scorer name, any text (read back as scores.<name>, or scores.\"<name>\" when it has spaces).") var name: String
    @Option(help: "A dialect filter: traces it matches score 0.") var filter: String?
    @Option(help: "Why a matching trace scores 0.") var reason: String?
    @Option(help: "Judge prompt template ({{input}}, {{output}}, {{context}}).") var prompt: String?
    @Option(name: .customLong("prompt-file"), help: ArgumentHelp("Read the judge prompt template from a file.", valueName: "path")) var promptFile: String?
    @Option(help: ArgumentHelp("Judge choices mapped to scores, e.g. \"Y=1,N=0\" or \"A=1,B=0.5,C=0\".", valueName: "choices")) var choices: String?

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let scorers = try Scorers(store: ws.store, project: try ws.resolveProject(project))
            let def: ScorerDefinition
            if let filter {
                guard prompt == nil, promptFile == nil else { throw ValidationError("give --filter or --prompt, not both") }
                def = ScorerDefinition(name: name, filter: filter, reason: reason ?? "matched: \(filter)")
            } else {
                var template = prompt
                if let promptFile {
                    guard let d = FileManager.default.contents(atPath: promptFile) else { throw ValidationError("cannot read \(promptFile)") }
                    template = String(decoding: d, as: UTF8.self)
                }
                guard let template else { throw ValidationError("give --filter (a dialect filter) or --prompt/--prompt-file (a judge)") }
                var scale: [String: Double] = [:]
                for part in (choices ?? "").split(separator: ",") {
                    let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2, let v = Double(kv[1]), !kv[0].isEmpty else { throw ValidationError("--choices: '\(part)' is not CHOICE=SCORE") }
                    scale[kv[0]] = v
                }
                def = ScorerDefinition(name: name, prompt: template, choices: scale)
            }
            try scorers.add(def)
            let quoted = name.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil ? name : "'" + name.replacingOccurrences(of: "'", with: "'\\''") + "'"
            print("scorer '\(name)' saved (\(def.kind.rawValue)); run it with: sift scorers run --name \(quoted); query it as \(Scorers.scorePath(name))")
        }
    }
}

struct ScorersList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Scorers with how many traces they scored, scored 0, and failed on.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let list = try Scorers(store: ws.store, project: try ws.resolveProject(project)).list()
            if list.isEmpty { print("no scorers yet: sift scorers add --help"); return }
            print(table(["scorer", "kind", "scored", "zeros", "errors", "definition"], list.map { s in
                [s.def.name, s.def.kind.rawValue, grouped(s.scored), grouped(s.zeros), grouped(s.errors), (s.def.filter ?? s.def.prompt ?? "").replacingOccurrences(of: "\n", with: " ").clipped(70)]
            }, rightAligned: [2, 3, 4]))
        }
    }
}

struct ScorersRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Score traces not yet scored (all scorers, or one); results read as scores.<name> at once.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: "Only this scorer.") var name: String?
    @Option(help: ArgumentHelp("Only traces within this window (7d, 24h).", valueName: "window")) var since: String?
    @Flag(help: "Score again traces that already have a score.") var rescore = false
    @Option(help: ArgumentHelp("Model server for judges (default: SIFT_MODEL_URL).", valueName: "URL")) var model: String?

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let scorers = try Scorers(store: ws.store, project: try ws.resolveProject(project))
            let names = try name.map { [$0] } ?? scorers.list().map(\.def.name)
            if names.isEmpty { print("no scorers yet: sift scorers add --help"); return }
            let client = try ModelServerSettings.fromEnvironment().chatClient(option: model)
            var rows: [[String]] = []
            for n in names {
                let r = try scorers.run(n, since: try since.map { try parseSince($0) }, rescore: rescore, judge: client, progress: progressPrinter())
                clearProgress()
                rows.append([r.scorer, grouped(r.scored), grouped(r.zeros), grouped(r.nulls), grouped(r.errors), grouped(r.skipped)])
            }
            print(table(["scorer", "scored", "zeros", "null", "errors", "already scored"], rows, rightAligned: [1, 2, 3, 4, 5]))
        }
    }
}

struct ScorersRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a scorer and its scores.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Argument(help: "Scorer name.") var name: String

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            try Scorers(store: ws.store, project: try ws.resolveProject(project)).remove(name)
            print("scorer '\(name)' removed")
        }
    }
}

// MARK: - Datasets

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Evaluation datasets promoted from production traces (queryable as FROM dataset('name')).",
        subcommands: [DatasetsCreate.self, DatasetsAdd.self, DatasetsList.self, DatasetsShow.self, DatasetsEdit.self, DatasetsExport.self],
        defaultSubcommand: DatasetsList.self
    )
}

struct DatasetsCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an empty dataset.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Dataset name.") var name: String
    @Option(help: "What it is for.") var description: String?

    func run() throws {
        try guarded {
            try Datasets(store: try Workspace(path: store.path, create: false).store).create(name, description: description)
            print("dataset '\(name)' created; add traces with: sift datasets add \(name) --where \"...\"")
        }
    }
}

struct DatasetsAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add the traces matching a filter (or a seeded sample of them); a trace already there is not added twice.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Argument(help: "Dataset name.") var name: String
    @Option(name: .customLong("where"), help: "A dialect filter selecting traces.") var filter: String
    @Option(help: "Take a seeded sample of N matching traces.") var sample: Int?
    @Option(help: "Sampling seed.") var seed: UInt64 = 42
    @Flag(help: "Create the dataset if it does not exist.") var create = false

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let d = Datasets(store: ws.store)
            if try create && !d.list().contains(where: { $0.name == name }) { try d.create(name) }
            let r = try d.add(name, project: try ws.resolveProject(project), filter: filter, sample: sample, seed: seed)
            print("added \(grouped(r.added)) record\(r.added == 1 ? "" : "s") to '\(name)'\(r.existing > 0 ? " (\(grouped(r.existing)) already there)" : "")")
        }
    }
}

struct DatasetsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Datasets with their record counts.")
    @OptionGroup var store: StoreOptions

    func run() throws {
        try guarded {
            let list = try Datasets(store: try Workspace(path: store.path, create: false).store).list()
            if list.isEmpty { print("no datasets yet: sift datasets create NAME"); return }
            print(table(["dataset", "records", "created", "description"], list.map { [$0.name, grouped($0.records), String($0.created.iso8601.prefix(16)), $0.description ?? ""] }, rightAligned: [1]))
        }
    }
}

struct DatasetsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A dataset's records: id, topic, input and expected output.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Dataset name.") var name: String
    @Option(help: "How many records.") var limit: Int = 20

    func run() throws {
        try guarded {
            let recs = try Datasets(store: try Workspace(path: store.path, create: false).store).records(name)
            print("\(name): \(grouped(recs.count)) records")
            print(table(["id", "topic", "input", "expected"], recs.prefix(limit).map { r in
                [r["id"]?.stringValue ?? "", r["metadata"]?["topic"]?.stringValue ?? "", TraceFormatter.preview(r["input"] ?? .null, limit: 50), TraceFormatter.preview(r["expected"] ?? .null, limit: 60)]
            }))
        }
    }
}

struct DatasetsEdit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Set a record's expected output (JSON, or plain text).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Dataset name.") var name: String
    @Argument(help: "Record id (or its source trace id).") var record: String
    @Option(help: "The expected output.") var expected: String

    func run() throws {
        try guarded {
            try Datasets(store: try Workspace(path: store.path, create: false).store).setExpected(name, record: record, expected: expected)
            print("record '\(record)' of '\(name)' updated")
        }
    }
}

struct DatasetsExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the records as JSON lines in the Braintrust dataset record shape.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Dataset name.") var name: String
    @Option(help: ArgumentHelp("Output file (default: stdout).", valueName: "path")) var out: String?

    func run() throws {
        try guarded {
            let d = Datasets(store: try Workspace(path: store.path, create: false).store)
            if let out {
                let n = try d.export(name, to: out)
                print("wrote \(grouped(n)) records to \(out)")
            } else {
                for r in try d.records(name) { print(JSONWriter.string(r)) }
            }
        }
    }
}

// MARK: - Review

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Human review queues: assign traces, list a queue, show an item, record a verdict.",
        subcommands: [ReviewAssign.self, ReviewQueue.self, ReviewShow.self, ReviewDone.self],
        defaultSubcommand: ReviewQueue.self
    )
}

struct ReviewAssign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Assign the traces matching a filter to a reviewer (with a cap and seeded sampling).")
    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Option(help: "Reviewer name.") var reviewer: String
    @Option(name: .customLong("where"), help: "A dialect filter selecting traces.") var filter: String
    @Option(help: "At most this many traces.") var cap: Int?
    @Option(help: "Sampling seed.") var seed: UInt64 = 42
    @Option(help: "The facet whose topic the reviewer judges.") var facet: String = "Issues"

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let r = try Reviews(store: ws.store).assign(reviewer: reviewer, project: try ws.resolveProject(project), filter: filter, cap: cap, seed: seed, facet: facet)
            print("assigned \(grouped(r.assigned)) of \(grouped(r.matched)) matching traces to \(reviewer)\(r.existing > 0 ? " (\(grouped(r.existing)) already in the queue)" : "")")
        }
    }
}

struct ReviewQueue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "A reviewer's open items (or everyone's).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Reviewer (default: everyone).") var reviewer: String?
    @Flag(help: "Include decided items.") var all = false

    func run() throws {
        try guarded {
            let items = try Reviews(store: try Workspace(path: store.path, create: false).store).items(reviewer: reviewer, includeDone: all)
            if items.isEmpty { print("nothing to review" + (reviewer.map { " for \($0)" } ?? "")); return }
            print(table(["item", "reviewer", "trace", "topic", "status", "verdict"], items.map { i in
                ["\(i.id)", i.reviewer, String(i.trace.prefix(16)), (i.topicLabel ?? i.topicID ?? "-").clipped(44), i.status, i.verdict.map { $0 + (i.newLabel.map { " -> " + $0 } ?? "") } ?? ""]
            }, rightAligned: [0]))
        }
    }
}

struct ReviewShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One review item: its topic and the trace, readably.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Item number (from sift review queue).") var item: Int64

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let it = try Reviews(store: ws.store).item(item)
            print("item \(it.id) for \(it.reviewer): is this trace an example of \(it.facet ?? "") topic \"\(it.topicLabel ?? it.topicID ?? "-")\"? [\(it.status)\(it.verdict.map { ", " + $0 } ?? "")]")
            print("")
            print(terminalSafe(TraceFormatter.render(try ws.trace(id: it.trace, project: it.project))))
            print("")
            print("record a verdict: sift review done \(it.id) --verdict confirm|reject|relabel [--label NEW] [--comment TEXT]")
        }
    }
}

struct ReviewDone: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "done", abstract: "Record a verdict on an item's topic: confirm, reject, or relabel.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Item number.") var item: Int64
    @Option(help: "confirm, reject or relabel.") var verdict: String
    @Option(help: "The right label (with relabel).") var label: String?
    @Option(help: "A comment.") var comment: String?

    func run() throws {
        try guarded {
            let it = try Reviews(store: try Workspace(path: store.path, create: false).store).done(item, verdict: verdict, label: label, comment: comment)
            print("item \(it.id): \(verdict)\(label.map { " -> " + $0 } ?? "") recorded")
        }
    }
}

// MARK: - Check

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run saved checks (a query and an assertion on its answer); exit 1 when one fails, 2 when one cannot run.",
        discussion: """
            A check file is JSON, one check or a list:
              [{"name": "no refund answers without a tool call",
                "query": "SELECT count(1) AS n FROM project_logs('demo', shape => 'traces') WHERE classifications.Issues[0].label = 'Unsupported claim in answer' AND created > now() - interval 1 day",
                "expect": "n = 0"}]
            expect: `rows <op> N`, or `<column> <op> <number or 'text'>` on the first row; ops < <= > >= = !=.
            Without FILE, runs checks/*.json.
            """
    )

    @OptionGroup var store: StoreOptions
    @Argument(help: "Check files (default: checks/*.json).") var files: [String] = []
    @Option(help: ArgumentHelp("now() for the queries (ISO-8601); also SIFT_NOW.", valueName: "time")) var now: String?

    func run() throws {
        var paths = files
        if paths.isEmpty {
            let dir = "checks"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            paths = names.map { dir + "/" + $0 }
            if paths.isEmpty { printError("error: no check files given and no checks/*.json here"); throw ExitCode(2) }
        }
        var checks: [Check] = []
        for p in paths {
            do { checks += try Checks.load(path: p) } catch { printError("error: \(error)"); throw ExitCode(2) }
        }
        let ws: Workspace
        var options = QueryOptions()
        do {
            ws = try Workspace(path: store.path, create: false)
            if let t = now ?? ProcessInfo.processInfo.environment["SIFT_NOW"].flatMap({ $0.isEmpty ? nil : $0 }) { options.now = try parseTimestamp(t, option: "--now") }
        } catch { printError("error: \(error)"); throw ExitCode(2) }
        let results = Checks.run(checks, store: ws.store, options: options)
        for r in results {
            let mark = r.error ? "ERROR" : r.passed ? "PASS " : "FAIL "
            print("\(mark) \(r.check.name): \(r.measured) (expect \(r.check.expect))")
        }
        let failed = results.filter { !$0.passed && !$0.error }.count, errors = results.filter(\.error).count
        print("\(results.count - failed - errors) passed, \(failed) failed, \(errors) could not run")
        if errors > 0 { throw ExitCode(2) }
        if failed > 0 { throw ExitCode(1) }
    }
}
