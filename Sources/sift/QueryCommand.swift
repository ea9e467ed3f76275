// `sift query`: run a query in the project_logs dialect and print the rows.

import ArgumentParser
import CMemory
import Foundation
import SiftEngine
import SiftExecutor
import SiftModel
import SiftQuery

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, jsonl, markdown
}

extension Shape: ExpressibleByArgument {}

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a query in the project_logs dialect (SQL form, pipe form, or a bare filter).",
        discussion: """
            Examples:
              sift query "SELECT metadata.model, count(1) AS n FROM project_logs('demo') GROUP BY 1"
              sift query -f saved.sql --format csv
              sift query --project demo --where "error IS NOT NULL" --shape traces
            Errors show the line and a caret under the problem. now() is fixed per query; --now
            (or SIFT_NOW) pins it. Day boundaries are UTC unless --tz-offset gives minutes east of UTC.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The query text (or use -f, or --where).") var text: String?
    @Option(name: .shortAndLong, help: ArgumentHelp("Read the query from a file.", valueName: "path")) var file: String?
    @Option(help: ArgumentHelp("A bare filter: prints every field of the matching rows.", valueName: "filter")) var `where`: String?
    @Option(help: "Project for --where and sourceless pipe queries.") var project: String?
    @Option(help: "Shape for --where: spans, traces or summary.") var shape: Shape = .spans
    @Option(help: "Output: table, csv, json, jsonl, markdown.") var format: OutputFormat = .table
    @Option(help: ArgumentHelp("now() for this query (ISO-8601); also SIFT_NOW.", valueName: "time")) var now: String?
    @Option(name: .customLong("tz-offset"), help: ArgumentHelp("Minutes east of UTC for day/week/month boundaries.", valueName: "minutes")) var tzOffset: Int = 0
    @Flag(help: "Print the plan instead of running the query.") var explain = false
    @Option(help: "Run the query N times in one session; each run's time goes to stderr (the first cold).") var `repeat`: Int = 1

    func validate() throws {
        let given = [text != nil, file != nil, `where` != nil].filter { $0 }.count
        if given == 0 { throw ValidationError("give a query, -f FILE, or --where FILTER") }
        if given > 1 { throw ValidationError("give only one of: a query, -f FILE, --where FILTER") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
        if abs(tzOffset) > 18 * 60 { throw ValidationError("--tz-offset is in minutes, between -1080 and 1080") }
    }

    func run() throws {
        preferHugePages()
        try guarded {
            var queryText: String
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                queryText = String(decoding: data, as: UTF8.self)
            } else if let w = `where` {
                queryText = w
            } else {
                queryText = text!
            }
            var options = QueryOptions()
            options.tzOffsetMinutes = tzOffset
            options.shape = shape
            if let nowText = now ?? ProcessInfo.processInfo.environment["SIFT_NOW"].flatMap({ $0.isEmpty ? nil : $0 }) {
                options.now = try parseTimestamp(nowText, option: now != nil ? "--now" : "SIFT_NOW")
            }
            let ws = try Workspace(path: store.path, create: false)
            options.project = project
            if `where` != nil && project == nil {
                let names = try ws.projectNames()
                guard names.count == 1 else {
                    throw ValidationError("--where needs --project (projects: \(names.joined(separator: ", ")))")
                }
                options.project = names[0]
            }
            let session = ws.session(caching: `repeat` > 1)
            do {
                let plan = try session.plan(queryText, options: options)
                if explain { print(plan.explain); return }
                var result: QueryResult?
                for i in 0..<`repeat` {
                    let started = Date()
                    result = try session.run(plan, text: queryText, options: options)
                    if `repeat` > 1 {
                        printError(String(format: "run %d (%@): %.1f ms", i + 1, i == 0 ? "cold" : "warm", Date().timeIntervalSince(started) * 1000))
                    }
                }
                print(Render.render(result!, format: format), terminator: "")
                // The process ends here: freeing the session's columns one value at a time would take
                // longer than many queries, and the system reclaims the memory at once.
                _ = Unmanaged.passRetained(session)
                if let c = result!.nextCursor, format == .table || format == .markdown {
                    fflush(stdout)  // the table first, then the hint, when both go to one terminal or file
                    printError("more rows: add OFFSET '\(c)' for the next page")
                }
            } catch let e as QueryError {
                printError(e.description)
                throw ExitCode(1)
            }
        }
    }
}

enum Render {
    static func render(_ r: QueryResult, format: OutputFormat) -> String {
        switch format {
        case .table:
            let cells = r.rows.map { $0.map { cell($0, limit: 80) } }
            var out = table(r.columns, cells, rightAligned: Set(r.columns.indices.filter { c in
                r.rows.contains { if case .int = $0[c] { return true }; if case .double = $0[c] { return true }; return false }
            })) + "\n"
            out += "(\(r.rows.count) row\(r.rows.count == 1 ? "" : "s"))\n"
            return out
        case .csv:
            func q(_ raw: String) -> String {
                let s = terminalSafe(raw)
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            return ([r.columns.map(q).joined(separator: ",")] + r.rows.map { $0.map { $0.isNull ? "" : q($0.text) }.joined(separator: ",") }).joined(separator: "\n") + "\n"
        case .json:
            return JSONWriter.string(.array(r.rows.map(object(r.columns)))) + "\n"
        case .jsonl:
            return r.rows.map { JSONWriter.string(object(r.columns)($0)) + "\n" }.joined()
        case .markdown:
            func esc(_ s: String) -> String { terminalSafe(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
            var lines = ["| " + r.columns.map(esc).joined(separator: " | ") + " |", "|" + r.columns.map { _ in " --- |" }.joined()]
            lines += r.rows.map { "| " + $0.map { esc(cell($0, limit: 200)) }.joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static func object(_ columns: [String]) -> ([Datum]) -> Value {
        { row in
            var o = JSONObject()
            for (c, d) in zip(columns, row) { o[c] = d.value }
            return .object(o)
        }
    }

    static func cell(_ d: Datum, limit: Int) -> String {
        var s = d.text.replacingOccurrences(of: "\n", with: " ")
        if s.count > limit { s = String(s.prefix(limit - 1)) + "…" }
        return s
    }
}
