// Column loading for the query engine: the rows of one project, optionally within a time range, and
// each top-level field as a column of Values, read only when a query asks for it. Facets and
// classifications come from their own tables and are shown on root spans.

import CSQLite
import SiftModel

extension Store {
    /// The rows of a project in insertion order, with a loader for any field's column.
    public final class SpanColumns {
        public let store: Store
        public let project: String
        public let projectRow: Int64
        public let rows: [Int64]
        public let rootSpanIDs: [String]
        public let isRoot: [Bool]
        public let created: [Int64]
        let lower: Int64?
        let upper: Int64?
        /// Whether `rows` is a subset of what the time range selects (row groups): other rows are skipped.
        let partial: Bool

        init(store: Store, project: String, projectRow: Int64, lower: Int64?, upper: Int64?, rowRanges: [ClosedRange<Int64>]? = nil) throws {
            self.store = store
            self.project = project
            self.projectRow = projectRow
            self.lower = lower
            self.upper = upper
            partial = rowRanges != nil
            // The trace index covers these columns: read it (tens of megabytes) rather than the table,
            // then put the rows in table order, which every other column load uses.
            let (rows, roots, isRoot, created) = try store.readPreferring(index: "spans_by_trace") { hint in
                let s = try store.db.prepare("SELECT row, root_span_id, is_root, created FROM spans \(hint) WHERE \(Self.whereClause(lower, upper))")
                try s.bind(Self.binds(projectRow, lower, upper))
                var rows: [Int64] = [], roots: [String] = [], isRoot: [Bool] = [], created: [Int64] = []
                while try s.step() {
                    rows.append(s.int(0)); roots.append(s.text(1) ?? ""); isRoot.append(s.int(2) != 0); created.append(s.int(3))
                }
                return (rows, roots, isRoot, created)
            }
            var order = rows.indices.sorted { rows[$0] < rows[$1] }
            if let rowRanges {
                // Only the rows of these ranges (row groups), which are sorted and disjoint.
                var k = 0
                order = order.filter { i in
                    let row = rows[i]
                    while k < rowRanges.count && rowRanges[k].upperBound < row { k += 1 }
                    return k < rowRanges.count && rowRanges[k].contains(row)
                }
            }
            self.rows = order.map { rows[$0] }
            rootSpanIDs = order.map { roots[$0] }
            self.isRoot = order.map { isRoot[$0] }
            self.created = order.map { created[$0] }
        }

        static func whereClause(_ lower: Int64?, _ upper: Int64?) -> String {
            "project_id = ?1" + (lower != nil ? " AND created >= ?2" : "") + (upper != nil ? " AND created <= ?3" : "")
        }

        /// Values for ?1..?3, only as far as the clause uses them (binding past the last is an error).
        static func binds(_ pid: Int64, _ lower: Int64?, _ upper: Int64?) -> [SQLValue] {
            var b: [SQLValue] = [.int(pid)]
            if lower != nil || upper != nil { b.append(lower.map(SQLValue.int) ?? .null) }
            if let upper { b.append(.int(upper)) }
            return b
        }

        public var count: Int { rows.count }

        static let textColumns: Set<String> = ["id", "span_id", "input", "output", "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes", "span_parents"]

        /// One field's values, row by row; JSON text is parsed. Unknown names give nil.
        public func column(_ field: String) throws -> [Value]? {
            switch field {
            case "root_span_id": return rootSpanIDs.map(Value.string)
            case "is_root": return isRoot.map(Value.bool)
            case "project_id": return Array(repeating: .string(project), count: count)
            case "facets", "classifications": return try traceFields(field)
            default: break
            }
            guard Self.textColumns.contains(field) else { return nil }
            // No ORDER BY: sorting a million rows with their text costs SQLite a temporary B-tree
            // several times the column's size. Each value goes to its row's place instead. A project
            // that is most of the table is read in rowid order by a plain scan (its rows then arrive
            // in `rows` order); a small one, or a time range, through an index.
            let tableRows = try store.db.scalarInt("SELECT coalesce(max(row), 0) FROM spans") ?? 0
            let scan = lower == nil && upper == nil && Int64(count) * 4 >= tableRows
            // The columns a value stored by reference is made from (RowForms).
            let siblings: String
            switch field {
            case "span_id": siblings = ", id"
            case "span_parents": siblings = ", root_span_id"
            case "metrics": siblings = #", start, "end", prompt_tokens, completion_tokens, total_tokens"#
            default: siblings = ""
            }
            let s = try store.db.prepare("SELECT row, \(field)\(siblings) FROM spans \(scan ? "NOT INDEXED " : "")WHERE \(Self.whereClause(lower, upper))")
            try s.bind(Self.binds(projectRow, lower, upper))
            let isJSON = field != "id" && field != "span_id"
            let missing: Value = field == "span_parents" ? .array([]) : .null
            var out = [Value](repeating: missing, count: count)
            var next = 0, filled = 0
            try rows.withUnsafeBufferPointer { rows in
                while try s.step() {
                    let row = s.int(0)
                    var at = next
                    if at >= rows.count || rows[at] != row {
                        // Out of order (an index): find the row's place by bisection.
                        var lo = 0, hi = rows.count
                        while lo < hi { let mid = (lo + hi) / 2; if rows[mid] < row { lo = mid + 1 } else { hi = mid } }
                        guard lo < rows.count, rows[lo] == row else {
                            if partial { continue }
                            throw StoreError.invalid("the store changed while a query read it; run the query again")
                        }
                        at = lo
                    }
                    next = at + 1
                    filled += 1
                    guard let text = try store.spanText(s, 1, Store.siblings(s, id: field == "span_id" ? 2 : nil, root: field == "span_parents" ? 2 : nil,
                                                                             numbers: field == "metrics" ? 2 : nil)) else { continue }
                    out[at] = isJSON ? ((try? JSONReader.parse(text)) ?? .string(text)) : .string(text)
                }
            }
            guard filled == count else { throw StoreError.invalid("the store changed while a query read it; run the query again") }
            if field == "scores" { try mergeScorerResults(&out) }
            if field == "metadata" { try mergeScorerReasons(&out) }
            return out
        }

        /// The reason and metadata of computed scores, as metadata.sift_scores.<scorer>.{reason, metadata, error}.
        func mergeScorerReasons(_ out: inout [Value]) throws {
            let s = try store.db.prepare("SELECT trace_id, scorer, reason, metadata, error FROM scores WHERE project_id = ? ORDER BY trace_id, scorer")
            try s.bind([.int(projectRow)])
            var byTrace: [String: JSONObject] = [:]
            while try s.step() {
                var o = JSONObject()
                o["reason"] = s.text(2).map(Value.string) ?? .null
                o["metadata"] = s.text(3).flatMap { try? JSONReader.parse($0) } ?? .null
                o["error"] = s.text(4).map(Value.string) ?? .null
                byTrace[s.text(0)!, default: JSONObject()][s.text(1)!] = .object(o)
            }
            guard !byTrace.isEmpty else { return }
            for i in 0..<count where isRoot[i] {
                guard let extra = byTrace[rootSpanIDs[i]] else { continue }
                var o = out[i].objectValue ?? JSONObject()
                o["sift_scores"] = .object(extra)
                out[i] = .object(o)
            }
        }

        /// Scores computed by `sift scorers run` live in their own table and show on root spans as
        /// scores.<scorer>, next to the scores the spans were ingested with.
        func mergeScorerResults(_ out: inout [Value]) throws {
            let s = try store.db.prepare("SELECT trace_id, scorer, score FROM scores WHERE project_id = ? ORDER BY trace_id, scorer")
            try s.bind([.int(projectRow)])
            var byTrace: [String: [(String, Value)]] = [:]
            while try s.step() { byTrace[s.text(0)!, default: []].append((s.text(1)!, s.optionalDouble(2).map(Value.double) ?? .null)) }
            guard !byTrace.isEmpty else { return }
            for i in 0..<count where isRoot[i] {
                guard let extra = byTrace[rootSpanIDs[i]] else { continue }
                var o = out[i].objectValue ?? JSONObject()
                for (k, v) in extra { o[k] = v }
                out[i] = .object(o)
            }
        }

        /// facets / classifications objects for root rows, NULL elsewhere.
        func traceFields(_ which: String) throws -> [Value] {
            // Rows arrive grouped by trace (and facet): each trace's object is built in one piece.
            var byTrace: [String: Value] = [:]
            var trace: String?, object = JSONObject()
            func finishTrace() { if let t = trace { byTrace[t] = .object(object) } }
            if which == "facets" {
                let s = try store.db.prepare("SELECT trace_id, facet, value FROM facets WHERE project_id = ? ORDER BY trace_id, facet")
                try s.bind([.int(projectRow)])
                while try s.step() {
                    let t = s.text(0)!
                    if t != trace { finishTrace(); trace = t; object = JSONObject() }
                    object[s.text(1)!] = s.text(2).map(Value.string) ?? .null
                }
            } else {
                let s = try store.db.prepare("""
                    SELECT trace_id, facet, topic_id, label, confidence, metadata, source FROM classifications
                    WHERE project_id = ? ORDER BY trace_id, facet, position
                    """)
                try s.bind([.int(projectRow)])
                var facet: String?, list: [Value] = []
                func finishFacet() { if let f = facet { object[f] = .array(list) } }
                while try s.step() {
                    let t = s.text(0)!, f = s.text(1)!
                    if t != trace {
                        finishFacet(); facet = nil
                        finishTrace(); trace = t; object = JSONObject()
                    }
                    if f != facet { finishFacet(); facet = f; list = [] }
                    list.append(Store.classificationElement(s, from: 2))
                }
                finishFacet()
            }
            finishTrace()
            return (0..<count).map { i in isRoot[i] ? (byTrace[rootSpanIDs[i]] ?? .null) : .null }
        }
    }

    /// The rows of `project`, within [lower, upper] microseconds when given.
    public func spanColumns(project: String, lower: Int64? = nil, upper: Int64? = nil) throws -> SpanColumns {
        let pid = try projectRow(named: project)
        return try SpanColumns(store: self, project: project, projectRow: pid, lower: lower, upper: upper)
    }

    /// The rows of `project` within these row ranges (sorted, disjoint), in row order.
    public func spanColumns(project: String, rowRanges: [ClosedRange<Int64>]) throws -> SpanColumns {
        let pid = try projectRow(named: project)
        return try SpanColumns(store: self, project: project, projectRow: pid, lower: nil, upper: nil, rowRanges: rowRanges)
    }

    public func projectNames() throws -> [String] {
        let s = try db.prepare("SELECT name FROM projects ORDER BY name")
        var out: [String] = []
        while try s.step() { out.append(s.text(0)!) }
        return out
    }

    /// Paths seen in a project, for "did you mean" hints: facet and classification names, score,
    /// metadata and metrics keys (sampled).
    public func knownPaths(project: String, roots: Set<String>? = nil) throws -> [String] {
        guard let pid = try projectID(named: project) else { return [] }
        var out: [String] = []
        // Samples of bounded size: hints must not cost a scan of a large store.
        for (table, prefix) in [("facets", "facets"), ("classifications", "classifications")] where roots?.contains(prefix) ?? true {
            let s = try db.prepare("SELECT DISTINCT facet FROM (SELECT facet FROM \(table) WHERE project_id = ? LIMIT 20000)")
            try s.bind([.int(pid)])
            while try s.step() { out.append(prefix + "." + s.text(0)!) }
        }
        if roots?.contains("scores") ?? true {
            let sc = try db.prepare("SELECT DISTINCT scorer FROM scores WHERE project_id = ?")
            try sc.bind([.int(pid)])
            while try sc.step() { out.append("scores." + sc.text(0)!) }
        }
        for field in ["scores", "metadata", "metrics"] where roots?.contains(field) ?? true {
            // Keys of the first 2,000 objects, read here: the stored text may be compressed.
            let s = try db.prepare(#"SELECT \#(field), start, "end", prompt_tokens, completion_tokens, total_tokens FROM spans WHERE project_id = ? AND \#(field) IS NOT NULL LIMIT 2000"#)
            try s.bind([.int(pid)])
            var seen = Set<String>()
            while try s.step() {
                guard let text = try? spanText(s, 0, Store.siblings(s, id: nil, root: nil, numbers: 1)), case .object(let o)? = try? JSONReader.parse(text) else { continue }
                for k in o.keys where seen.insert(k).inserted { out.append(field + "." + k) }
            }
        }
        return out
    }
}

extension Store {
    /// One element of classifications.<facet>: {id, label, confidence, metadata, source} from the
    /// statement's columns `from`..`from + 4` (topic_id, label, confidence, metadata, source).
    static func classificationElement(_ s: PreparedStatement, from c: Int32) -> Value {
        var o = JSONObject()
        o["id"] = s.text(c).map(Value.string) ?? .null
        o["label"] = s.text(c + 1).map(Value.string) ?? .null
        o["confidence"] = s.optionalDouble(c + 2).map(Value.double) ?? .null
        let metadata = s.text(c + 3)
        o["metadata"] = metadata == nil || metadata == "{}" ? .object(JSONObject()) : ((try? JSONReader.parse(metadata!)) ?? .object(JSONObject()))
        o["source"] = s.text(c + 4).map(Value.string) ?? .null
        return .object(o)
    }

    /// The topics of a project, as field -> value rows (filled by `sift topics run`).
    public func topicRows(project: String) throws -> [[String: Value]] {
        let pid = try projectRow(named: project)
        let s = try db.prepare("""
            SELECT id, facet, label, description, terms, size, status, merged_into, confirmation, parent, parent_label FROM topics
            WHERE project_id = ? ORDER BY facet, size DESC, id
            """)
        try s.bind([.int(pid)])
        var out: [[String: Value]] = []
        while try s.step() {
            out.append(["id": .string(s.text(0) ?? ""), "facet": .string(s.text(1) ?? ""), "label": .string(s.text(2) ?? ""),
                        "description": s.text(3).map(Value.string) ?? .null, "terms": s.text(4).flatMap { try? JSONReader.parse($0) } ?? .null,
                        "size": .int(s.int(5)), "status": .string(s.text(6) ?? ""), "merged_into": s.text(7).map(Value.string) ?? .null,
                        "confirmation": s.text(8).map(Value.string) ?? .null, "parent": s.text(9).map(Value.string) ?? .null,
                        "parent_label": s.text(10).map(Value.string) ?? .null, "project_id": .string(project)])
        }
        return out
    }
}
