import Foundation
import XCTest
import SiftModel
import SiftTestSupport
@testable import SiftStore

/// The `sift` binary built beside the tests, run in a temporary directory; the CLI test classes share it.
class CLITestCase: XCTestCase {
    var temp: TempDir!
    var dir: URL { temp.url }

    override func setUpWithError() throws {
        temp = TempDir("sift-cli")
    }

    override func tearDown() { temp = nil }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    static var binary: URL {
        get throws {
            let candidates = [Bundle.main.bundleURL.appendingPathComponent("sift"),
                              Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("sift")]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw XCTSkip("the sift binary was not found beside the tests (looked in \(candidates.map(\.path)))")
            }
            return found
        }
    }

    struct Result { var status: Int32; var out: String; var err: String }

    @discardableResult
    func sift(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = try Self.binary
        p.arguments = args
        p.currentDirectoryURL = dir
        var environment = ProcessInfo.processInfo.environment
        environment["SIFT_DB"] = nil
        // Hermetic: no model installed by the user (or by CI) changes what the commands do.
        environment["SIFT_MODELS_DIR"] = dir.appendingPathComponent("models").path
        environment["SIFT_EMBEDDING_MODEL"] = nil
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }
}
