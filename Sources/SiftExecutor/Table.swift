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
        if let c = cache["path:" + key] { return c }
        let c = try compute()
        cache["path:" + key] = c
        return c
    }

    public func column(_ name: String) throws -> [Datum] {
        if let c = cache[name] { return c }
        let c = try provider(name)
        guard c.count == count else { throw ExecutionError("column \(name) has \(c.count) values for \(count) rows; run the query again") }
        cache[name] = c
        return c
    }

    /// 0..<count, made once: every query starts from all rows.
    public lazy var allRows: [Int] = Array(0..<count)

    /// Trace membership: for each row, the index of its trace; and each trace's root row (or first row).
    public lazy var traces: (ofRow: [Int], roots: [Int], ids: [String]) = {
        let ids = (try? column("root_span_id")) ?? []
        let isRoot = (try? column("is_root")) ?? []
        var index: [String: Int] = [:]
        var ofRow = [Int](repeating: 0, count: count)
        var roots: [Int] = []
        var names: [String] = []
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
                names.append(key)
            }
        }
        return (ofRow, roots, names)
    }()
}
