import Foundation
import SQLLogicTest
import XCTest

/// Runs every saved query under Queries/ (sqllogictest files), one test per file's records.
final class QueriesTests: XCTestCase {
    func testSavedQueries() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let files = SLTRunner.files(in: [root.appendingPathComponent("Queries").path])
        XCTAssertGreaterThan(files.count, 5, "Queries/ should hold the saved queries")
        var total = 0
        for file in files {
            let r = SLTRunner().run(path: file)
            total += r.passed
            for f in r.failures { XCTFail(f.description) }
        }
        XCTAssertGreaterThan(total, 150)
    }

    func testRunnerCatchesWrongResultsAndHashes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.slt").path
        try """
        load p
        {"id":"a","created":"2026-01-01T00:00:00Z","metadata":{"v":1}}
        {"id":"b","created":"2026-01-02T00:00:00Z","metadata":{"v":2}}

        query I rowsort
        SELECT metadata.v FROM project_logs('p')
        ----
        1
        3

        hash-threshold 1

        query I rowsort
        SELECT metadata.v FROM project_logs('p')
        ----
        2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0

        statement error no such thing
        SELECT id FROM project_logs('p')
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = SLTRunner().run(path: path)
        XCTAssertEqual(r.passed, 2, "the load and the hashed query ('1\\n2\\n' hashes to 6ddb...)")
        XCTAssertEqual(r.failures.map(\.line), [5, 18])
        XCTAssertTrue(r.failures[1].message.contains("expected an error containing 'no such thing', but the query ran"))
        // --complete writes the actual results in.
        let completed = SLTReader.write(r.completed)
        XCTAssertTrue(completed.contains("----\n1\n2\n"), completed)
    }
}
