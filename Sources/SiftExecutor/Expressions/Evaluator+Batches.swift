// Batches: expressions over many rows are evaluated a fixed number of rows at a time, so what a node
// produces on the way (comparisons, arithmetic, function results, booleans) is at most one batch
// long and stays in the processor's caches, however many rows are in play. The columns an expression
// reads are gathered once for the whole selection first (from dictionary codes, kept bytes or the
// decoded column, whichever `Table` has) and then sliced per batch.

import SiftModel
import SiftQuery

extension Evaluator {
    /// Rows per batch. (Tests set it to compare batched with whole-column evaluation.)
    nonisolated(unsafe) static var batchSize = 4096

    /// `e` over `rows`, one batch at a time; the same values as `eval(e, rows)`.
    func evalBatched(_ e: Expr, _ rows: Rows) throws -> [Datum] {
        guard needsBatches(e, rows) else { return try eval(e, rows) }
        var out: [Datum] = []
        out.reserveCapacity(rows.count)
        try forEachBatch(e, rows) { _, values in out.append(contentsOf: values) }
        return out
    }

    /// Calls `body` with each batch's first position in `rows` and the values of `e` for that batch.
    func forEachBatch(_ e: Expr, _ rows: Rows, _ body: (Int, [Datum]) throws -> Void) throws {
        guard needsBatches(e, rows) else { return try body(0, try eval(e, rows)) }
        let prepared = try bind(e, rows)
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + Evaluator.batchSize)
            try body(start, try eval(e, prepared.slice(start..<end)))
            start = end
        }
    }

    /// The positions in `rows` where `cond` is true, evaluated a batch at a time.
    func positionsWhereTrue(_ cond: Expr, _ rows: Rows) throws -> [Int] {
        var keep: [Int] = []
        try forEachBatch(cond, rows) { start, v in
            for i in v.indices where v[i] == .bool(true) { keep.append(start + i) }
        }
        return keep
    }

    /// Whether evaluating `e` batch by batch is worth it: many rows, something to compute (a bare
    /// column is gathered in one go), and no per-group aggregate results in play (those line up with
    /// the group rows as a whole).
    private func needsBatches(_ e: Expr, _ rows: Rows) -> Bool {
        rows.count > Evaluator.batchSize && aggregates.isEmpty && !isColumn(e, rows) && !e.isConstant
    }

    /// A span field, or a path into one, read straight from the table.
    private func isColumn(_ e: Expr, _ rows: Rows) -> Bool {
        switch e.kind {
        case .field, .index:
            guard let path = e.pathComponents else { return false }
            return table.fieldNames.contains(path[0]) && rows.extra[path[0]] == nil
        case .name(let name, _):
            return rows.extra[name] != nil || table.fieldNames.contains(name)
        default:
            return false
        }
    }

    /// `rows` with every column `e` reads gathered for them (the outermost path of each reference:
    /// `classifications.Task[0].label`, not `classifications`).
    func bind(_ e: Expr, _ rows: Rows) throws -> Rows {
        var prepared = rows
        func walk(_ node: Expr) throws {
            if isColumn(node, rows), rows.extra[columnRoot(node) ?? ""] == nil {
                if prepared.bound[node] == nil { prepared.bound[node] = try eval(node, rows) }
                return
            }
            for c in node.children { try walk(c) }
        }
        try walk(e)
        return prepared
    }

    private func columnRoot(_ e: Expr) -> String? {
        if case .name(let n, _) = e.kind { return n }
        return e.pathComponents?.first
    }
}

extension Rows {
    /// The positions `i` (in order) whose table row `base[i]` passes `test`: a selection vector,
    /// written into storage sized once rather than grown append by append.
    @inline(__always)
    func positions(where test: (Int) -> Bool) -> [Int] {
        base.withUnsafeBufferPointer { rowsIn in
            [Int](unsafeUninitializedCapacity: rowsIn.count) { out, kept in
                BigArrays.adviseHugePages(UnsafeMutableRawBufferPointer(out))
                var k = 0
                for i in 0..<rowsIn.count where test(rowsIn[i]) {
                    out[k] = i
                    k += 1
                }
                kept = k
            }
        }
    }
}

extension Evaluator {
    /// Whether a constant expression evaluates to something other than NULL (false when it fails).
    func constantIsNotNull(_ e: Expr) -> Bool {
        guard let v = try? eval(e, Rows(base: [0])).first else { return false }
        return !v.isNull
    }
}
