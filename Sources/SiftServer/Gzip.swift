// `Content-Encoding: gzip` (and `deflate`) request bodies, inflated with the system zlib. The inflated
// size is capped, so a small compressed body cannot expand into gigabytes.

import CZlib

enum Gzip {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Inflates a gzip or zlib stream; throws when it is damaged or inflates past `limit` bytes.
    static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        // 32 + 15: detect gzip or zlib headers, 32 KiB window.
        guard inflateInit2_(&stream, 32 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = uInt(inBuf.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let why = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                        throw Failure(description: "the gzip body is damaged (\(why))")
                    }
                    let produced = outBuf.count - Int(stream.avail_out)
                    guard out.count + produced <= limit else {
                        throw Failure(description: "the gzip body inflates past the \(limit / (1 << 20)) MiB limit")
                    }
                    out.append(contentsOf: outBuf[0..<produced])
                }
                if status != Z_STREAM_END && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw Failure(description: "the gzip body ends early")
                }
            } while status != Z_STREAM_END
        }
        return out
    }
}
