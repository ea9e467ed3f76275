// Row-group compaction. Each ingest transaction writes its spans as one row group, so a server that
// commits every few hundred milliseconds, or many small files ingested one by one, leave thousands of
// small groups; every query then reads a chunk per group and column and joins them. Compaction joins
// runs of adjacent small groups of a project into groups of about `target` rows, in one transaction
// per run, from the chunks already written (the rows are not parsed again). The data does not
// change, so caches built on it stay valid.

import Foundation
import SiftModel

extension Store {
    /// Row counts that decide compaction.
    public struct CompactionPolicy: Sendable {
        /// A group with fewer rows is small.
        public var small = 16_384
        /// A joined group holds at most this many rows.
        public var target = 65_536
        /// A run of small groups is joined once it holds this many rows, or this many groups. Joined
        /// at 32k rows a group is no longer small, so a row is rewritten once; only a slow trickle of
        /// tiny commits (64 groups before 32k rows) is joined again as it grows.
        public var minRows = 32_768
        public var minGroups = 64
        public init() {}
    }

    /// Joins the runs of adjacent small row groups of a project that the policy says are due; returns
    /// how many groups were joined away. Each run is joined in its own transaction.
    @discardableResult
    public func compactRowGroups(projectRow pid: Int64, policy: CompactionPolicy = CompactionPolicy()) throws -> Int {
        let groups = try rowGroups(projectRow: pid)
        var removed = 0
        var i = 0
        while i < groups.count {
            guard groups[i].rows < policy.small else { i += 1; continue }
            // The run from i: small groups, adjacent (no row of the project between them), up to target rows.
            var j = i + 1, rows = groups[i].rows
            while j < groups.count, groups[j].rows < policy.small, rows + groups[j].rows <= policy.target,
                  try !hasRows(projectRow: pid, after: groups[j - 1].lastRow, before: groups[j].firstRow) {
                rows += groups[j].rows
                j += 1
            }
            let run = Array(groups[i..<j])
            if run.count >= 2 && (rows >= policy.minRows || run.count >= policy.minGroups) {
                if try join(projectRow: pid, run) { removed += run.count - 1 }
            }
            i = j
        }
        return removed
    }

    /// Whether the project has a span row strictly between two row ids (one no group covers).
    private func hasRows(projectRow pid: Int64, after a: Int64, before b: Int64) throws -> Bool {
        guard b - a > 1 else { return false }
        let s = try db.prepare("SELECT EXISTS (SELECT 1 FROM spans WHERE row > ? AND row < ? AND project_id = ?)")
        try s.bind([.int(a), .int(b), .int(pid)])
        return try s.step() && s.int(0) == 1
    }

    /// Replaces the groups of `run` by one; false (and nothing written) when a chunk cannot be read or
    /// the rows no longer match the groups.
    private func join(projectRow pid: Int64, _ run: [RowGroup]) throws -> Bool {
        var joined = false
        try db.transaction {
            // Read again inside the transaction: another writer may have changed them since.
            let now = try rowGroups(projectRow: pid).filter { g in run.contains { $0.firstRow == g.firstRow } }
            guard now.count == run.count, zip(now, run).allSatisfy({ $0.lastRow == $1.lastRow && $0.rows == $1.rows }) else { return }
            // Facet and classification chunks are joined too when every group has them current;
            // otherwise they are left out and the joined group's are rebuilt when next read.
            let traceFields = now.allSatisfy(\.traceFieldsCurrent)
            var parts: [ColumnChunks.Built] = []
            let s = try db.prepare("SELECT key, data FROM column_chunks WHERE project_id = ? AND first_row = ? ORDER BY key")
            for g in run {
                try s.bind([.int(pid), .int(g.firstRow)])
                var chunks: [(String, [UInt8])] = []
                while try s.step() {
                    let key = s.text(0) ?? ""
                    guard let data = s.blob(1) else { return }
                    if traceFields || !ColumnChunks.isTraceField(key) { chunks.append((key, data)) }
                }
                s.reset()
                parts.append(ColumnChunks.Built(rows: g.rows, minCreated: g.minCreated, maxCreated: g.maxCreated, chunks: chunks,
                                                complete: ColumnChunks.families.filter(g.complete.contains)))
            }
            guard let built = ColumnChunks.Built.concatenate(parts) else { return }
            let first = run[0].firstRow, last = run[run.count - 1].lastRow
            let count = try db.scalarInt("SELECT count(*) FROM spans WHERE project_id = \(pid) AND row BETWEEN \(first) AND \(last)")
            guard count == Int64(built.rows) else { return }
            for g in run { try dropGroup(projectRow: pid, firstRow: g.firstRow) }
            try writeChunks(projectRow: pid, first: first, last: last, built: built)
            if traceFields {
                let u = try db.prepare("UPDATE row_groups SET trace_fields_generation = (SELECT trace_fields_generation FROM store_state) WHERE project_id = ? AND first_row = ?")
                try u.bind([.int(pid), .int(first)])
                try u.run()
            }
            joined = true
        }
        return joined
    }
}
