// ColumnFormat is the byte layout of a column ("SCC1"), shared by the store, which writes column
// chunks as spans arrive, and the executor, which reads them (ColumnCodec):
//
//   "SCC1" | rows: u64 | one tag byte per row | fixed bytes: u64 | the 8-byte payloads of integer,
//   double, timestamp (and 16-byte interval) rows in row order | entries: u64 | per entry its length
//   (u64) and UTF-8 bytes | a 4-byte code per string or JSON row, in row order
//
// All integers little-endian. Strings and JSON text go through the dictionary of distinct entries;
// JSON rows keep their text as written (parsed when read).

import Foundation

public enum ColumnFormat {
    public static let magic: [UInt8] = Array("SCC1".utf8)

    public enum Tag: UInt8 { case null = 0, falseValue, trueValue, int, double, string, timestamp, interval, json }

    /// Builds one column's bytes a row at a time.
    public struct Writer {
        public private(set) var rows = 0
        var tags: [UInt8] = []
        var fixed: [UInt8] = []
        var codes: [UInt8] = []
        /// The distinct entries' bytes one after another, where each starts, and each one's hash.
        var arena: [UInt8] = []
        var starts: [Int] = [0]
        var hashes: [UInt64] = []
        /// Open addressing over the entries by hash: entry number + 1, 0 for an empty slot. Keyed by
        /// the bytes (Swift's `==` on strings is canonical equivalence, which would fold "caf\u{e9}"
        /// and "cafe\u{301}" into one entry and give the second row the first one's bytes back).
        var slots: [UInt32] = []
        var entryBytes = 0
        /// Whether any row is not NULL.
        public private(set) var anyValue = false

        public init(capacity: Int = 0) { tags.reserveCapacity(capacity) }

        /// Bytes so far, about (for size limits).
        public var byteCount: Int { 36 + tags.count + fixed.count + entryBytes + codes.count }
        public var distinctEntries: Int { hashes.count }

        @inline(__always) mutating func put(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { fixed.append(contentsOf: $0) } }

        mutating func code(_ s: String) {
            var s = s
            let c = s.withUTF8 { code(bytes: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: c.littleEndian) { codes.append(contentsOf: $0) }
        }

        /// The entry number of `b`, added when new.
        private mutating func code(bytes b: UnsafeRawBufferPointer) -> UInt32 {
            if slots.count < 2 * (hashes.count + 1) { grow() }
            let h = ByteHash.hash(b)   // the codes do not depend on it: entries are numbered by first appearance
            let mask = slots.count - 1
            var at = Int(truncatingIfNeeded: h) & mask
            while true {
                let e = Int(slots[at])
                if e == 0 { break }
                if hashes[e - 1] == h {
                    let from = starts[e - 1], count = starts[e] - from
                    if count == b.count && (count == 0 || arena.withUnsafeBytes { memcmp($0.baseAddress! + from, b.baseAddress!, count) == 0 }) {
                        return UInt32(e - 1)
                    }
                }
                at = (at + 1) & mask
            }
            let c = UInt32(hashes.count)
            slots[at] = c + 1
            hashes.append(h)
            arena.append(contentsOf: b)
            starts.append(arena.count)
            entryBytes += 8 + b.count
            return c
        }

        private mutating func grow() {
            let size = max(64, slots.count * 2)
            slots = [UInt32](repeating: 0, count: size)
            let mask = size - 1
            slots.withUnsafeMutableBufferPointer { t in
                for (e, h) in hashes.enumerated() {
                    var at = Int(truncatingIfNeeded: h) & mask
                    while t[at] != 0 { at = (at + 1) & mask }
                    t[at] = UInt32(e + 1)
                }
            }
        }

        public mutating func null() { tags.append(Tag.null.rawValue); rows += 1 }
        public mutating func bool(_ b: Bool) { tags.append(b ? Tag.trueValue.rawValue : Tag.falseValue.rawValue); rows += 1; anyValue = true }
        public mutating func int(_ i: Int64) { tags.append(Tag.int.rawValue); put(UInt64(bitPattern: i)); rows += 1; anyValue = true }
        public mutating func double(_ x: Double) { tags.append(Tag.double.rawValue); put(x.bitPattern); rows += 1; anyValue = true }
        public mutating func timestamp(_ t: Int64) { tags.append(Tag.timestamp.rawValue); put(UInt64(bitPattern: t)); rows += 1; anyValue = true }
        public mutating func interval(months: Int64, micros: Int64) {
            tags.append(Tag.interval.rawValue); put(UInt64(bitPattern: months)); put(UInt64(bitPattern: micros)); rows += 1; anyValue = true
        }
        public mutating func string(_ s: String) { tags.append(Tag.string.rawValue); code(s); rows += 1; anyValue = true }
        /// An array or object, as JSON text.
        public mutating func json(text: String) { tags.append(Tag.json.rawValue); code(text); rows += 1; anyValue = true }

        /// A JSON value: scalars by kind, arrays and objects as text.
        public mutating func value(_ v: Value) {
            switch v {
            case .null: null()
            case .bool(let b): bool(b)
            case .int(let i): int(i)
            case .double(let d): double(d)
            case .string(let s): string(s)
            case .array, .object: json(text: JSONWriter.string(v))
            }
        }

        /// A field kept as JSON text (nil: NULL). Arrays and objects keep their text as written;
        /// scalars are stored by kind, as reading the text would give them.
        public mutating func jsonField(_ text: String?) {
            guard let text, let first = text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return null() }
            if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { return json(text: text) }
            guard let v = try? JSONReader.parse(text) else { return string(text) }
            value(v)
        }

        public func bytes() -> [UInt8] {
            var out = ColumnFormat.magic
            out.reserveCapacity(byteCount)
            func put(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) } }
            put(UInt64(rows))
            out += tags
            put(UInt64(fixed.count))
            out += fixed
            put(UInt64(hashes.count))
            for e in hashes.indices {
                put(UInt64(starts[e + 1] - starts[e]))
                out += arena[starts[e]..<starts[e + 1]]
            }
            out += codes
            return out
        }
    }

    /// The parts of one column's bytes, checked: nil for bytes that are not a column.
    public struct Parts {
        public var rows: Int
        public var tags: Range<Int>
        public var fixed: Range<Int>
        public var entries: [Range<Int>]
        public var codes: Range<Int>

        public init?(_ b: UnsafeBufferPointer<UInt8>) {
            var at = 0
            func u64() -> Int? {
                guard at + 8 <= b.count, let base = b.baseAddress else { return nil }
                let x = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: at, as: UInt64.self))
                at += 8
                return x <= UInt64(b.count) ? Int(x) : nil
            }
            guard b.count >= 4, b[0] == magic[0], b[1] == magic[1], b[2] == magic[2], b[3] == magic[3] else { return nil }
            at = 4
            guard let n = u64(), at + n <= b.count else { return nil }
            rows = n
            tags = at..<(at + n)
            at += n
            guard let f = u64(), at + f <= b.count else { return nil }
            fixed = at..<(at + f)
            at += f
            guard let e = u64() else { return nil }
            var list: [Range<Int>] = []
            list.reserveCapacity(e)
            for _ in 0..<e {
                guard let len = u64(), at + len <= b.count else { return nil }
                list.append(at..<(at + len))
                at += len
            }
            entries = list
            guard (b.count - at) % 4 == 0 else { return nil }
            codes = at..<b.count
        }
    }

    /// The rows of several columns one after another, as one column. Dictionaries are merged, equal
    /// entries sharing one code, unless the entries are mostly distinct (ids, texts): then each part's
    /// entries are appended as they are, and the result has more entries than any reader treats as a
    /// dictionary of distinct values (more than 65,536 and than a quarter of the rows). Nil when a
    /// part is not a column.
    public static func concatenate(_ parts: [[UInt8]]) -> [UInt8]? {
        if parts.count == 1 { return Parts(parts[0].withUnsafeBufferPointer { $0 }) == nil ? nil : parts[0] }
        var layouts: [Parts] = []
        for p in parts {
            guard let l = p.withUnsafeBufferPointer({ Parts($0) }) else { return nil }
            layouts.append(l)
        }
        let rows = layouts.reduce(0) { $0 + $1.rows }
        let totalEntries = layouts.reduce(0) { $0 + $1.entries.count }
        let merge = totalEntries <= max(1 << 16, rows / 4)
        var out = magic
        out.reserveCapacity(parts.reduce(64) { $0 + $1.count })
        func put(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt64(rows))
        for (p, l) in zip(parts, layouts) { out += p[l.tags] }
        put(UInt64(layouts.reduce(0) { $0 + $1.fixed.count }))
        for (p, l) in zip(parts, layouts) { out += p[l.fixed] }
        // Each part's codes mapped to the merged dictionary.
        var remaps: [[UInt32]] = []
        var entryTexts: [ArraySlice<UInt8>] = []
        if merge {
            var index: [ByteKey: UInt32] = [:]
            index.reserveCapacity(totalEntries)
            for (p, l) in zip(parts, layouts) {
                remaps.append(l.entries.map { r in
                    let key = ByteKey(bytes: p[r])
                    if let c = index[key] { return c }
                    let c = UInt32(entryTexts.count)
                    index[key] = c
                    entryTexts.append(key.bytes)
                    return c
                })
            }
        } else {
            for (p, l) in zip(parts, layouts) {
                let base = UInt32(entryTexts.count)
                remaps.append((0..<l.entries.count).map { base + UInt32($0) })
                for r in l.entries { entryTexts.append(p[r]) }
            }
        }
        put(UInt64(entryTexts.count))
        for e in entryTexts { put(UInt64(e.count)); out += e }
        // The codes, remapped, written in one piece.
        let codeCount = layouts.reduce(0) { $0 + $1.codes.count / 4 }
        var codes = [UInt32](repeating: 0, count: codeCount)
        var k = 0, bad = false
        codes.withUnsafeMutableBufferPointer { dst in
            for (i, (p, l)) in zip(parts, layouts).enumerated() {
                let remap = remaps[i]
                p.withUnsafeBytes { raw in
                    var at = l.codes.lowerBound
                    while at + 4 <= l.codes.upperBound {
                        let c = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                        if c >= remap.count { bad = true; return }
                        dst[k] = remap[c].littleEndian
                        k += 1
                        at += 4
                    }
                }
                if bad { return }
            }
        }
        if bad { return nil }
        codes.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Bytes as a dictionary key, hashed in one call rather than byte by byte.
    public struct ByteKey: Hashable {
        public let bytes: ArraySlice<UInt8>
        public init(bytes: ArraySlice<UInt8>) { self.bytes = bytes }
        public func hash(into h: inout Hasher) { bytes.withUnsafeBytes { h.combine(bytes: $0) } }
        public static func == (a: ByteKey, b: ByteKey) -> Bool { a.bytes.elementsEqual(b.bytes) }
    }

    /// A column of `rows` NULLs.
    public static func nulls(_ rows: Int) -> [UInt8] {
        var w = Writer(capacity: rows)
        for _ in 0..<rows { w.null() }
        return w.bytes()
    }
}
