// `sift serve`: one process that receives OTLP/HTTP traces, classifies new traces against the
// existing topics as they arrive, re-clusters on a schedule, and serves the web app. Loopback by
// default; any other address needs a token (sent as `Authorization: Bearer`, or the app's login
// cookie) for everything it serves, or the server refuses to start.

import Foundation
import SiftEngine
import SiftModel
import SiftStore
import SiftTopics

public struct ServeOptions: Sendable {
    public var path: String
    public var host = "127.0.0.1"
    public var port = 4318
    /// Required for every request when set; required to be set for a non-loopback host.
    public var token: String?
    /// Largest request body, compressed or inflated.
    public var maxBodyBytes = 32 << 20
    /// Classify traces that arrived this long after the last commit settled (seconds); nil: never.
    public var classifyDelay: Double? = 2
    /// Re-cluster every project on this period (seconds); nil: only on demand.
    public var reclusterEvery: Double?
    /// Sync each commit to disk before acknowledging it.
    public var durable = true
    public var maxPendingSpans = 262_144

    public init(path: String) { self.path = path }
}

public struct ServeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public final class SiftServer: @unchecked Sendable {
    public let options: ServeOptions
    let writer: LiveWriter
    let live: LiveTopics
    let http: HTTPServer
    /// The app's reading connection: one request at a time uses it (queries keep columns between requests).
    let reader: Workspace
    let readerLock = NSLock()
    lazy var session: Session = reader.session(caching: true)
    /// Random per process: forms carry it, and a write without it is refused (CSRF).
    let csrf: String
    public private(set) var port = 0
    let started = Date()

    /// Opens (or creates) the store and checks the bind address against the token.
    public init(options: ServeOptions, topicsOptions: @escaping @Sendable (Workspace, String) throws -> TopicsOptions) throws {
        if !Self.isLoopback(options.host) && (options.token ?? "").isEmpty {
            throw ServeError("refusing to listen on \(options.host) without a token: anyone who can reach it could read and write every trace. Set SIFT_TOKEN (clients send `Authorization: Bearer <token>`), or listen on 127.0.0.1")
        }
        if let t = options.token, !t.isEmpty, t.count < 16 {
            throw ServeError("SIFT_TOKEN is \(t.count) characters; use at least 16 (e.g. `openssl rand -hex 24`)")
        }
        self.options = options
        writer = try LiveWriter(path: options.path, durable: options.durable, maxPendingSpans: options.maxPendingSpans)
        reader = try Workspace(path: options.path, create: false)
        live = try LiveTopics(path: options.path, classifyDelay: options.classifyDelay, reclusterEvery: options.reclusterEvery, topicsOptions: topicsOptions)
        http = HTTPServer(maxBodyBytes: options.maxBodyBytes)
        var bytes = [UInt8](repeating: 0, count: 24)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        csrf = bytes.map { String(format: "%02x", $0) }.joined()
        let live = self.live
        writer.onCommit = { projects in live.noteArrivals(projects) }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Starts listening; returns the port.
    @discardableResult
    public func start() throws -> Int {
        live.start()
        port = try http.start(host: options.host, port: options.port, admit: { [unowned self] method, uri, headers in
            self.admit(method: method, uri: uri, headers: headers)
        }) { [unowned self] req, respond in
            // OTLP requests are answered once their spans commit, on the writer's thread.
            if req.path == "/v1/traces", req.method == "POST", self.tokenAccepted(req) {
                self.receive(req, respond: respond)
            } else {
                respond(self.handle(req))
            }
        }
        // The name given may resolve to anything: what was bound decides whether a token is needed.
        if (options.token ?? "").isEmpty, let ip = http.localIP, !Self.isLoopbackIP(ip) {
            http.stop()
            throw ServeError("refusing to listen on \(options.host) (\(ip)) without a token: it is not a loopback address. Set SIFT_TOKEN, or listen on 127.0.0.1")
        }
        return port
    }

    static func isLoopbackIP(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// Checks a request on its head, before its body is read. Without a token, only requests
    /// addressed to this machine by a loopback name are served: a web page that rebinds its own
    /// domain to 127.0.0.1 (DNS rebinding) gets 421, not the store. With a token, a write without it
    /// is refused here, before its body is buffered.
    func admit(method: String, uri: String, headers: [(name: String, value: String)]) -> HTTPResponse? {
        func header(_ n: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(n) == .orderedSame }?.value }
        guard let token = options.token, !token.isEmpty else {
            let host = Self.hostName(header("Host") ?? "")
            let allowed = ["127.0.0.1", "localhost", "::1", options.host.lowercased()]
            guard allowed.contains(host) || host.hasPrefix("127.") else {
                return .text(421, "this server answers only requests addressed to 127.0.0.1, localhost or [::1] (the Host header said '\(host)')\n")
            }
            return nil
        }
        if method != "GET" && method != "HEAD", !uri.hasPrefix("/login"),
           !authorized(bearer: header("Authorization"), cookie: header("Cookie"), token: token) {
            return .text(401, "missing or wrong token: send `Authorization: Bearer <SIFT_TOKEN>`\n", headers: [("WWW-Authenticate", "Bearer")])
        }
        return nil
    }

    /// Whether an Origin header names this server as the Host header does (host and port; IPv6 too).
    static func sameOrigin(_ origin: String, host: String) -> Bool {
        guard origin != "null", let o = URL(string: origin), let h = URL(string: "http://" + host) else { return false }
        return hostName(o.host ?? "") == hostName(h.host ?? "") && o.port == h.port
    }

    /// The host part of a Host header or URL authority, lowercased, without brackets or port.
    static func hostName(_ authority: String) -> String {
        var a = Substring(authority.lowercased())
        if a.hasPrefix("[") , let close = a.firstIndex(of: "]") { return String(a[a.index(after: a.startIndex)..<close]) }
        if let colon = a.lastIndex(of: ":"), a.filter({ $0 == ":" }).count == 1 { a = a[..<colon] }
        if a.hasSuffix(".") { a = a.dropLast() }
        return String(a)
    }

    public func wait() { http.wait() }

    /// Stops listening, commits what was acknowledged... (nothing is acknowledged before it commits), stops the pipeline.
    public func stop() {
        http.stop()
        writer.close()
        live.stop()
    }

    // MARK: - Routing

    func tokenAccepted(_ req: HTTPRequest) -> Bool {
        guard let token = options.token, !token.isEmpty else { return true }
        return authorized(req, token: token)
    }

    func handle(_ req: HTTPRequest) -> HTTPResponse {
        if let token = options.token, !token.isEmpty, !authorized(req, token: token) {
            if req.method == "GET", !req.path.hasPrefix("/v1/"), !req.path.hasPrefix("/api/") {
                if req.path == "/login" { return WebApp.login(next: req.query["next"] ?? "/", failed: false) }
                let back = req.rawPath + (req.rawQuery.isEmpty ? "" : "?" + req.rawQuery)
                return .redirect("/login?next=" + WebApp.urlComponent(back))
            }
            if req.method == "POST", req.path == "/login" {
                let form = req.form
                guard let given = form["token"], constantTimeEqual(given, token) else { return WebApp.login(next: form["next"] ?? "/", failed: true) }
                var r = HTTPResponse.redirect(WebApp.safeNext(form["next"]))
                r.headers.append(("Set-Cookie", "sift_token=\(token); HttpOnly; SameSite=Strict; Path=/"))
                return r
            }
            return .text(401, "missing or wrong token: send `Authorization: Bearer <SIFT_TOKEN>`\n", headers: [("WWW-Authenticate", "Bearer")])
        }
        if req.path == "/v1/traces" { return .text(405, "POST OTLP trace requests here\n", headers: [("Allow", "POST")]) }
        if req.method == "POST" {
            // Writes from the page: same origin, with the form's token.
            if let origin = req.header("Origin"), !Self.sameOrigin(origin, host: req.header("Host") ?? "") {
                return .text(403, "cross-origin write refused\n")
            }
            guard let given = req.form["csrf"], constantTimeEqual(given, csrf) else {
                return .text(403, "this form is stale or did not come from this server (missing CSRF token): reload the page and try again\n")
            }
        }
        do {
            return try WebApp(server: self).route(req)
        } catch let e as WebApp.NotFound {
            return WebApp.page(status: 404, title: "Not found", body: "<p>\(WebApp.esc(e.message))</p>")
        } catch {
            return WebApp.page(status: 500, title: "Error", body: "<p class=\"error\">\(WebApp.esc("\(error)"))</p>")
        }
    }

    func authorized(_ req: HTTPRequest, token: String) -> Bool {
        authorized(bearer: req.header("Authorization"), cookie: req.header("Cookie"), token: token)
    }

    func authorized(bearer auth: String?, cookie: String?, token: String) -> Bool {
        // The scheme name is case-insensitive (RFC 7235).
        if let auth, auth.count > 7, auth.prefix(7).lowercased() == "bearer ",
           constantTimeEqual(auth.dropFirst(7).trimmingCharacters(in: .whitespaces), token) { return true }
        if let cookie {
            for part in cookie.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix("sift_token="), constantTimeEqual(String(kv.dropFirst(11)), token) { return true }
            }
        }
        return false
    }

    func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// Runs `body` with the reading workspace, one request at a time.
    func reading<T>(_ body: (Workspace, Session) throws -> T) rethrows -> T {
        readerLock.lock()
        defer { readerLock.unlock() }
        return try body(reader, session)
    }
}
