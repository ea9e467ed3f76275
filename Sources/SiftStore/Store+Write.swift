// The batch writer: every batch of rows lands in one transaction together with its ingest run's
// progress counter, so a killed ingest leaves exactly the committed batches, and the run row says
// how many source records they cover. Rows upsert by (project, id), which makes re-ingest idempotent.

import CSQLite
import Foundation
import SiftModel

extension Store {
    /// Records the start of an ingest of one source; returns the run id.
    public func beginIngestRun(source: String, format: String) throws -> Int64 {
        let s = try db.prepare("INSERT INTO ingest_runs(source, format, started) VALUES (?, ?, ?)")
        try s.bind([.text(source), .text(format), .int(Self.nowMicros())])
        try s.run()
        return db.lastInsertRowID
    }

    public func finishIngestRun(_ run: Int64) throws {
        let s = try db.prepare("UPDATE ingest_runs SET finished = ? WHERE id = ?")
        try s.bind([.int(Self.nowMicros()), .int(run)])
        try s.run()
    }

    public struct IngestRunInfo {
        public var id: Int64
        public var source: String
        public var recordsCommitted: Int
        public var spansCommitted: Int
        public var rejected: Int
        public var finished: Bool
    }

    public func ingestRuns() throws -> [IngestRunInfo] {
        let s = try db.prepare("SELECT id, source, records_committed, spans_committed, rejected, finished FROM ingest_runs ORDER BY id")
        var out: [IngestRunInfo] = []
        while try s.step() {
            out.append(IngestRunInfo(id: s.int(0), source: s.text(1) ?? "", recordsCommitted: Int(s.int(2)),
                                     spansCommitted: Int(s.int(3)), rejected: Int(s.int(4)), finished: !s.isNull(5)))
        }
        return out
    }
}

/// Writes batches of rows, one transaction per batch. Not thread-safe: one writer per store.
public final class BatchWriter {
    let store: Store
    private let upsertSpan: PreparedStatement
    private let findRow: PreparedStatement
    private let upsertFacet: PreparedStatement
    private let clearClassifications: PreparedStatement
    private let insertClassification: PreparedStatement
    private let advanceRun: PreparedStatement
    private let insertShared: PreparedStatement
    /// Short texts the batch being committed repeats, and those its transaction has shared so far.
    private var repeated: Set<[UInt8]> = []
    private var sharedInCommit: [Int64] = []
    private var projectIDs: [String: Int64] = [:]
    public let defaultProject: String?
    /// How small row groups are joined (nil: never). Checked after every few commits that wrote
    /// small groups, and by `compact()`.
    public var compaction: Store.CompactionPolicy? = Store.CompactionPolicy()
    /// Whether `commit` itself checks for compaction; a server turns this off and compacts when idle.
    public var compactAfterCommits = true
    /// Per project, small groups written since its last compaction check.
    private var smallGroups: [Int64: Int] = [:]
    /// Compresses the rows' text as it is stored (`RowPacking`), on the threads that prepare batches.
    let packer: RowPacker
    /// The most small groups one project has had written since its last compaction check.
    public var smallGroupsSinceCompaction: Int { smallGroups.values.max() ?? 0 }

    /// `defaultProject` receives rows that name none; nil routes such rows to "default".
    public init(store: Store, defaultProject: String?) throws {
        self.store = store
        self.defaultProject = defaultProject
        packer = RowPacker(dictionary: try store.newestRowDictionary())
        let db = store.db
        // Bulk writing: a large page cache keeps index pages resident, memory-mapped reads skip
        // read() copies, and fewer, larger checkpoints copy each hot page from the WAL once.
        try db.execute("PRAGMA cache_size = -262144; PRAGMA mmap_size = 4294967296; PRAGMA wal_autocheckpoint = 8192;")
        upsertSpan = try db.prepare("""
            INSERT INTO spans(project_id, id, span_id, root_span_id, span_parents, is_root, created, span_type, span_name,
              start, "end", prompt_tokens, completion_tokens, total_tokens, has_error, input, output, expected, error,
              scores, metadata, tags, metrics, span_attributes, extra)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)
            ON CONFLICT(project_id, id) DO UPDATE SET
              span_id = excluded.span_id, root_span_id = excluded.root_span_id, span_parents = excluded.span_parents,
              is_root = excluded.is_root, created = excluded.created, span_type = excluded.span_type,
              span_name = excluded.span_name, start = excluded.start, "end" = excluded."end",
              prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
              total_tokens = excluded.total_tokens, has_error = excluded.has_error, input = excluded.input,
              output = excluded.output, expected = excluded.expected, error = excluded.error, scores = excluded.scores,
              metadata = excluded.metadata, tags = excluded.tags, metrics = excluded.metrics,
              span_attributes = excluded.span_attributes, extra = excluded.extra
            """)
        findRow = try db.prepare("SELECT row FROM spans WHERE project_id = ? AND id = ?")
        upsertFacet = try db.prepare("""
            INSERT INTO facets(project_id, trace_id, facet, value, source, updated) VALUES (?, ?, ?, ?, 'import', ?)
            ON CONFLICT(project_id, trace_id, facet) DO UPDATE SET value = excluded.value, source = excluded.source, updated = excluded.updated
            """)
        clearClassifications = try db.prepare("DELETE FROM classifications WHERE project_id = ? AND trace_id = ? AND facet = ?")
        insertClassification = try db.prepare("""
            INSERT INTO classifications(project_id, trace_id, facet, position, topic_id, label, confidence, distance, metadata, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertShared = try db.prepare("INSERT INTO short_texts(text) VALUES (?)")
        advanceRun = try db.prepare("UPDATE ingest_runs SET records_committed = records_committed + ?, spans_committed = spans_committed + ?, rejected = rejected + ? WHERE id = ?")
    }

    func projectRow(_ name: String?) throws -> Int64 {
        let n = defaultProject ?? name ?? "default"
        if let id = projectIDs[n] { return id }
        let id = try store.projectID(named: n, create: true)!
        projectIDs[n] = id
        return id
    }

    /// The project each row went to, by name, with counts (for the summary).
    public private(set) var spansByProject: [String: Int] = [:]

    /// Prepares a batch off the writer's thread: compresses the rows' text as it will be stored, makes
    /// their metrics forms, and returns the span chunks for `rows` as a group of new rows in batch
    /// order (the common case: every row new, one project) with the short texts the batch repeats;
    /// nil when the batch names more than one project or repeats an id. On a large ingest the
    /// writer's thread is the busier one, so what needs no store is done here.
    public func prepare(_ rows: inout [SpanRow]) -> ColumnChunks.Built? {
        packer.pack(&rows)
        for i in rows.indices {
            rows[i].preparedMetricsForm = RowForms.metricsForm(rows[i])
            rows[i].metricsFormPrepared = true
        }
        guard var built = prebuild(rows) else { return nil }
        built.repeatedTexts = Self.repeatedShortTexts(rows)
        return built
    }

    func prebuild(_ rows: [SpanRow]) -> ColumnChunks.Built? {
        guard let first = rows.first else { return nil }
        if defaultProject == nil, rows.contains(where: { $0.projectName != first.projectName }) { return nil }
        var ids = Set<String>(minimumCapacity: rows.count)
        var b = ColumnChunks.SpanBuilder()
        for i in rows.indices {
            guard ids.insert(rows[i].id).inserted else { return nil }
            b.add(row: Int64(i), rows[i])
        }
        return ColumnChunks.Built(b)
    }

    /// Commits one batch: its rows, their column chunks (a new row group per project for the rows it
    /// adds; groups holding rows it updates are rebuilt), and the run's counters advanced by the
    /// records the batch covers.
    public func commit(_ rows: [SpanRow], records: Int, rejected: Int, run: Int64?, prebuilt: ColumnChunks.Built? = nil) throws {
        // Rows that did not go through `prepare` (the demo, tools writing spans directly) are packed
        // here, on the writer's thread.
        var rows = rows
        if !rows.contains(where: { $0.packed != nil }) { packer.pack(&rows) }
        let db = store.db
        // Facets on a span other than a root belong to a trace whose root may sit in another group:
        // then the trace-field chunks are left to go stale (and are rebuilt when next read).
        db.maintainsTraceFields = !rows.contains { !$0.isRoot && ($0.facets != nil || $0.classifications != nil) }
        defer { db.maintainsTraceFields = false }
        // The one foreign key a span row has (its project) is the row `projectRow` just made or found;
        // checking it per row made SQLite open a statement journal for every upsert, a third of the
        // writer's time. The setting only changes outside a transaction; it is restored after.
        let checkKeys = db.isAutocommit
        if checkKeys { try db.execute("PRAGMA foreign_keys = OFF") }
        defer { if checkKeys { try? db.execute("PRAGMA foreign_keys = ON") } }
        var sharedAdded: [Int64] = []
        defer { repeated = [] }
        do { try store.transaction {
            // The dictionaries the rows were packed with, in the same transaction as the rows.
            var dictionaries = Set<UInt32>()
            for i in rows.indices { if let d = rows[i].packed?.dictionary, dictionaries.insert(d.id).inserted { try store.saveRowDictionary(d) } }
            // Short texts this batch repeats are shared (RowForms), with those another writer added.
            try store.loadSharedTexts()
            repeated = prebuilt?.repeatedTexts ?? Self.repeatedShortTexts(rows)
            sharedInCommit = []
            defer { sharedAdded = sharedInCommit }
            let before = try db.scalarInt("SELECT coalesce(max(row), 0) FROM spans") ?? 0
            var added: [Int64: [Int64: Int]] = [:]      // project -> row -> index in `rows` (the last write wins)
            var updated: [Int64: Set<Int64>] = [:]
            try rows.withUnsafeBufferPointer { buf in
                for i in buf.indices {
                    let (pid, row) = try write(buf[i])
                    if row > before { added[pid, default: [:]][row] = i } else { updated[pid, default: []].insert(row) }
                }
            }
            for (pid, byRow) in added {
                let order = byRow.keys.sorted()
                if let c = compaction, order.count < c.small { smallGroups[pid, default: 0] += 1 }
                if let prebuilt, added.count == 1, updated.isEmpty, order.count == rows.count, let first = order.first, let last = order.last,
                   order.indices.allSatisfy({ byRow[order[$0]] == $0 }) {
                    // Every row new, in batch order: the chunks built ahead are this group's.
                    try store.writeGroup(projectRow: pid, first: first, last: last, built: prebuilt,
                                         isRoot: rows.map { $0.isRoot }, traces: rows.map { $0.rootSpanID })
                } else {
                    try store.writeGroup(projectRow: pid, rows: order.map { ($0, rows[byRow[$0]!]) })
                }
            }
            for (pid, changed) in updated {
                for g in try store.rowGroups(projectRow: pid) where changed.contains(where: { $0 >= g.firstRow && $0 <= g.lastRow }) {
                    try store.writeGroup(projectRow: pid, rows: try store.storedRows(projectRow: pid, from: g.firstRow, through: g.lastRow))
                }
            }
            if let run {
                advanceRun.bind(Int64(records), at: 1)
                advanceRun.bind(Int64(rows.count), at: 2)
                advanceRun.bind(Int64(rejected), at: 3)
                advanceRun.bind(run, at: 4)
                try advanceRun.run()
            }
        } } catch {
            // Rolled back with the rows: the short texts it shared and any project it made.
            store.sharedTexts.remove(sharedAdded)
            projectIDs = [:]
            throw error
        }
        if compactAfterCommits && smallGroupsSinceCompaction >= 8 { compact(onlyDue: true) }
        if let defaultProject {
            spansByProject[defaultProject, default: 0] += rows.count
        } else {
            for i in rows.indices { spansByProject[rows[i].projectName ?? "default", default: 0] += 1 }
        }
    }

    /// Joins small row groups of the projects this writer wrote: while writing (`onlyDue`), those
    /// with a few new small groups since their last check, as the policy says; at the end of an
    /// ingest, every run of two or more small groups. Best effort: the rows are committed already,
    /// and a failed join leaves the groups as they were.
    public func compact(onlyDue: Bool = false) {
        guard var policy = compaction else { return }
        if !onlyDue { policy.minGroups = 2 }
        for (pid, n) in smallGroups where !onlyDue || n >= 8 {
            smallGroups[pid] = 0
            _ = try? store.compactRowGroups(projectRow: pid, policy: policy)
        }
    }

    /// Upserts one row; returns its project and row id.
    private func write(_ r: SpanRow) throws -> (Int64, Int64) {
        let pid = try projectRow(r.projectName)
        let s = upsertSpan
        s.bind(pid, at: 1)
        try s.bindNoCopy(r.id, at: 2)
        try s.bindNoCopy(r.spanID, at: 3)
        try s.bindNoCopy(r.rootSpanID, at: 4)
        try s.bindNoCopy(r.spanParents, at: 5)
        s.bind(Int64(r.isRoot ? 1 : 0), at: 6)
        s.bind(r.created, at: 7)
        try s.bindNoCopy(r.type, at: 8)
        try s.bindNoCopy(r.name, at: 9)
        s.bind(r.start, at: 10)
        s.bind(r.end, at: 11)
        s.bind(r.promptTokens, at: 12)
        s.bind(r.completionTokens, at: 13)
        s.bind(r.totalTokens, at: 14)
        s.bind(Int64(r.error == nil ? 0 : 1), at: 15)
        // Values the row's other columns make, and short texts shared with other rows, are stored
        // as references (RowForms); the others packed (RowPacking) or as text.
        if RowForms.sameBytes(r.spanID, r.id) { try s.bindBlobNoCopy(RowForms.sameAsID, at: 3) }
        if RowForms.parentIsRoot(r) { try s.bindBlobNoCopy(RowForms.rootParent, at: 5) }
        let text = RowPacking.fields(r)
        var forms: [[UInt8]] = []   // kept alive until the statement has run
        for (k, at) in [Int32(16), 17, 18, 19, 20, 21, 23, 24, 25].enumerated() {
            if k == 6, let form = r.metricsFormPrepared ? r.preparedMetricsForm : RowForms.metricsForm(r) {
                forms.append(form)
                try s.bindBlobNoCopy(form, at: at)
            } else if let b = r.packed?.fields[k] {
                try s.bindBlobNoCopy(b, at: at)
            } else if let t = text[k], let id = try sharedID(t) {
                forms.append(RowForms.internedForm(id))
                try s.bindBlobNoCopy(forms[forms.count - 1], at: at)
            } else {
                try s.bindNoCopy(text[k], at: at)
            }
        }
        try s.bindNoCopy(r.tags, at: 22)
        // Which row the upsert wrote: a new row moves the connection's last insert rowid, an update
        // leaves it, and then the row is looked up. (`RETURNING row` said it directly but halved the
        // writer's speed: SQLite buffers RETURNING rows and opens a statement journal for each.)
        let previous = store.db.lastInsertRowID
        try withExtendedLifetime(forms) { try s.run() }
        var row = store.db.lastInsertRowID
        if row == previous {
            findRow.bind(pid, at: 1)
            try findRow.bindNoCopy(r.id, at: 2)
            guard let found = try findRow.runReturningInt() else { throw StoreError.invalid("the span \(r.id) was not written") }
            row = found
        }
        if let facets = r.facets { try writeFacets(facets, pid: pid, trace: r.rootSpanID) }
        if let cls = r.classifications { try writeClassifications(cls, pid: pid, trace: r.rootSpanID) }
        return (pid, row)
    }

    /// The id of a short text shared with other rows: one shared before, or one this batch repeats
    /// (then added, in the batch's transaction); nil when the text stays in its row.
    private func sharedID(_ t: String) throws -> Int64? {
        guard t.utf8.count < RowForms.shortBytes else { return nil }
        if let id = store.sharedTexts.id(t) { return id }
        guard repeated.contains(Array(t.utf8)), store.sharedTexts.count < RowForms.maximumShared else { return nil }
        try insertShared.bind(t, at: 1)
        try insertShared.run()
        let id = store.db.lastInsertRowID
        store.sharedTexts.add(id, t)
        sharedInCommit.append(id)
        return id
    }

    /// The short texts (not packed) that appear at least twice among the rows' text fields.
    static func repeatedShortTexts(_ rows: [SpanRow]) -> Set<[UInt8]> {
        var seen: [[UInt8]: Bool] = [:]   // by bytes: canonically equivalent texts are different texts
        for i in rows.indices {   // by index: `for r in rows` copies every row, retaining each of its fields
            for (k, t) in RowPacking.fields(rows[i]).enumerated() {
                guard let t, rows[i].packed?.fields[k] == nil, t.utf8.count < RowForms.shortBytes else { continue }
                if k == 6 && rows[i].start != nil { continue }   // metrics with times are made from the number columns
                let key = Array(t.utf8)
                if let v = seen[key] { if !v { seen[key] = true } } else { seen[key] = false }
            }
        }
        return Set(seen.filter { $0.value }.keys)
    }

    private func writeFacets(_ facets: JSONObject, pid: Int64, trace: String) throws {
        let now = Store.nowMicros()
        for (facet, value) in facets {
            upsertFacet.bind(pid, at: 1)
            try upsertFacet.bind(trace, at: 2)
            try upsertFacet.bind(facet, at: 3)
            try upsertFacet.bind(value.stringValue ?? (value.isNull ? nil : JSONWriter.string(value)), at: 4)
            upsertFacet.bind(now, at: 5)
            try upsertFacet.run()
        }
    }

    private func writeClassifications(_ cls: JSONObject, pid: Int64, trace: String) throws {
        for (facet, list) in cls {
            clearClassifications.bind(pid, at: 1)
            try clearClassifications.bind(trace, at: 2)
            try clearClassifications.bind(facet, at: 3)
            try clearClassifications.run()
            let items = list.arrayValue ?? (list.isNull ? [] : [list])
            for (i, item) in items.enumerated() {
                let s = insertClassification
                s.bind(pid, at: 1)
                try s.bind(trace, at: 2)
                try s.bind(facet, at: 3)
                s.bind(Int64(i), at: 4)
                try s.bind(item["id"].map { $0.stringValue ?? JSONWriter.string($0) }, at: 5)
                try s.bind(item["label"]?.stringValue, at: 6)
                s.bind(item["confidence"]?.doubleValue, at: 7)
                s.bind(item["metadata"]?["distance"]?.doubleValue, at: 8)
                try s.bind(item["metadata"].flatMap { $0.isNull ? nil : JSONWriter.string($0) }, at: 9)
                try s.bind(item["source"]?.stringValue ?? "import", at: 10)
                try s.run()
            }
        }
    }
}
