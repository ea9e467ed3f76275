import Foundation
import XCTest
@testable import SiftModel
@testable import SiftStore
import SiftTestSupport

struct IngestRun {
    var summary: IngestSummary
    var rejects: [String]
}

func ingest(_ store: Store, _ paths: [String], project: String? = nil, format: IngestFormat = .auto,
            batchSize: Int = 8192, maxRecordBytes: Int = 8 << 20, rejectsPath: String? = nil) throws -> IngestRun {
    var options = IngestOptions()
    options.project = project
    options.format = format
    options.batchSize = batchSize
    options.maxRecordBytes = maxRecordBytes
    options.rejectsPath = rejectsPath
    var rejects: [String] = []
    options.onReject = { rejects.append($0) }
    let summary = try Ingester(store: store, options: options).ingest(paths: paths)
    return IngestRun(summary: summary, rejects: rejects)
}

/// The same records written as JSON lines and as a JSON array (one record a line, after the `[`), each
/// ingested into a store of its own: `check` gets the file, its store, the run, and the line that
/// record `n` (from 1) is on in that file.
func ingestAsLinesAndArray(_ records: [String], in dir: TempDir, name: String, project: String,
                           _ check: (_ path: String, _ store: Store, _ run: IngestRun, _ line: (Int) -> Int) throws -> Void) throws {
    let lines = dir.write(name + ".jsonl", records.joined(separator: "\n") + "\n")
    let array = dir.write(name + ".json", "[\n" + records.joined(separator: ",\n") + "\n]\n")
    for (path, offset) in [(lines, 0), (array, 1)] {
        let store = try Store(path: path + ".db")
        try check(path, store, try ingest(store, [path], project: project), { $0 + offset })
    }
}

func count(_ store: Store, _ sql: String) throws -> Int { Int(try store.db.scalarInt(sql) ?? -1) }
