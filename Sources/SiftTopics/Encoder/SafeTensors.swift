// A safetensors reader: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the raw data. F32 tensors are read as they are; F16 and BF16 are
// widened to Float. Every range is checked against the file, so a truncated or hostile file is an
// error naming the tensor, never a crash.

import Foundation
import SiftModel

public struct SafeTensors {
    public struct Entry { public var dtype: String; public var shape: [Int]; var begin: Int; var end: Int }
    public let path: String
    public let entries: [String: Entry]
    let data: Data
    let base: Int

    public init(path: String) throws {
        guard let d = FileManager.default.contents(atPath: path) else { throw TopicsError.invalid("\(path): cannot read the weights") }
        data = d
        self.path = path
        guard d.count >= 8 else { throw TopicsError.invalid("\(path): too short to be safetensors") }
        var n: UInt64 = 0
        for (i, byte) in d.prefix(8).enumerated() { n |= UInt64(byte) << UInt64(8 * i) }
        guard n > 0, n <= UInt64(d.count - 8), n < 100_000_000 else { throw TopicsError.invalid("\(path): bad safetensors header length \(n)") }
        let header: Value
        do { header = try JSONReader.parse(Array(d[8..<(8 + Int(n))])) } catch { throw TopicsError.invalid("\(path): bad safetensors header: \(error)") }
        base = 8 + Int(n)
        var entries: [String: Entry] = [:]
        for (name, v) in header.objectValue ?? JSONObject() where name != "__metadata__" {
            guard let dtype = v["dtype"]?.stringValue, let shape = v["shape"]?.arrayValue?.compactMap({ $0.intValue }).map(Int.init),
                  let off = v["data_offsets"]?.arrayValue, off.count == 2, let b = off[0].intValue, let e = off[1].intValue,
                  b >= 0, e >= b, Int(e) <= d.count - base else {
                throw TopicsError.invalid("\(path): tensor '\(name)' has a bad header entry")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, begin: Int(b), end: Int(e))
        }
        self.entries = entries
    }

    /// A tensor as Floats, checking its shape when `shape` is given.
    public func floats(_ name: String, shape: [Int]? = nil) throws -> [Float] {
        guard let e = entries[name] else { throw TopicsError.invalid("\(path): no tensor '\(name)'") }
        if let shape, shape != e.shape { throw TopicsError.invalid("\(path): tensor '\(name)' has shape \(e.shape), expected \(shape)") }
        let count = e.shape.reduce(1, *)
        let bytes = e.end - e.begin
        return try data.withUnsafeBytes { raw -> [Float] in
            let p = raw.baseAddress! + base + e.begin
            switch e.dtype {
            case "F32":
                guard bytes == count * 4 else { throw TopicsError.invalid("\(path): tensor '\(name)' has \(bytes) bytes for \(count) floats") }
                var out = [Float](repeating: 0, count: count)
                out.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: bytes)) }
                return out
            case "F16", "BF16":
                guard bytes == count * 2 else { throw TopicsError.invalid("\(path): tensor '\(name)' has \(bytes) bytes for \(count) halves") }
                return (0..<count).map { i in
                    let bits = UInt16(p.load(fromByteOffset: 2 * i, as: UInt8.self)) | UInt16(p.load(fromByteOffset: 2 * i + 1, as: UInt8.self)) << 8
                    return e.dtype == "BF16" ? Float(bitPattern: UInt32(bits) << 16) : Float(Float16(bitPattern: bits))
                }
            default:
                throw TopicsError.invalid("\(path): tensor '\(name)' has dtype \(e.dtype); only F32, F16 and BF16 are read")
            }
        }
    }
}
