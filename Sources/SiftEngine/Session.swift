// Session runs queries against a workspace: text -> parse -> bind (through the store as Catalog) ->
// plan -> executor over columns loaded from SQLite. Within a session, loaded columns are cached per
// project, so repeating a query (or running another over the same fields) does no SQLite work.

import Foundation
import SiftExecutor
import SiftModel
import SiftQuery
import SiftStore

/// A query failure with what is needed to show it: the diagnostic and the text it points into.
public struct QueryError: Error, CustomStringConvertible {
    public var diagnostic: Diagnostic
    public var text: String
    public var description: String { diagnostic.render(in: text) }
}

public struct QueryOptions {
    /// now() for the query; nil: the current time (fixed once per query).
    public var now: Timestamp?
    public var tzOffsetMinutes = 0
    /// For bare filters and sourceless pipe queries.
    public var project: String?
    public var shape: Shape = .spans
    public init() {}
}

public final class Session: Catalog {
    public let store: Store
    /// Whether loaded columns stay for later queries (REPL, --repeat), or each query loads only its time range.
    public var caching: Bool
    private var tables: [String: Table] = [:]

    public init(store: Store, caching: Bool = true) {
        self.store = store
        self.caching = caching
    }

    private var projectNameCache: [String]?
    private var pathCache: [String: [String]] = [:]

    /// Read once per session: the binder asks for every facets/classifications/scores path it checks.
    public func projectNames() -> [String] {
        if let n = projectNameCache { return n }
        let n = (try? store.projectNames()) ?? []
        projectNameCache = n
        return n
    }

    /// Only the look-ups for `root` run (the binder checks facets, classifications and scores paths;
    /// sampling metadata and metrics keys is for completion and .schema).
    public func knownPaths(project: String, root: String) -> [String] {
        if let p = pathCache[project] { return p.filter { $0.hasPrefix(root + ".") } }
        let key = project + "\u{0}" + root
        if let p = pathCache[key] { return p }
        let p = (try? store.knownPaths(project: project, roots: [root])) ?? []
        pathCache[key] = p
        return p
    }

    public func knownPaths(project: String) -> [String] {
        if let p = pathCache[project] { return p }
        let p = (try? store.knownPaths(project: project)) ?? []
        pathCache[project] = p
        return p
    }

    /// Parses and binds; throws QueryError with the position of the problem.
    public func plan(_ text: String, options: QueryOptions) throws -> LogicalPlan {
        try forgetIfStale()
        do {
            let statement = try Parser.parse(text)
            // A query without a source reads the given project, else the store's only one.
            let names = options.project == nil ? projectNames() : []
            let project = options.project ?? (names.count == 1 ? names[0] : nil)
            return try Binder(catalog: self).bind(statement, defaultProject: project, defaultShape: options.shape)
        } catch let d as Diagnostic {
            throw QueryError(diagnostic: d, text: text)
        }
    }

    public func run(_ text: String, options: QueryOptions) throws -> QueryResult {
        try run(plan(text, options: options), text: text, options: options)
    }

    public func run(_ plan: LogicalPlan, text: String, options: QueryOptions) throws -> QueryResult {
        // Column chunks are brought up to date (a write) before the query's read snapshot begins; the
        // query then reads one version of the data however long it runs, while writers go on; what it
        // kept is written after the snapshot ends.
        if useChunks, case .projectLogs(let project, _) = plan.source { prepareChunks(project) }
        var used: Table?
        defer { used?.saveKept() }
        return try store.readSnapshot {
            try forgetIfStale()
            return try runInSnapshot(plan, text: text, options: options) { used = $0 }
        }
    }

    private func runInSnapshot(_ plan: LogicalPlan, text: String, options: QueryOptions, using: (Table) -> Void) throws -> QueryResult {
        let now = options.now ?? Timestamp(seconds: Date().timeIntervalSince1970)
        let executor = Executor(now: now.microseconds, tzOffsetMinutes: options.tzOffsetMinutes)
        let table: Table
        switch plan.source {
        case .projectLogs(let project, _):
            table = try projectTable(project, plan: plan, executor: executor)
        case .dataset(let name):
            guard try store.datasetRow(named: name) != nil else {
                // Pointed at where the query names it (the plan keeps no source ranges).
                let quoted = "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
                let start = text.range(of: quoted).map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) } ?? 0
                let names = try store.datasets().map(\.name)
                throw QueryError(diagnostic: Diagnostic("no dataset named '\(name)'", at: SourceRange(start, start + quoted.utf8.count),
                                                        hint: names.isEmpty ? "create one with sift datasets create" : "datasets: " + names.joined(separator: ", ")),
                                 text: text)
            }
            table = Self.table(try store.datasetRecords(name), fields: SourceFields.dataset)
        case .topics(let project):
            table = Self.table(try store.topicRows(project: project), fields: SourceFields.topics)
        }
        // Columns this query decoded are kept in the store for later processes, even when it fails.
        using(table)
        do {
            return try executor.run(plan, on: table)
        } catch let e as ExecutionError {
            throw QueryError(diagnostic: e.diagnostic, text: text)
        }
    }

    /// The data generation the cached tables and catalog answers were made from.
    private var cachedGeneration: Int64?

    /// Drops what this session holds when another process (or this one) has written since: a REPL
    /// open across an ingest answers from the new data, new fields included.
    private func forgetIfStale() throws {
        let now = try store.generation()
        if let g = cachedGeneration, g != now { invalidate() }
        cachedGeneration = now
    }

    func projectTable(_ project: String, plan: LogicalPlan, executor: Executor) throws -> Table {
        if caching, let t = tables[project] { return t }
        let table: Table
        var lower: Int64?, upper: Int64?
        if let l = plan.lowerTime, let t = try executor.constant(l.value).asTimestamp { lower = l.inclusive ? t : t + 1 }
        if let u = plan.upperTime, let t = try executor.constant(u.value).asTimestamp { upper = u.inclusive ? t : t - 1 }
        if useChunks, let pid = try store.projectID(named: project),
           let t = try chunkTable(project, projectRow: pid, lower: caching ? nil : lower, upper: caching ? nil : upper) {
            table = t
        } else if persistColumns, let pid = try store.projectID(named: project) {
            table = try persistedTable(project, projectRow: pid)
        } else {
            // One-shot: read only the time range the query can match.
            let columns = try store.spanColumns(project: project, lower: caching ? nil : lower, upper: caching ? nil : upper)
            table = Table(count: columns.count) { try Self.column($0, of: columns) }
        }
        if caching { tables[project] = table } else { lastTable = table }
        // A one-shot table searches a big column one row group at a time instead of holding it whole.
        table.keepsParts = caching
        return table
    }

    /// The last one-shot table, freed with the next query or the session rather than inside the
    /// query's own time (freeing a million values takes a while).
    private var lastTable: Table?

    /// Puts spans written before row groups existed in groups, and rebuilds stale facet and
    /// classification chunks, when needed (best effort: when another process holds the write lock,
    /// the query reads the span rows instead).
    func prepareChunks(_ project: String) {
        guard let ready = try? store.chunksComplete() else { return }
        if !ready { guard store.completeAllChunks() else { return } }
        guard let pid = try? store.projectID(named: project), let groups = try? store.rowGroups(projectRow: pid),
              groups.contains(where: { !$0.traceFieldsCurrent }) else { return }
        _ = store.completeChunks(projectRow: pid, busyMilliseconds: 200)
    }

    /// Whether decoded columns are kept in the store for later processes (and read from there).
    public var persistColumns = true
    /// Whether tables are read from the column chunks written at ingest (off: decode from the rows).
    public var useChunks = true

    /// A table over the project's row groups (those whose zone map meets [lower, upper], when given):
    /// span columns and paths from the chunks written at ingest, facets and classifications from
    /// their chunks, anything else computed from those (kept in the column cache when the table is
    /// the whole project). Nil when the chunks cannot serve: spans not yet in groups or stale
    /// trace-field chunks that cannot be brought up to date now (another process is writing).
    func chunkTable(_ project: String, projectRow pid: Int64, lower: Int64?, upper: Int64?) throws -> Table? {
        guard try store.chunksComplete() else { return nil }
        var groups = try store.rowGroups(projectRow: pid)
        if groups.contains(where: { !$0.traceFieldsCurrent }) { return nil }
        let whole = lower == nil && upper == nil
        if !whole { groups = groups.filter { g in (lower.map { g.maxCreated >= $0 } ?? true) && (upper.map { g.minCreated <= $0 } ?? true) } }
        let count = groups.reduce(0) { $0 + $1.rows }
        let store = self.store
        // Scores computed by scorers show in `scores` and `metadata.sift_scores`: those come from the rows.
        let computedScores = try store.hasComputedScores(projectRow: pid)
        func fromChunks(_ key: String) -> [UInt8]? { chunkParts(key).flatMap(ColumnFormat.concatenate) }
        func chunkParts(_ key: String, packed: Bool = false) -> [[UInt8]]? {
            if computedScores && (key == "scores" || key == "metadata" || key.hasPrefix("path:scores.") || key.hasPrefix("path:metadata.sift_scores")) { return nil }
            var parts: [[UInt8]] = []
            parts.reserveCapacity(groups.count)
            for g in groups {
                // A chunk that cannot be read (damaged, or the store failed) is computed from the rows.
                // Chunks are read packed and unpacked below, on every core at once.
                let c: [UInt8]?
                do { c = try store.packedChunk(projectRow: pid, group: g, key: key) } catch { return nil }
                if let c { parts.append(c); continue }
                // A key missing from a family whose every key has a chunk is NULL in that group.
                // (Only a key one level down: `metadata.list.[1]` is computed from `metadata.list`.)
                guard key.hasPrefix("path:"), let dot = key.firstIndex(of: "."),
                      case let family = String(key[key.index(key.startIndex, offsetBy: 5)..<dot]),
                      !key[key.index(after: dot)...].contains(where: { $0 == "." || $0 == "[" }),
                      Store.exactPathFamilies.contains(family), g.complete.contains(family) else { return nil }
                parts.append(ColumnFormat.nulls(g.rows))
            }
            if parts.isEmpty { return [ColumnFormat.nulls(0)] }
            if packed { return parts }
            let unpacked = UnsafeMutableBufferPointer<[UInt8]?>.allocate(capacity: parts.count)
            unpacked.initialize(repeating: nil)
            defer { unpacked.deinitialize(); unpacked.deallocate() }
            DispatchQueue.concurrentPerform(iterations: parts.count) { i in unpacked[i] = Store.unpackChunk(parts[i]) }
            var out: [[UInt8]] = []
            out.reserveCapacity(parts.count)
            for u in unpacked {
                guard let u else { return nil }   // damaged: computed from the rows
                out.append(u)
            }
            return out
        }
        let generation = try store.generation()
        var persistence = ColumnPersistence(
            limit: whole ? persistLimit : 0,
            load: { key in
                if let bytes = fromChunks(key) { return bytes }
                return whole ? ((try? store.cachedColumn(projectRow: pid, key: key, generation: generation)) ?? nil) : nil
            },
            save: { key, bytes in
                guard whole, key != "project_id" else { return }
                store.saveCachedColumn(projectRow: pid, key: key, generation: generation, data: bytes)
            })
        // Fields no chunk serves (scores with computed scores merged) come from the rows, in the same order.
        var spanColumns: Store.SpanColumns?
        let table = Table(count: count) { field in
            if field == "project_id" { return Array(repeating: .string(project), count: count) }
            if spanColumns == nil { spanColumns = try store.spanColumns(project: project, rowRanges: groups.map { $0.firstRow...$0.lastRow }) }
            return try Self.column(field, of: spanColumns!)
        }
        persistence.loadParts = { key in chunkParts(key) }
        persistence.loadPacked = { key in
            chunkParts(key, packed: true).map { (parts: $0, rows: groups.map(\.rows), unpack: { Store.unpackChunk($0) }) }
        }
        table.persisted = persistence
        return table
    }
    /// Columns bigger than this (encoded) are not kept in the store.
    public var persistLimit = 64 << 20

    /// A whole-project table whose columns come from the store's column cache when an earlier process
    /// kept them for this generation of the data, and are kept there when computed.
    func persistedTable(_ project: String, projectRow pid: Int64) throws -> Table {
        let generation = try store.generation()
        let store = self.store, limit = persistLimit
        var persistence = ColumnPersistence(
            limit: limit,
            load: { key in (try? store.cachedColumn(projectRow: pid, key: key, generation: generation)) ?? nil },
            save: { key, bytes in store.saveCachedColumn(projectRow: pid, key: key, generation: generation, data: bytes) })
        // The row count and trace structure: kept columns when all three are there, else the store's.
        var spanColumns: Store.SpanColumns?
        func columns() throws -> Store.SpanColumns {
            if let c = spanColumns { return c }
            let c = try store.spanColumns(project: project)
            spanColumns = c
            return c
        }
        let count: Int
        // is_root (a byte a row) gives the row count; the other columns load when a query reads them.
        if let isRoot = persistence.load("is_root"), let n = ColumnCodec.rowCount(isRoot),
           (try? store.cachedColumnKeys(projectRow: pid, generation: generation))?.isSuperset(of: ["created", "root_span_id"]) == true {
            count = n
            let table = Table(count: count) { try Self.column($0, of: try columns()) }
            table.persisted = persistence
            return table
        }
        let c = try columns()
        count = c.count
        let table = Table(count: count) { try Self.column($0, of: try columns()) }
        table.persisted = persistence
        for name in ["created", "root_span_id", "is_root"] { _ = try table.column(name) }
        return table
    }

    static func column(_ field: String, of columns: Store.SpanColumns) throws -> [Datum] {
        switch field {
        case "created": return columns.created.map(Datum.timestamp)
        case "is_root": return columns.isRoot.map(Datum.bool)
        case "root_span_id": return columns.rootSpanIDs.map(Datum.string)
        default:
            guard let values = try columns.column(field) else { return Array(repeating: .null, count: columns.count) }
            return values.map(Datum.init)
        }
    }

    /// A table over rows given as field -> value (datasets, topics: small, read whole).
    static func table(_ rows: [[String: Value]], fields: [String]) -> Table {
        var columns: [String: [Datum]] = [:]
        for f in fields { columns[f] = rows.map { Datum($0[f] ?? .null) } }
        return Table(columns: columns, count: rows.count, fields: fields)
    }

    /// Forgets cached columns and catalog answers (after an ingest, say).
    public func invalidate() {
        tables = [:]
        projectNameCache = nil
        pathCache = [:]
    }
}
