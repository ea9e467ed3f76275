// Table is what a scan hands the executor: a number of rows and their columns by top-level field
// name, materialised on first use (so a query decodes only the fields it reads), plus the trace
// structure the traces and summary shapes need.

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
        if let c = cache[name] { return c }
        if let c = loadPersisted(name) { return c }
        let c = try compute()
        cache[name] = c
        persisted?.save(name, c)
        return c
    }

    public func column(_ name: String) throws -> [Datum] {
        if let c = cache[name] { return c }
        if let c = loadPersisted(name) { return c }
        let c = try provider(name)
        guard c.count == count else { throw ExecutionError("column \(name) has \(c.count) values for \(count) rows; run the query again") }
        cache[name] = c
        persisted?.save(name, c)
        return c
    }

    /// A cached column as dictionary codes: each row's index into `values` (its distinct values in
    /// first-seen order). Group-by and simple filters work on the codes instead of hashing or
    /// comparing every row's value.
    public final class Encoding {
        public let codes: [Int32]
        public let values: [Datum]
        init(codes: [Int32], values: [Datum]) { self.codes = codes; self.values = values }
    }

    private var encodings: [String: Encoding] = [:]
    private var unencodable: Set<String> = []
    /// Columns with more distinct values than this are not encoded (ids, free text): the codes would
    /// save little and the dictionary would double the memory.
    public var maxDistinct = 1 << 16
    /// ...or more than a quarter of the rows, whichever allows more.
    var distinctLimit: Int { max(maxDistinct, count / 4) }

    /// The encoding of the cached column `key` (a field name, or "path:" + a JSON path), built once.
    func encoding(of key: String) -> Encoding? {
        if let e = encodings[key] { return e }
        guard !unencodable.contains(key), let column = cache[key] else { return nil }
        // A quick look first: when most of an even sample of rows differ (timestamps, ids), give up
        // before hashing a quarter of the table.
        if column.count > 8192 {
            var seen = Set<Datum>()
            let stride = column.count / 4096
            for i in Swift.stride(from: 0, to: column.count, by: stride) { seen.insert(column[i]) }
            if seen.count > 2048 { unencodable.insert(key); return nil }
        }
        var index: [Datum: Int32] = [:]
        var values: [Datum] = []
        var codes = [Int32](repeating: 0, count: column.count)
        for (r, d) in column.enumerated() {
            if let c = index[d] { codes[r] = c; continue }
            guard values.count < distinctLimit else { unencodable.insert(key); return nil }
            index[d] = Int32(values.count)
            codes[r] = Int32(values.count)
            values.append(d)
        }
        let e = Encoding(codes: codes, values: values)
        encodings[key] = e
        return e
    }

    /// Columns already at hand (read from the column cache), taken as loaded.
    public func preload(_ columns: [String: [Datum]]) {
        for (name, c) in columns where c.count == count { cache[name] = c }
    }

    private func loadPersisted(_ name: String) -> [Datum]? {
        guard let d = persisted?.load(name), d.column.count == count else { return nil }
        cache[name] = d.column
        if let e = d.encoding, e.values.count <= distinctLimit { encodings[name] = e }
        return d.column
    }

    /// Where columns outlive the process (the store's column cache), if anywhere.
    public var persisted: ColumnPersistence?

    /// 0..<count, made once: every query starts from all rows.
    public lazy var allRows: [Int] = Array(0..<count)

    /// Trace membership: for each row, the index of its trace; and each trace's root row (or first row).
    /// Kept with the persisted columns, since building it hashes every row's trace id.
    public lazy var traceStructure: (ofRow: [Int], roots: [Int]) = {
        if let of = persisted?.load("trace:of_row")?.column, of.count == count, let roots = persisted?.load("trace:roots")?.column {
            let ofRow = of.map { d -> Int in if case .int(let i) = d { return Int(i) } else { return -1 } }
            let rootRows = roots.map { d -> Int in if case .int(let i) = d { return Int(i) } else { return -1 } }
            if !ofRow.contains(where: { $0 < 0 || $0 >= rootRows.count }) && !rootRows.contains(where: { $0 < 0 || $0 >= count }) {
                return (ofRow, rootRows)
            }
        }
        let ids = (try? column("root_span_id")) ?? []
        let isRoot = (try? column("is_root")) ?? []
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
        persisted?.save("trace:of_row", ofRow.map { .int(Int64($0)) })
        persisted?.save("trace:roots", roots.map { .int(Int64($0)) })
        return (ofRow, roots)
    }()

    /// The trace structure with each trace's id.
    public var traces: (ofRow: [Int], roots: [Int], ids: [String]) {
        let (ofRow, roots) = traceStructure
        let rootIDs = (try? column("root_span_id")) ?? []
        let ids = roots.map { r -> String in if r < rootIDs.count, case .string(let s) = rootIDs[r] { return s } else { return "" } }
        return (ofRow, roots, ids)
    }

}

/// Keeps decoded columns between processes: `load` gives a column kept earlier for the same data (or
/// nil), `save` offers one to keep.
public struct ColumnPersistence {
    public var load: (String) -> ColumnCodec.Decoded?
    public var save: (String, [Datum]) -> Void
    public init(load: @escaping (String) -> ColumnCodec.Decoded?, save: @escaping (String, [Datum]) -> Void) {
        self.load = load
        self.save = save
    }
}
