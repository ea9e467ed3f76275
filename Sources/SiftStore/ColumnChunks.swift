// Column chunks: the columns queries read, written as spans arrive (issue 15). A project's spans are
// split into row groups, each the project's rows in a range of row ids (one ingest transaction's
// worth, up to the batch size); per group and column one blob in ColumnFormat's layout, compressed
// when that pays (ChunkPacking), written in the same transaction as the rows. Each group keeps a zone
// map (its rows' earliest and latest `created`).
//
// Columns per group: every top-level field; `path:<family>.<key>` for the top-level keys of metadata,
// metrics, span_attributes, scores and error objects (at most `pathCap` keys per family; a family
// whose keys all have a chunk is listed as complete, so a key it lacks is NULL in that group); and the
// trace fields on root rows (facets, classifications and their common paths), which topics runs
// rewrite: those chunks are valid while the group's trace_fields_generation equals the store's.

import Foundation
import SiftModel

public enum ColumnChunks {
    static let families = ["metadata", "metrics", "span_attributes", "scores", "error"]
    /// Families whose children match by exact name only: a key missing from a complete family is NULL.
    static let exactFamilies: Set<String> = ["metadata", "metrics", "span_attributes", "error"]
    static let pathCap = 64
    static let jsonFields = ["input", "output", "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes"]

    /// Whether `key` is a trace-field chunk (facets and classifications, rewritten by topics runs).
    static func isTraceField(_ key: String) -> Bool {
        key == "facets" || key == "classifications" || key.hasPrefix("path:facets.") || key.hasPrefix("path:classifications.")
    }

    /// The family of a path chunk's key (`path:metadata.model` -> metadata), nil for other keys.
    static func family(ofPathKey key: String) -> String? {
        guard key.hasPrefix("path:"), let dot = key.firstIndex(of: ".") else { return nil }
        return String(key[key.index(key.startIndex, offsetBy: 5)..<dot])
    }

    /// A key usable as one path component in a chunk name.
    static func plainKey(_ k: String) -> Bool {
        !k.isEmpty && !k.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") })
    }

    /// The span columns of one group, a row at a time.
    struct SpanBuilder {
        var rows: [Int64] = []
        var minCreated = Int64.max, maxCreated = Int64.min
        /// The top-level columns, in `fixedKeys` order (an array: a dictionary lookup per field per row showed in profiles).
        private var fixed: [ColumnFormat.Writer]
        static let fixedKeys = ["id", "span_id", "root_span_id", "span_parents", "is_root", "created"] + ColumnChunks.jsonFields
        /// Per family (in `families` order) its path columns, in first-seen order.
        private var paths = Array(repeating: PathColumns(), count: ColumnChunks.families.count)
        private var incomplete: Set<String> = []

        private struct PathColumns {
            var index: [String: Int] = [:]
            var keys: [String] = []
            var writers: [ColumnFormat.Writer] = []
        }

        init() {
            fixed = Array(repeating: ColumnFormat.Writer(), count: Self.fixedKeys.count)
        }

        mutating func add(row: Int64, _ r: SpanRow) {
            let i = rows.count
            rows.append(row)
            minCreated = min(minCreated, r.created)
            maxCreated = max(maxCreated, r.created)
            fixed[0].string(r.id)
            fixed[1].string(r.spanID)
            fixed[2].string(r.rootSpanID)
            fixed[3].json(text: r.spanParents ?? "[]")
            fixed[4].bool(r.isRoot)
            fixed[5].timestamp(r.created)
            fixed[6].jsonField(r.input)
            fixed[7].jsonField(r.output)
            fixed[8].jsonField(r.expected)
            fixed[9].jsonField(r.error)
            fixed[10].jsonField(r.scores)
            fixed[11].jsonField(r.metadata)
            fixed[12].jsonField(r.tags)
            fixed[13].jsonField(r.metrics)
            fixed[14].jsonField(r.spanAttributes)
            // A row made from a Span still has its objects: no need to parse the text just written.
            if let p = r.parsed {
                addPaths(0, nil, parsed: p.metadata, row: i)
                addPaths(1, nil, parsed: p.metrics, row: i)
                addPaths(2, nil, parsed: p.spanAttributes, row: i)
                addPaths(3, nil, parsed: p.scores, row: i)
                addPaths(4, nil, parsed: p.error, row: i)
            } else {
                for (f, text) in [r.metadata, r.metrics, r.spanAttributes, r.scores, r.error].enumerated() {
                    addPaths(f, text, parsed: nil, row: i)
                }
            }
        }

        /// Row `i`'s values for the path columns of family number `f` (metadata, metrics, span_attributes, scores, error).
        private mutating func addPaths(_ f: Int, _ text: String?, parsed: Value?, row i: Int) {
            let family = ColumnChunks.families[f]
            var object: JSONObject?
            if let parsed {
                switch parsed {
                case .object(let o): object = o
                case .null: break
                default: incomplete.insert(family)   // an array or scalar: paths map over it
                }
            } else if let text, let first = text.utf8.first {
                if first == UInt8(ascii: "{"), case .object(let o)? = try? JSONReader.parse(text) { object = o }
                else if text != "null" { incomplete.insert(family) }
            }
            if let object {
                for (k, v) in object {
                    var j = paths[f].index[k]
                    if j == nil {
                        guard ColumnChunks.plainKey(k), paths[f].keys.count < ColumnChunks.pathCap else { incomplete.insert(family); continue }
                        var w = ColumnFormat.Writer()
                        for _ in 0..<i { w.null() }
                        j = paths[f].writers.count
                        paths[f].index[k] = j
                        paths[f].keys.append(k)
                        paths[f].writers.append(w)
                    }
                    // A key twice in one object keeps its first value, so the column stays one value per row.
                    if paths[f].writers[j!].rows == i { paths[f].writers[j!].value(v) }
                }
            }
            // Keys this row lacks are NULL.
            for j in paths[f].writers.indices where paths[f].writers[j].rows == i { paths[f].writers[j].null() }
        }

        /// The chunks by key, and the families whose every key has one.
        func chunks() -> (chunks: [(String, [UInt8])], complete: [String]) {
            var out = zip(Self.fixedKeys, fixed).map { ($0, $1.bytes()) }
            for (f, columns) in paths.enumerated() {
                for (k, w) in zip(columns.keys, columns.writers) { out.append(("path:\(ColumnChunks.families[f]).\(k)", w.bytes())) }
            }
            let complete = ColumnChunks.families.filter { !incomplete.contains($0) }
            return (out.sorted { $0.0 < $1.0 }, complete)
        }
    }

    /// A group's span chunks, built, each in its stored form (compressed where that pays).
    public struct Built: Sendable {
        var rows: Int
        var minCreated: Int64
        var maxCreated: Int64
        var chunks: [(String, [UInt8])]
        var complete: [String]
        /// The short texts the batch repeats (`BatchWriter.repeatedShortTexts`), found off the
        /// writer's thread; nil when not known (the writer then finds them).
        var repeatedTexts: Set<[UInt8]>?
        init(_ b: SpanBuilder) {
            rows = b.rows.count
            minCreated = b.minCreated
            maxCreated = b.maxCreated
            (chunks, complete) = b.chunks()
            // Compressed here, where they are built: off the writer's thread for a prepared batch.
            for i in chunks.indices { chunks[i].1 = ChunkPacking.pack(chunks[i].1) }
        }

        init(rows: Int, minCreated: Int64, maxCreated: Int64, chunks: [(String, [UInt8])], complete: [String]) {
            self.rows = rows; self.minCreated = minCreated; self.maxCreated = maxCreated; self.chunks = chunks; self.complete = complete
        }

        /// The chunks of consecutive batches built apart (on several threads) as one group: each
        /// column's parts joined, NULLs where a part lacks a path column of an exact family it has
        /// complete. A path column that another part lacks (its key past the cap, or a family matched
        /// case-insensitively) is left out of the group, so it is computed from the field. A family stays
        /// complete only where every part had it complete. Nil when a part cannot be read.
        public static func concatenate(_ parts: [Built]) -> Built? {
            guard parts.count > 1 else { return parts.first }
            var keys: [String] = []
            var seen = Set<String>()
            var byPart: [[String: [UInt8]]] = []
            for p in parts {
                var m: [String: [UInt8]] = [:]
                for (k, data) in p.chunks {
                    guard let data = ChunkPacking.unpack(data) else { return nil }
                    m[k] = data
                    if seen.insert(k).inserted { keys.append(k) }
                }
                byPart.append(m)
            }
            var chunks: [(String, [UInt8])] = []
            chunks.reserveCapacity(keys.count)
            for k in keys.sorted() {
                let family = ColumnChunks.family(ofPathKey: k)
                // As a reader would: a missing key is NULL only in a part where its family matches
                // exactly and is complete.
                if let family, zip(parts, byPart).contains(where: { p, m in m[k] == nil && !(ColumnChunks.exactFamilies.contains(family) && p.complete.contains(family)) }) {
                    continue
                }
                guard let joined = ColumnFormat.concatenate(zip(parts, byPart).map { p, m in m[k] ?? ColumnFormat.nulls(p.rows) }) else { return nil }
                chunks.append((k, ChunkPacking.pack(joined)))
            }
            let complete = ColumnChunks.families.filter { f in parts.allSatisfy { $0.complete.contains(f) } }
            return Built(rows: parts.reduce(0) { $0 + $1.rows }, minCreated: parts.map(\.minCreated).min()!,
                         maxCreated: parts.map(\.maxCreated).max()!, chunks: chunks, complete: complete)
        }
    }

    /// The trace-field columns of one group: facets and classifications on root rows, NULL elsewhere.
    static func traceFieldChunks(isRoot: [Bool], facets: [Value], classifications: [Value]) -> [(String, [UInt8])] {
        // The path columns: each facet name seen, and for classifications the list and its first
        // element's id, label and confidence (in first-seen order).
        struct PathColumn { var key: String; var facets: Bool; var name: String; var member: String?; var writer: ColumnFormat.Writer }
        var columns: [PathColumn] = []
        var seen = Set<String>()
        for i in isRoot.indices where isRoot[i] {
            if case .object(let o) = facets[i] {
                for k in o.keys where ColumnChunks.plainKey(k) && seen.insert("f" + k).inserted {
                    columns.append(PathColumn(key: "path:facets.\(k)", facets: true, name: k, member: nil, writer: ColumnFormat.Writer()))
                }
            }
            if case .object(let o) = classifications[i] {
                for k in o.keys where ColumnChunks.plainKey(k) && seen.insert("c" + k).inserted {
                    columns.append(PathColumn(key: "path:classifications.\(k)", facets: false, name: k, member: nil, writer: ColumnFormat.Writer()))
                    for m in ["id", "label", "confidence"] {
                        columns.append(PathColumn(key: "path:classifications.\(k).[0].\(m)", facets: false, name: k, member: m, writer: ColumnFormat.Writer()))
                    }
                }
            }
        }
        if columns.count > 4 * ColumnChunks.pathCap { columns = [] }   // computed from the whole objects instead
        var whole = ColumnFormat.Writer(capacity: isRoot.count), wholeClassifications = ColumnFormat.Writer(capacity: isRoot.count)
        for i in isRoot.indices {
            guard isRoot[i] else {
                whole.null(); wholeClassifications.null()
                for c in columns.indices { columns[c].writer.null() }
                continue
            }
            whole.value(facets[i])
            wholeClassifications.value(classifications[i])
            for c in columns.indices {
                let v: Value
                if columns[c].facets {
                    v = facets[i][columns[c].name] ?? .null
                } else if let m = columns[c].member {
                    v = classifications[i][columns[c].name]?.arrayValue?.first?[m] ?? .null
                } else {
                    v = classifications[i][columns[c].name] ?? .null
                }
                columns[c].writer.value(v)
            }
        }
        return [("facets", whole.bytes()), ("classifications", wholeClassifications.bytes())] + columns.map { ($0.key, $0.writer.bytes()) }
    }
}

extension Store {
    /// Path families whose keys match exactly: a key missing from a group where the family is
    /// complete is NULL there.
    public static var exactPathFamilies: Set<String> { ColumnChunks.exactFamilies }

    /// Whether scorers have written scores for the project (they show in `scores` and `metadata`).
    public func hasComputedScores(projectRow pid: Int64) throws -> Bool {
        try db.scalarInt("SELECT EXISTS (SELECT 1 FROM scores WHERE project_id = \(pid))") == 1
    }

    /// A project's row groups, in row order.
    public struct RowGroup: Sendable {
        public var firstRow: Int64
        public var lastRow: Int64
        public var rows: Int
        public var minCreated: Int64
        public var maxCreated: Int64
        /// Families whose keys all have a path chunk in this group.
        public var complete: Set<String>
        /// Whether the group's facet and classification chunks are current.
        public var traceFieldsCurrent: Bool
    }

    func traceFieldsGeneration() throws -> Int64 { try db.scalarInt("SELECT trace_fields_generation FROM store_state") ?? 0 }

    public func rowGroups(projectRow pid: Int64) throws -> [RowGroup] {
        let current = try traceFieldsGeneration()
        let s = try db.prepare("SELECT first_row, last_row, rows, min_created, max_created, complete, trace_fields_generation FROM row_groups WHERE project_id = ? ORDER BY first_row")
        try s.bind([.int(pid)])
        var out: [RowGroup] = []
        while try s.step() {
            let complete = Set((s.text(5) ?? "").split(separator: ",").map(String.init))
            out.append(RowGroup(firstRow: s.int(0), lastRow: s.int(1), rows: Int(s.int(2)), minCreated: s.int(3), maxCreated: s.int(4),
                                complete: complete, traceFieldsCurrent: !s.isNull(6) && s.int(6) == current))
        }
        return out
    }

    /// The column chunk as the store holds it (packed or not), for unpacking later with
    /// `unpackChunk` (on any thread); nil when the group has no chunk for `key`.
    public func packedChunk(projectRow pid: Int64, group: RowGroup, key: String) throws -> [UInt8]? {
        let s = try db.prepare("SELECT data FROM column_chunks WHERE project_id = ? AND first_row = ? AND key = ?")
        try s.bind([.int(pid), .int(group.firstRow), .text(key)])
        guard try s.step() else { return nil }
        return s.withBlob(0) { Array($0) } ?? []
    }

    /// A chunk from `packedChunk` unpacked; nil when it is damaged.
    public static func unpackChunk(_ bytes: [UInt8]) -> [UInt8]? { ChunkPacking.unpack(bytes) }

    /// Whether every span is in a row group: false for a store written before groups existed, until
    /// `completeChunks` has put its spans in groups.
    public func chunksComplete() throws -> Bool { (try db.scalarInt("SELECT chunks_complete FROM store_state") ?? 0) != 0 }

    /// Puts every project's loose spans in groups and brings stale trace-field chunks up to date
    /// (`completeChunks` for each project), then records that the store's spans are all in groups.
    /// Waits at most `busyMilliseconds` for another writer; returns false when it could not write.
    public func completeAllChunks(busyMilliseconds: Int32 = 200) -> Bool {
        db.withBusyTimeout(milliseconds: busyMilliseconds) {
            do {
                let s = try db.prepare("SELECT id FROM projects ORDER BY id")
                var ids: [Int64] = []
                while try s.step() { ids.append(s.int(0)) }
                for pid in ids { try completeChunks(projectRow: pid) }
                try db.execute("UPDATE store_state SET chunks_complete = 1")
                return true
            } catch {
                return false
            }
        }
    }

    /// Writes the chunks of the group of `rows` (this project's rows in [first, last] row id), replacing
    /// any group that starts there. Call inside a transaction.
    func writeGroup(projectRow pid: Int64, rows: [(Int64, SpanRow)]) throws {
        guard let first = rows.first?.0, let last = rows.last?.0 else { return }
        var b = ColumnChunks.SpanBuilder()
        for (row, r) in rows { b.add(row: row, r) }
        try writeGroup(projectRow: pid, first: first, last: last, built: ColumnChunks.Built(b),
                       isRoot: rows.map { $0.1.isRoot }, traces: rows.map { $0.1.rootSpanID })
    }

    /// Writes a group whose span chunks are built already (on the parsing thread, for a batch of new rows).
    func writeGroup(projectRow pid: Int64, first: Int64, last: Int64, built: ColumnChunks.Built, isRoot: [Bool], traces: [String]) throws {
        try writeChunks(projectRow: pid, first: first, last: last, built: built)
        try writeTraceFieldChunks(projectRow: pid, firstRow: first, isRoot: isRoot, traces: traces)
    }

    /// Writes a group and the chunks `built` holds, replacing any group that starts there; its
    /// trace-field chunks are stale until written (`writeTraceFieldChunks`) or marked current.
    func writeChunks(projectRow pid: Int64, first: Int64, last: Int64, built: ColumnChunks.Built) throws {
        try dropGroup(projectRow: pid, firstRow: first)
        let g = try db.prepare("INSERT INTO row_groups(project_id, first_row, last_row, rows, min_created, max_created, complete) VALUES (?, ?, ?, ?, ?, ?, ?)")
        try g.bind([.int(pid), .int(first), .int(last), .int(Int64(built.rows)), .int(built.minCreated), .int(built.maxCreated),
                    .text(built.complete.joined(separator: ","))])
        try g.run()
        let c = try db.prepare("INSERT INTO column_chunks(project_id, first_row, key, data) VALUES (?, ?, ?, ?)")
        for (key, data) in built.chunks {
            try c.bind([.int(pid), .int(first), .text(key), .blob(data)])
            try c.run()
            c.reset()
        }
    }

    func dropGroup(projectRow pid: Int64, firstRow: Int64) throws {
        for sql in ["DELETE FROM row_groups WHERE project_id = ? AND first_row = ?", "DELETE FROM column_chunks WHERE project_id = ? AND first_row = ?"] {
            let s = try db.prepare(sql)
            try s.bind([.int(pid), .int(firstRow)])
            try s.run()
        }
    }

    /// (Re)writes a group's facet and classification chunks from their tables, marking them current.
    func writeTraceFieldChunks(projectRow pid: Int64, firstRow: Int64, isRoot: [Bool], traces: [String]) throws {
        var facets = [Value](repeating: .null, count: isRoot.count), classifications = facets
        let f = try db.prepare("SELECT facet, value FROM facets WHERE project_id = ? AND trace_id = ?")
        let c = try db.prepare("SELECT facet, topic_id, label, confidence, metadata, source FROM classifications WHERE project_id = ? AND trace_id = ? ORDER BY facet, position")
        for i in isRoot.indices where isRoot[i] {
            try f.bind([.int(pid), .text(traces[i])])
            var fo = JSONObject()
            while try f.step() { fo[f.text(0)!] = f.text(1).map(Value.string) ?? .null }
            f.reset()
            if !fo.isEmpty { facets[i] = .object(fo) }
            try c.bind([.int(pid), .text(traces[i])])
            var co = JSONObject()
            while try c.step() {
                let facet = c.text(0)!
                co[facet] = .array((co[facet]?.arrayValue ?? []) + [Store.classificationElement(c, from: 1)])
            }
            c.reset()
            if !co.isEmpty { classifications[i] = .object(co) }
        }
        // The names are bound, not written: a statement naming those tables marks them changed.
        let d = try db.prepare("DELETE FROM column_chunks WHERE project_id = ?1 AND first_row = ?2 AND (key IN (?3, ?4) OR key LIKE ?5 OR key LIKE ?6)")
        try d.bind([.int(pid), .int(firstRow), .text("facets"), .text("classifications"), .text("path:facets.%"), .text("path:classifications.%")])
        try d.run()
        let ins = try db.prepare("INSERT INTO column_chunks(project_id, first_row, key, data) VALUES (?, ?, ?, ?)")
        for (key, data) in ColumnChunks.traceFieldChunks(isRoot: isRoot, facets: facets, classifications: classifications) {
            try ins.bind([.int(pid), .int(firstRow), .text(key), .blob(ChunkPacking.pack(data))])
            try ins.run()
            ins.reset()
        }
        let u = try db.prepare("UPDATE row_groups SET trace_fields_generation = (SELECT trace_fields_generation FROM store_state) WHERE project_id = ? AND first_row = ?")
        try u.bind([.int(pid), .int(firstRow)])
        try u.run()
    }

    /// The rows of a project in [first, last] row id, as the writer had them.
    func storedRows(projectRow pid: Int64, from first: Int64, through last: Int64) throws -> [(Int64, SpanRow)] {
        let s = try db.prepare("""
            SELECT row, id, span_id, root_span_id, span_parents, created, input, output, expected, error, scores, metadata, tags, metrics, span_attributes,
              start, "end", prompt_tokens, completion_tokens, total_tokens
            FROM spans WHERE project_id = ? AND row BETWEEN ? AND ? ORDER BY row
            """)
        try s.bind([.int(pid), .int(first), .int(last)])
        var out: [(Int64, SpanRow)] = []
        while try s.step() {
            let siblings = Store.siblings(s, id: 1, root: 3, numbers: 15)
            var r = SpanRow(id: s.text(1)!, spanID: try spanText(s, 2, siblings)!, rootSpanID: s.text(3)!, spanParents: try spanText(s, 4, siblings), created: s.int(5))
            r.start = siblings.start; r.end = siblings.end
            r.promptTokens = siblings.promptTokens; r.completionTokens = siblings.completionTokens; r.totalTokens = siblings.totalTokens
            r.input = try spanText(s, 6); r.output = try spanText(s, 7); r.expected = try spanText(s, 8)
            r.error = try spanText(s, 9); r.scores = try spanText(s, 10); r.metadata = try spanText(s, 11); r.tags = s.text(12)
            r.metrics = try spanText(s, 13, siblings); r.spanAttributes = try spanText(s, 14)
            out.append((s.int(0), r))
        }
        return out
    }

    /// Puts every row of the project that no group covers into groups (stores written before groups
    /// existed), and brings stale facet and classification chunks up to date. The loose rows are found
    /// and grouped in one transaction, so a concurrent ingest's groups are never overlapped; returns
    /// the number of groups written.
    @discardableResult
    public func completeChunks(projectRow pid: Int64, groupSize: Int = 65536) throws -> Int {
        var written = 0
        try db.transaction {
            let ranges = try rowGroups(projectRow: pid).map { $0.firstRow...$0.lastRow }
            let s = try db.prepare("SELECT row FROM spans WHERE project_id = ? ORDER BY row")
            try s.bind([.int(pid)])
            var loose: [Int64] = []
            var gi = 0
            while try s.step() {
                let row = s.int(0)
                while gi < ranges.count && ranges[gi].upperBound < row { gi += 1 }
                if gi < ranges.count && ranges[gi].contains(row) { continue }
                loose.append(row)
            }
            // Runs of loose rows, cut at `groupSize` and wherever a group lies between two of them.
            var start = 0
            while start < loose.count {
                var end = min(start + groupSize, loose.count)
                if let next = ranges.first(where: { $0.lowerBound > loose[start] })?.lowerBound,
                   let cut = loose[start..<end].firstIndex(where: { $0 > next }) { end = cut }
                try writeGroup(projectRow: pid, rows: try storedRows(projectRow: pid, from: loose[start], through: loose[end - 1]))
                written += 1
                start = end
            }
        }
        for g in try rowGroups(projectRow: pid) where !g.traceFieldsCurrent {
            try db.transaction {
                let s = try db.prepare("SELECT is_root, root_span_id FROM spans WHERE project_id = ? AND row BETWEEN ? AND ? ORDER BY row")
                try s.bind([.int(pid), .int(g.firstRow), .int(g.lastRow)])
                var isRoot: [Bool] = [], traces: [String] = []
                while try s.step() { isRoot.append(s.int(0) != 0); traces.append(s.text(1) ?? "") }
                try writeTraceFieldChunks(projectRow: pid, firstRow: g.firstRow, isRoot: isRoot, traces: traces)
            }
            written += 1
        }
        return written
    }
}

extension Store {
    /// `completeChunks` waiting at most `busyMilliseconds` for another writer; false when it could not write.
    public func completeChunks(projectRow pid: Int64, busyMilliseconds: Int32) -> Bool {
        db.withBusyTimeout(milliseconds: busyMilliseconds) { (try? completeChunks(projectRow: pid)) != nil }
    }

    /// Runs `body` in one read transaction (a snapshot of the store in WAL mode), unless a transaction
    /// is open already.
    public func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        guard db.isAutocommit else { return try body() }
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        return try body()
    }

    /// Drops every row group and chunk and marks the store as written before groups existed (tests).
    public func forgetChunksForTest() throws {
        try db.transaction {
            try db.execute("DELETE FROM row_groups; DELETE FROM column_chunks; UPDATE store_state SET chunks_complete = 0")
        }
    }
}
