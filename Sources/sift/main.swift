// The `sift` command line: ingest traces, look at them, and run the demo. Every command reports
// failure as one line on stderr and a non-zero exit, never a stack trace.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel

struct Sift: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift",
        abstract: "Find the failure patterns hiding in an AI agent's production traces.",
        subcommands: [Ingest.self, Query.self, Repl.self, Test.self, Projects.self, Traces.self, TopicsCommand.self, FacetsCommand.self, ReportCommand.self, ScorersCommand.self, DatasetsCommand.self, ReviewCommand.self, CheckCommand.self, ModelsCommand.self, Serve.self, Demo.self, Simulate.self]
    )
}

Sift.main()
