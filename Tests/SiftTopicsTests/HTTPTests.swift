import Foundation
import SiftModel
import SiftTestSupport
@testable import SiftTopics
import XCTest

/// The libcurl-backed transport under the model-server client and `sift models install`.
final class HTTPTests: XCTestCase {
    func testPostRoundTripWithLargeBodiesBothWays() throws {
        let big = String(repeating: "abcdefghij", count: 30_000)
        let server = try MockModelServer { path, body in
            let n = body["text"]?.stringValue?.count ?? -1
            return (201, JSONWriter.string(["path": .string(path), "received": .int(Int64(n)), "echo": .string(big)]))
        }
        defer { server.stop() }
        let payload = Array(JSONWriter.string(["text": .string(big)]).utf8)
        let r = try HTTP.request("POST", server.url + "/echo", headers: ["Content-Type: application/json"], body: payload, timeout: 10)
        XCTAssertEqual(r.status, 201)
        let reply = try JSONReader.parse(r.text)
        XCTAssertEqual(reply["path"]?.stringValue, "/v1/echo")
        XCTAssertEqual(reply["received"], .int(300_000))
        XCTAssertEqual(reply["echo"]?.stringValue, big)
        XCTAssertEqual(server.requests.count, 1)
    }

    func testErrorStatusesAreResponsesNotFailures() throws {
        let server = try MockModelServer { _, _ in (503, "{\"error\":\"busy\"}") }
        defer { server.stop() }
        let r = try HTTP.request("GET", server.url + "/models", timeout: 10)
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.text, "{\"error\":\"busy\"}")
    }

    func testTimeoutsAndUnreachableHostsThrowWithTheReason() throws {
        let server = try MockModelServer { _, _ in Thread.sleep(forTimeInterval: 3); return (200, "{}") }
        defer { server.stop() }
        XCTAssertThrowsError(try HTTP.request("POST", server.url + "/slow", body: Array("{}".utf8), timeout: 0.3)) { e in
            XCTAssertTrue("\(e)".lowercased().contains("timed out"), "\(e)")
        }
        XCTAssertThrowsError(try HTTP.request("GET", "http://127.0.0.1:9/v1/models", timeout: 5)) { e in
            XCTAssertFalse("\(e)".isEmpty)
        }
        XCTAssertThrowsError(try HTTP.request("GET", "notaurl://x", timeout: 5)) { e in
            XCTAssertFalse("\(e)".isEmpty)
        }
    }
}
