// POST /v1/traces, as the OTLP/HTTP specification describes it: protobuf or JSON bodies, gzip or not;
// 200 (with partial-success counts when some spans were rejected) only after the spans are committed;
// 400 for a body that cannot be decoded, 415 for another content type, 413 over the body limit
// (HTTPServer), 429 with Retry-After when the write queue is full, 503 with Retry-After when the
// store cannot take the write. Responses use the request's encoding.

import Foundation
import SiftModel
import SiftStore

extension SiftServer {
    func receive(_ req: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let type = (req.header("Content-Type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let encoding: OTLPBody.Encoding
        switch type {
        case "application/x-protobuf", "application/protobuf": encoding = .protobuf
        case "application/json": encoding = .json
        default:
            // OTLP/HTTP requires the type. Guessing it would also let any web page post traces: a
            // browser sends a body without a type (or as text/plain) cross-origin without asking first.
            respond(failure(415, type.isEmpty ? "no Content-Type: send application/x-protobuf or application/json"
                                              : "unsupported Content-Type '\(type)': send application/x-protobuf or application/json", .json))
            return
        }
        var body = req.body
        switch (req.header("Content-Encoding") ?? "identity").lowercased() {
        case "gzip", "x-gzip", "deflate":
            do { body = try Gzip.inflate(body, limit: options.maxBodyBytes) } catch {
                respond(failure(error is Gzip.Failure && "\(error)".contains("limit") ? 413 : 400, "\(error)", encoding))
                return
            }
        case "identity", "": break
        case let other:
            respond(failure(415, "unsupported Content-Encoding '\(other)': send gzip or none", encoding))
            return
        }
        let decoded: OTLPBody.Decoded
        do {
            decoded = try body.withUnsafeBufferPointer { try OTLPBody.decode($0, encoding: encoding) }
        } catch {
            respond(failure(400, "\(error)", encoding))
            return
        }
        let rejected = decoded.rejected
        let accepted = writer.submit(decoded.rows, rejected: rejected.count) { [encoding] error in
            if let error {
                respond(self.failure(503, "the store could not commit this request (\(error)); retry later", encoding, retryAfter: 5))
            } else {
                respond(self.success(rejected: rejected, encoding))
            }
        }
        if !accepted {
            respond(writer.isClosing ? failure(503, "sift serve is shutting down; retry shortly", encoding, retryAfter: 5)
                                     : failure(429, "sift is writing \(writer.snapshot.pendingSpans) spans; retry shortly", encoding, retryAfter: 1))
        }
    }

    /// ExportTraceServiceResponse: empty, or partial_success {rejected_spans, error_message}.
    func success(rejected: [String], _ encoding: OTLPBody.Encoding) -> HTTPResponse {
        let message = rejected.prefix(5).joined(separator: "; ") + (rejected.count > 5 ? "; and \(rejected.count - 5) more" : "")
        switch encoding {
        case .json:
            let text = rejected.isEmpty ? "{}" : "{\"partialSuccess\":{\"rejectedSpans\":\"\(rejected.count)\",\"errorMessage\":\(JSONText.quote(message))}}"
            return HTTPResponse(status: 200, contentType: "application/json", body: Array(text.utf8))
        case .protobuf:
            var inner = Protobuf()
            if !rejected.isEmpty {
                inner.varint(field: 1, UInt64(rejected.count))
                inner.bytes(field: 2, Array(message.utf8))
            }
            var outer = Protobuf()
            if !rejected.isEmpty { outer.bytes(field: 1, inner.out) }
            return HTTPResponse(status: 200, contentType: "application/x-protobuf", body: outer.out)
        }
    }

    /// A google.rpc.Status body with the message, in the request's encoding.
    func failure(_ status: Int, _ message: String, _ encoding: OTLPBody.Encoding, retryAfter: Int? = nil) -> HTTPResponse {
        let headers: [(name: String, value: String)] = retryAfter.map { [("Retry-After", String($0))] } ?? []
        // gRPC codes: 3 invalid argument, 8 resource exhausted, 14 unavailable.
        let code = status == 400 ? 3 : status == 429 || status == 413 ? 8 : 14
        switch encoding {
        case .json:
            let text = "{\"code\":\(code),\"message\":\(JSONText.quote(message))}"
            return HTTPResponse(status: status, contentType: "application/json", body: Array(text.utf8), headers: headers)
        case .protobuf:
            var p = Protobuf()
            p.varint(field: 1, UInt64(code))
            p.bytes(field: 2, Array(message.utf8))
            return HTTPResponse(status: status, contentType: "application/x-protobuf", body: p.out, headers: headers)
        }
    }
}

/// The few protobuf fields the responses need.
struct Protobuf {
    var out: [UInt8] = []

    mutating func rawVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    mutating func varint(field: Int, _ v: UInt64) {
        rawVarint(UInt64(field << 3))
        rawVarint(v)
    }

    mutating func fixed64(field: Int, _ v: UInt64) {
        rawVarint(UInt64(field << 3 | 1))
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    mutating func double(field: Int, _ v: Double) { fixed64(field: field, v.bitPattern) }

    mutating func bytes(field: Int, _ b: [UInt8]) {
        rawVarint(UInt64(field << 3 | 2))
        rawVarint(UInt64(b.count))
        out.append(contentsOf: b)
    }
}

enum JSONText {
    static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
