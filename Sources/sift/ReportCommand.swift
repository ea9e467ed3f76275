// `sift report`: the self-contained HTML report of a project's topics.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftTopics
import SiftReport

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
