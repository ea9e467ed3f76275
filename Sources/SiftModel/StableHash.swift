// Hashes that are the same on every run and machine, for seeded sampling, jitter and cache keys.

/// FNV-1a with a final mix: stable across runs and machines (unlike Swift's seeded Hasher).
public enum StableHash {
    public static func fnv<S: Sequence>(_ bytes: S, seed: UInt64) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        // Final mix so nearby inputs spread over all bits.
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }

    public static func fnv(_ s: String, seed: UInt64) -> UInt64 { fnv(s.utf8, seed: seed) }

    /// A stable hex digest of a text (for the embedding cache): two independent 64-bit hashes.
    public static func textKey(_ s: String) -> String {
        let a = fnv(s.utf8, seed: 101), b = fnv(s.utf8, seed: 202)
        return String(a, radix: 16) + String(b, radix: 16)
    }
}

/// A fast hash of bytes for in-memory tables (a column chunk's dictionary, a query's trace ids),
/// eight bytes at a time. Seeded per process, as Swift's own hashing is, so that no one can choose
/// inputs that collide ahead of time; nothing stored or shown depends on its values.
public enum ByteHash {
    public static let processSeed = UInt64.random(in: 1...UInt64.max)

    @inline(__always) public static func hash(_ p: UnsafeRawBufferPointer, seed: UInt64 = processSeed) -> UInt64 {
        let n = p.count
        var h: UInt64 = seed ^ 0x9E37_79B9_7F4A_7C15 ^ (UInt64(n) &* 0xC2B2_AE3D_27D4_EB4F)
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n { w |= UInt64(p[i]) << shift; shift += 8; i += 1 }
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        }
        h ^= h >> 33; h = h &* 0xC4CE_B9FE_1A85_EC53; h ^= h >> 33
        return h
    }
}
