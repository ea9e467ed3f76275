// What many test targets need: a fresh directory per test (removed afterwards), the shared
// third-party data folder beside the repository, and seeded randomness for fuzzing.

import Foundation
import SiftModel

/// A fresh directory per test, removed when the value goes away.
public final class TempDir {
    public let url: URL

    public init(_ prefix: String = "sift-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// A file of `../shared/data` (beside the repository), or nil when it is absent: the test then
/// skips, saying which file it needed.
public func sharedData(_ relative: String) -> String? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/SiftTestSupport/TempDir.swift -> repo
    let p = url.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(relative).path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}

extension SeededRandom {
    /// Uniform in 0..<n (fuzzers pick lengths, positions and alternatives with it).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
