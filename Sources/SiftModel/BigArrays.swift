// Large arrays (a value per row of a million-row column) backed by transparent huge pages where the
// system offers them on request (Linux with THP in "madvise" mode, the common default): a fresh
// process filling 80 MB of columns otherwise takes about 20,000 page faults, one per 4 KiB page.
// The request is advice: where it is refused or unsupported nothing changes but the speed.

#if canImport(Glibc)
import Glibc
#endif

public enum BigArrays {
    /// Below this many bytes an array is left alone (a huge page is 2 MiB).
    static let threshold = 4 << 20

    /// An array of `count` elements, every one written by `fill`.
    @inline(__always)
    public static func make<T>(_ count: Int, _ fill: (UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            fill(buffer)
            initialized = count
        }
    }

    /// `count` copies of `value`.
    public static func repeating<T>(_ value: T, count: Int) -> [T] {
        make(count) { $0.initialize(repeating: value) }
    }

    /// Asks for huge pages under the whole 2 MiB pages inside `buffer`, before it is first written.
    public static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let huge = 2 << 20
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
        #endif
    }
}
