import Foundation
import XCTest
@testable import SiftModel
@testable import SiftStore

/// A fresh directory per test, removed afterwards.
final class TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// The shared data folder beside the repository, or nil (the test then skips with a message).
func sharedData(_ relative: String) -> String? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/SiftStoreTests/Helpers.swift -> repo
    let p = url.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(relative).path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}

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
