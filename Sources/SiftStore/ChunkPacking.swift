// Column chunks are stored compressed: a 4-byte codec mark | the chunk's length (u64, little-endian) |
// the compressed ColumnFormat bytes. "SCZS" is Zstandard at level 1 (the system's libzstd, loaded when
// first needed); "SCZ1" is zlib at level 1, used where libzstd cannot be loaded. A chunk too small to
// gain, or one that does not shrink by an eighth, is stored as it is ("SCC1"), so a reader meets any
// of the three; stores written before chunks were packed read unchanged.
//
// On the issue-15 spans Zstandard packs the chunks 8.8x (zlib 6.4x) and inflates them at about
// 1 GB/s (zlib 0.2 GB/s), which is what a fresh process's first query pays.

import CZlib
import CZstd
import SiftModel

enum ChunkPacking {
    enum Codec: CaseIterable { case zstd, zlib }

    static func mark(_ c: Codec) -> [UInt8] { Array((c == .zstd ? "SCZS" : "SCZ1").utf8) }
    /// Chunks smaller than this stay as they are.
    static let minimumBytes = 512
    /// The largest chunk `unpack` accepts (a damaged length must not allocate gigabytes).
    static let maximumBytes = 1_000_000_000   // SQLite's own limit on a value: no plain chunk is longer
    static let header = 12

    /// The codec `pack` uses: Zstandard where libzstd loads.
    static let preferred: Codec = sift_zstd_available() != 0 ? .zstd : .zlib

    static func codec(of b: [UInt8]) -> Codec? { b.withUnsafeBytes { codec(of: $0) } }

    static func codec(of b: UnsafeRawBufferPointer) -> Codec? {
        guard b.count >= header, b[0] == 0x53, b[1] == 0x43, b[2] == 0x5A else { return nil }   // "SCZ"
        switch b[3] {
        case 0x53: return .zstd     // "S"
        case 0x31: return .zlib     // "1"
        default: return nil
        }
    }

    /// The chunk compressed, or the bytes themselves when they are not a plain chunk (packed already),
    /// small, or do not shrink.
    static func pack(_ b: [UInt8], codec: Codec = preferred) -> [UInt8] {
        guard b.count >= minimumBytes, b.starts(with: ColumnFormat.magic) else { return b }
        let bound = codec == .zstd ? Int(sift_zstd_bound(b.count)) : Int(compressBound(uLong(b.count)))
        guard bound > 0 else { return b }
        var out = [UInt8](repeating: 0, count: header + bound)
        let produced: Int = out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { i in
                let dst = o.baseAddress! + header
                switch codec {
                case .zstd:
                    return sift_zstd_compress(dst, bound, i.baseAddress, i.count, 1)
                case .zlib:
                    var n = uLong(bound)
                    return compress2(dst, &n, i.baseAddress, uLong(i.count), 1) == Z_OK ? Int(n) : 0
                }
            }
        }
        guard produced > 0, header + produced <= b.count - b.count / 8 else { return b }
        let m = mark(codec)
        for k in 0..<4 { out[k] = m[k] }
        var n = UInt64(b.count)
        for k in 0..<8 { out[4 + k] = UInt8(truncatingIfNeeded: n); n >>= 8 }
        out.removeLast(bound - produced)
        return out
    }

    /// The chunk's ColumnFormat bytes: decompressed when packed, as it is otherwise; nil when a packed
    /// chunk is damaged, holds anything but a plain chunk, or its codec cannot be loaded (its reader
    /// then computes the column from the rows).
    static func unpack(_ b: [UInt8]) -> [UInt8]? {
        b.withUnsafeBytes { unpack($0) }
    }

    static func unpack(_ b: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let codec = codec(of: b) else { return Array(b) }
        var n: UInt64 = 0
        for k in (0..<8).reversed() { n = n << 8 | UInt64(b[4 + k]) }
        guard n > 0, n <= UInt64(maximumBytes) else { return nil }
        var ok = false
        // Every byte is written when `ok`; otherwise the array is dropped unread.
        let out: [UInt8] = BigArrays.make(Int(n)) { o in
            let src = b.baseAddress! + header, count = b.count - header
            switch codec {
            case .zstd:
                ok = sift_zstd_decompress(o.baseAddress, o.count, src, count) == o.count
            case .zlib:
                var produced = uLong(o.count)
                ok = uncompress(o.baseAddress, &produced, src.assumingMemoryBound(to: UInt8.self), uLong(count)) == Z_OK
                    && produced == uLong(o.count)
            }
        }
        // What a frame holds is a plain chunk: anything else is damage (or a frame inside a frame).
        return ok && out.starts(with: ColumnFormat.magic) ? out : nil
    }
}
