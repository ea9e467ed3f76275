// Spans that arrive over the network (`sift serve`): an OTLP request body decoded into rows, and a
// writer that commits many requests in one transaction and acknowledges each request only once the
// transaction holding its rows has committed. Spans of one trace that arrive in different requests
// join their trace: rows are keyed by trace and span id, whichever request brings them.

import Foundation
import SiftModel

/// One OTLP/HTTP request body.
public enum OTLPBody {
    public enum Encoding: Sendable { case json, protobuf }

    public struct Decoded: Sendable {
        public var rows: [SpanRow]
        /// One message per span that could not be mapped (the others still land).
        public var rejected: [String]
    }

    public struct Undecodable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The rows of an ExportTraceServiceRequest. Throws `Undecodable` when the body cannot be read at all.
    public static func decode(_ body: UnsafeBufferPointer<UInt8>, encoding: Encoding, maxDepth: Int = 128) throws -> Decoded {
        var rejected: [String] = []
        let request: Value
        do {
            switch encoding {
            case .json: request = try JSONReader.parse(body, maxDepth: maxDepth)
            case .protobuf:
                // Protobuf is mapped as it is read (no JSON-shaped tree in between).
                let mapped = try OTLPProtobuf.mapped(body, maxDepth: min(maxDepth, 64)) { rejected.append($0) }
                return Decoded(rows: mapped.map { SpanRow($0.span, projectName: $0.project) }, rejected: rejected)
            }
        } catch let e as JSONError {
            throw Undecodable(description: "invalid JSON: \(e.message) (byte \(e.offset))")
        } catch let e as OTLPProtobuf.DecodeError {
            throw Undecodable(description: e.description)
        }
        do {
            let mapped = try OTLPRecord.mapRequest(request) { rejected.append($0) }
            return Decoded(rows: mapped.map { SpanRow($0.span, projectName: $0.project) }, rejected: rejected)
        } catch let e as SpanError {
            throw Undecodable(description: e.description)
        }
    }
}

/// Commits rows from many requests, one transaction per batch, on its own thread.
public final class LiveWriter: @unchecked Sendable {
    public struct Stats: Sendable {
        public var requests = 0
        public var spans = 0
        public var rejectedSpans = 0
        public var batches = 0
        public var pendingSpans = 0
        public var lastCommit: Date?
        public var lastError: String?
    }

    private struct Pending {
        var rows: [SpanRow]
        var built: ColumnChunks.Built?
        var rejected: Int
        var done: (Error?) -> Void
    }

    private let store: Store
    private let writer: BatchWriter
    private let run: Int64
    private let cond = NSCondition()
    private var queue: [Pending] = []
    private var stats = Stats()
    private var stopping = false
    private var finished = false
    /// Requests are refused (the server answers 429) while this many spans wait to be written.
    public let maxPendingSpans: Int
    /// Spans per transaction at most (a request larger than this is a transaction by itself).
    public let maxBatchSpans: Int
    /// Called on the writer thread after each commit with the spans it wrote per project.
    public var onCommit: (([String: Int]) -> Void)?

    /// Opens its own connection to the store at `path`. `durable` syncs each commit to disk
    /// (synchronous=FULL), so an acknowledged request survives a power loss, not only a killed process.
    private static let release = DispatchQueue(label: "sift-live-writer-release", qos: .utility)

    public init(path: String, durable: Bool = true, maxPendingSpans: Int = 262_144, maxBatchSpans: Int = 32_768) throws {
        store = try Store(path: path, create: true)
        if durable { try store.db.execute("PRAGMA synchronous=FULL;") }
        writer = try BatchWriter(store: store, defaultProject: nil)
        // Small row groups (one per commit) are joined only when the queue is empty: joining 32k rows
        // takes the writer about a second, which requests waiting behind it would feel.
        writer.compactAfterCommits = false
        run = try store.beginIngestRun(source: "otlp-http", format: "otlp")
        self.maxPendingSpans = maxPendingSpans
        self.maxBatchSpans = maxBatchSpans
        let t = Thread { [unowned self] in self.loop() }
        t.stackSize = 1 << 22
        t.name = "sift-live-writer"
        t.start()
    }

    /// Queues a request's rows; `done` is called (on the writer thread) once they are committed, or
    /// with the error that stopped them. Returns false, without queueing, when the queue is full.
    /// The rows' text is compressed and their column chunks built here, on the caller's thread, so that requests arriving on
    /// several threads build theirs in parallel; the writer joins them.
    public func submit(_ rows: [SpanRow], rejected: Int, done: @escaping (Error?) -> Void) -> Bool {
        if isFull(adding: rows.count) { return false }
        var rows = rows
        let built = writer.prepare(&rows)
        cond.lock()
        defer { cond.unlock() }
        guard !stopping else { return false }
        if stats.pendingSpans > 0 && stats.pendingSpans + rows.count > maxPendingSpans { return false }
        queue.append(Pending(rows: rows, built: built, rejected: rejected, done: done))
        stats.pendingSpans += rows.count
        cond.broadcast()
        return true
    }

    /// Whether `close` has been called (requests are refused from then on).
    public var isClosing: Bool {
        cond.lock()
        defer { cond.unlock() }
        return stopping
    }

    private func isFull(adding n: Int) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        return stopping || (stats.pendingSpans > 0 && stats.pendingSpans + n > maxPendingSpans)
    }

    public var snapshot: Stats {
        cond.lock()
        defer { cond.unlock() }
        return stats
    }

    private func loop() {
        while true {
            cond.lock()
            while queue.isEmpty && !stopping { cond.wait() }
            if queue.isEmpty && stopping {
                finished = true
                cond.broadcast()
                cond.unlock()
                return
            }
            var take = 0, spans = 0
            while take < queue.count && (take == 0 || spans + queue[take].rows.count <= maxBatchSpans) {
                spans += queue[take].rows.count
                take += 1
            }
            let batch = Array(queue.prefix(take))
            queue.removeFirst(take)
            cond.unlock()

            var rows: [SpanRow] = []
            rows.reserveCapacity(spans)
            for p in batch { rows.append(contentsOf: p.rows) }
            let rejected = batch.reduce(0) { $0 + $1.rejected }
            // The requests' chunks joined into the batch's group, when they are all of one project.
            let parts = batch.filter { !$0.rows.isEmpty }
            var prebuilt: ColumnChunks.Built?
            if !parts.isEmpty, parts.allSatisfy({ $0.built != nil && $0.rows[0].projectName == parts[0].rows[0].projectName }) {
                prebuilt = ColumnChunks.Built.concatenate(parts.map { $0.built! })
            }
            var failure: Error?
            do {
                if !rows.isEmpty || rejected > 0 {
                    try writer.commit(rows, records: batch.count, rejected: rejected, run: run, prebuilt: prebuilt)
                }
            } catch {
                failure = error
            }
            cond.lock()
            stats.pendingSpans -= spans
            if let failure {
                stats.lastError = "\(failure)"
            } else {
                stats.requests += batch.count
                stats.spans += spans
                stats.rejectedSpans += rejected
                stats.batches += 1
                stats.lastCommit = Date()
            }
            cond.unlock()
            for p in batch { p.done(failure) }
            cond.lock()
            let idle = queue.isEmpty
            cond.unlock()
            if idle && writer.smallGroupsSinceCompaction >= 8 { writer.compact(onlyDue: true) }
            if failure == nil, !rows.isEmpty, let onCommit {
                var counts: [String: Int] = [:]
                for r in rows { counts[r.projectName ?? "default", default: 0] += 1 }
                onCommit(counts)
            }
            // Freeing a batch's rows (many strings each) took a tenth of this thread's time: another
            // thread does it while this one starts the next transaction.
            let finished = (rows, batch)
            rows = []
            Self.release.async { withExtendedLifetime(finished) {} }
        }
    }

    /// Stops taking requests, commits what is queued, and closes the ingest run.
    public func close() {
        cond.lock()
        stopping = true
        cond.broadcast()
        while !finished { cond.wait() }
        cond.unlock()
        try? store.finishIngestRun(run)
    }
}
