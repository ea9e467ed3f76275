// ColumnCodec writes a column of Datums in ColumnFormat's layout (SiftModel) and reads such bytes back:
// the column chunks the store writes at ingest, and columns a query computed and kept. A tag byte per
// row, then each kind's payload in row order (integers, doubles and timestamps as 8 little-endian
// bytes; strings and JSON text through a dictionary of distinct values and 4-byte codes). Decoding
// checks every length: bytes that are not a column give nil, never a trap.

import SiftModel

public enum ColumnCodec {
    static let magic = ColumnFormat.magic

    /// The little-endian 8-byte integer at `at` (the caller checks the bounds).
    @inline(__always) static func le64<C: RandomAccessCollection>(_ b: C, _ at: Int) -> UInt64 where C.Element == UInt8, C.Index == Int {
        var x: UInt64 = 0
        for i in 0..<8 { x |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        return x
    }

    private typealias Tag = ColumnFormat.Tag

    public static func encode(_ column: [Datum]) -> [UInt8] {
        encode(column, limit: .max)!
    }

    /// The bytes of `column`, or nil as soon as they would pass `limit` (a column too big to keep is
    /// not written out in full first: its JSON values are the costly part).
    public static func encode(_ column: [Datum], limit: Int) -> [UInt8]? {
        var w = ColumnFormat.Writer(capacity: column.count)
        for (r, d) in column.enumerated() {
            if r & 1023 == 0 && w.byteCount > limit { return nil }
            switch d {
            case .null: w.null()
            case .bool(let b): w.bool(b)
            case .int(let i): w.int(i)
            case .double(let x): w.double(x)
            case .timestamp(let t): w.timestamp(t)
            case .interval(let m, let u): w.interval(months: m, micros: u)
            case .string(let s): w.string(s)
            case .json(let v): w.json(text: JSONWriter.string(v))
            }
        }
        let out = w.bytes()
        return out.count <= limit ? out : nil
    }

    public static func decode(_ bytes: [UInt8]) -> [Datum]? {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    /// A decoded column and, when it holds only strings and NULLs, its dictionary encoding.
    public struct Decoded {
        public var column: [Datum]
        var encoding: Table.Encoding?
    }

    /// The column, with its encoding when it holds only strings and NULLs and at most `maxDistinct`
    /// distinct strings (values taken from the decoded rows: no string is made twice).
    public static func decodeEncoded(_ bytes: [UInt8], maxDistinct: Int = Int.max) -> Decoded? {
        guard let column = decode(bytes) else { return nil }
        return bytes.withUnsafeBufferPointer { b -> Decoded in
            let n = column.count, tagStart = 12
            var strings = 0
            for r in 0..<n {
                let t = b[tagStart + r]
                if t == Tag.string.rawValue { strings += 1 } else if t != Tag.null.rawValue { return Decoded(column: column, encoding: nil) }
            }
            // After the tags: the fixed-width count (0 here) and the number of dictionary entries.
            let entryCount = Int(truncatingIfNeeded: le64(b, tagStart + n + 8))
            guard entryCount <= maxDistinct else { return Decoded(column: column, encoding: nil) }
            let nullCode = Int32(entryCount)
            var codes = [Int32](repeating: nullCode, count: n)
            var values = [Datum](repeating: .null, count: entryCount + 1)
            var at = b.count - 4 * strings, anyNull = false
            for r in 0..<n {
                if b[tagStart + r] == Tag.null.rawValue { anyNull = true; continue }
                let c = Int32(b[at]) | Int32(b[at + 1]) << 8 | Int32(b[at + 2]) << 16 | Int32(b[at + 3]) << 24
                at += 4
                codes[r] = c
                values[Int(c)] = column[r]
            }
            if !anyNull { values.removeLast() }
            return Decoded(column: column, encoding: Table.Encoding(codes: codes, values: values))
        }
    }

    /// The dictionary codes of a column of strings and NULLs, read straight from the bytes without
    /// making a value per row (the codes are stored; NULL gets the code after the last string). Nil for
    /// any other column or damaged bytes.
    static func decodeCodes(_ bytes: [UInt8]) -> Table.Encoding? {
        bytes.withUnsafeBufferPointer { b -> Table.Encoding? in
            var at = 4
            func u64() -> Int? {
                guard at + 8 <= b.count else { return nil }
                let x = le64(b, at)
                at += 8
                return x <= UInt64(b.count) ? Int(x) : nil
            }
            guard b.count >= 4, Array(b[0..<4]) == magic, let n = u64(), at + n <= b.count else { return nil }
            let tagStart = at
            at += n
            guard let fixedCount = u64(), fixedCount == 0, let entryCount = u64() else { return nil }
            var values: [Datum] = []
            values.reserveCapacity(entryCount + 1)
            for _ in 0..<entryCount {
                guard let len = u64(), at + len <= b.count else { return nil }
                values.append(.string(String(decoding: UnsafeBufferPointer(rebasing: b[at..<(at + len)]), as: UTF8.self)))
                at += len
            }
            let nullCode = Int32(entryCount)
            var anyNull = false, bad = false
            let raw = UnsafeRawBufferPointer(b)
            let tags = raw.baseAddress! + tagStart, end = b.count
            let codes: [Int32] = BigArrays.make(n) { out in
                for r in 0..<n {
                    let t = tags.load(fromByteOffset: r, as: UInt8.self)
                    if t == Tag.null.rawValue { anyNull = true; out[r] = nullCode; continue }
                    guard t == Tag.string.rawValue else { bad = true; out[r] = nullCode; continue }   // not a string column
                    // Each string row has 4 bytes of code; a short payload is damage, not a trap.
                    guard at + 4 <= end else { bad = true; out[r] = nullCode; continue }
                    let c = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self))
                    at += 4
                    if c < 0 || c >= nullCode { bad = true }
                    out[r] = c
                }
            }
            guard !bad, at == end else { return nil }
            if anyNull { values.append(.null) }
            return Table.Encoding(codes: codes, values: values)
        }
    }

    /// The number of dictionary entries, from the header (nil for damaged bytes).
    static func entryCount(_ bytes: [UInt8]) -> Int? {
        guard let n = rowCount(bytes), bytes.count >= 12 + n + 8 else { return nil }
        let fixed = Int(truncatingIfNeeded: le64(bytes, 12 + n))
        let at = 12 + n + 8 + fixed
        guard fixed >= 0, fixed <= bytes.count, at + 8 <= bytes.count else { return nil }
        let e = Int(truncatingIfNeeded: le64(bytes, at))
        return e >= 0 && e <= bytes.count ? e : nil
    }

    /// Where each row's value sits in a column's bytes, so a few rows can be read without decoding
    /// the rest: per row its ordinal among the rows with a code (or with fixed-width bytes), and the
    /// offset of each dictionary entry.
    struct GatherIndex {
        let count: Int
        let ordinal: [Int32]
        let entryOffsets: [Int]      // start of each entry's text; its length sits in the 8 bytes before
        let fixedStart: Int
        let codeStart: Int

        init?(_ bytes: [UInt8]) {
            guard let n = rowCount(bytes), bytes.count >= 12 + n + 8 else { return nil }
            var ordinal = [Int32](repeating: 0, count: n)
            var coded: Int32 = 0, fixed: Int32 = 0
            for r in 0..<n {
                switch bytes[12 + r] {
                case Tag.string.rawValue, Tag.json.rawValue: ordinal[r] = coded; coded += 1
                case Tag.int.rawValue, Tag.double.rawValue, Tag.timestamp.rawValue: ordinal[r] = fixed; fixed += 1
                case Tag.interval.rawValue: ordinal[r] = fixed; fixed += 2
                case Tag.null.rawValue, Tag.falseValue.rawValue, Tag.trueValue.rawValue: break
                default: return nil
                }
            }
            var at = 12 + n
            func u64() -> Int? {
                guard at + 8 <= bytes.count else { return nil }
                let x = Int(truncatingIfNeeded: le64(bytes, at))
                at += 8
                return x >= 0 && x <= bytes.count ? x : nil
            }
            guard let fixedBytes = u64(), fixedBytes == 8 * Int(fixed) else { return nil }
            fixedStart = at
            at += fixedBytes
            guard let entries = u64() else { return nil }
            var offsets: [Int] = []
            offsets.reserveCapacity(entries)
            for _ in 0..<entries {
                guard let len = u64(), at + len <= bytes.count else { return nil }
                offsets.append(at)
                at += len
            }
            guard bytes.count - at == 4 * Int(coded) else { return nil }
            codeStart = at
            entryOffsets = offsets
            self.ordinal = ordinal
            count = n
        }

        /// The values at a path of member names below the rows' values (`output.content` of the
        /// `output` column), as `Evaluator.member` takes them, building only what the path reaches
        /// when it can. Nil for damaged bytes.
        func gather(_ bytes: [UInt8], _ rows: [Int], members path: [String]) -> [Datum]? {
            bytes.withUnsafeBufferPointer { b -> [Datum]? in
                var out: [Datum] = []
                out.reserveCapacity(rows.count)
                for r in rows {
                    guard r >= 0 && r < count, b[12 + r] == Tag.json.rawValue else {
                        // Not JSON: a path below any other value is NULL.
                        guard r >= 0 && r < count, Tag(rawValue: b[12 + r]) != nil else { return nil }
                        out.append(.null)
                        continue
                    }
                    let at = codeStart + 4 * Int(ordinal[r])
                    let c = Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
                    guard c < entryOffsets.count else { return nil }
                    let start = entryOffsets[c], len = Int(le64(b, start - 8))
                    let text = UnsafeBufferPointer(rebasing: b[start..<(start + len)])
                    do {
                        if let v = try JSONReader.value(atMembers: path, in: text) { out.append(Datum(v)); continue }
                        // An array on the way: the path maps over its elements, as the evaluator does.
                        var d = Datum(try JSONReader.parse(text))
                        for name in path { d = Evaluator.member(d, name, caseInsensitive: false) }
                        out.append(d)
                    } catch {
                        return nil
                    }
                }
                return out
            }
        }

        func gather(_ bytes: [UInt8], _ rows: [Int]) -> [Datum]? {
            bytes.withUnsafeBufferPointer { b -> [Datum]? in
                func u64(_ at: Int) -> UInt64 { le64(b, at) }
                var out: [Datum] = []
                out.reserveCapacity(rows.count)
                for r in rows {
                    guard r >= 0 && r < count, let tag = Tag(rawValue: b[12 + r]) else { return nil }
                    let o = Int(ordinal[r])
                    switch tag {
                    case .null: out.append(.null)
                    case .falseValue: out.append(.bool(false))
                    case .trueValue: out.append(.bool(true))
                    case .int: out.append(.int(Int64(bitPattern: u64(fixedStart + 8 * o))))
                    case .double: out.append(.double(Double(bitPattern: u64(fixedStart + 8 * o))))
                    case .timestamp: out.append(.timestamp(Int64(bitPattern: u64(fixedStart + 8 * o))))
                    case .interval: out.append(.interval(months: Int64(bitPattern: u64(fixedStart + 8 * o)), micros: Int64(bitPattern: u64(fixedStart + 8 * o + 8))))
                    case .string, .json:
                        let at = codeStart + 4 * o
                        let c = Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
                        guard c < entryOffsets.count else { return nil }
                        let start = entryOffsets[c], len = Int(u64(start - 8))
                        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<(start + len)]), as: UTF8.self)
                        if tag == .string { out.append(.string(text)) } else {
                            guard let v = try? JSONReader.parse(text) else { return nil }
                            out.append(Datum(v))
                        }
                    }
                }
                return out
            }
        }
    }

    static let intMagic: [UInt8] = Array("SCI1".utf8)

    /// Integers (row and trace numbers) as 4-byte little-endian values after a header.
    public static func encodeInts(_ xs: [Int]) -> [UInt8] {
        var out = intMagic
        out.reserveCapacity(12 + 4 * xs.count)
        withUnsafeBytes(of: UInt64(xs.count).littleEndian) { out.append(contentsOf: $0) }
        for x in xs { withUnsafeBytes(of: UInt32(truncatingIfNeeded: x).littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    public static func decodeInts(_ bytes: [UInt8]) -> [Int]? {
        guard bytes.count >= 12, Array(bytes[0..<4]) == intMagic else { return nil }
        let n = le64(bytes, 4)
        guard n <= UInt64(bytes.count), bytes.count == 12 + 4 * Int(n) else { return nil }
        return bytes.withUnsafeBytes { raw in
            BigArrays.make(Int(n)) { out in
                for i in 0..<Int(n) { out[i] = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12 + 4 * i, as: UInt32.self))) }
            }
        }
    }

    /// A column of timestamps and NULLs as plain integers (microseconds; NULL rows flagged), read
    /// straight from the bytes. Nil for any other column.
    static func timestamps(_ bytes: [UInt8]) -> (values: [Int64], isNull: [Bool])? {
        guard let t = typed(bytes), case .timestamps(let v) = t.values else { return nil }
        return (v, t.isNull)
    }

    /// A column whose rows are all of one scalar kind (integers, doubles, booleans or timestamps) or
    /// NULL, as a plain array read straight from the bytes. Nil for any other column (strings, JSON,
    /// mixed kinds, all NULL) and for damaged bytes.
    static func typed(_ bytes: [UInt8]) -> TypedColumn? {
        guard let n = rowCount(bytes), bytes.count >= 12 + n + 8 else { return nil }
        return bytes.withUnsafeBufferPointer { b -> TypedColumn? in
            // Strings and JSON (most columns) are turned away at their first value.
            let scalar: Set<UInt8> = [Tag.int.rawValue, Tag.double.rawValue, Tag.falseValue.rawValue, Tag.trueValue.rawValue, Tag.timestamp.rawValue]
            guard let first = (0..<n).lazy.map({ b[12 + $0] }).first(where: { $0 != Tag.null.rawValue }), scalar.contains(first) else { return nil }
            var kind: UInt8?
            var present = 0
            let isNull: [Bool] = BigArrays.make(n) { out in
                for r in 0..<n {
                    var t = b[12 + r]
                    if t == Tag.null.rawValue { out[r] = true; continue }
                    out[r] = false
                    present += 1
                    if t == Tag.trueValue.rawValue { t = Tag.falseValue.rawValue }   // one kind: booleans
                    if kind == nil { kind = t } else if kind != t { kind = 0xFF }
                }
            }
            guard let k = kind, k != 0xFF else { return nil }
            let fixedBytes = le64(b, 12 + n)
            let raw = UnsafeRawBufferPointer(b)
            if k == Tag.falseValue.rawValue {
                guard fixedBytes == 0 else { return nil }
                let values: [Bool] = BigArrays.make(n) { out in for r in 0..<n { out[r] = b[12 + r] == Tag.trueValue.rawValue } }
                return TypedColumn(values: .bools(values), isNull: isNull)
            }
            guard k == Tag.int.rawValue || k == Tag.double.rawValue || k == Tag.timestamp.rawValue,
                  fixedBytes == UInt64(8 * present), 12 + n + 8 + 8 * present <= b.count else { return nil }
            let start = 12 + n + 8
            // The 8-byte little-endian payloads of the present rows, in row order; 0 under NULLs.
            func read<T>(_ convert: (UInt64) -> T) -> [T] {
                BigArrays.make(n) { out in
                    var at = start
                    for r in 0..<n {
                        if isNull[r] { out[r] = convert(0); continue }
                        out[r] = convert(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
                        at += 8
                    }
                }
            }
            switch k {
            case Tag.int.rawValue: return TypedColumn(values: .ints(read { Int64(bitPattern: $0) }), isNull: isNull)
            case Tag.double.rawValue: return TypedColumn(values: .doubles(read { Double(bitPattern: $0) }), isNull: isNull)
            default:
                if present == n {
                    // No NULLs (as for `created`): the values are the fixed section, in order.
                    let values: [Int64] = BigArrays.make(n) { out in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 8 * n)]))
                        #if !_endian(little)
                        for r in 0..<n { out[r] = Int64(littleEndian: out[r]) }
                        #endif
                    }
                    return TypedColumn(values: .timestamps(values), isNull: isNull)
                }
                return TypedColumn(values: .timestamps(read { Int64(bitPattern: $0) }), isNull: isNull)
            }
        }
    }

    /// Per row, whether it is NULL, from the tags alone.
    static func nullMask(_ bytes: [UInt8]) -> [Bool]? {
        guard let n = rowCount(bytes), bytes.count >= 12 + n else { return nil }
        return bytes.withUnsafeBufferPointer { b in
            BigArrays.make(n) { out in for r in 0..<n { out[r] = b[12 + r] == Tag.null.rawValue } }
        }
    }

    /// The number of rows a column's bytes hold, from the header alone.
    public static func rowCount(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 12, Array(bytes[0..<4]) == magic else { return nil }
        let n = le64(bytes, 4)
        return n <= UInt64(bytes.count) ? Int(n) : nil
    }

    public static func decode(_ b: UnsafeBufferPointer<UInt8>) -> [Datum]? {
        var at = 0
        func u64() -> UInt64? {
            guard at + 8 <= b.count else { return nil }
            let x = le64(b, at)
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
            let x = le64(b, fixedAt)
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
