// One HTTP(S) request through CHTTP (the system's libcurl, loaded on first use). Blocking; safe to
// call from several threads at once.

import CHTTP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

public enum HTTP {
    /// Sends a request and returns whatever response arrived (any status). Throws only when no
    /// response arrived: unreachable host, timeout, TLS failure, or no libcurl on this machine.
    public static func request(_ method: String, _ url: String, headers: [String] = [], body: [UInt8]? = nil,
                               timeout: Double = 60, connectTimeout: Double = 10) throws -> HTTPResponse {
        var response = chttp_response()
        let ms = { (t: Double) -> Int in t > 0 ? max(1, Int((t * 1000).rounded())) : 0 }
        let cHeaders = headers.map { strdup($0) }
        defer { cHeaders.forEach { free($0) } }
        let rc: Int32 = cHeaders.map { UnsafePointer($0) }.withUnsafeBufferPointer { hp in
            if let body {
                return body.withUnsafeBufferPointer { bp in
                    // A non-nil pointer even for an empty body, so an empty POST is still a POST.
                    let base = bp.baseAddress ?? UnsafePointer(bitPattern: 1)!
                    return chttp_request(method, url, hp.baseAddress, hp.count, base, bp.count, ms(timeout), ms(connectTimeout), &response)
                }
            }
            return chttp_request(method, url, hp.baseAddress, hp.count, nil, 0, ms(timeout), ms(connectTimeout), &response)
        }
        defer { chttp_response_free(&response) }
        guard rc == 0 else {
            let why = withUnsafeBytes(of: response.error) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw HTTPTransportError(description: why.isEmpty ? "the request failed" : why)
        }
        let bytes = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.length)) } ?? []
        return HTTPResponse(status: response.status, body: bytes)
    }
}
