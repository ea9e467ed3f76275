// A tiny HTTP/1.1 server on 127.0.0.1 for testing the model-server client: one request per
// connection, answered by a handler (path, JSON body) -> (status, body).

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SiftModel

public final class MockModelServer: @unchecked Sendable {
    public let port: UInt16
    private let fd: Int32
    private let handler: (String, Value) -> (Int, String)
    private let lock = NSLock()
    private var _requests: [(String, Value)] = []
    public var requests: [(String, Value)] { lock.lock(); defer { lock.unlock() }; return _requests }

    public init(handler: @escaping (String, Value) -> (Int, String)) throws {
        self.handler = handler
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) } }
        guard bound == 0, listen(sock, 64) == 0 else { throw NSError(domain: "mock", code: 1) }
        withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(sock, $0, &len) } }
        fd = sock
        port = UInt16(bigEndian: addr.sin_port)
        let t = Thread { [weak self] in self?.serve() }
        t.start()
    }

    public var url: String { "http://127.0.0.1:\(port)/v1" }

    public func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    private func serve() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return }
            let t = Thread { [weak self] in self?.handle(c) }
            t.start()
        }
    }

    private func handle(_ c: Int32) {
        defer { close(c) }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let n = read(c, &buf, buf.count)
            if n <= 0 { return }
            data.append(contentsOf: buf[0..<n])
            if headerEnd == nil, let r = findHeaderEnd(data) {
                headerEnd = r
                let head = String(decoding: data[0..<r], as: UTF8.self).lowercased()
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let h = headerEnd, data.count >= h + 4 + contentLength { break }
        }
        let h = headerEnd!
        let requestLine = String(decoding: data[0..<h], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let body = (try? JSONReader.parse(Array(data[(h + 4)...]))) ?? .null
        lock.lock(); _requests.append((path, body)); lock.unlock()
        let (status, reply) = handler(path, body)
        let bytes = Array(reply.utf8)
        let response = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
        let all = Array(response.utf8) + bytes
        var off = 0
        while off < all.count {
            let n = all[off...].withUnsafeBufferPointer { write(c, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            off += n
        }
    }

    private func findHeaderEnd(_ d: [UInt8]) -> Int? {
        guard d.count >= 4 else { return nil }
        for i in 0...(d.count - 4) where d[i] == 13 && d[i + 1] == 10 && d[i + 2] == 13 && d[i + 3] == 10 { return i }
        return nil
    }
}

/// A chat-completions reply whose message content is `content`.
public func chatReply(_ content: String) -> String {
    JSONWriter.string(["choices": [["message": ["role": "assistant", "content": .string(content)]]]])
}
