// What installing a model from a Python wheel needs without new dependencies: SHA-256 (to verify
// downloads), raw DEFLATE decompression (RFC 1951) and a ZIP central-directory reader. All inputs
// are checked: a corrupt archive is an error, never a crash or an endless loop.

import Foundation

public enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
        0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The digest of `data`.
    public static func digest(_ data: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var msg = data
        let bitLength = UInt64(data.count) * 8
        msg.append(0x80)
        while msg.count % 64 != 56 { msg.append(0) }
        for i in (0..<8).reversed() { msg.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 64)
        msg.withUnsafeBufferPointer { m in
            for chunk in stride(from: 0, to: m.count, by: 64) {
                for i in 0..<16 {
                    let j = chunk + i * 4
                    w[i] = UInt32(m[j]) << 24 | UInt32(m[j + 1]) << 16 | UInt32(m[j + 2]) << 8 | UInt32(m[j + 3])
                }
                for i in 16..<64 {
                    let s0 = w[i - 15].rotr(7) ^ w[i - 15].rotr(18) ^ (w[i - 15] >> 3)
                    let s1 = w[i - 2].rotr(17) ^ w[i - 2].rotr(19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
                for i in 0..<64 {
                    let s1 = e.rotr(6) ^ e.rotr(11) ^ e.rotr(25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = a.rotr(2) ^ a.rotr(13) ^ a.rotr(22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
                h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
            }
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
    }

    public static func hex(_ data: [UInt8]) -> String { digest(data).map { String(format: "%02x", $0) }.joined() }
}

extension UInt32 {
    @inline(__always) func rotr(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}

/// Raw DEFLATE (RFC 1951) decompression.
public enum Inflate {
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []
        init(lengths: [Int]) throws {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offs = [Int](repeating: 0, count: 16)
            for i in 1..<16 { offs[i] = offs[i - 1] + counts[i - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (s, l) in lengths.enumerated() where l > 0 { symbols[offs[l]] = s; offs[l] += 1 }
        }
    }

    struct Bits {
        let data: [UInt8]
        var pos = 0, bit = 0
        mutating func get(_ n: Int) throws -> Int {
            var v = 0
            for i in 0..<n {
                guard pos < data.count else { throw TopicsError.invalid("compressed data ends early") }
                v |= Int((data[pos] >> UInt8(bit)) & 1) << i
                bit += 1
                if bit == 8 { bit = 0; pos += 1 }
            }
            return v
        }
        mutating func decode(_ h: Huffman) throws -> Int {
            var code = 0, first = 0, index = 0
            for len in 1..<16 {
                code |= try get(1)
                let count = h.counts[len]
                if code - count < first {
                    let i = index + (code - first)
                    // Over-subscribed or incomplete code tables in hostile input must not index out of range.
                    guard i >= 0, i < h.symbols.count else { throw TopicsError.invalid("bad Huffman table in compressed data") }
                    return h.symbols[i]
                }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            throw TopicsError.invalid("bad Huffman code in compressed data")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Decompresses `data`; `expected` (when known) bounds the output.
    public static func decompress(_ data: [UInt8], expected: Int? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(expected ?? data.count * 3)
        var b = Bits(data: data)
        let limit = expected ?? Int.max
        var last = 0
        repeat {
            last = try b.get(1)
            let type = try b.get(2)
            switch type {
            case 0:
                if b.bit != 0 { b.bit = 0; b.pos += 1 }
                guard b.pos + 4 <= data.count else { throw TopicsError.invalid("compressed data ends early") }
                let len = Int(data[b.pos]) | Int(data[b.pos + 1]) << 8
                let nlen = Int(data[b.pos + 2]) | Int(data[b.pos + 3]) << 8
                guard len == (~nlen & 0xffff) else { throw TopicsError.invalid("bad stored block in compressed data") }
                b.pos += 4
                guard b.pos + len <= data.count else { throw TopicsError.invalid("compressed data ends early") }
                out.append(contentsOf: data[b.pos..<(b.pos + len)])
                b.pos += len
            case 1, 2:
                let lit: Huffman, dist: Huffman
                if type == 1 {
                    lit = try Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
                    dist = try Huffman(lengths: [Int](repeating: 5, count: 30))
                } else {
                    let hlit = try b.get(5) + 257, hdist = try b.get(5) + 1, hclen = try b.get(4) + 4
                    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                    var cl = [Int](repeating: 0, count: 19)
                    for i in 0..<hclen { cl[order[i]] = try b.get(3) }
                    let clh = try Huffman(lengths: cl)
                    var lengths: [Int] = []
                    while lengths.count < hlit + hdist {
                        let sym = try b.decode(clh)
                        switch sym {
                        case 0..<16: lengths.append(sym)
                        case 16:
                            guard let prev = lengths.last else { throw TopicsError.invalid("bad code lengths in compressed data") }
                            lengths += [Int](repeating: prev, count: 3 + (try b.get(2)))
                        case 17: lengths += [Int](repeating: 0, count: 3 + (try b.get(3)))
                        default: lengths += [Int](repeating: 0, count: 11 + (try b.get(7)))
                        }
                    }
                    guard lengths.count == hlit + hdist else { throw TopicsError.invalid("bad code lengths in compressed data") }
                    lit = try Huffman(lengths: Array(lengths[0..<hlit]))
                    dist = try Huffman(lengths: Array(lengths[hlit...]))
                }
                while true {
                    let sym = try b.decode(lit)
                    if sym < 256 { out.append(UInt8(sym)); continue }
                    if sym == 256 { break }
                    let li = sym - 257
                    guard li < 29 else { throw TopicsError.invalid("bad length code in compressed data") }
                    let len = lengthBase[li] + (try b.get(lengthExtra[li]))
                    let di = try b.decode(dist)
                    guard di < 30 else { throw TopicsError.invalid("bad distance code in compressed data") }
                    let d = distBase[di] + (try b.get(distExtra[di]))
                    guard d <= out.count else { throw TopicsError.invalid("distance too far back in compressed data") }
                    let start = out.count - d
                    for i in 0..<len { out.append(out[start + i]) }
                    guard out.count <= limit else { throw TopicsError.invalid("compressed data is larger than declared") }
                }
            default:
                throw TopicsError.invalid("bad block type in compressed data")
            }
            guard out.count <= limit else { throw TopicsError.invalid("compressed data is larger than declared") }
        } while last == 0
        return out
    }
}

/// The members of a ZIP archive (as wheels are), read from its central directory.
public struct ZipArchive {
    public struct Member { public var name: String; let method: Int; let compressedSize: Int; let size: Int; let localOffset: Int }
    let data: [UInt8]
    public let members: [Member]

    public init(_ data: [UInt8]) throws {
        self.data = data
        func u16(_ o: Int) -> Int { Int(data[o]) | Int(data[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        // The end-of-central-directory record, searched backwards over a possible comment.
        guard data.count >= 22 else { throw TopicsError.invalid("not a zip archive (too short)") }
        var eocd = -1
        var i = data.count - 22
        while i >= max(0, data.count - 22 - 65535) {
            if u32(i) == 0x06054b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw TopicsError.invalid("not a zip archive (no end of central directory)") }
        let count = u16(eocd + 10), cdOffset = u32(eocd + 16)
        var members: [Member] = []
        var p = cdOffset
        for _ in 0..<count {
            guard p + 46 <= data.count, u32(p) == 0x02014b50 else { throw TopicsError.invalid("zip central directory is corrupt") }
            let method = u16(p + 10), csize = u32(p + 20), size = u32(p + 24), nlen = u16(p + 28), elen = u16(p + 30), clen = u16(p + 32), local = u32(p + 42)
            guard p + 46 + nlen <= data.count else { throw TopicsError.invalid("zip central directory is corrupt") }
            let name = String(decoding: data[(p + 46)..<(p + 46 + nlen)], as: UTF8.self)
            members.append(Member(name: name, method: method, compressedSize: csize, size: size, localOffset: local))
            p += 46 + nlen + elen + clen
        }
        self.members = members
    }

    public func extract(_ m: Member) throws -> [UInt8] {
        let o = m.localOffset
        guard o + 30 <= data.count, Int(data[o]) | Int(data[o + 1]) << 8 | Int(data[o + 2]) << 16 | Int(data[o + 3]) << 24 == 0x04034b50 else {
            throw TopicsError.invalid("zip member \(m.name) is corrupt")
        }
        let nlen = Int(data[o + 26]) | Int(data[o + 27]) << 8, elen = Int(data[o + 28]) | Int(data[o + 29]) << 8
        let start = o + 30 + nlen + elen
        guard start + m.compressedSize <= data.count else { throw TopicsError.invalid("zip member \(m.name) is truncated") }
        let raw = Array(data[start..<(start + m.compressedSize)])
        switch m.method {
        case 0: return raw
        case 8:
            let out = try Inflate.decompress(raw, expected: m.size)
            guard out.count == m.size else { throw TopicsError.invalid("zip member \(m.name) inflates to \(out.count) bytes, not \(m.size)") }
            return out
        default: throw TopicsError.invalid("zip member \(m.name) uses compression method \(m.method)")
        }
    }
}
