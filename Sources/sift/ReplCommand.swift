// `sift repl`: an interactive session over one store. Statements end at `;` or a blank line; lines
// starting with `.` are commands. Loaded columns stay cached, so repeated questions are fast.

import ArgumentParser
import Foundation
import SiftEngine
import SiftExecutor
import SiftModel
import SiftQuery

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An interactive query shell: multi-line statements, history, tab completion, .help for commands."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Project for bare filters (also .use PROJECT).") var project: String?
    @Option(help: ArgumentHelp("now() for queries (ISO-8601); also SIFT_NOW.", valueName: "time")) var now: String?

    func run() throws {
        preferHugePages()
        try guarded {
            let ws = try Workspace(path: store.path, create: false)
            let shell = Shell(session: ws.session(caching: true), workspace: ws)
            shell.options.project = project ?? ((try? ws.projectNames()).flatMap { $0.count == 1 ? $0[0] : nil })
            if let t = now ?? ProcessInfo.processInfo.environment["SIFT_NOW"].flatMap({ $0.isEmpty ? nil : $0 }) {
                shell.options.now = try parseTimestamp(t, option: "--now")
            }
            shell.run()
        }
    }
}

final class Shell {
    let session: Session
    let workspace: Workspace
    var options = QueryOptions()
    var mode: OutputFormat = .table
    var timer = false
    let historyPath = ProcessInfo.processInfo.environment["SIFT_HISTORY"] ?? (NSHomeDirectory() + "/.sift_history")
    lazy var editor = LineEditor { [unowned self] prefix in Completer.complete(prefix, paths: self.paths) }
    lazy var paths: [String] = {
        guard let p = options.project, let fields = try? workspace.fields(project: p, sample: 500) else { return SpanFields.all }
        return fields.map(\.path)
    }()

    init(session: Session, workspace: Workspace) {
        self.session = session
        self.workspace = workspace
    }

    func run() {
        if let text = try? String(contentsOfFile: historyPath, encoding: .utf8) {
            editor.history = Array(text.split(separator: "\n").map { $0.replacingOccurrences(of: "\u{1F}", with: "\n") }.suffix(1000))
        }
        if editor.interactive {
            print("sift \(workspace.path): statements end with ; or a blank line. .help for commands.")
        }
        var buffer: [String] = []
        while true {
            let prompt = buffer.isEmpty ? "sift> " : "  ... "
            guard let line = editor.read(prompt: prompt) else { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if buffer.isEmpty && trimmed.hasPrefix(".") {
                remember(trimmed)
                if !command(trimmed) { break }
                continue
            }
            if trimmed.isEmpty {
                if buffer.isEmpty { continue }
            } else {
                buffer.append(line)
                if !trimmed.hasSuffix(";") { continue }
            }
            let statement = buffer.joined(separator: "\n")
            buffer = []
            remember(statement)
            execute(statement)
        }
    }

    func remember(_ entry: String) {
        guard !entry.isEmpty, editor.history.last != entry else { return }
        editor.history.append(entry)
        // Only what a person typed is history: a piped script is not written to ~/.sift_history.
        guard editor.interactive else { return }
        let line = entry.replacingOccurrences(of: "\n", with: "\u{1F}") + "\n"
        if let h = FileHandle(forWritingAtPath: historyPath) {
            h.seekToEndOfFile(); h.write(Data(line.utf8)); try? h.close()
        } else {
            FileManager.default.createFile(atPath: historyPath, contents: Data(line.utf8))
        }
    }

    func execute(_ text: String, explain: Bool = false) {
        var query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while query.hasSuffix(";") { query.removeLast() }
        let started = Date()
        do {
            let plan = try session.plan(query, options: options)
            if explain { print(plan.explain); return }
            let result = try session.run(plan, text: query, options: options)
            print(Render.render(result, format: mode), terminator: "")
            if let c = result.nextCursor { print("more rows: add OFFSET '\(c)' for the next page") }
        } catch let e as QueryError {
            print(e.description)
        } catch {
            print("error: \(error)")
        }
        if timer { print(String(format: "time: %.1f ms", Date().timeIntervalSince(started) * 1000)) }
    }

    /// Runs a dot command; false to quit.
    func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ".quit", ".exit", ".q": return false
        case ".help":
            print("""
                Statements: SQL (SELECT ... FROM project_logs('p')), the pipe form (filter: ... | from: ...), or a bare
                filter over the current project; end them with ; or a blank line.
                .projects               projects in the store
                .use PROJECT            project for bare filters and .schema
                .schema [PROJECT]       fields seen in the project, with types and an example
                .explain QUERY          the plan of a query
                .mode table|csv|json|jsonl|markdown
                .timer on|off           print each statement's time
                .now [TIME|off]         pin now() (ISO-8601), or unpin it
                .quit                   leave (ctrl-D too)
                Keys: arrows and ctrl-A/E move, up/down walk history, tab completes keywords, functions and fields.
                """)
        case ".projects":
            if let list = try? workspace.projects() {
                print(table(["project", "traces", "spans"], list.map { [$0.name, grouped($0.traces), grouped($0.spans)] }, rightAligned: [1, 2]))
            }
        case ".use":
            guard !arg.isEmpty else { print("usage: .use PROJECT"); break }
            guard (try? workspace.projectNames().contains(arg)) == true else { print("no project named '\(arg)'"); break }
            options.project = arg
            paths = (try? workspace.fields(project: arg, sample: 500).map(\.path)) ?? SpanFields.all
            print("using \(arg)")
        case ".schema":
            guard let p = arg.isEmpty ? options.project : arg else { print("usage: .schema PROJECT (or .use PROJECT first)"); break }
            do {
                let fields = try workspace.fields(project: p, sample: 2000)
                print(table(["field", "type", "seen", "example"], fields.map { [$0.path, $0.kinds.joined(separator: "|"), grouped($0.count), $0.example] }, rightAligned: [2]))
            } catch { print("error: \(error)") }
        case ".explain":
            guard !arg.isEmpty else { print("usage: .explain QUERY"); break }
            execute(arg, explain: true)
        case ".mode":
            guard let m = OutputFormat(rawValue: arg) else { print("usage: .mode table|csv|json|jsonl|markdown"); break }
            mode = m
        case ".timer":
            guard arg == "on" || arg == "off" else { print("usage: .timer on|off"); break }
            timer = arg == "on"
        case ".now":
            if arg.isEmpty { print(options.now.map(\.iso8601) ?? "now() is the current time"); break }
            if arg == "off" { options.now = nil; break }
            guard let t = Timestamp(iso8601: arg) else { print("'\(arg)' is not an ISO-8601 time"); break }
            options.now = t
        default:
            print("unknown command \(parts[0]): .help lists them")
        }
        return true
    }
}

/// Tab completion: what may follow the word under the cursor.
enum Completer {
    static let commands = [".help", ".projects", ".use", ".schema", ".explain", ".mode", ".timer", ".now", ".quit"]

    /// Completions of the last word of `prefix`, as the text to insert after it.
    static func complete(_ prefix: String, paths: [String]) -> [String] {
        let word = String(prefix.reversed().prefix { !" \t(,=<>!+-*/%|".contains($0) }.reversed())
        if prefix.trimmingCharacters(in: .whitespaces).hasPrefix("."), !prefix.contains(" ") {
            return commands.filter { $0.hasPrefix(word) && $0 != word }.map { String($0.dropFirst(word.count)) + " " }
        }
        guard !word.isEmpty else { return [] }
        var candidates: [String] = []
        if word.contains(".") {
            candidates = paths.filter { $0.lowercased().hasPrefix(word.lowercased()) }
        } else {
            candidates = Keyword.allCases.map(\.rawValue) + Functions.names.map { $0 + "(" } + SpanFields.all + ["project_logs("]
            candidates = candidates.filter { $0.lowercased().hasPrefix(word.lowercased()) }
            candidates += paths.filter { $0.lowercased().hasPrefix(word.lowercased()) && !$0.contains(".") }
        }
        let unique = Array(Set(candidates)).sorted().filter { $0.count > word.count }
        // Keep the user's case for keywords typed in lower case.
        return unique.map { c in
            var rest = String(c.dropFirst(word.count))
            if Keyword(word: c) != nil, word == word.lowercased() { rest = rest.lowercased() }
            return rest
        }
    }
}
