// ColumnCodec writes a column of Datums as compact bytes and reads it back, so decoded columns can be
// kept in the store between processes: a tag byte per row, then each kind's payload in row order
// (integers, doubles and timestamps as 8 little-endian bytes; strings and JSON text through a
// dictionary of distinct values and 4-byte codes). Decoding checks every length: bytes that are not a
// column it wrote give nil, never a trap.

import SiftModel

public enum ColumnCodec {
    static let magic: [UInt8] = Array("SCC1".utf8)

    private enum Tag: UInt8 { case null = 0, falseValue, trueValue, int, double, string, timestamp, interval, json }

    public static func encode(_ column: [Datum]) -> [UInt8] {
        var tags = [UInt8](), fixed = [UInt8]()
        tags.reserveCapacity(column.count)
        var dictionary: [String: UInt32] = [:], entries: [String] = [], codes = [UInt8]()
        func put(_ x: UInt64, _ out: inout [UInt8]) { withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) } }
        func code(_ s: String) {
            let c: UInt32
            if let k = dictionary[s] { c = k } else { c = UInt32(entries.count); dictionary[s] = c; entries.append(s) }
            withUnsafeBytes(of: c.littleEndian) { codes.append(contentsOf: $0) }
        }
        for d in column {
            switch d {
            case .null: tags.append(Tag.null.rawValue)
            case .bool(let b): tags.append(b ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
            case .int(let i): tags.append(Tag.int.rawValue); put(UInt64(bitPattern: i), &fixed)
            case .double(let x): tags.append(Tag.double.rawValue); put(x.bitPattern, &fixed)
            case .timestamp(let t): tags.append(Tag.timestamp.rawValue); put(UInt64(bitPattern: t), &fixed)
            case .interval(let m, let u): tags.append(Tag.interval.rawValue); put(UInt64(bitPattern: m), &fixed); put(UInt64(bitPattern: u), &fixed)
            case .string(let s): tags.append(Tag.string.rawValue); code(s)
            case .json(let v): tags.append(Tag.json.rawValue); code(JSONWriter.string(v))
            }
        }
        var out = magic
        put(UInt64(column.count), &out)
        out += tags
        put(UInt64(fixed.count), &out)
        out += fixed
        put(UInt64(entries.count), &out)
        for e in entries {
            var s = e
            s.withUTF8 { b in put(UInt64(b.count), &out); out.append(contentsOf: b) }
        }
        out += codes
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> [Datum]? {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    /// A decoded column and, when it holds only strings and NULLs, its dictionary encoding (the codes
    /// are in the bytes already, so the executor need not hash every row again).
    public struct Decoded {
        public var column: [Datum]
        var encoding: Table.Encoding?
    }

    public static func decodeEncoded(_ bytes: [UInt8]) -> Decoded? {
        bytes.withUnsafeBufferPointer { b -> Decoded? in
            guard let column = decode(b) else { return nil }
            // Tags start after the magic and the row count; codes are the last 4 bytes of each string row.
            let n = column.count, tagStart = 12
            var onlyStrings = true
            for r in 0..<n where b[tagStart + r] != Tag.string.rawValue && b[tagStart + r] != Tag.null.rawValue { onlyStrings = false; break }
            guard onlyStrings else { return Decoded(column: column, encoding: nil) }
            // Dictionary entries in code order: the first row using each code names it.
            var entries = [Datum?](), codes = [Int32](repeating: 0, count: n)
            var nullCode: Int32 = -1, strings: [Int32] = []
            strings.reserveCapacity(n)
            let codeStart = b.count - 4 * column.lazy.filter { if case .string = $0 { return true }; return false }.count
            var at = codeStart
            for r in 0..<n {
                if b[tagStart + r] == Tag.null.rawValue { strings.append(-1); continue }
                let c = Int32(b[at]) | Int32(b[at + 1]) << 8 | Int32(b[at + 2]) << 16 | Int32(b[at + 3]) << 24
                at += 4
                strings.append(c)
            }
            // Values: the entries (codes as stored) and NULL after them, when any row is NULL.
            let entryCount = Int((strings.max() ?? -1) + 1)
            entries = [Datum?](repeating: nil, count: entryCount)
            for r in 0..<n {
                let c = strings[r]
                if c < 0 {
                    if nullCode < 0 { nullCode = Int32(entryCount) }
                    codes[r] = nullCode
                } else {
                    if entries[Int(c)] == nil { entries[Int(c)] = column[r] }
                    codes[r] = c
                }
            }
            guard !entries.contains(where: { $0 == nil }) else { return Decoded(column: column, encoding: nil) }
            var values = entries.map { $0! }
            if nullCode >= 0 { values.append(.null) }
            return Decoded(column: column, encoding: Table.Encoding(codes: codes, values: values))
        }
    }

    public static func decode(_ b: UnsafeBufferPointer<UInt8>) -> [Datum]? {
        var at = 0
        func u64() -> UInt64? {
            guard at + 8 <= b.count else { return nil }
            var x: UInt64 = 0
            for i in 0..<8 { x |= UInt64(b[at + i]) << (8 * UInt64(i)) }
            at += 8
            return x
        }
        guard b.count >= 4, Array(b[0..<4]) == magic else { return nil }
        at = 4
        guard let n64 = u64(), n64 <= UInt64(b.count) else { return nil }
        let n = Int(n64)
        let tagStart = at
        at += n
        guard let fixedCount = u64(), fixedCount <= UInt64(b.count - min(at, b.count)) else { return nil }
        var fixedAt = at
        let fixedEnd = at + Int(fixedCount)
        at = fixedEnd
        guard let entryCount = u64(), entryCount <= UInt64(b.count) else { return nil }
        var entries: [Datum] = []   // the dictionary as strings; JSON entries are parsed on first use
        var texts: [String] = []
        texts.reserveCapacity(Int(entryCount))
        for _ in 0..<Int(entryCount) {
            guard let len = u64(), len <= UInt64(b.count - at) else { return nil }
            texts.append(String(decoding: UnsafeBufferPointer(rebasing: b[at..<(at + Int(len))]), as: UTF8.self))
            at += Int(len)
        }
        entries = texts.map(Datum.string)
        var parsed: [Int: Datum] = [:]
        var codeAt = at
        func fixed() -> UInt64? {
            guard fixedAt + 8 <= fixedEnd else { return nil }
            var x: UInt64 = 0
            for i in 0..<8 { x |= UInt64(b[fixedAt + i]) << (8 * UInt64(i)) }
            fixedAt += 8
            return x
        }
        func code() -> Int? {
            guard codeAt + 4 <= b.count else { return nil }
            let c = Int(b[codeAt]) | Int(b[codeAt + 1]) << 8 | Int(b[codeAt + 2]) << 16 | Int(b[codeAt + 3]) << 24
            codeAt += 4
            return c < entries.count ? c : nil
        }
        var out = [Datum]()
        out.reserveCapacity(n)
        for r in 0..<n {
            guard let tag = Tag(rawValue: b[tagStart + r]) else { return nil }
            switch tag {
            case .null: out.append(.null)
            case .falseValue: out.append(.bool(false))
            case .trueValue: out.append(.bool(true))
            case .int: guard let x = fixed() else { return nil }; out.append(.int(Int64(bitPattern: x)))
            case .double: guard let x = fixed() else { return nil }; out.append(.double(Double(bitPattern: x)))
            case .timestamp: guard let x = fixed() else { return nil }; out.append(.timestamp(Int64(bitPattern: x)))
            case .interval:
                guard let m = fixed(), let u = fixed() else { return nil }
                out.append(.interval(months: Int64(bitPattern: m), micros: Int64(bitPattern: u)))
            case .string: guard let c = code() else { return nil }; out.append(entries[c])
            case .json:
                guard let c = code() else { return nil }
                if let p = parsed[c] { out.append(p); continue }
                guard let v = try? JSONReader.parse(texts[c]) else { return nil }
                let d = Datum(v)
                parsed[c] = d
                out.append(d)
            }
        }
        guard codeAt == b.count, fixedAt == fixedEnd else { return nil }
        return out
    }
}
