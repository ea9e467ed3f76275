import XCTest
import SiftModel
@testable import SiftStore

/// Column chunks are stored compressed (`ChunkPacking`): both codecs give back the exact bytes, chunks
/// that would not gain stay as they are, and damaged packed bytes are refused rather than misread.
final class ChunkPackingTests: XCTestCase {
    /// A column of `rows` strings, some repeated, as ColumnFormat lays it out.
    func column(rows: Int, seed: UInt64 = 7) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        var w = ColumnFormat.Writer(capacity: rows)
        for i in 0..<rows {
            switch i % 5 {
            case 0: w.null()
            case 1: w.value(.int(Int64(rng.next() % 1000)))
            default: w.value(.string("user \(rng.next() % 50) asked for a refund of order \(i % 37)"))
            }
        }
        return w.bytes()
    }

    func testBothCodecsGiveBackTheExactBytes() throws {
        for rows in [200, 5_000, 40_000] {
            let plain = column(rows: rows)
            for codec in ChunkPacking.Codec.allCases {
                if codec == .zstd, ChunkPacking.preferred != .zstd { continue }   // no libzstd here: zlib only
                let packed = ChunkPacking.pack(plain, codec: codec)
                XCTAssertEqual(ChunkPacking.codec(of: packed), codec, "\(rows) rows")
                XCTAssertLessThan(packed.count, plain.count / 2, "\(rows) rows, \(codec)")
                XCTAssertEqual(ChunkPacking.unpack(packed), plain, "\(rows) rows, \(codec)")
                XCTAssertEqual(ChunkPacking.pack(packed), packed, "packing twice changes nothing")
            }
        }
    }

    func testChunksThatWouldNotGainStayAsTheyAre() throws {
        let small = column(rows: 3)
        XCTAssertLessThan(small.count, ChunkPacking.minimumBytes)
        XCTAssertEqual(ChunkPacking.pack(small), small)
        // Bytes with no redundancy: deflating them would not save an eighth.
        var rng = SeededRandom(seed: 3)
        let noise = ColumnFormat.magic + (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        XCTAssertEqual(ChunkPacking.pack(noise), noise)
        XCTAssertEqual(ChunkPacking.unpack(noise), noise, "plain chunks read as they are")
        XCTAssertEqual(ChunkPacking.unpack([]), [])
        // Only plain chunks are packed, and a frame must hold one. The fuzzer found this frame, whose
        // content is itself a packed header: it read, then packed and unpacked to something else.
        let fuzzed: [UInt8] = [0x53, 0x43, 0x5A, 0x53, 0xF0, 0x0B, 0, 0, 0, 0, 0, 0, 0x28, 0xB5, 0x2F, 0xFD, 0x60, 0xF0, 0x0A, 0x75, 0, 0,
                               0x38, 0x53, 0x43, 0x5A, 0x53, 0xD4, 0x0B, 0, 0x01, 0, 0xE6, 0xF3, 0x81, 0x11]
        XCTAssertNil(ChunkPacking.unpack(fuzzed))
        let notAChunk = Array("SCZS".utf8) + [UInt8](repeating: 7, count: 4000)
        XCTAssertEqual(ChunkPacking.pack(notAChunk), notAChunk)
    }

    func testDamagedPackedChunksAreRefused() throws {
        let plain = column(rows: 5_000)
        for codec in ChunkPacking.Codec.allCases where codec == .zlib || ChunkPacking.preferred == .zstd {
            let packed = ChunkPacking.pack(plain, codec: codec)
            var rng = SeededRandom(seed: 11)
            for trial in 0..<200 {
                var b = packed
                switch trial % 4 {
                case 0: b[12 + Int(rng.next() % UInt64(b.count - 12))] ^= 0xFF          // a payload byte
                case 1: b[4 + Int(rng.next() % 8)] ^= UInt8(1 + rng.next() % 255)      // the length
                case 2: b.removeLast(1 + Int(rng.next() % UInt64(b.count - 12)))       // cut short
                default: b = Array(b.prefix(12))                                         // header only
                }
                // Refused (both codecs check a checksum of the content), never read as other bytes.
                XCTAssertNil(ChunkPacking.unpack(b), "trial \(trial), \(codec)")
            }
        }
    }
}
