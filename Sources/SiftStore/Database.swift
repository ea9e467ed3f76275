// Database is a thin, safe wrapper over the SQLite C API: open, execute, prepared statements with
// typed binds and reads, and transactions. Every error carries SQLite's own message.

import CSQLite
import SiftModel

public struct SQLiteError: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { message }
}

public final class Database {
    let handle: OpaquePointer
    public let path: String

    /// Opens (creating if asked) the database file at `path`.
    public init(path: String, create: Bool = true, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "cannot open \(path): \(msg)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
    }

    /// Set when a watched table changed in the current transaction.
    var dirty = false
    /// Set when facets or classifications changed in the current transaction: their column chunks
    /// go stale, unless the writer keeps them up to date itself (`maintainsTraceFields`).
    var traceFieldsDirty = false
    /// Set by a writer that rewrites the chunks of the trace fields it changes, in the same transaction.
    var maintainsTraceFields = false
    /// Whether store_state exists (from schema version 4 on); the store sets it after migrating.
    var tracksGeneration = false

    /// Whether `sql` may write a table query results come from: it names one of them and a writing
    /// verb. Checked once per prepared statement (not per row, as a trigger or an update hook would):
    /// a statement that may write marks the data changed when it runs.
    static func mayWriteWatched(_ sql: String) -> Bool { watchedWrites(sql).any }

    /// Whether `sql` may write a watched table, and whether it may write facets or classifications.
    static func watchedWrites(_ sql: String) -> (any: Bool, traceFields: Bool) {
        var words = Set<Substring>()
        for w in sql.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) { words.insert(w) }
        guard !words.isDisjoint(with: ["insert", "update", "delete", "replace"]) else { return (false, false) }
        return (!words.isDisjoint(with: ["spans", "facets", "classifications", "scores"]), !words.isDisjoint(with: ["facets", "classifications"]))
    }

    /// Records a change of the watched tables in the same transaction, so caches built from an older
    /// generation are never read again.
    func bumpIfDirty() throws {
        guard dirty else { return }
        dirty = false
        let traceFields = traceFieldsDirty && !maintainsTraceFields
        traceFieldsDirty = false
        guard tracksGeneration else { return }
        var err: UnsafeMutablePointer<CChar>?
        let sql = "UPDATE store_state SET generation = generation + 1" + (traceFields ? ", trace_fields_generation = trace_fields_generation + 1" : "")
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? lastError
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: msg)
        }
    }

    /// Outside a transaction, a statement commits itself: the bump follows at once.
    func afterStatement() throws {
        if dirty && sqlite3_get_autocommit(handle) != 0 { try bumpIfDirty() }
    }

    deinit { sqlite3_close_v2(handle) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        if dirty && sql.uppercased().hasPrefix("COMMIT") && sqlite3_get_autocommit(handle) == 0 { try bumpIfDirty() }
        if sql.uppercased().hasPrefix("ROLLBACK") { dirty = false; traceFieldsDirty = false }
        var err: UnsafeMutablePointer<CChar>?
        let writes = Database.watchedWrites(sql)
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if writes.any { dirty = true }
        if writes.traceFields { traceFieldsDirty = true }   // even when it failed half-way: a spurious bump only drops kept columns
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? lastError
            sqlite3_free(err)
            if sqlite3_get_autocommit(handle) != 0 { try? bumpIfDirty() }
            throw SQLiteError(code: rc, message: msg)
        }
        try afterStatement()
    }

    public func prepare(_ sql: String) throws -> PreparedStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw SQLiteError(code: rc, message: "\(lastError) in: \(sql)") }
        let writes = sqlite3_stmt_readonly(stmt) == 0 ? Database.watchedWrites(sql) : (any: false, traceFields: false)
        return PreparedStatement(stmt, db: self, marksChanges: writes.any, marksTraceFields: writes.traceFields)
    }

    /// Runs `body` inside a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` waiting at most `milliseconds` for another process's lock, then restores the default.
    public func withBusyTimeout<T>(milliseconds: Int32, _ body: () -> T) -> T {
        sqlite3_busy_timeout(handle, milliseconds)
        defer { sqlite3_busy_timeout(handle, 10_000) }
        return body()
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Whether no transaction is open.
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The first column of the first row of a query, as an integer.
    public func scalarInt(_ sql: String, _ binds: [SQLValue] = []) throws -> Int64? {
        let s = try prepare(sql)
        try s.bind(binds)
        return try s.step() ? s.int(0) : nil
    }

    public func scalarText(_ sql: String, _ binds: [SQLValue] = []) throws -> String? {
        let s = try prepare(sql)
        try s.bind(binds)
        return try s.step() ? s.text(0) : nil
    }
}

/// A value to bind to a statement parameter.
public enum SQLValue {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

public final class PreparedStatement {
    let stmt: OpaquePointer
    unowned let db: Database

    /// Whether running it may change what queries read (see Database.mayWriteWatched).
    let marksChanges: Bool
    let marksTraceFields: Bool

    init(_ stmt: OpaquePointer, db: Database, marksChanges: Bool = false, marksTraceFields: Bool = false) {
        self.stmt = stmt; self.db = db; self.marksChanges = marksChanges; self.marksTraceFields = marksTraceFields
    }
    deinit { sqlite3_finalize(stmt) }

    public func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    public func bind(_ values: [SQLValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    public func bind(_ v: SQLValue, at i: Int32) throws {
        let rc: Int32
        switch v {
        case .null: rc = sqlite3_bind_null(stmt, i)
        case .int(let x): rc = sqlite3_bind_int64(stmt, i, x)
        case .double(let x): rc = sqlite3_bind_double(stmt, i, x)
        case .text(let s): rc = bindText(s, at: i)
        case .blob(let b):
            rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32($0.count), csqlite_transient()) }
        }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: db.lastError) }
    }

    @inline(__always) public func bind(_ s: String?, at i: Int32) throws {
        let rc: Int32
        if let s { rc = bindText(s, at: i) } else { rc = sqlite3_bind_null(stmt, i) }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: db.lastError) }
    }

    /// Binds text without copying it. The caller keeps `s` alive and unchanged until the statement has
    /// been stepped; the batch writer does (its rows outlive each step, and every parameter is rebound
    /// before the next one).
    /// Only large strings skip the copy: small ones live inline in the String value, and `withUTF8`
    /// hands out a pointer to a temporary for them.
    @inline(__always) func bindNoCopy(_ s: String?, at i: Int32) throws {
        guard var s else { sqlite3_bind_null(stmt, i); return }
        let rc: Int32 = s.withUTF8 { buf in
            if buf.isEmpty { return sqlite3_bind_text(stmt, i, "", 0, csqlite_transient()) }
            if buf.count < 64 {
                return buf.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(stmt, i, $0.baseAddress, Int32($0.count), csqlite_transient()) }
            }
            return buf.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(stmt, i, $0.baseAddress, Int32($0.count), nil) }
        }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: db.lastError) }
    }

    @inline(__always) public func bind(_ x: Int64?, at i: Int32) {
        if let x { sqlite3_bind_int64(stmt, i, x) } else { sqlite3_bind_null(stmt, i) }
    }

    @inline(__always) public func bind(_ x: Double?, at i: Int32) {
        if let x { sqlite3_bind_double(stmt, i, x) } else { sqlite3_bind_null(stmt, i) }
    }

    @inline(__always) private func bindText(_ s: String, at i: Int32) -> Int32 {
        var s = s
        return s.withUTF8 { buf in
            // An empty string must still bind a non-null pointer, or SQLite stores NULL.
            if buf.isEmpty { return sqlite3_bind_text(stmt, i, "", 0, csqlite_transient()) }
            return buf.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(stmt, i, $0.baseAddress, Int32($0.count), csqlite_transient())
            }
        }
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        if marksChanges { db.dirty = true }
        if marksTraceFields { db.traceFieldsDirty = true }
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { if db.dirty { try db.afterStatement() }; return false }
        throw SQLiteError(code: rc, message: db.lastError)
    }

    /// Steps a statement that returns no rows, then resets it for reuse.
    public func run() throws {
        defer { sqlite3_reset(stmt) }
        _ = try step()
    }

    /// Runs a statement with `RETURNING <integer>`: the value of its first row.
    func runReturningInt() throws -> Int64? {
        defer { sqlite3_reset(stmt) }
        return try step() ? int(0) : nil
    }

    public func isNull(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_NULL }
    public func int(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }
    public func double(_ col: Int32) -> Double { sqlite3_column_double(stmt, col) }
    public func optionalInt(_ col: Int32) -> Int64? { isNull(col) ? nil : int(col) }
    public func optionalDouble(_ col: Int32) -> Double? { isNull(col) ? nil : double(col) }

    public func text(_ col: Int32) -> String? {
        guard let p = sqlite3_column_text(stmt, col) else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The column's bytes in place, valid only inside `body`; nil when NULL.
    func withBlob<T>(_ col: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
        guard let p = sqlite3_column_blob(stmt, col) else { return isNull(col) ? nil : try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, col))))
    }

    public func isBlob(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_BLOB }

    /// Binds bytes as a BLOB without copying them (the same contract as `bindNoCopy` for text).
    @inline(__always) func bindBlobNoCopy(_ b: [UInt8], at i: Int32) throws {
        let rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32($0.count), nil) }
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: db.lastError) }
    }

    public func blob(_ col: Int32) -> [UInt8]? {
        guard let p = sqlite3_column_blob(stmt, col) else { return isNull(col) ? nil : [] }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return BigArrays.make(n) { out in UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(start: p, count: n)) }
    }
}

/// The number of result columns of a prepared statement (tests compare whole rows with it).
public func sqlite3ColumnCount(_ s: PreparedStatement) -> Int { Int(sqlite3_column_count(s.stmt)) }
