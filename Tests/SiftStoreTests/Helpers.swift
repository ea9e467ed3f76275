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

func count(_ store: Store, _ sql: String) throws -> Int { Int(try store.db.scalarInt(sql) ?? -1) }
