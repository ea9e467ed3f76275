// Table is what a scan hands the executor: a number of rows and their columns by top-level field
// name, materialised on first use (so a query decodes only the fields it reads), plus the trace
// structure the traces and summary shapes need. Columns may come from the store's kept columns
// (`persisted`); those with few distinct values stay as dictionary codes until a query needs values.

import Dispatch
import SiftModel
import SiftQuery

public final class Table {
    public let count: Int
    /// The top-level fields rows have (the span model unless the source says otherwise).
    public let fieldNames: [String]
    private let provider: (String) throws -> [Datum]
    private var cache: [String: [Datum]] = [:]

    /// `provider` returns the column for a top-level field, `count` values long.
    public init(count: Int, fields: [String] = SpanFields.all, provider: @escaping (String) throws -> [Datum]) {
        self.count = count
        fieldNames = fields
        self.provider = provider
    }

    public init(columns: [String: [Datum]], count: Int, fields: [String] = SpanFields.all) {
        self.count = count
        fieldNames = fields
        cache = columns
        provider = { _ in Array(repeating: .null, count: count) }
    }

    /// A derived column over all rows (a JSON path such as `metadata.model`), computed once and kept
    /// with the table, so later queries in the session read it like a stored column.
    func derived(_ key: String, _ compute: () throws -> [Datum]) rethrows -> [Datum] {
        let name = "path:" + key
        if let c = existing(name) { return c }
        let c = try compute()
        cache[name] = c
        keep(name, c)
        return c
    }

    public func column(_ name: String) throws -> [Datum] {
        if let c = existing(name) { return c }
        let c = try provider(name)
        guard c.count == count else { throw ExecutionError("column \(name) has \(c.count) values for \(count) rows; run the query again") }
        cache[name] = c
        keep(name, c)
        return c
    }

    /// A column already decoded, held as codes, or kept in the store; nil when it must be computed.
    private func existing(_ name: String) -> [Datum]? {
        if let c = cache[name] { return c }
        if let e = encodings[name] {
            let values = e.values
            let c = e.codes.map { values[Int($0)] }
            cache[name] = c
            return c
        }
        guard let bytes = persistedBytes(name), let d = ColumnCodec.decodeEncoded(bytes, maxDistinct: distinctLimit), d.column.count == count else { return nil }
        cache[name] = d.column
        bytesRead[name] = .some(nil)   // decoded: the bytes are not needed again
        if let e = d.encoding { encodings[name] = e }
        return d.column
    }

    /// Encodes a decoded column for keeping on another thread, while the query goes on; `saveKept`
    /// writes what was encoded to the store.
    private func keep(_ name: String, _ column: [Datum]) {
        guard let persisted, persisted.limit > 0 else { return }
        let limit = persisted.limit, keeper = self.keeper
        keeper.queue.async(group: keeper.group) {
            if let bytes = ColumnCodec.encode(column, limit: limit) { keeper.encoded.append((name, bytes)) }
        }
    }

    /// Bytes made during a query, written to the store with the other kept columns by `saveKept`
    /// (after the query's read snapshot).
    /// The bytes are made there too, off the query's thread; nothing is made when nothing can be kept
    /// (a table over part of the data keeps nothing).
    private func keepEncoded(_ name: String, _ make: @escaping () -> [UInt8]) {
        guard let persisted, persisted.limit > 0 else { return }
        let keeper = self.keeper
        keeper.queue.async(group: keeper.group) { keeper.encoded.append((name, make())) }
    }

    /// Columns being encoded for keeping: the work runs on `queue` (serial), which also guards `encoded`.
    private final class Keeper: @unchecked Sendable {
        let queue = DispatchQueue(label: "sift.keep-columns")
        let group = DispatchGroup()
        var encoded: [(String, [UInt8])] = []
    }
    private let keeper = Keeper()

    /// Writes the columns decoded since the last call to the store (waiting for those still being
    /// encoded). Call it on the thread that uses the store, after a query.
    public func saveKept() {
        guard let persisted else { return }
        keeper.group.wait()
        let done: [(String, [UInt8])] = keeper.queue.sync {
            defer { keeper.encoded = [] }
            return keeper.encoded
        }
        for (name, bytes) in done { persisted.save(name, bytes) }
    }

    /// The kept bytes of a column, read from the store at most once.
    private var bytesRead: [String: [UInt8]?] = [:]
    private func persistedBytes(_ name: String) -> [UInt8]? {
        if let b = bytesRead[name] { return b }
        let b = persisted?.load(name)
        bytesRead[name] = .some(b)   // nil too: a column that is not kept is not asked for again
        return b
    }

    /// A cached column as dictionary codes: each row's index into `values` (its distinct values in
    /// first-seen order). Group-by and simple filters work on the codes instead of hashing or
    /// comparing every row's value.
    public final class Encoding {
        public let codes: [Int32]
        public let values: [Datum]
        init(codes: [Int32], values: [Datum]) { self.codes = codes; self.values = values }
        /// The code of NULL, if any row is NULL.
        public lazy var nullCode: Int32? = values.firstIndex(where: \.isNull).map(Int32.init)
    }

    private var encodings: [String: Encoding] = [:]
    private var unencodable: Set<String> = []
    /// Columns with more distinct values than this (or than a quarter of the rows, whichever allows
    /// more) are not encoded (ids, free text): the codes would save little and the dictionary would
    /// double the memory.
    public var maxDistinct = 1 << 16
    var distinctLimit: Int { max(maxDistinct, count / 4) }

    /// The encoding of column `name` (a field name, or "path:" + a JSON path): from kept codes without
    /// decoding the values, or built once from the decoded column. Nil when there is no such column
    /// yet or it is too varied.
    func encoding(of name: String) -> Encoding? {
        if let e = encodings[name] { return e }
        if unencodable.contains(name) { return nil }
        if cache[name] == nil, let bytes = persistedBytes(name), ColumnCodec.entryCount(bytes).map({ $0 <= distinctLimit }) ?? false,
           let e = ColumnCodec.decodeCodes(bytes), e.codes.count == count {
            if e.values.count <= distinctLimit { encodings[name] = e; return e }
        }
        guard let column = cache[name] ?? existing(name) else { return nil }
        if let e = encodings[name] { return e }
        // A quick look first: when most of an even sample of rows differ (timestamps, ids), give up
        // before hashing a quarter of the table.
        // JSON values (arrays, objects) are not encoded: hashing them costs more than it saves.
        if column.count > 8192 {
            var seen = Set<Datum>()
            let stride = column.count / 4096
            for i in Swift.stride(from: 0, to: column.count, by: stride) {
                if case .json = column[i] { unencodable.insert(name); return nil }
                seen.insert(column[i])
            }
            if seen.count > 2048 { unencodable.insert(name); return nil }
        }
        var index: [Datum: Int32] = [:]
        var values: [Datum] = []
        var codes = [Int32](repeating: 0, count: column.count)
        for (r, d) in column.enumerated() {
            if case .json = d { unencodable.insert(name); return nil }
            if let c = index[d] { codes[r] = c; continue }
            guard values.count < distinctLimit else { unencodable.insert(name); return nil }
            index[d] = Int32(values.count)
            codes[r] = Int32(values.count)
            values.append(d)
        }
        let e = Encoding(codes: codes, values: values)
        encodings[name] = e
        return e
    }

    /// Whether each row of column `name` is NULL: from the kept bytes' tags when the column is not
    /// decoded (nothing else is read), else from the values. Nil when the column is not at hand.
    func nullMask(of name: String) -> [Bool]? {
        if let m = nullMasks[name] { return m }
        var mask: [Bool]?
        if let e = encodings[name] {
            let null = e.nullCode ?? -1
            mask = e.codes.map { $0 == null }
        } else if let c = cache[name] {
            mask = c.map(\.isNull)
        } else if let bytes = persistedBytes(name), let m = ColumnCodec.nullMask(bytes), m.count == count {
            mask = m
        }
        nullMasks[name] = mask
        return mask
    }
    private var nullMasks: [String: [Bool]] = [:]

    /// Column `name` as a typed column when all its values are of one scalar kind: from the kept
    /// bytes without making a value per row, or from the decoded column. Nil otherwise.
    func typed(of name: String) -> TypedColumn? {
        if let t = typedColumns[name] { return t }
        var typed: TypedColumn?
        if let c = cache[name] {
            typed = TypedColumn(c)
        } else if encodings[name] == nil, let bytes = persistedBytes(name) {
            typed = ColumnCodec.typed(bytes).flatMap { $0.isNull.count == count ? $0 : nil }
        } else {
            return nil   // not at hand as values yet: decide when it is
        }
        typedColumns[name] = .some(typed)
        return typed
    }
    private var typedColumns: [String: TypedColumn?] = [:]

    /// Column `name` as integers when it holds only timestamps and NULLs. Nil otherwise.
    func timestamps(of name: String) -> (values: [Int64], isNull: [Bool])? {
        guard let t = typed(of: name), case .timestamps(let v) = t.values else { return nil }
        return (v, t.isNull)
    }

    /// The kept bytes of column `name`, in parts (the store's row groups) with each part's first row,
    /// when it is neither decoded nor held as codes: a byte-level search, or reading a few rows, then
    /// works part by part without joining them.
    func keptParts(_ name: String) -> (parts: [[UInt8]], starts: [Int])? {
        guard cache[name] == nil, encodings[name] == nil else { return nil }
        if let p = partsRead[name] { return p }
        var parts: [[UInt8]]?
        if let b = bytesRead[name] ?? nil { parts = [b] } else { parts = persisted?.loadParts?(name) ?? persistedBytes(name).map { [$0] } }
        var result: (parts: [[UInt8]], starts: [Int])?
        if let parts {
            var starts: [Int] = [], total = 0
            for p in parts {
                guard let n = ColumnCodec.rowCount(p) else { starts = []; total = -1; break }
                starts.append(total)
                total += n
            }
            if total == count { result = (parts, starts) }
        }
        partsRead[name] = .some(result)
        return result
    }
    private var partsRead: [String: (parts: [[UInt8]], starts: [Int])?] = [:]
    private var gatherIndexes: [String: [ColumnCodec.GatherIndex?]] = [:]

    /// Whether the table keeps what it reads for later queries (a session's table); a one-shot table
    /// searches a column not yet read one part at a time, unpacking each and dropping it after use.
    public var keepsParts = true

    /// Runs `body` on every core at once for each part (row group) of column `name` that holds some
    /// of `rows` (table rows in non-decreasing order): with the part's bytes, its first row, the range
    /// of `rows` in it, and a maker of its gather index (made once, kept for the session's later
    /// queries when the bytes are kept). The bytes are the kept parts, or, for a one-shot table whose
    /// column is not read yet, each part unpacked when its turn comes and dropped after, so a search
    /// never holds a big column whole. False when the column has no parts, `rows` are out of order,
    /// the bytes are damaged, or `body` failed.
    func forEachPart(_ name: String, rows: [Int],
                     _ body: (_ bytes: [UInt8], _ start: Int, _ range: Range<Int>, _ index: () -> ColumnCodec.GatherIndex?) -> Bool) -> Bool {
        var starts: [Int] = [], bytesOf: (Int) -> [UInt8]?
        var kept: [[UInt8]]?
        if !keepsParts, cache[name] == nil, encodings[name] == nil, partsRead[name] == nil, (bytesRead[name] ?? nil) == nil,
           let packed = persisted?.loadPacked?(name), packed.parts.count == packed.rows.count {
            var total = 0
            for n in packed.rows { starts.append(total); total += n }
            guard total == count else { return false }
            let unpack = packed.unpack, parts = packed.parts, counts = packed.rows
            bytesOf = { i in unpack(parts[i]).flatMap { ColumnCodec.rowCount($0) == counts[i] ? $0 : nil } }
        } else {
            guard let (parts, s) = keptParts(name) else { return false }
            starts = s
            kept = parts
            bytesOf = { parts[$0] }
        }
        // Each part's slice of rows (which must not go back).
        for k in rows.indices.dropFirst() where rows[k - 1] > rows[k] { return false }
        var slices: [(part: Int, range: Range<Int>)] = []
        var i = 0
        while i < rows.count {
            let r = rows[i]
            guard r >= 0 && r < count else { return false }
            var lo = 0, hi = starts.count
            while hi - lo > 1 { let mid = (lo + hi) / 2; if starts[mid] <= r { lo = mid } else { hi = mid } }
            let end = lo + 1 < starts.count ? starts[lo + 1] : count
            var j = i
            while j < rows.count && rows[j] < end { j += 1 }
            slices.append((lo, i..<j))
            i = j
        }
        let indexes = UnsafeMutableBufferPointer<ColumnCodec.GatherIndex?>.allocate(capacity: starts.count)
        indexes.initialize(from: kept != nil ? (gatherIndexes[name] ?? [ColumnCodec.GatherIndex?](repeating: nil, count: starts.count))
                                             : [ColumnCodec.GatherIndex?](repeating: nil, count: starts.count))
        let ok = UnsafeMutableBufferPointer<Bool>.allocate(capacity: slices.count)
        ok.initialize(repeating: false)
        defer { indexes.deinitialize(); indexes.deallocate(); ok.deinitialize(); ok.deallocate() }
        DispatchQueue.concurrentPerform(iterations: slices.count) { k in
            let (p, range) = slices[k]
            guard let bytes = bytesOf(p) else { return }
            // A part appears in one slice only (rows do not go back), so one thread makes its index.
            ok[k] = body(bytes, starts[p], range) {
                if indexes[p] == nil { indexes[p] = ColumnCodec.GatherIndex(bytes) }
                return indexes[p]
            }
            if kept == nil { indexes[p] = nil }   // its bytes are dropped with it
        }
        if kept != nil { gatherIndexes[name] = Array(indexes) }
        return !ok.contains(false)
    }

    /// Values of column `name` at `rows` (in any order), read part by part on every core
    /// (`forEachPart`: a one-shot table unpacks one part at a time); nil when the column is not in
    /// parts or its bytes cannot be read.
    func gatherParts(_ name: String, _ rows: [Int]) -> [Datum]? {
        var ascending = true
        for i in rows.indices.dropFirst() where rows[i - 1] > rows[i] { ascending = false; break }
        let order = ascending ? Array(rows.indices) : rows.indices.sorted { rows[$0] < rows[$1] }
        let sorted = ascending ? rows : order.map { rows[$0] }
        let out = UnsafeMutableBufferPointer<Datum>.allocate(capacity: rows.count)
        out.initialize(repeating: .null)
        defer { out.deinitialize(); out.deallocate() }
        let read = forEachPart(name, rows: sorted) { bytes, start, range, index in
            guard let index = index(), let values = index.gather(bytes, range.map { sorted[$0] - start }) else { return false }
            for (k, position) in range.enumerated() { out[order[position]] = values[k] }
            return true
        }
        return read ? Array(out) : nil
    }

    /// Whether column `name` is at hand without computing it (decoded, as codes, or kept).
    func isAvailable(_ name: String) -> Bool {
        cache[name] != nil || encodings[name] != nil || persistedBytes(name) != nil
    }

    /// Values of column `name` at `rows` only: from its codes when it is held as codes, or from kept
    /// bytes not yet decoded when the rows are few (ids of a handful of spans); nil when the column is
    /// decoded already, or neither applies.
    func gather(_ name: String, _ rows: [Int]) -> [Datum]? {
        guard cache[name] == nil else { return nil }
        if let e = encodings[name] {
            // Held as codes: the values of these rows only.
            let values = e.values
            return e.codes.withUnsafeBufferPointer { codes in rows.map { values[Int(codes[$0])] } }
        }
        // Asked again (a session running queries over kept data): decode the column once instead.
        if gathered.contains(name) { return nil }
        guard rows.count * 8 < count else { return nil }
        // Kept in parts (row groups): read from each part in place (a one-shot query unpacks only
        // what it reads, one part at a time) rather than joining the parts first.
        if persisted?.loadParts != nil, (bytesRead[name] ?? nil) == nil {
            gathered.insert(name)
            if let few = gatherParts(name, rows) { return few }
        }
        guard let bytes = persistedBytes(name) else { return nil }
        gathered.insert(name)
        guard let index = ColumnCodec.GatherIndex(bytes), index.count == count else { return nil }
        return index.gather(bytes, rows)
    }
    /// Columns read row by row once already (a second read decodes the whole column instead).
    private var gathered: Set<String> = []

    /// Where columns outlive the process (the store's column cache), if anywhere.
    public var persisted: ColumnPersistence?

    /// 0..<count, made once: every query starts from all rows.
    public lazy var allRows: [Int] = BigArrays.make(count) { out in for i in 0..<count { out[i] = i } }

    /// Trace membership: for each row, the index of its trace; and each trace's root row (or first row).
    /// Kept with the persisted columns, since building it hashes every row's trace id.
    public lazy var traceStructure: (ofRow: [Int], roots: [Int]) = {
        if let ofBytes = persistedBytes("trace:of_row"), let rootBytes = persistedBytes("trace:roots"),
           let ofRow = ColumnCodec.decodeInts(ofBytes), let roots = ColumnCodec.decodeInts(rootBytes), ofRow.count == count,
           !ofRow.contains(where: { $0 < 0 || $0 >= roots.count }), !roots.contains(where: { $0 < 0 || $0 >= count }) {
            return (ofRow, roots)
        }
        if let built = traceStructureFromParts() {
            keepEncoded("trace:of_row") { ColumnCodec.encodeInts(built.ofRow) }
            keepEncoded("trace:roots") { ColumnCodec.encodeInts(built.roots) }
            return built
        }
        let isRoot = (try? column("is_root")) ?? []
        // Trace ids as dictionary codes when the column has them (kept chunks): no string is made or hashed.
        if let e = encoding(of: "root_span_id"), e.codes.count == count {
            var traceOfCode = [Int](repeating: -1, count: e.values.count)
            var ofRow = [Int](repeating: 0, count: count)
            var roots: [Int] = []
            for r in 0..<count {
                let c = Int(e.codes[r])
                var t = traceOfCode[c]
                if t < 0 { t = roots.count; traceOfCode[c] = t; roots.append(r) }
                ofRow[r] = t
                if case .bool(true) = isRoot[r] { roots[t] = r }
            }
            keepEncoded("trace:of_row") { ColumnCodec.encodeInts(ofRow) }
            keepEncoded("trace:roots") { ColumnCodec.encodeInts(roots) }
            return (ofRow, roots)
        }
        let ids = (try? column("root_span_id")) ?? []
        var index: [String: Int] = [:]
        var ofRow = [Int](repeating: 0, count: count)
        var roots: [Int] = []
        for r in 0..<count {
            let key: String
            if case .string(let s) = ids[r] { key = s } else { key = "" }
            if let t = index[key] {
                ofRow[r] = t
                if case .bool(true) = isRoot[r] { roots[t] = r }
            } else {
                index[key] = roots.count
                ofRow[r] = roots.count
                roots.append(r)
            }
        }
        keepEncoded("trace:of_row") { ColumnCodec.encodeInts(ofRow) }
        keepEncoded("trace:roots") { ColumnCodec.encodeInts(roots) }
        return (ofRow, roots)
    }()

    /// The trace structure read from the trace ids' chunks in place: each chunk's dictionary entries
    /// are matched to traces by their bytes (a trace's spans may sit in several chunks), rows by their
    /// codes. Nil when `root_span_id` is not in kept parts of strings, or `is_root` is not booleans.
    private func traceStructureFromParts() -> (ofRow: [Int], roots: [Int])? {
        guard let (parts, _) = keptParts("root_span_id"), let flags = typed(of: "is_root"), case .bools(let isRoot) = flags.values else { return nil }
        // Each distinct id is found by a 64-bit hash of its bytes (the bytes compared on a match, a
        // dictionary of the bytes on the rare hash collision); rows with no id or an empty one share a trace.
        var byHash: [UInt64: Int] = [:]
        var collided: [ColumnFormat.ByteKey: Int] = [:]
        var idAt: [(part: Int, lo: Int, hi: Int)] = []   // where each trace's id bytes are
        var noID = -1
        // Sized once: about one trace per dictionary entry.
        byHash.reserveCapacity(parts.reduce(0) { n, p in n + (p.withUnsafeBufferPointer { ColumnFormat.Parts($0)?.entries.count } ?? 0) })
        var ofRow = [Int](repeating: 0, count: count)
        var roots: [Int] = []
        var r = 0
        func same(_ a: (part: Int, lo: Int, hi: Int), _ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
            guard a.hi - a.lo == hi - lo else { return false }
            return parts[a.part].withUnsafeBufferPointer { x in
                for k in 0..<(hi - lo) where x[a.lo + k] != b[lo + k] { return false }
                return true
            }
        }
        for (pi, part) in parts.enumerated() {
            let ok = part.withUnsafeBufferPointer { b -> Bool in
                guard let layout = ColumnFormat.Parts(b) else { return false }
                // Each entry's trace, found or numbered by first appearance in row order.
                var entryTrace = [Int](repeating: -1, count: layout.entries.count)
                var at = layout.codes.lowerBound
                for i in 0..<layout.rows {
                    let tag = b[layout.tags.lowerBound + i]
                    var code = -1
                    if tag == ColumnFormat.Tag.string.rawValue {
                        guard at + 4 <= layout.codes.upperBound else { return false }
                        code = Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
                        at += 4
                        guard code < entryTrace.count else { return false }
                    } else if tag != ColumnFormat.Tag.null.rawValue {
                        return false
                    }
                    var t = code >= 0 ? entryTrace[code] : -1
                    if t < 0 {
                        let range = code >= 0 ? layout.entries[code] : 0..<0
                        if range.isEmpty {
                            if noID < 0 { noID = roots.count; roots.append(r); idAt.append((pi, 0, 0)) }
                            t = noID
                        } else {
                            let h = ByteHash.hash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[range])))
                            if let known = byHash[h] {
                                if same(idAt[known], b, range.lowerBound, range.upperBound) {
                                    t = known
                                } else {
                                    let key = ColumnFormat.ByteKey(bytes: part[range])
                                    if let k = collided[key] { t = k } else {
                                        t = roots.count; collided[key] = t; roots.append(r); idAt.append((pi, range.lowerBound, range.upperBound))
                                    }
                                }
                            } else {
                                t = roots.count; byHash[h] = t; roots.append(r); idAt.append((pi, range.lowerBound, range.upperBound))
                            }
                        }
                        if code >= 0 { entryTrace[code] = t }
                    }
                    ofRow[r] = t
                    if isRoot[r] && !flags.isNull[r] { roots[t] = r }
                    r += 1
                }
                return true
            }
            guard ok else { return nil }
        }
        return r == count ? (ofRow, roots) : nil
    }

    /// The trace structure with each trace's id.
    public var traces: (ofRow: [Int], roots: [Int], ids: [String]) {
        let (ofRow, roots) = traceStructure
        if let few = gatherParts("root_span_id", roots) {
            return (ofRow, roots, few.map { if case .string(let s) = $0 { return s } else { return "" } })
        }
        if let e = encoding(of: "root_span_id"), e.codes.count == count {
            let ids = roots.map { r -> String in if case .string(let s) = e.values[Int(e.codes[r])] { return s } else { return "" } }
            return (ofRow, roots, ids)
        }
        let rootIDs = (try? column("root_span_id")) ?? []
        let ids = roots.map { r -> String in if r < rootIDs.count, case .string(let s) = rootIDs[r] { return s } else { return "" } }
        return (ofRow, roots, ids)
    }
}

/// Keeps decoded columns between processes as ColumnCodec bytes: `load` gives the bytes kept earlier
/// for the same data (or nil), `save` offers bytes to keep.
public struct ColumnPersistence {
    public var load: (String) -> [UInt8]?
    /// The kept bytes of a column in parts (row groups), when the store keeps it so: for reading a
    /// few rows or searching the bytes without joining the parts first.
    public var loadParts: ((String) -> [[UInt8]]?)?
    /// The column's parts as the store holds them (packed), each part's row count, and how to unpack
    /// one (on any thread): a one-shot search unpacks one part at a time instead of holding them all.
    public var loadPacked: ((String) -> (parts: [[UInt8]], rows: [Int], unpack: @Sendable ([UInt8]) -> [UInt8]?)?)?
    public var save: (String, [UInt8]) -> Void
    /// Columns bigger than this (encoded) are not kept: reading them back would cost about what
    /// decoding them from the spans does.
    public var limit: Int
    public init(limit: Int, load: @escaping (String) -> [UInt8]?, save: @escaping (String, [UInt8]) -> Void) {
        self.limit = limit
        self.load = load
        self.save = save
    }
}
