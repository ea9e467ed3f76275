// The house rules of issue 12 that a source tree can break without any behaviour changing: no Swift
// file over 30 KB, at most two CLI files importing SiftStore, the store's connection not public, and
// SQL statements only in SiftStore.

import Foundation
import XCTest

final class HouseTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    func swiftFiles(under dir: String) -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(dir)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            if let text = try? String(contentsOf: url, encoding: .utf8) { out.append((url.path.replacingOccurrences(of: root.path + "/", with: ""), text)) }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    func testSourceTreeKeepsTheHouseRules() throws {
        let sources = swiftFiles(under: "Sources")
        try XCTSkipIf(sources.isEmpty, "no Sources beside the tests at \(root.path)")
        for (path, text) in sources + swiftFiles(under: "Tests") + swiftFiles(under: "Fuzz") {
            XCTAssertLessThanOrEqual(text.utf8.count, 30_000, "\(path) is over 30 KB: split it by what its parts do")
        }
        let cliImportingStore = sources.filter { $0.path.hasPrefix("Sources/sift/") && $0.text.contains("\nimport SiftStore") }.map(\.path)
        XCTAssertLessThanOrEqual(cliImportingStore.count, 2, "CLI files importing SiftStore: \(cliImportingStore)")
        for (path, text) in sources where path.hasPrefix("Sources/SiftStore/") {
            XCTAssertFalse(text.contains("public var db") || text.contains("public let db"), "\(path): the store's connection is public")
        }
        // A statement of the store's tables outside SiftStore (the SQL logic test harness runs SQL on purpose).
        let statement = try NSRegularExpression(pattern: #"(?:SELECT\b[^"]*\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(?:spans|facets|classifications|topics|topic_runs|scorers|scores|datasets|dataset_records|review_items|projects|column_chunks|ingest_runs)\b"#)
        for (path, text) in sources where !path.hasPrefix("Sources/SiftStore/") && !path.hasPrefix("Sources/SQLLogicTest/") {
            let hit = statement.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length))
            XCTAssertNil(hit, "\(path) runs SQL on the store's tables: \(hit.map { (text as NSString).substring(with: $0.range).prefix(80) } ?? "")")
        }
    }
}
