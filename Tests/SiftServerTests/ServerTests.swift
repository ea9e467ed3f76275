// sift serve over real sockets: OTLP requests in both encodings acknowledged only once committed, the
// token rules, CSRF on the app's writes, hostile trace content escaped on the pages, many clients at once.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SiftModel
import SiftStore
import SiftTestSupport
import SiftTopics
import XCTest
@testable import SiftServer

final class ServerTests: XCTestCase {
    var dir: TempDir!
    var server: SiftServer!
    var base = ""

    override func setUpWithError() throws {
        dir = TempDir()
        server = try start()
    }

    override func tearDown() {
        server?.stop()
    }

    func start(_ configure: (inout ServeOptions) -> Void = { _ in }) throws -> SiftServer {
        var options = ServeOptions(path: dir.path("serve.db"))
        options.port = 0
        options.classifyDelay = nil
        options.durable = false
        configure(&options)
        let s = try SiftServer(options: options) { _, project in try TopicsOptions(project: project) }
        let port = try s.start()
        base = "http://127.0.0.1:\(port)"
        return s
    }

    /// A blocking request: (status, headers, body).
    func request(_ path: String, method: String = "GET", body: [UInt8]? = nil, headers: [String: String] = [:]) -> (Int, [String: String], String) {
        var req = URLRequest(url: URL(string: base + path)!)
        req.httpMethod = method
        if let body { req.httpBody = Data(body) }
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var value = (0, [String: String](), "") }
        let out = Box()
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        let session = URLSession(configuration: config, delegate: NoRedirects(), delegateQueue: nil)
        session.dataTask(with: req) { data, response, error in
            let http = response as? HTTPURLResponse
            var hs: [String: String] = [:]
            for (k, v) in http?.allHeaderFields ?? [:] { hs[String(describing: k).lowercased()] = String(describing: v) }
            out.value = (http?.statusCode ?? -1, hs, data.map { String(decoding: $0, as: UTF8.self) } ?? "\(error.map { "\($0)" } ?? "")")
            done.signal()
        }.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        return out.value
    }

    final class NoRedirects: NSObject, URLSessionTaskDelegate {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    static func otlpJSON(service: String, trace: String, spans: [(id: String, parent: String?, name: String, input: String)]) -> [UInt8] {
        let list = spans.map { s -> Value in
            var o: JSONObject = ["traceId": .string(trace), "spanId": .string(s.id), "name": .string(s.name),
                                 "startTimeUnixNano": .string("1733000000000000000"), "endTimeUnixNano": .string("1733000002000000000"),
                                 "attributes": .array([.object(["key": "input.value", "value": .object(["stringValue": .string(s.input)])])])]
            if let p = s.parent { o["parentSpanId"] = .string(p) }
            return .object(o)
        }
        let req: Value = .object(["resourceSpans": .array([.object([
            "resource": .object(["attributes": .array([.object(["key": "service.name", "value": .object(["stringValue": .string(service)])])])]),
            "scopeSpans": .array([.object(["spans": .array(list)])]),
        ])])])
        return Array(JSONWriter.string(req).utf8)
    }

    func count(_ project: String, _ q: String) throws -> Int64? {
        let path = "/api/query?project=\(project)&q=" + q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (status, _, body) = request(path)
        XCTAssertEqual(status, 200, body)
        return (try JSONReader.parse(body))["rows"]?[0]?[0]?.intValue
    }

    func testProtobufAndJSONRequestsLandAndJoinTheirTrace() throws {
        // The root arrives as protobuf, its child later as JSON: one trace.
        var span = Protobuf()
        span.bytes(field: 1, [UInt8](repeating: 0xAB, count: 16))
        span.bytes(field: 2, [1, 2, 3, 4, 5, 6, 7, 8])
        span.bytes(field: 5, Array("root".utf8))
        span.fixed64(field: 7, 1_733_000_000_000_000_000)
        span.fixed64(field: 8, 1_733_000_003_000_000_000)
        var scope = Protobuf()
        scope.bytes(field: 2, span.out)
        var resource = Protobuf()
        var kv = Protobuf()
        kv.bytes(field: 1, Array("service.name".utf8))
        var any = Protobuf()
        any.bytes(field: 1, Array("joined".utf8))
        kv.bytes(field: 2, any.out)
        var res = Protobuf()
        res.bytes(field: 1, kv.out)
        resource.bytes(field: 1, res.out)
        resource.bytes(field: 2, scope.out)
        var req = Protobuf()
        req.bytes(field: 1, resource.out)
        let (s1, h1, _) = request("/v1/traces", method: "POST", body: req.out, headers: ["Content-Type": "application/x-protobuf"])
        XCTAssertEqual(s1, 200)
        XCTAssertEqual(h1["content-type"], "application/x-protobuf")
        let child = Self.otlpJSON(service: "joined", trace: String(repeating: "ab", count: 16),
                                  spans: [("0a0b0c0d0e0f0001", "0102030405060708", "child", "hello")])
        let (s2, _, b2) = request("/v1/traces", method: "POST", body: child, headers: ["Content-Type": "application/json"])
        XCTAssertEqual(s2, 200)
        XCTAssertEqual(b2, "{}")
        XCTAssertEqual(try count("joined", "SELECT count(1) FROM project_logs('joined', shape => 'traces')"), 1)
        XCTAssertEqual(try count("joined", "SELECT count(1) FROM project_logs('joined') WHERE root_span_id = '\(String(repeating: "ab", count: 16))'"), 2)
        XCTAssertEqual(try count("joined", "SELECT count(1) FROM project_logs('joined') WHERE span_parents[0] = '0102030405060708'"), 1)
    }

    func testManyClientsAtOnceAllCommitted() throws {
        let clients = 8, requestsEach = 25
        DispatchQueue.concurrentPerform(iterations: clients) { c in
            for r in 0..<requestsEach {
                let trace = String(format: "%016x%016x", c + 1, r + 1)
                let body = Self.otlpJSON(service: "busy", trace: trace, spans: [(String(format: "%016x", c * 1000 + r + 1), nil, "root", "q \(c) \(r)")])
                let (status, _, text) = request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json"])
                XCTAssertEqual(status, 200, text)
            }
        }
        XCTAssertEqual(try count("busy", "SELECT count(1) FROM project_logs('busy')"), Int64(clients * requestsEach))
        let stats = server.writer.snapshot
        XCTAssertEqual(stats.spans, clients * requestsEach)
        XCTAssertLessThanOrEqual(stats.batches, clients * requestsEach)
    }

    func testHostileContentIsEscapedOnEveryPage() throws {
        let payloads = ["<script>window.pwned=1</script>", "\"><img src=x onerror=window.pwned=2>", "</script><script>window.pwned=3</script>", "'-alert(4)-'"]
        let spans = payloads.enumerated().map { (String(format: "%016x", $0.offset + 1), $0.offset == 0 ? nil : String(format: "%016x", 1), $0.element, $0.element) }
        let body = Self.otlpJSON(service: "hostile<u>x", trace: String(repeating: "cd", count: 16), spans: spans)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json"]).0, 200)
        let project = "hostile%3Cu%3Ex"
        for path in ["/", "/projects/\(project)", "/projects/\(project)/traces/\(String(repeating: "cd", count: 16))",
                     "/projects/\(project)/query?q=" + "SELECT input, span_attributes.name FROM project_logs('hostile<u>x')".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                     "/projects/\(project)/review", "/status"] {
            let (status, _, html) = request(path)
            XCTAssertEqual(status, 200, path)
            for p in payloads where html.contains(p) { XCTFail("\(path) shows \(p) unescaped") }
            XCTAssertFalse(html.contains("<u>x"), path)
        }
        let (_, _, tracePage) = request("/projects/\(project)/traces/\(String(repeating: "cd", count: 16))")
        XCTAssertTrue(tracePage.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
    }

    func testWritesFromThePageNeedTheCSRFToken() throws {
        let body = Self.otlpJSON(service: "p", trace: String(repeating: "ef", count: 16), spans: [("00000000000000aa", nil, "root", "x")])
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json"]).0, 200)
        let form = Array("reviewer=ann&filter=1%3D1&cap=5".utf8)
        let (refused, _, _) = request("/projects/p/review/assign", method: "POST", body: form, headers: ["Content-Type": "application/x-www-form-urlencoded"])
        XCTAssertEqual(refused, 403)
        let (crossSite, _, _) = request("/projects/p/review/assign", method: "POST", body: form + Array("&csrf=\(server.csrf)".utf8),
                                        headers: ["Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"])
        XCTAssertEqual(crossSite, 403)
        let (ok, headers, _) = request("/projects/p/review/assign", method: "POST", body: form + Array("&csrf=\(server.csrf)".utf8),
                                       headers: ["Content-Type": "application/x-www-form-urlencoded"])
        XCTAssertEqual(ok, 303)
        XCTAssertTrue(headers["location"]?.contains("assigned") == true, "\(headers)")
        let (_, _, page) = request("/projects/p/review")
        XCTAssertTrue(page.contains("ann"))
    }

    func testAPublicBindNeedsAToken() throws {
        XCTAssertThrowsError(try start { $0.host = "0.0.0.0" }) { error in
            XCTAssertTrue("\(error)".contains("SIFT_TOKEN"), "\(error)")
        }
        XCTAssertThrowsError(try start { $0.host = "0.0.0.0"; $0.token = "short" })
        server.stop()
        let token = "0123456789abcdef0123"
        server = try start { $0.token = token }
        let body = Self.otlpJSON(service: "t", trace: String(repeating: "12", count: 16), spans: [("00000000000000bb", nil, "root", "x")])
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json"]).0, 401)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json", "Authorization": "Bearer wrong"]).0, 401)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"]).0, 200)
        XCTAssertEqual(request("/api/query?q=SELECT%201").0, 401)
        let (redirect, headers, _) = request("/projects/t")
        XCTAssertEqual(redirect, 303)
        XCTAssertEqual(headers["location"], "/login?next=%2Fprojects%2Ft")
        XCTAssertEqual(request("/projects/t", headers: ["Cookie": "sift_token=\(token)"]).0, 200)
        let (login, loginHeaders, _) = request("/login", method: "POST", body: Array("token=\(token)&next=%2Fstatus".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        XCTAssertEqual(login, 303)
        XCTAssertEqual(loginHeaders["location"], "/status")
        XCTAssertEqual(request("/login", method: "POST", body: Array("token=nope".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"]).0, 401)
    }

    func testGzipBodiesAndLimits() throws {
        let body = Self.otlpJSON(service: "gz", trace: String(repeating: "34", count: 16), spans: [("00000000000000cc", nil, "root", "compressed")])
        let gz = try gzip(body)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: gz, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"]).0, 200)
        XCTAssertEqual(try count("gz", "SELECT count(1) FROM project_logs('gz') WHERE input = 'compressed'"), 1)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: Array(gz.prefix(gz.count / 2)), headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"]).0, 400)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json", "Content-Encoding": "br"]).0, 415)
        let big = [UInt8](repeating: 0x20, count: server.options.maxBodyBytes + 1)
        let (tooBig, bigHeaders, bigBody) = request("/v1/traces", method: "POST", body: big, headers: ["Content-Type": "application/json"])
        XCTAssertEqual(tooBig, 413)
        XCTAssertEqual(bigHeaders["content-type"], "application/json")
        XCTAssertEqual(try JSONReader.parse(bigBody)["code"], .int(8))
    }

    /// What an independent review found (DNS rebinding, cross-site posts, redirects, ids in other encodings).
    func testReviewFindingsStayFixed() throws {
        let body = Self.otlpJSON(service: "r", trace: String(repeating: "56", count: 16), spans: [("00000000000000dd", nil, "root", "x")])
        // A page whose domain rebinds to 127.0.0.1 sends its own name as Host: refused before anything is read.
        let (rebound, _, _) = request("/api/status", headers: ["Host": "rebind.attacker.example:\(server.port)"])
        XCTAssertEqual(rebound, 421)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json", "Host": "evil.example"]).0, 421)
        XCTAssertEqual(request("/api/status", headers: ["Host": "localhost:\(server.port)"]).0, 200)
        // A browser posts cross-origin without asking first only without a type (or as text/plain): refused.
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body).0, 415)
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "text/plain"]).0, 415)
        // Ids in other encodings join their trace: uppercase hex, and base64 of the same bytes.
        let upper = Self.otlpJSON(service: "r", trace: String(repeating: "AB", count: 16), spans: [("00000000000000EE", nil, "root", "x")])
        XCTAssertEqual(request("/v1/traces", method: "POST", body: upper, headers: ["Content-Type": "application/json"]).0, 200)
        let b64 = Self.otlpJSON(service: "r", trace: "q6urq6urq6urq6urq6urqw==", spans: [("AAAAAAAAAO8=", "00000000000000ee", "child", "y")])
        XCTAssertEqual(request("/v1/traces", method: "POST", body: b64, headers: ["Content-Type": "application/json"]).0, 200)
        XCTAssertEqual(try count("r", "SELECT count(1) FROM project_logs('r') WHERE root_span_id = '\(String(repeating: "ab", count: 16))'"), 2)
        XCTAssertEqual(try count("r", "SELECT count(1) FROM project_logs('r') WHERE span_id = '00000000000000ef' AND span_parents[0] = '00000000000000ee'"), 1)
        // A project without topics yet gets a page saying so, not an error.
        let (topics, _, page) = request("/projects/r/topics/Issues")
        XCTAssertEqual(topics, 200)
        XCTAssertTrue(page.contains("No Issues topics yet"), page)
        // Redirects after a login stay on this server.
        for next in ["/\t/evil.example/", "//evil.example", "/\\evil.example", "https://evil.example", "/ok\n"] { XCTAssertEqual(WebApp.safeNext(next), "/", next) }
        XCTAssertEqual(WebApp.safeNext("/projects/r/query?q=x"), "/projects/r/query?q=x")
        // Same origin over IPv6 and with ports; the loopback test is on the address bound.
        XCTAssertTrue(SiftServer.sameOrigin("http://[::1]:41823", host: "[::1]:41823"))
        XCTAssertFalse(SiftServer.sameOrigin("http://[::1]:41824", host: "[::1]:41823"))
        XCTAssertFalse(SiftServer.sameOrigin("null", host: "127.0.0.1:1"))
        XCTAssertTrue(SiftServer.isLoopbackIP("127.0.0.1") && SiftServer.isLoopbackIP("::1") && !SiftServer.isLoopbackIP("192.0.2.2"))
    }

    func testTokenCheckedBeforeTheBodyAndBearerInAnyCase() throws {
        server.stop()
        let token = "0123456789abcdef0123"
        server = try start { $0.token = token }
        let body = Self.otlpJSON(service: "t", trace: String(repeating: "78", count: 16), spans: [("00000000000000ff", nil, "root", "x")])
        XCTAssertEqual(request("/v1/traces", method: "POST", body: body, headers: ["Content-Type": "application/json", "Authorization": "bearer \(token)"]).0, 200)
        let (refused, headers, _) = request("/v1/traces", method: "POST", body: [UInt8](repeating: 0x20, count: 4 << 20), headers: ["Content-Type": "application/json"])
        XCTAssertEqual(refused, 401)
        XCTAssertEqual(headers["connection"], "close")
        // With a token the Host header may be any name the server is reached by.
        XCTAssertEqual(request("/api/status", headers: ["Authorization": "Bearer \(token)", "Host": "sift.internal.example"]).0, 200)
    }

    /// gzip through the system's gzip tool, so the server's inflate is checked against another encoder.
    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let input = dir.write("body.json", bytes: bytes)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-kf", input]
        try p.run()
        p.waitUntilExit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: input + ".gz")))
    }
}

/// Back-pressure: while the write queue holds more spans than allowed, new requests are refused (the
/// server answers 429 with Retry-After) rather than queued without bound; once it drains, they are taken.
final class LiveWriterTests: XCTestCase {
    func testAFullQueueRefusesAndADrainedOneTakes() throws {
        let dir = TempDir()
        let writer = try LiveWriter(path: dir.path("s.db"), durable: false, maxPendingSpans: 25_000)
        func rows(_ n: Int, _ prefix: String) -> [SpanRow] {
            (0..<n).map { SpanRow(Span(id: "\(prefix)\($0)", created: Timestamp(microseconds: 1_700_000_000_000_000 + Int64($0))), projectName: "p") }
        }
        let done = DispatchGroup()
        done.enter()
        XCTAssertTrue(writer.submit(rows(20_000, "a"), rejected: 0) { XCTAssertNil($0); done.leave() })
        // The first request is still being written: 20,000 + 10,000 is over the limit.
        XCTAssertFalse(writer.submit(rows(10_000, "b"), rejected: 0) { _ in XCTFail("a refused request is never answered") })
        done.wait()
        XCTAssertEqual(writer.snapshot.pendingSpans, 0)
        done.enter()
        XCTAssertTrue(writer.submit(rows(10_000, "b"), rejected: 0) { XCTAssertNil($0); done.leave() })
        done.wait()
        writer.close()
        XCTAssertEqual(writer.snapshot.spans, 30_000)
        XCTAssertFalse(writer.submit(rows(1, "c"), rejected: 0) { _ in }, "a closed writer takes nothing")
    }
}
