// `sift projects` and `sift traces list|show`: what is in the store.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel

struct Projects: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the projects in the store with their span and trace counts.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let rows = try ws.projects().map { p in
                [p.name, grouped(p.traces), grouped(p.spans), p.first.map { String($0.iso8601.prefix(16)) } ?? "-", p.last.map { String($0.iso8601.prefix(16)) } ?? "-"]
            }
            if rows.isEmpty { print("no projects yet: ingest something with `sift ingest FILE`"); return }
            print(table(["project", "traces", "spans", "first", "last"], rows, rightAligned: [1, 2]))
        }
    }
}

struct Traces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List recent traces, or show one as a tree.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The most recent traces, newest first.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Only this project.") var project: String?
        @Option(help: "How many traces.") var limit: Int = 20

        func validate() throws { if limit < 1 { throw ValidationError("--limit must be at least 1") } }

        func run() throws {
            try guarded {
                let ws = try Workspace(path: store.path, create: false)
                let traces = try ws.recentTraces(project: project, limit: limit)
                if traces.isEmpty { print("no traces" + (project.map { " in project \($0)" } ?? "")); return }
                let rows = traces.map { t -> [String] in
                    let input = t.input.flatMap { try? JSONReader.parse($0) }.map { TraceFormatter.opening($0, limit: 60) } ?? ""
                    return [t.id, t.project, String(t.created.iso8601.prefix(19)).replacingOccurrences(of: "T", with: " "),
                            String(t.spans), t.errors > 0 ? String(t.errors) : "", t.tokens.map { grouped(Int($0)) } ?? "", TraceFormatter.duration(t.duration), input]
                }
                print(table(["trace", "project", "created (UTC)", "spans", "errors", "tokens", "duration", "input"], rows, rightAligned: [3, 4, 5, 6]))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One trace as an indented tree (by trace id, span id, or a unique prefix).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Trace id, span id, or a unique prefix of at least 6 characters.") var id: String
        @Option(help: "Look only in this project.") var project: String?
        @Option(help: "Line width for previews.") var width: Int = 110
        @Flag(help: "Print the spans as JSON lines instead.") var json = false

        func run() throws {
            try guarded {
                let ws = try Workspace(path: store.path, create: false)
                let trace = try ws.trace(id: id, project: project)
                if json {
                    for (_, i) in trace.walk() { print(JSONWriter.string(trace.spans[i].jsonValue)) }
                } else {
                    print(terminalSafe(TraceFormatter.render(trace, width: width)))
                }
            }
        }
    }
}
