// `sift facets list|add|test|remove`: the facets traces are summarised along. Task, Sentiment and
// Issues are built in; custom facets are kept in the store and run with the built-in ones.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftTopics

struct FacetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facets",
        abstract: "List, add, try out and remove the facets traces are summarised along.",
        subcommands: [FacetsList.self, FacetsAdd.self, FacetsTest.self, FacetsRemove.self],
        defaultSubcommand: FacetsList.self
    )
}

struct FacetsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Built-in and custom facets, with how many traces have a summary for each.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project to count summaries in (default: the store's only project).") var project: String?

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let defs = try ws.topics.facetDefinitions(nil)
            var counts: [String: Int] = [:]
            if let p = try? ws.resolveProject(project) {
                for f in try ws.facetCounts(project: p) { counts[f.name.lowercased()] = f.traces }
            }
            let rows = defs.map { d -> [String] in
                let pre: String
                switch d.preprocessor {
                case .thread: pre = "thread"
                case .fields(let f): pre = "fields: " + f.joined(separator: ", ")
                case .command(let c): pre = "command: " + c.clipped(30)
                }
                let model = BuiltinFacetModel.canSummarize(d) ? "builtin" : "needs a model server"
                return [d.name, d.kind == .custom ? "custom" : "built-in", d.labels.isEmpty ? (d.kind == .sentiment ? "" : "clustered") : d.labels.map(\.label).joined(separator: ", ").clipped(40),
                        pre, model, counts[d.name.lowercased()].map(grouped) ?? "-"]
            }
            print(table(["facet", "kind", "labels", "preprocessor", "model", "summaries"], rows, rightAligned: [5]))
        }
    }
}

struct FacetsAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add (or replace) a custom facet, from a JSON file or from options.",
        discussion: """
            File: {"name": "Refund reason", "prompt": "Why does the user want a refund?",
                   "labels": [{"label": "DAMAGED", "example": "arrived broken", "match": ["broken|damaged"]}],
                   "exclude": "password", "preprocessor": {"fields": ["user", "final_answer"]}}
            The built-in model picks a label when one of its "match" expressions (case-insensitive) matches the
            facet's text; facets without rules need a model server.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("A JSON file with one facet definition or an array of them.", valueName: "path")) var file: String?
    @Option(help: "Facet name.") var name: String?
    @Option(help: "What the model should extract.") var prompt: String?
    @Option(name: .customLong("label"), help: ArgumentHelp("A label, with an optional rule: NAME or NAME=REGEX (repeatable).", valueName: "label")) var labels: [String] = []
    @Option(help: ArgumentHelp("Traces whose text matches this expression are stored as no_match.", valueName: "regex")) var exclude: String?
    @Option(help: ArgumentHelp("Text to read: comma-separated user, assistant, tools, errors, retrieval, final_answer or root paths.", valueName: "fields")) var fields: String?
    @Option(help: ArgumentHelp("External preprocessor: reads the trace's spans as JSON on stdin, writes text.", valueName: "command")) var command: String?

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            var defs: [FacetDefinition]
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                let json: Value
                do { json = try JSONReader.parse(Array(data)) } catch { throw TopicsError.invalid("\(file): \(error)") }
                defs = try FacetDefinition.parse(json, source: file)
            } else {
                guard let name, let prompt else { throw ValidationError("give --file, or --name and --prompt") }
                var o: JSONObject = ["name": .string(name), "prompt": .string(prompt)]
                if !labels.isEmpty {
                    o["labels"] = .array(labels.map { l in
                        let parts = l.split(separator: "=", maxSplits: 1).map(String.init)
                        var lo: JSONObject = ["label": .string(parts[0])]
                        if parts.count == 2 { lo["match"] = .string(parts[1]) }
                        return .object(lo)
                    })
                }
                if let exclude { o["exclude"] = .string(exclude) }
                if let fields { o["preprocessor"] = ["fields": .array(fields.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })] }
                if let command { o["preprocessor"] = ["command": .string(command)] }
                defs = try FacetDefinition.parse(.object(o), source: "--name \(name)")
            }
            for d in defs {
                try ws.saveFacetDefinition(name: d.name, definition: JSONWriter.string(d.json))
                let note = BuiltinFacetModel.canSummarize(d) ? "" : " (it has no label rules, so it needs a model server: the built-in model cannot run it)"
                print("facet '\(d.name)' saved\(note); try it with: sift facets test \"\(d.name)\"")
            }
        }
    }
}

struct FacetsTest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run one facet on a few recent traces and show what it reads and what it says.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Project (default: the store's only project).") var project: String?
    @Argument(help: "Facet name (built-in or saved).") var name: String?
    @Option(help: ArgumentHelp("Test a definition from a file instead of a saved facet.", valueName: "path")) var file: String?
    @Option(help: "Number of traces.") var limit: Int = 5

    func validate() throws { if name == nil && file == nil { throw ValidationError("give a facet name or --file") } }

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let project = try ws.resolveProject(project)
            let facet: FacetDefinition
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                facet = try FacetDefinition.parse(try JSONReader.parse(Array(data)), source: file)[0]
            } else {
                facet = try ws.topics.facetDefinitions([name!])[0]
            }
            let ids = try ws.traceStarts(project: project).suffix(limit).map(\.id)
            let redactor = try Redactor()
            let model = BuiltinFacetModel(custom: [facet])
            let exclude = try facet.exclude.map { try NSRegularExpression(pattern: $0, options: .caseInsensitive) }
            for trace in try ws.traces(project: project, ids: Array(ids)) {
                let thread = TraceThread(trace: trace).redacted(by: redactor)
                print("trace \(trace.id)")
                guard let text = try FacetText.text(facet.preprocessor, thread: thread, trace: trace, redactor: redactor) else {
                    print("  (skipped: the preprocessor gave no text)\n"); continue
                }
                for line in text.split(separator: "\n").prefix(6) { print("  | " + String(line).clipped(110)) }
                if let ex = exclude, ex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil {
                    print("  -> no_match (matches the exclusion pattern)\n"); continue
                }
                let out = try model.summarize(thread: thread, text: text, facet: facet)
                print("  -> " + (out.map { o in o.label.map { "\($0)" + (o.summary != $0 ? ": " + o.summary : "") } ?? o.summary } ?? "(no summary)") + "\n")
            }
        }
    }
}

struct FacetsRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a custom facet (its stored summaries and topics stay until the next run).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "Facet name.") var name: String

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            if FacetDefinition.builtins.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                throw ValidationError("'\(name)' is built in; run other facets with sift topics run --facets")
            }
            guard try ws.removeFacetDefinition(name: name) else { throw ValidationError("no custom facet named '\(name)'") }
            print("facet '\(name)' removed")
        }
    }
}
