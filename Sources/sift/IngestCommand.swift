// `sift ingest`: load trace files into the store, reporting bad records with file and line.

import ArgumentParser
import Foundation
import SiftEngine
import SiftStore

extension IngestFormat: ExpressibleByArgument {}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest trace files: Braintrust span JSON lines, OTLP/JSON, agent trajectories and chat transcripts, LangSmith runs, or OpenAI Agents SDK traces.",
        discussion: """
            The format is detected from the content unless --format says otherwise. Use - to read standard input.
            Bad records are reported as FILE:LINE: problem, written to the rejects file with their original text,
            and never stop the good ones. Re-ingesting a file changes nothing: spans upsert by id.
            Exit status: 0 when everything landed, 3 when some records were rejected, 1 on failure.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("Files to ingest (- for standard input).", valueName: "file"))
    var files: [String]

    @Option(help: "Project for every record (default: OTLP service.name, else 'default').")
    var project: String?

    @Option(help: "Input format: \(IngestFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: IngestFormat = .auto

    @Option(help: ArgumentHelp("Where rejected records go (default: beside the store, <db>.rejects.jsonl).", valueName: "path"))
    var rejects: String?

    @Option(name: .customLong("max-record-size"), help: ArgumentHelp("Reject records larger than this (e.g. 8M); OTLP requests are held to it span by span.", valueName: "bytes"))
    var maxRecordSize: String = "8M"

    @Option(name: .customLong("batch-size"), help: "Spans per transaction.")
    var batchSize: Int = 32768

    @Flag(name: .shortAndLong, help: "Print only the summary.")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file (or - for standard input)") }
        guard let n = parseByteCount(maxRecordSize), n > 0 else { throw ValidationError("--max-record-size: '\(maxRecordSize)' is not a size such as 8M or 1048576") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let p = project, p.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--project must not be empty") }
    }

    func run() throws {
        try guarded {
            let ws = try Workspace(path: store.path)
            var options = IngestOptions()
            options.project = project
            options.format = format
            options.rejectsPath = rejects
            options.batchSize = batchSize
            options.maxRecordBytes = parseByteCount(maxRecordSize)!
            var shown = 0
            var progressShown = false
            options.onReject = { message in
                shown += 1
                if shown <= 20 {
                    if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                    printError(message)
                } else if shown == 21 {
                    printError("(further rejects are only written to the rejects file)")
                }
            }
            var lastLine = Date()
            if !quiet {
                options.progress = { p in
                    let rate = p.seconds > 0 ? Double(p.spans) / p.seconds : 0
                    var text = "\(p.source): \(grouped(p.records)) records, \(grouped(p.spans)) spans (\(grouped(Int(rate))) spans/s)"
                    if p.rejected > 0 { text += ", \(grouped(p.rejected)) rejected" }
                    if let total = p.totalBytes, total > 0 { text += String(format: ", %.0f%%", 100 * Double(p.bytes) / Double(total)) }
                    if stderrIsTerminal {
                        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
                        progressShown = true
                    } else if Date().timeIntervalSince(lastLine) >= 10 {
                        printError(text)
                        lastLine = Date()
                    }
                }
            }
            let summary = try ws.ingest(paths: files, options: options)
            if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let projects = summary.spansByProject.keys.sorted().joined(separator: ", ")
            let rate = summary.seconds > 0 ? Double(summary.spans) / summary.seconds : 0
            func plural(_ n: Int, _ word: String) -> String { "\(grouped(n)) \(word)\(n == 1 ? "" : "s")" }
            var line = "ingested \(plural(summary.spans, "span")) from \(plural(summary.records, "record")) in \(plural(summary.sources, "file"))"
            if !projects.isEmpty { line += " into \(projects)" }
            line += String(format: " in %.2fs (%@ spans/s); ", summary.seconds, grouped(Int(rate)))
            line += summary.rejected == 0 ? "0 rejected" : "\(grouped(summary.rejected)) rejected, kept in \(summary.rejectsPath ?? "the rejects file")"
            print(line)
            if summary.rejected > 0 { throw ExitCode(3) }
        }
    }
}
