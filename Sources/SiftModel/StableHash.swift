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
