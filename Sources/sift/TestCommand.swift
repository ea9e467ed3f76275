// `sift test`: run saved queries (sqllogictest files) and report pass/fail; --complete writes the
// actual results back into the files for review.

import ArgumentParser
import Foundation
import SQLLogicTest

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run saved queries (.slt files) and compare their results; exit 1 on any failure.",
        discussion: "With no paths, runs every .slt file under ./Queries. --complete rewrites each file with the results it got (review the diff)."
    )

    @Argument(help: "Files or folders of .slt files (default: Queries).") var paths: [String] = []
    @Flag(help: "Write the actual results back into the files.") var complete = false
    @Flag(name: .shortAndLong, help: "Print only failures and the summary.") var quiet = false

    func run() throws {
        try guarded {
            let files = SLTRunner.files(in: paths.isEmpty ? ["Queries"] : paths)
            if files.isEmpty { throw ValidationError("no .slt files found in \(paths.isEmpty ? "Queries" : paths.joined(separator: ", "))") }
            var passed = 0, failed = 0
            for file in files {
                let r = SLTRunner().run(path: file)
                passed += r.passed
                failed += r.failures.count
                if complete {
                    let text = SLTReader.write(r.completed)
                    try text.write(toFile: file, atomically: true, encoding: .utf8)
                }
                if !quiet || !r.failures.isEmpty {
                    print("\(r.failures.isEmpty ? "ok  " : "FAIL") \(file): \(r.passed) passed, \(r.failures.count) failed")
                }
                for f in r.failures { print("  " + f.description.replacingOccurrences(of: "\n", with: "\n  ")) }
            }
            print("sift test: \(passed) passed, \(failed) failed")
            if failed > 0 && !complete { throw ExitCode(1) }
        }
    }
}
