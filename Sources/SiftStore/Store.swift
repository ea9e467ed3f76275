// Store is one Sift workspace: a single SQLite file in WAL mode holding projects, spans and
// everything computed from them. It owns migrations, the transactional batch writer ingest uses,
// and the reads behind `sift projects` and `sift traces`.

import CSQLite
import Foundation
import SiftModel

public enum StoreError: Error, CustomStringConvertible {
    case newerSchema(path: String, found: Int, supported: Int)
    case notFound(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .newerSchema(let p, let f, let s): return "\(p) has schema version \(f); this Sift understands up to \(s): upgrade Sift"
        case .notFound(let m), .invalid(let m): return m
        }
    }
}

public final class Store {
    /// The connection. Internal: every SQL statement of the store lives in SiftStore.
    let db: Database
    public var path: String { db.path }
    /// Dictionaries of the spans' compressed text, read when first needed.
    let rowDictionaries = RowDictionaries()
    /// Short texts many spans share, by id (`RowForms`).
    let sharedTexts = SharedTexts()

    /// The default store path: `SIFT_DB`, else `./sift.db`.
    public static var defaultPath: String { ProcessInfo.processInfo.environment["SIFT_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "sift.db" }

    /// Opens the store at `path`, creating and migrating it as needed.
    public init(path: String, create: Bool = true) throws {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError.notFound("no Sift store at \(path) (ingest something first, or pass --db)")
        }
        db = try Database(path: path, create: create)
        do {
            // 16 KiB pages suit rows of about a kilobyte: fewer overflow chains and shallower indexes.
            // page_size only takes effect on a new, empty file, before WAL is switched on.
            try db.execute("PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=8589934592;")
        } catch {
            throw StoreError.invalid("\(path) is not a Sift store: \(error)")
        }
        try migrate()
        registerSpanTextFunction()
        db.tracksGeneration = true   // every writing transaction bumps store_state.generation
        try ensureIndexes()
    }

    /// The data's generation: it changes whenever spans, facets, classifications or scores do.
    public func generation() throws -> Int64 { try db.scalarInt("SELECT generation FROM store_state") ?? 0 }

    /// A column kept by an earlier query, if it was made from this generation of the data.
    public func cachedColumn(projectRow: Int64, key: String, generation: Int64) throws -> [UInt8]? {
        let s = try db.prepare("SELECT data FROM column_cache WHERE project_id = ? AND key = ? AND generation = ?")
        try s.bind([.int(projectRow), .text(key), .int(generation)])
        return try s.step() ? s.blob(0) : nil
    }

    /// The keys of the columns kept for this generation.
    public func cachedColumnKeys(projectRow: Int64, generation: Int64) throws -> Set<String> {
        let s = try db.prepare("SELECT key FROM column_cache WHERE project_id = ? AND generation = ?")
        try s.bind([.int(projectRow), .int(generation)])
        var keys = Set<String>()
        while try s.step() { keys.insert(s.text(0) ?? "") }
        return keys
    }

    /// Keeps a column for later processes, dropping columns of older generations. Best effort: when
    /// another process holds the write lock for more than a moment, the column is not kept.
    public func saveCachedColumn(projectRow: Int64, key: String, generation: Int64, data: [UInt8]) {
        db.withBusyTimeout(milliseconds: 200) {
            _ = try? db.transaction {
                guard try self.generation() == generation else { return }
                let d = try db.prepare("DELETE FROM column_cache WHERE generation <> ?")
                try d.bind([.int(generation)])
                try d.run()
                let s = try db.prepare("INSERT OR REPLACE INTO column_cache(project_id, key, generation, data) VALUES (?, ?, ?, ?)")
                try s.bind([.int(projectRow), .text(key), .int(generation), .blob(data)])
                try s.run()
            }
        }
    }

    /// Recreates secondary indexes a bulk ingest dropped (a no-op when they are there), unless a
    /// bulk ingest is still running: it holds the bulk lock and rebuilds them itself when it ends.
    public func ensureIndexes() throws {
        let present = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans'")
        var names = Set<String>()
        while try present.step() { names.insert(present.text(0) ?? "") }
        let missing = Schema.bulkIndexes.filter { !names.contains($0.name) }
        guard !missing.isEmpty else { return }
        guard let lock = BulkLock(store: self, wait: false) else { return }
        defer { lock.release() }
        for index in missing { try db.transaction { try db.execute(index.sql) } }
    }

    /// Runs a read with `INDEXED BY index` (the planner's own choice is much slower for it), or without
    /// the hint when the index is not there: a bulk ingest in another process drops it while it loads,
    /// and readers must go on answering meanwhile. `body` gets the clause to put after the table name.
    func readPreferring<T>(index: String, _ body: (String) throws -> T) throws -> T {
        do {
            return try body("INDEXED BY \(index)")
        } catch let e as SQLiteError where e.message.contains("no such index") {
            return try body("")
        }
    }

    /// Drops the indexes `ensureIndexes` rebuilds, before a bulk ingest that holds `lock`.
    func dropBulkIndexes(holding lock: BulkLock) throws {
        try db.transaction {
            for index in Schema.bulkIndexes { try db.execute("DROP INDEX IF EXISTS \(index.name)") }
        }
    }

    /// Rebuilds the dropped indexes at the end of a bulk ingest that holds `lock`.
    func rebuildBulkIndexes(holding lock: BulkLock) throws {
        for index in Schema.bulkIndexes { try db.transaction { try db.execute(index.sql) } }
    }

    /// The number of span rows ever written (cheap: the largest rowid).
    func spanRowEstimate() throws -> Int { Int(try db.scalarInt("SELECT coalesce(max(row), 0) FROM spans") ?? 0) }

    public var schemaVersion: Int { Int((try? db.scalarInt("PRAGMA user_version")) ?? 0) }

    /// Brings the schema up to date in one immediate transaction that re-reads the version, so two
    /// processes opening a new store at once cannot both migrate it.
    private func migrate() throws {
        let current: Int
        do { current = Int(try db.scalarInt("PRAGMA user_version") ?? 0) } catch {
            throw StoreError.invalid("\(path) is not a Sift store: \(error)")
        }
        guard current <= Schema.latestVersion else {
            throw StoreError.newerSchema(path: path, found: current, supported: Schema.latestVersion)
        }
        guard current < Schema.latestVersion else { return }
        try db.transaction {
            let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
            if version == 0 {
                // A version-0 file that already has tables is some other application's database.
                let tables = try db.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
                if tables > 0 { throw StoreError.invalid("\(path) is an SQLite file but not a Sift store") }
            }
            for v in version..<Schema.latestVersion {
                try db.execute(Schema.migrations[v])
            }
            try db.execute("PRAGMA user_version = \(Schema.latestVersion)")
        }
    }

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    // MARK: - Projects

    /// The id of the named project, creating it if asked.
    public func projectID(named name: String, create: Bool = false) throws -> Int64? {
        if let id = try db.scalarInt("SELECT id FROM projects WHERE name = ?", [.text(name)]) { return id }
        guard create else { return nil }
        let s = try db.prepare("INSERT INTO projects(name, created) VALUES (?, ?)")
        try s.bind([.text(name), .int(Self.nowMicros())])
        try s.run()
        return db.lastInsertRowID
    }

    /// The id of the named project, or an error that names the projects there are.
    public func projectRow(named name: String) throws -> Int64 {
        if let id = try projectID(named: name) { return id }
        let known = try projectNames()
        throw StoreError.notFound("no project named '\(name)'" + (known.isEmpty ? " (the store is empty: ingest traces first)" : " (projects: \(known.joined(separator: ", ")))"))
    }

    /// `name`, or the store's only project when none is given.
    public func resolveProject(_ name: String?) throws -> String {
        if let name { return name }
        let names = try projectNames()
        if names.count == 1 { return names[0] }
        if names.isEmpty { throw StoreError.notFound("the store has no projects yet: ingest traces first (sift ingest FILE)") }
        throw StoreError.invalid("the store has \(names.count) projects (\(names.joined(separator: ", "))): pick one with --project")
    }

    /// Runs `body` in one immediate transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    public struct ProjectInfo: Sendable {
        public var name: String
        public var spans: Int
        public var traces: Int
        public var first: Timestamp?
        public var last: Timestamp?
    }

    public func projects() throws -> [ProjectInfo] {
        let s = try db.prepare("""
            SELECT p.name,
              (SELECT count(*) FROM spans WHERE project_id = p.id),
              (SELECT count(*) FROM spans WHERE project_id = p.id AND is_root),
              (SELECT min(created) FROM spans WHERE project_id = p.id),
              (SELECT max(created) FROM spans WHERE project_id = p.id)
            FROM projects p ORDER BY p.name
            """)
        var out: [ProjectInfo] = []
        while try s.step() {
            out.append(ProjectInfo(name: s.text(0) ?? "", spans: Int(s.int(1)), traces: Int(s.int(2)),
                                   first: s.optionalInt(3).map(Timestamp.init(microseconds:)),
                                   last: s.optionalInt(4).map(Timestamp.init(microseconds:))))
        }
        return out
    }

    // MARK: - Reading spans and traces

    static let spanColumns = """
        p.name, s.id, s.span_id, s.root_span_id, s.span_parents, s.created, s.input, s.output, s.expected, s.error,
        s.scores, s.metadata, s.tags, s.metrics, s.span_attributes, s.extra, s.project_id,
        s.start, s."end", s.prompt_tokens, s.completion_tokens, s.total_tokens
        """

    /// A span text column's value: its text, its compressed frame decompressed (`RowPacking`), or
    /// the value one of `RowForms` stands for, made with the row's other columns where it needs them.
    func spanText(_ s: PreparedStatement, _ col: Int32, _ siblings: @autoclosure () -> RowForms.Siblings = RowForms.Siblings()) throws -> String? {
        guard s.isBlob(col) else { return s.text(col) }
        return try s.withBlob(col) { try storedText($0, siblings()) }
    }

    /// Stored BLOB bytes of a span text column as text.
    func storedText(_ b: UnsafeRawBufferPointer, _ siblings: RowForms.Siblings) throws -> String {
        if RowForms.isForm(b) { return try RowForms.text(b, siblings, shared: sharedText) }
        return try RowPacking.unpack(b, dictionary: rowDictionary)
    }

    /// The row's other columns the forms need, from statement columns id, root_span_id and the five
    /// number columns (start, end, prompt, completion and total tokens) from `numbers` on.
    static func siblings(_ s: PreparedStatement, id: Int32?, root: Int32?, numbers: Int32?) -> RowForms.Siblings {
        var r = RowForms.Siblings()
        if let id { r.id = s.text(id) }
        if let root { r.root = s.text(root) }
        if let n = numbers {
            r.start = s.optionalDouble(n); r.end = s.optionalDouble(n + 1)
            r.promptTokens = s.optionalInt(n + 2); r.completionTokens = s.optionalInt(n + 3); r.totalTokens = s.optionalInt(n + 4)
        }
        return r
    }

    /// A shared short text by id, reading texts another connection added when it is not known yet.
    func sharedText(_ id: Int64) throws -> String? {
        if let t = sharedTexts.text(id) { return t }
        try loadSharedTexts()
        return sharedTexts.text(id)
    }

    /// Reads the shared short texts this process has not seen.
    func loadSharedTexts() throws {
        let s = try db.prepare("SELECT id, text FROM short_texts WHERE id > ? ORDER BY id")
        try s.bind([.int(sharedTexts.loadedThrough)])
        while try s.step() { sharedTexts.add(s.int(0), s.text(1) ?? "") }
    }

    /// `sift_text(x)` in this connection's SQL: a span text column's value as text, its compressed
    /// frame decompressed or its shared short text looked up (other values unchanged), so SQLite's own
    /// JSON functions can read it (`json_extract(sift_text(metadata), '$.model')`); tests compare the
    /// engine with SQLite this way. Values made from the row's other columns (span_id, span_parents,
    /// metrics: `RowForms`) need them: `sift_text(x, id, root_span_id, start, "end", prompt_tokens,
    /// completion_tokens, total_tokens)`, or the view `span_text`, which has every column as text.
    private func registerSpanTextFunction() {
        let me = Unmanaged.passUnretained(self).toOpaque()   // the connection closes with the store
        for arguments: Int32 in [1, 8] {
            sqlite3_create_function_v2(db.handle, "sift_text", arguments, SQLITE_UTF8 | SQLITE_DETERMINISTIC, me, { ctx, n, argv in
                guard let ctx, let argv, let v = argv[0] else { return }
                guard sqlite3_value_type(v) == SQLITE_BLOB, let p = sqlite3_value_blob(v) else { sqlite3_result_value(ctx, v); return }
                let store = Unmanaged<Store>.fromOpaque(sqlite3_user_data(ctx)).takeUnretainedValue()
                var siblings = RowForms.Siblings()
                if n == 8 {
                    func text(_ i: Int) -> String? { sqlite3_value_text(argv[i]).map { String(cString: $0) } }
                    func double(_ i: Int) -> Double? { sqlite3_value_type(argv[i]) == SQLITE_NULL ? nil : sqlite3_value_double(argv[i]) }
                    func int(_ i: Int) -> Int64? { sqlite3_value_type(argv[i]) == SQLITE_NULL ? nil : sqlite3_value_int64(argv[i]) }
                    siblings.id = text(1); siblings.root = text(2); siblings.start = double(3); siblings.end = double(4)
                    siblings.promptTokens = int(5); siblings.completionTokens = int(6); siblings.totalTokens = int(7)
                }
                do {
                    var text = try store.storedText(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(v))), siblings)
                    text.withUTF8 { b in
                        b.withMemoryRebound(to: CChar.self) { sqlite3_result_text(ctx, $0.baseAddress, Int32($0.count), csqlite_transient()) }
                    }
                } catch {
                    sqlite3_result_error(ctx, "\(error)", -1)
                }
            }, nil, nil, nil)
        }
        let all = #"id, root_span_id, start, "end", prompt_tokens, completion_tokens, total_tokens"#
        let columns = ["span_id", "span_parents", "input", "output", "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes", "extra"]
            .map { "sift_text(\($0), \(all)) AS \($0)" }.joined(separator: ", ")
        try? db.execute("""
            CREATE TEMP VIEW IF NOT EXISTS span_text AS SELECT row, project_id, id, root_span_id, is_root, created, span_type, span_name,
              start, "end", prompt_tokens, completion_tokens, total_tokens, has_error, \(columns) FROM main.spans
            """)
    }

    /// The dictionary with this id, from the store.
    func rowDictionary(id: UInt32) throws -> RowDictionary? {
        try rowDictionaries.get(id) { id in
            let s = try db.prepare("SELECT data FROM dictionaries WHERE id = ?")
            try s.bind([.int(Int64(id))])
            return try s.step() ? s.blob(0) : nil
        }
    }

    /// The dictionary written last, which new rows are packed with.
    func newestRowDictionary() throws -> RowDictionary? {
        guard let id = try db.scalarInt("SELECT id FROM dictionaries ORDER BY created DESC, id DESC LIMIT 1") else { return nil }
        return try rowDictionary(id: UInt32(id))
    }

    /// Writes a dictionary unless the store has it. Call inside the transaction of the rows that use it.
    func saveRowDictionary(_ d: RowDictionary) throws {
        let s = try db.prepare("INSERT OR IGNORE INTO dictionaries(id, data, created) VALUES (?, ?, ?)")
        try s.bind([.int(Int64(d.id)), .blob(d.bytes), .int(Self.nowMicros())])
        try s.run()
        rowDictionaries.remember(d)
    }

    func readSpan(_ s: PreparedStatement) throws -> Span {
        let siblings = Self.siblings(s, id: 1, root: 3, numbers: 17)
        func json(_ c: Int32) throws -> Value {
            guard let t = try spanText(s, c, siblings) else { return .null }
            return try JSONReader.parse(t)
        }
        func object(_ c: Int32) throws -> JSONObject { try json(c).objectValue ?? JSONObject() }
        let parents = try json(4).arrayValue?.compactMap(\.stringValue) ?? []
        var span = Span(id: s.text(1)!, spanID: try spanText(s, 2, siblings)!, rootSpanID: s.text(3)!, spanParents: parents,
                        created: Timestamp(microseconds: s.int(5)))
        span.projectID = s.text(0)
        span.input = try json(6)
        span.output = try json(7)
        span.expected = try json(8)
        span.error = try json(9)
        span.scores = try object(10)
        span.metadata = try object(11)
        span.tags = try json(12).arrayValue?.compactMap(\.stringValue) ?? []
        span.metrics = try object(13)
        span.spanAttributes = try object(14)
        span.extra = try object(15)
        return span
    }

    /// Every span of a project, in insertion order (for exports and tests).
    public func spans(project: String) throws -> [Span] {
        let pid = try projectRow(named: project)
        let s = try db.prepare("SELECT \(Self.spanColumns) FROM spans s JOIN projects p ON p.id = s.project_id WHERE s.project_id = ? ORDER BY s.row")
        try s.bind([.int(pid)])
        var out: [Span] = []
        while try s.step() { out.append(try readSpan(s)) }
        return out
    }

    /// The facets and classifications stored for a trace, to show on its root span.
    func attachTraceFields(_ span: inout Span, projectRow: Int64) throws {
        let sc = try db.prepare("SELECT scorer, score FROM scores WHERE project_id = ? AND trace_id = ? ORDER BY scorer")
        try sc.bind([.int(projectRow), .text(span.rootSpanID)])
        while try sc.step() { span.scores[sc.text(0)!] = sc.optionalDouble(1).map(Value.double) ?? .null }
        let f = try db.prepare("SELECT facet, value FROM facets WHERE project_id = ? AND trace_id = ? ORDER BY facet")
        try f.bind([.int(projectRow), .text(span.rootSpanID)])
        while try f.step() { span.facets[f.text(0)!] = f.text(1).map(Value.string) ?? .null }
        let c = try db.prepare("""
            SELECT facet, topic_id, label, confidence, metadata, source FROM classifications
            WHERE project_id = ? AND trace_id = ? ORDER BY facet, position
            """)
        try c.bind([.int(projectRow), .text(span.rootSpanID)])
        while try c.step() {
            let facet = c.text(0)!
            var o = JSONObject()
            o["id"] = c.text(1).map(Value.string) ?? .null
            o["label"] = c.text(2).map(Value.string) ?? .null
            o["confidence"] = c.optionalDouble(3).map(Value.double) ?? .null
            o["metadata"] = try c.text(4).map { try JSONReader.parse($0) } ?? .object(JSONObject())
            o["source"] = c.text(5).map(Value.string) ?? .null
            var list = span.classifications[facet]?.arrayValue ?? []
            list.append(.object(o))
            span.classifications[facet] = .array(list)
        }
    }

    /// Finds a trace by its id, any of its span ids, or a unique prefix of at least 6 characters.
    public func trace(id: String, project: String? = nil) throws -> Trace {
        var projectFilter = ""
        var binds: [SQLValue] = []
        if let project {
            let pid = try projectRow(named: project)
            projectFilter = " AND project_id = \(pid)"
        }
        var found: [(Int64, String)] = []
        for sql in [
            "SELECT DISTINCT project_id, root_span_id FROM spans WHERE root_span_id = ?1\(projectFilter) LIMIT 3",
            "SELECT DISTINCT project_id, root_span_id FROM spans WHERE (id = ?1 OR span_id = ?1)\(projectFilter) LIMIT 3",
        ] {
            let s = try db.prepare(sql)
            binds = [.text(id)]
            try s.bind(binds)
            while try s.step() { found.append((s.int(0), s.text(1)!)) }
            if !found.isEmpty { break }
        }
        if found.isEmpty && id.count >= 6 {
            let s = try db.prepare("SELECT DISTINCT project_id, root_span_id FROM spans WHERE substr(root_span_id, 1, ?2) = ?1\(projectFilter) LIMIT 3")
            try s.bind([.text(id), .int(Int64(id.utf8.count))])
            while try s.step() { found.append((s.int(0), s.text(1)!)) }
        }
        guard !found.isEmpty else { throw StoreError.notFound("no trace with id '\(id)'") }
        let distinct = Set(found.map { "\($0.0)/\($0.1)" })
        guard distinct.count == 1 else {
            throw StoreError.invalid("'\(id)' is ambiguous: it matches \(distinct.count) traces (give more of the id, or --project)")
        }
        let (pid, traceID) = found[0]
        let s = try db.prepare("SELECT \(Self.spanColumns) FROM spans s JOIN projects p ON p.id = s.project_id WHERE s.project_id = ? AND s.root_span_id = ?")
        try s.bind([.int(pid), .text(traceID)])
        var spans: [Span] = []
        while try s.step() { spans.append(try readSpan(s)) }
        for i in spans.indices where spans[i].isRoot { try attachTraceFields(&spans[i], projectRow: pid) }
        guard let trace = Trace(spans: spans) else { throw StoreError.notFound("no trace with id '\(id)'") }
        return trace
    }

    public struct TraceSummary: Sendable {
        public var id: String
        public var project: String
        public var created: Timestamp
        public var name: String?
        public var spans: Int
        public var errors: Int
        public var tokens: Int64?
        public var duration: Double?
        public var input: String?
    }

    /// The most recent traces of a project (or all projects), newest first.
    public func recentTraces(project: String?, limit: Int) throws -> [TraceSummary] {
        var filter = ""
        if let project {
            let pid = try projectRow(named: project)
            filter = "AND r.project_id = \(pid)"
        }
        let s = try db.prepare("""
            SELECT r.root_span_id, p.name, r.created, r.span_name, r.input,
              count(s.row), sum(s.has_error), sum(CASE WHEN s.is_root THEN NULL ELSE s.total_tokens END), r.total_tokens,
              max(s."end") - min(s.start)
            FROM (SELECT * FROM spans r WHERE r.is_root \(filter) ORDER BY r.created DESC LIMIT ?) r
            JOIN projects p ON p.id = r.project_id
            JOIN spans s ON s.project_id = r.project_id AND s.root_span_id = r.root_span_id
            GROUP BY r.row ORDER BY r.created DESC, r.root_span_id
            """)
        try s.bind([.int(Int64(limit))])
        var out: [TraceSummary] = []
        while try s.step() {
            out.append(TraceSummary(id: s.text(0)!, project: s.text(1)!, created: Timestamp(microseconds: s.int(2)),
                                    name: s.text(3), spans: Int(s.int(5)), errors: Int(s.int(6)),
                                    tokens: s.optionalInt(7) ?? s.optionalInt(8), duration: s.optionalDouble(9),
                                    input: try spanText(s, 4)))
        }
        return out
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: nil when the file is sound, else what is wrong.
    public func integrityProblems() throws -> String? {
        let r = try db.scalarText("PRAGMA integrity_check") ?? "no answer"
        if r != "ok" { return r }
        let s = try db.prepare("PRAGMA foreign_key_check")
        if try s.step() { return "foreign key violation in \(s.text(0) ?? "?")" }
        return nil
    }
}

/// An exclusive advisory lock on `<store>.bulk-lock`, held by a bulk ingest while its indexes are
/// dropped. The operating system releases it when the process dies, which is how a later open tells
/// a killed ingest (repair the indexes) from a running one (leave them alone).
final class BulkLock {
    private var fd: Int32

    /// Takes the lock, waiting for it or not; nil when `wait` is false and another process holds it,
    /// or when the lock file cannot be opened.
    init?(store: Store, wait: Bool) {
        fd = open(store.path + ".bulk-lock", O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { return nil }
        if flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            close(fd)
            return nil
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
