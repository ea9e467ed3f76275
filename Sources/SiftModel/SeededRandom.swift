// The one seeded random generator (SplitMix64): the simulator takes one stream per trace, so a trace
// depends only on (seed, index) and traffic can be generated in any order or in parallel with the
// same result; clustering, sampling and the tests' fuzzers take theirs from a seed.

public struct SeededRandom: RandomNumberGenerator {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A stream for item `index` of a run seeded with `seed`.
    public init(seed: UInt64, index: UInt64, salt: UInt64 = 0) {
        var s = SeededRandom(seed: seed ^ 0x5DEECE66D)
        state = s.next() ^ (index &* 0x9E3779B97F4A7C15) ^ (salt &* 0xD1B54A32D192ED03)
        _ = next()
    }

    /// SplitMix64's increment (the golden ratio): `SeededRandom(seed: s &+ golden)` starts where a
    /// generator seeded with `s` is after one draw.
    public static let golden: UInt64 = 0x9E3779B97F4A7C15

    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<1.
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9007199254740992.0) }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    public mutating func double(_ range: ClosedRange<Double>) -> Double { range.lowerBound + unit() * (range.upperBound - range.lowerBound) }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// 32 hex digits, like a UUID without dashes.
    public mutating func hexID() -> String {
        func hex(_ x: UInt64) -> String { let s = String(x, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        return hex(next()) + hex(next())
    }
}
