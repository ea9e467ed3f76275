// A small HTTP/1.1 server on SwiftNIO: NIO parses requests (keep-alive, pipelining, chunked bodies,
// malformed input answered with 400 by its error handler); this file collects each body up to a limit
// and hands the whole request to a responder on a worker queue, since every handler here reads or
// writes SQLite and must not block an event loop. A body over the limit is answered 413 and the
// connection closed.

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without its query string, percent-decoded.
    public var path: String
    /// The path as sent: split it on "/" before decoding its components.
    public var rawPath: String
    /// The query string as sent.
    public var rawQuery = ""
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Form fields of an `application/x-www-form-urlencoded` body.
    public var form: [String: String] { HTTPRequest.parseQuery(String(decoding: body, as: UTF8.self)) }

    static func parseQuery(_ s: Substring) -> [String: String] { parseQuery(String(s)) }

    static func parseQuery(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in s.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = decodeComponent(String(kv[0]))
            let v = kv.count > 1 ? decodeComponent(String(kv[1])) : ""
            if out[k] == nil { out[k] = v }
        }
        return out
    }

    static func decodeComponent(_ s: String) -> String {
        (s.replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? s
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.headers = [("Content-Type", contentType)] + headers
    }

    public static func text(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8), headers: headers)
    }

    public static func html(_ status: Int, _ html: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(html.utf8), headers: headers)
    }

    public static func redirect(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, contentType: "text/plain; charset=utf-8", body: Array("see \(location)\n".utf8), headers: [("Location", location)])
    }
}

/// Answers a request; calls `respond` exactly once, from any thread.
public typealias Responder = @Sendable (HTTPRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void

/// Looks at a request's head (method, URI, headers) before its body is read: a response refuses the
/// request at once (its body is not read and the connection is closed); nil lets it through.
public typealias Admission = @Sendable (_ method: String, _ uri: String, _ headers: [(name: String, value: String)]) -> HTTPResponse?

public final class HTTPServer: @unchecked Sendable {
    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?
    public let maxBodyBytes: Int

    public init(maxBodyBytes: Int, eventLoops: Int = 2) {
        self.maxBodyBytes = maxBodyBytes
        group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoops)
    }

    /// The address bound, as text ("127.0.0.1", "::1", ...).
    public var localIP: String? { channel?.localAddress?.ipAddress }

    /// Binds and starts serving; returns the port bound (useful with port 0). A connection that sends
    /// nothing for `idleSeconds` is closed (a client cannot hold one open by trickling a request).
    public func start(host: String, port: Int, idleSeconds: Int64 = 30, admit: @escaping Admission = { _, _, _ in nil },
                      responder: @escaping Responder) throws -> Int {
        let maxBody = maxBodyBytes
        let work = DispatchQueue(label: "sift-serve-work", attributes: .concurrent)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    try ops.addHandler(IdleStateHandler(readTimeout: .seconds(idleSeconds)))
                    try ops.configureHTTPServerPipeline(withErrorHandling: true)
                    try ops.addHandler(RequestHandler(maxBody: maxBody, work: work, admit: admit, responder: responder))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
        let ch = try bootstrap.bind(host: host, port: port).wait()
        channel = ch
        return ch.localAddress?.port ?? port
    }

    /// Blocks until the server is stopped.
    public func wait() {
        try? channel?.closeFuture.wait()
    }

    public func stop() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Collects one request at a time per connection (NIO's pipelining helper holds the next one back
/// until the response to this one is written).
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxBody: Int
    private let work: DispatchQueue
    private let responder: Responder
    private let admit: Admission
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var refused = false
    private var discarded = 0

    init(maxBody: Int, work: DispatchQueue, admit: @escaping Admission, responder: @escaping Responder) {
        self.maxBody = maxBody
        self.work = work
        self.admit = admit
        self.responder = responder
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
            discarded = 0
            if let refusal = admit(h.method.rawValue, h.uri, h.headers.map { ($0.name, $0.value) }) {
                // Refused on its head: the body is never read, and the connection closes after the answer.
                refused = true
                head = nil
                write(context, version: h.version, keepAlive: false, refusal)
                return
            }
            if let declared = h.headers.first(name: "content-length").flatMap({ Int($0) }), declared > maxBody {
                tooLarge = true
            }
        case .body(let buf):
            if refused { return }
            if tooLarge {
                // Read and dropped, so the client sees the 413; a client that keeps sending far past
                // the limit is cut off.
                discarded += buf.readableBytes
                if discarded > maxBody * 4 { context.close(promise: nil) }
                return
            }
            if body.count + buf.readableBytes > maxBody {
                tooLarge = true
                body = []
                return
            }
            buf.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        case .end:
            guard let h = head else { return }
            head = nil
            if tooLarge {
                let message = "request body over the \(maxBody / (1 << 20)) MiB limit (sift serve --max-body raises it)"
                // OTLP clients read a google.rpc.Status (code 8, resource exhausted) in their request's encoding.
                let response: HTTPResponse
                if h.uri.hasPrefix("/v1/") {
                    if h.headers.first(name: "content-type")?.lowercased().contains("protobuf") == true {
                        var p = Protobuf()
                        p.varint(field: 1, 8)
                        p.bytes(field: 2, Array(message.utf8))
                        response = HTTPResponse(status: 413, contentType: "application/x-protobuf", body: p.out)
                    } else {
                        response = HTTPResponse(status: 413, contentType: "application/json", body: Array("{\"code\":8,\"message\":\(JSONText.quote(message))}".utf8))
                    }
                } else {
                    response = .text(413, message + "\n")
                }
                write(context, version: h.version, keepAlive: false, response)
                return
            }
            let full = h.uri
            let (rawPath, rawQuery) = full.firstIndex(of: "?").map { (String(full[..<$0]), String(full[full.index(after: $0)...])) } ?? (full, "")
            var request = HTTPRequest(method: h.method.rawValue, path: rawPath.removingPercentEncoding ?? rawPath, rawPath: rawPath,
                                      query: HTTPRequest.parseQuery(rawQuery),
                                      headers: h.headers.map { ($0.name, $0.value) }, body: body)
            request.rawQuery = rawQuery
            let received = request
            body = []
            let keepAlive = h.isKeepAlive
            let version = h.version
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let responder = self.responder
            work.async {
                responder(received) { response in
                    loop.execute {
                        let (handler, ctx) = bound.value
                        handler.write(ctx, version: version, keepAlive: keepAlive, response)
                    }
                }
            }
        }
    }

    private func write(_ context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, _ response: HTTPResponse) {
        var headers = HTTPHeaders()
        for (n, v) in response.headers { headers.add(name: n, value: v) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buf = context.channel.allocator.buffer(capacity: response.body.count)
        buf.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        let done = context.writeAndFlushPromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.futureResult.whenComplete { _ in ctx.value.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}
