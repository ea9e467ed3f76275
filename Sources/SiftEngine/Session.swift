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

    public func knownPaths(project: String) -> [String] {
        if let p = pathCache[project] { return p }
        let p = (try? store.knownPaths(project: project)) ?? []
        pathCache[project] = p
        return p
    }

    /// Parses and binds; throws QueryError with the position of the problem.
    public func plan(_ text: String, options: QueryOptions) throws -> LogicalPlan {
        do {
            let statement = try Parser.parse(text)
            return try Binder(catalog: self).bind(statement, defaultProject: options.project, defaultShape: options.shape)
        } catch let d as Diagnostic {
            throw QueryError(diagnostic: d, text: text)
        }
    }

    public func run(_ text: String, options: QueryOptions) throws -> QueryResult {
        try run(plan(text, options: options), text: text, options: options)
    }

    public func run(_ plan: LogicalPlan, text: String, options: QueryOptions) throws -> QueryResult {
        let now = options.now ?? Timestamp(seconds: Date().timeIntervalSince1970)
        let executor = Executor(now: now.microseconds, tzOffsetMinutes: options.tzOffsetMinutes)
        let table: Table
        switch plan.source {
        case .projectLogs(let project, _):
            table = try projectTable(project, plan: plan, executor: executor)
        case .dataset(let name):
            table = Self.table(try store.datasetRecords(name), fields: SourceFields.dataset)
        case .topics(let project):
            table = Self.table(try store.topicRows(project: project), fields: SourceFields.topics)
        }
        do {
            return try executor.run(plan, on: table)
        } catch let e as ExecutionError {
            throw QueryError(diagnostic: e.diagnostic, text: text)
        }
    }

    func projectTable(_ project: String, plan: LogicalPlan, executor: Executor) throws -> Table {
        if caching, let t = tables[project] { return t }
        var lower: Int64?, upper: Int64?
        if !caching {
            // One-shot: read only the time range the query can match.
            if let l = plan.lowerTime, let t = try executor.constant(l.value).asTimestamp { lower = l.inclusive ? t : t + 1 }
            if let u = plan.upperTime, let t = try executor.constant(u.value).asTimestamp { upper = u.inclusive ? t : t - 1 }
        }
        let columns = try store.spanColumns(project: project, lower: lower, upper: upper)
        let table = Table(count: columns.count) { field in
            switch field {
            case "created": return columns.created.map(Datum.timestamp)
            case "is_root": return columns.isRoot.map(Datum.bool)
            case "root_span_id": return columns.rootSpanIDs.map(Datum.string)
            default:
                guard let values = try columns.column(field) else { return Array(repeating: .null, count: columns.count) }
                return values.map(Datum.init)
            }
        }
        if caching { tables[project] = table }
        return table
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
