// The executor runs a LogicalPlan over a Table, one operator after another (Operators/): time range,
// unpivot, filter (by span, or by trace for the traces and summary shapes), span filter, projection
// or hash aggregation with HAVING, sort (or top-k) with NULLs last, and LIMIT with cursors. Each
// operator works on a selection vector of the rows still in play; expressions over many rows are
// evaluated a batch at a time (Expressions/).

import Foundation
import SiftModel
import SiftQuery

public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[Datum]]
    /// Pass as OFFSET '<cursor>' to get the next page; nil on the last page.
    public var nextCursor: String?
}

public struct Executor {
    public var now: Int64
    public var tzOffsetMinutes: Int

    public init(now: Int64, tzOffsetMinutes: Int = 0) {
        self.now = now
        self.tzOffsetMinutes = tzOffsetMinutes
    }

    /// A constant of the plan (a time bound), evaluated with this query's now().
    public func constant(_ e: Expr) throws -> Datum {
        let ev = Evaluator(table: Table(columns: [:], count: 1), now: now, tzOffsetMinutes: tzOffsetMinutes)
        return try ev.eval(e, Rows(base: [0]))[0]
    }

    /// Plans deeper than this run on a thread of their own with a large stack: evaluation recurses once
    /// per level (up to `Parser.maxHeight`), and the caller's thread (an event loop's, a test's) may
    /// have too little stack for that and for what a column read below it needs.
    static let deepPlan = 64

    public func run(_ plan: LogicalPlan, on table: Table) throws -> QueryResult {
        guard plan.maxHeight > Self.deepPlan else { return try runHere(plan, on: table) }
        return try LargeStack.run { try runHere(plan, on: table) }
    }

    private func runHere(_ plan: LogicalPlan, on table: Table) throws -> QueryResult {
        let ev = Evaluator(table: table, now: now, tzOffsetMinutes: tzOffsetMinutes)
        var shape = Shape.spans
        if case .projectLogs(_, let s) = plan.source { shape = s }
        var rows = Rows(base: table.allRows)

        // Time bounds again in memory: a cached table holds every row.
        rows = try applyTimeBounds(plan, rows, ev)

        for u in plan.unpivots { rows = try unpivot(u, rows, ev) }

        switch shape {
        case .spans:
            if let f = plan.filter { rows = try keep(f, rows, ev) }
            if let sf = plan.spanFilter {
                // FILTER_SPANS in the spans shape: the spans that satisfy it, of traces the rest chose.
                rows = try keep(sf, rows, ev)
            }
            return try finish(plan, rows, ev, tracesCount: false)
        case .traces:
            return try tracesShape(plan, rows, ev)
        case .summary:
            return try summaryShape(plan, ev)
        }
    }

    /// The tail every shape shares: projection or hash aggregation (with HAVING), sort, limit.
    func finish(_ plan: LogicalPlan, _ rows: Rows, _ ev: Evaluator, tracesCount: Bool) throws -> QueryResult {
        let (columns, out, orderKeys) = plan.isAggregate ? try aggregate(plan, rows, ev) : try project(plan, rows, ev)
        let count = out.first?.count ?? (plan.isAggregate ? 0 : rows.count)
        let order = sortOrder(plan, count: count, keys: orderKeys, tracesCount: tracesCount)
        let (selected, next) = limit(plan, order: order, rows: rows, ev, tracesCount: tracesCount)
        let rowsOut = selected.map { r in out.map { $0[r] } }
        return QueryResult(columns: columns, rows: rowsOut, nextCursor: next)
    }
}

/// Runs a body on a new thread with a 512 MiB stack (address space reserved, touched only as used) and
/// joins it. The thread is joined, not merely signalled, and the body is dropped before the join
/// returns: `withoutActuallyEscaping` traps if the body is still referenced when it ends, and a
/// thread object that outlives its signal (Foundation's `Thread` keeps its closure until it is torn
/// down) made that a race that crashed the suite once in CI.
enum LargeStack {
    /// What the new thread runs; non-generic so a C entry point can take it.
    final class Job: @unchecked Sendable {
        var work: (() -> Void)?
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    static func run<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: Result<T, Error>?
            try withUnsafeMutablePointer(to: &result) { slot in
                nonisolated(unsafe) let out = slot
                let job = Job { out.pointee = Result { try body() } }
                var attr = pthread_attr_t()
                pthread_attr_init(&attr)
                defer { pthread_attr_destroy(&attr) }
                pthread_attr_setstacksize(&attr, 512 << 20)
                var thread = pthread_t()
                let context = Unmanaged.passRetained(job).toOpaque()
                let rc = pthread_create(&thread, &attr, { raw in
                    let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                    job.work?()
                    job.work = nil
                    return nil
                }, context)
                if rc != 0 {
                    // No thread: run here rather than fail the query.
                    Unmanaged<Job>.fromOpaque(context).release()
                    job.work?()
                } else {
                    pthread_join(thread, nil)
                }
                job.work = nil
            }
            return try result!.get()
        }
    }
}
