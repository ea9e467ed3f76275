// Ingester reads trace files (or stdin) in any of the formats of RecordReader.swift, turns records into rows, and
// hands batches to a writer thread that commits each in one transaction. A bad record never stops the
// good ones: it is reported as `file:line: what is wrong`, appended to the rejects file with its
// original text, and counted. Parsing and SQLite writing overlap, one on each core.

import Foundation
import SiftModel

public struct IngestOptions {
    /// Project for every record; nil lets OTLP's service.name decide, else "default".
    public var project: String?
    public var format: IngestFormat = .auto
    /// Spans per transaction.
    public var batchSize = 32768
    /// Whether small row groups are joined as the ingest goes and at its end (off only in tests that
    /// need many groups).
    public var compactGroups = true
    /// Records larger than this are rejected (huge fields included).
    public var maxRecordBytes = 8 << 20
    public var maxDepth = 128
    /// Where rejected records go; nil: beside the store as `<store>.rejects.jsonl`.
    public var rejectsPath: String?
    /// Called about four times a second from the parsing thread.
    public var progress: ((IngestProgress) -> Void)?
    /// Called for each rejected record with its `file:line: message`.
    public var onReject: ((String) -> Void)?

    public init() {}
}

public struct IngestProgress: Sendable {
    public var source: String
    public var records = 0
    public var spans = 0
    public var rejected = 0
    public var bytes = 0
    public var totalBytes: Int?
    public var seconds = 0.0
}

public struct IngestSummary: Sendable {
    public var sources = 0
    public var records = 0
    public var spans = 0
    public var rejected = 0
    public var bytes = 0
    public var seconds = 0.0
    public var spansByProject: [String: Int] = [:]
    public var formats: [String: IngestFormat] = [:]
    public var rejectsPath: String?
}

public struct IngestError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public final class Ingester {
    let store: Store
    let options: IngestOptions
    private(set) var rejects: RejectsFile

    public init(store: Store, options: IngestOptions) {
        self.store = store
        self.options = options
        rejects = RejectsFile(path: options.rejectsPath ?? Ingester.defaultRejectsPath(for: store.path))
    }

    public static func defaultRejectsPath(for storePath: String) -> String {
        storePath + ".rejects.jsonl"
    }

    /// Ingests each path in turn ("-" is standard input).
    public func ingest(paths: [String]) throws -> IngestSummary {
        var summary = IngestSummary()
        let started = Date()
        // A big load into a comparatively small store drops the secondary indexes and rebuilds them
        // at the end. About a kilobyte of JSON per span is a fair guess at how many spans are coming.
        var incoming = 0
        for p in paths where p != "-" {
            var st = stat()
            if stat(p, &st) == 0 { incoming += Int(st.st_size) / 1024 }
        }
        let existing = try store.spanRowEstimate()
        var bulkLock: BulkLock?
        if incoming >= 100_000 && incoming > existing, let lock = BulkLock(store: store, wait: true) {
            try store.dropBulkIndexes(holding: lock)
            bulkLock = lock
        }
        defer {
            if let lock = bulkLock {
                try? store.rebuildBulkIndexes(holding: lock)
                lock.release()
            }
        }
        let writer = try BatchWriter(store: store, defaultProject: options.project)
        if !options.compactGroups { writer.compaction = nil }
        for path in paths {
            let (format, counts) = try ingest(path: path, writer: writer)
            summary.sources += 1
            summary.records += counts.records
            summary.spans += counts.spans
            summary.rejected += counts.rejected
            summary.bytes += counts.bytes
            summary.formats[path] = format
        }
        if let lock = bulkLock {
            try store.rebuildBulkIndexes(holding: lock)
            lock.release()
            bulkLock = nil
        }
        writer.compact()
        summary.spansByProject = writer.spansByProject
        summary.seconds = Date().timeIntervalSince(started)
        try rejects.close()
        if summary.rejected > 0 { summary.rejectsPath = rejects.path }
        return summary
    }

    // MARK: - One source

    private func ingest(path: String, writer: BatchWriter) throws -> (IngestFormat, IngestProgress) {
        let input = try InputFile(path: path)
        let name = path == "-" ? "<stdin>" : path
        let first = try input.peekStart()
        let format = options.format == .auto ? try detect(first, name: name, input: input) : options.format
        let run = try store.beginIngestRun(source: name, format: format.rawValue)
        let pipe = CommitPipe(writer: writer, run: run)
        var progress = IngestProgress(source: name)
        progress.totalBytes = input.size
        let clock = Date()
        var lastReport = Date.distantPast
        var batch: [SpanRow] = []
        batch.reserveCapacity(options.batchSize)
        var batchRecords = 0, batchRejected = 0
        // The first batch of a large-batch ingest is an eighth of the size, so the writer starts
        // while the parser fills the next one instead of waiting idle for a whole batch.
        var limit = options.batchSize >= 8192 ? options.batchSize / 8 : options.batchSize

        func flush() throws {
            limit = options.batchSize
            // Handed over, not copied: the batch's only reference goes to the pipe, so preparing it
            // changes the rows in place (a shared array would be copied, every row's fields retained).
            var full: [SpanRow] = []
            full.reserveCapacity(options.batchSize)
            swap(&full, &batch)
            try pipe.send(&full, records: batchRecords, rejected: batchRejected)
            batchRecords = 0; batchRejected = 0
            try rejects.flush()
        }
        func report(force: Bool = false) {
            guard let cb = options.progress else { return }
            let now = Date()
            guard force || now.timeIntervalSince(lastReport) >= 0.25 else { return }
            lastReport = now
            progress.seconds = now.timeIntervalSince(clock)
            cb(progress)
        }
        func accept(_ rows: [SpanRow]) throws {
            batch.append(contentsOf: rows)
            progress.spans += rows.count
        }
        // A record read part by part may hold any number of spans: full batches go out as they fill,
        // and the record is counted in the batch where it ends.
        func acceptPart(_ rows: [SpanRow]) throws {
            try accept(rows)
            if batch.count >= limit { try flush() }
        }
        // A record is counted in the batch that holds its rows, so the run's committed-record count
        // always matches what is in the store.
        func endRecord(bytes: Int) throws {
            progress.records += 1
            batchRecords += 1
            progress.bytes = bytes
            if progress.records & 255 == 0 { report() }
            if batch.count >= limit { try flush() }
        }
        func reject(line: Int, _ message: String, raw: UnsafeBufferPointer<UInt8>?) throws {
            progress.rejected += 1
            batchRejected += 1
            let where_ = "\(name):\(line)"
            options.onReject?("\(where_): \(message)")
            try rejects.append(source: name, line: line, error: message, raw: raw)
        }

        do {
            let reader = format.reader ?? BraintrustRecord.self
            let document = try first == UInt8(ascii: "[") || (reader.mayBePrettyPrinted && input.firstCompleteObjectLine() == nil)
            let accepting = reader.splitsRecords ? acceptPart : accept
            let state = reader.fileState()
            let context = RecordContext(index: 0, fileTime: input.modificationTime ?? Timestamp(seconds: Date().timeIntervalSince1970),
                                        maxDepth: options.maxDepth, maxBytes: options.maxRecordBytes, state: state)
            if document {
                try ingestDocument(input, reader: reader, context: context, accept: accepting, endRecord: endRecord, reject: reject)
            } else {
                try ingestLines(input, reader: reader, context: context, accept: accepting, endRecord: endRecord, reject: reject)
            }
            if let state { try reader.finish(state, accept: accept) }
            try flush()
            try pipe.finish()
        } catch {
            pipe.abandon()
            throw error
        }
        try store.finishIngestRun(run)
        report(force: true)
        return (format, progress)
    }

    // MARK: - Detection

    private func detect(_ first: UInt8?, name: String, input: InputFile) throws -> IngestFormat {
        guard let first else { return .spans }  // empty input: nothing to do, in any format
        switch first {
        case UInt8(ascii: "["):
            // The first element of the array, previewed: it may be a request of any size.
            let doc = try input.readAll()
            return doc.withUnsafeBufferPointer { buf -> IngestFormat in
                var r = JSONReader(buf, position: 0, maxDepth: options.maxDepth)
                var found: IngestFormat = .spans
                do {
                    try r.forEachElement { r, index in
                        if index == 0 {
                            let v = try r.parsePreview()
                            found = IngestFormat.detectable.first { $0.reader!.recognises(v) } ?? .spans
                            throw StopScan()
                        }
                    }
                } catch is StopScan {
                } catch {
                    // The first element is broken: read as spans, so its error is reported where it is.
                }
                return found
            }
        case UInt8(ascii: "{"):
            // One object per line (a damaged first line does not hide the rest), or a pretty-printed
            // document (previewed) of a format that may come that way.
            if let v = try input.firstCompleteObjectLine() {
                return IngestFormat.detectable.first { $0.reader!.recognises(v) } ?? .spans
            }
            let doc = try input.readAll()
            return doc.withUnsafeBufferPointer { buf -> IngestFormat in
                var r = JSONReader(buf, position: 0, maxDepth: options.maxDepth)
                guard let v = try? r.parsePreview() else { return .spans }
                return IngestFormat.detectable.first { $0.reader!.mayBePrettyPrinted && $0.reader!.recognises(v) } ?? .spans
            }
        default:
            return .spans  // lines that are not JSON get their errors as spans lines
        }
    }

    private struct StopScan: Error {}

    // MARK: - JSON lines

    private func ingestLines(_ input: InputFile, reader: RecordReader.Type, context: RecordContext,
                             accept: ([SpanRow]) throws -> Void, endRecord: (Int) throws -> Void,
                             reject: (Int, String, UnsafeBufferPointer<UInt8>?) throws -> Void) throws {
        var lineNumber = 0
        try input.forEachLine(maxBytes: options.maxRecordBytes) { line, oversized, consumed in
            lineNumber += 1
            var context = context
            context.index = lineNumber - 1
            try handleLine(line, number: lineNumber, oversized: oversized, context: context, reader: reader, accept: accept, reject: reject)
            try endRecord(consumed)
        }
    }

    private func handleLine(_ line: UnsafeBufferPointer<UInt8>, number: Int, oversized: Int?, context: RecordContext,
                            reader: RecordReader.Type, accept: ([SpanRow]) throws -> Void,
                            reject: (Int, String, UnsafeBufferPointer<UInt8>?) throws -> Void) throws {
        // Detected, not named: each line may be of another line format (spans and OTLP requests mixed).
        let reader = options.format == .auto && reader != OTLPRecord.self && OTLPRecord.startsLikeRequest(line) ? OTLPRecord.self : reader
        // A reader that splits records takes a long line whole when all of it was kept.
        if let oversized, !(reader.splitsRecords && oversized == line.count) {
            try reject(number, Self.overLimit(oversized, options.maxRecordBytes), line)
            return
        }
        // Blank lines separate nothing and hold nothing.
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        var landed = 0
        do {
            try reader.read(line, range: 0..<line.count, context: context, accept: { landed += $0.count; try accept($0) }) { message, _, text in
                try reject(number, message, text)
            }
        } catch let e as JSONError {
            try reject(number, "invalid JSON: \(e.message) (column \(Self.column(of: e.offset, in: line)))\(Self.partLanded(landed))", line)
        } catch let e as SpanError {
            try reject(number, e.description, line)
        }
    }

    // MARK: - Whole documents (a JSON array of records, or pretty-printed records one after another)

    private func ingestDocument(_ input: InputFile, reader: RecordReader.Type, context base: RecordContext,
                                accept: ([SpanRow]) throws -> Void, endRecord: (Int) throws -> Void,
                                reject: (Int, String, UnsafeBufferPointer<UInt8>?) throws -> Void) throws {
        let doc = try input.readAll()
        try doc.withUnsafeBufferPointer { buf in
            var lines = LineCounter(buf)
            var r = JSONReader(buf, position: 0, maxDepth: options.maxDepth)
            func handle(_ range: Range<Int>, index: Int) throws {
                try handleRecord(range, index: index)
                try endRecord(range.upperBound)
            }
            func handleRecord(_ range: Range<Int>, index: Int) throws {
                let line = lines.line(at: range.lowerBound)
                let raw = UnsafeBufferPointer(rebasing: buf[range])
                if range.count > options.maxRecordBytes && !reader.splitsRecords {
                    try reject(line, Self.overLimit(range.count, options.maxRecordBytes), raw)
                    return
                }
                var landed = 0
                do {
                    var context = base
                    context.index = index
                    try reader.read(buf, range: range, context: context, accept: { landed += $0.count; try accept($0) }) { message, offset, text in
                        try reject(lines.line(at: offset), message, text)
                    }
                } catch let e as JSONError where landed > 0 {
                    // What is kept is the text from the fault on: the spans before it are in the store.
                    let at = range.lowerBound + e.offset
                    try reject(lines.line(at: at), "invalid JSON: \(e.message)\(Self.partLanded(landed))", UnsafeBufferPointer(rebasing: buf[at..<range.upperBound]))
                } catch let e as JSONError {
                    try reject(lines.line(at: range.lowerBound + e.offset), "invalid JSON: \(e.message)", raw)
                } catch let e as SpanError {
                    try reject(line, e.description, raw)
                }
            }

            if r.peek() != UInt8(ascii: "[") {
                // Objects one after another (one request, or `jq .` output of many): each is a record;
                // a broken one ends what can be read.
                var index = 0
                while r.peek() != nil {
                    let start = r.position
                    let range: Range<Int>
                    do { range = try r.skipValueFlat() } catch let e as JSONError {
                        if reader.splitsRecords {
                            // A cut-off request: its parts up to the cut still land.
                            try handle(start..<buf.count, index: index)
                        } else {
                            try reject(lines.line(at: e.offset), "invalid JSON: \(e.message)", UnsafeBufferPointer(rebasing: buf[start...]))
                        }
                        return
                    }
                    try handle(range, index: index)
                    index += 1
                }
                return
            }
            // An array of records: each element is one record; a broken element ends what can be read.
            var index = 0
            do {
                try r.forEachElement { r, i in
                    r.skipWhitespace()
                    let start = r.position
                    do {
                        let range = try r.skipValueFlat()
                        try handle(range, index: i)
                    } catch let e as JSONError {
                        // Resynchronise: the next element starts after a ',' with the broken one's
                        // opening byte, from where a whole value reads and is followed by ',' or ']'.
                        if let next = Self.nextElement(in: buf, start: start, error: e.offset, maxDepth: options.maxDepth) {
                            try reject(lines.line(at: e.offset), "invalid JSON: \(e.message); reading goes on with the next record, at line \(lines.line(at: next + 1))",
                                       UnsafeBufferPointer(rebasing: buf[start..<next]))
                            r.position = next
                            return
                        }
                        let rest = UnsafeBufferPointer(rebasing: buf[start..<buf.count])
                        try reject(lines.line(at: e.offset), "invalid JSON: \(e.message); the rest of the array from line \(lines.line(at: start)) cannot be read", rest)
                        throw StopScan()
                    }
                    index = i + 1
                }
                r.skipWhitespace()
                if !r.isAtEnd {
                    try reject(lines.line(at: r.position), "unexpected text after the JSON array", UnsafeBufferPointer(rebasing: buf[r.position..<buf.count]))
                }
            } catch is StopScan {
            } catch let e as JSONError {
                try reject(lines.line(at: e.offset), "invalid JSON: \(e.message) (after \(index) records)", nil)
            }
        }
    }

    // MARK: - Helpers

    /// Where reading can go on after a broken array element that starts at `start`: the offset of the
    /// ',' before the next element, one that opens with the same byte and reads whole (followed by ','
    /// or ']'). When elements begin lines (pretty-printed, or one per line), only a line that begins
    /// at the broken element's indentation can begin the next, so objects nested inside the broken
    /// element are not taken for records; in a one-line array, candidates after the error are tried.
    /// At most 10,000 candidates are read.
    static func nextElement(in buf: UnsafeBufferPointer<UInt8>, start: Int, error: Int, maxDepth: Int) -> Int? {
        let opener = buf[start]
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
        var lineStart = start
        while lineStart > 0, buf[lineStart - 1] != 0x0A { lineStart -= 1 }
        let beginsLine = (lineStart..<start).allSatisfy { isBlank(buf[$0]) }
        let indent = start - lineStart
        var attempts = 0
        /// The ',' before `q` when only whitespace separates them.
        func commaBefore(_ q: Int) -> Int? {
            var c = q - 1
            while c > start, isBlank(buf[c]) || buf[c] == 0x0A { c -= 1 }
            return c > start && buf[c] == UInt8(ascii: ",") ? c : nil
        }
        func reads(_ q: Int) -> Bool {
            attempts += 1
            var probe = JSONReader(buf, position: q, maxDepth: maxDepth)
            guard (try? probe.skipValueFlat()) != nil else { return false }
            probe.skipWhitespace()
            return probe.peek() == UInt8(ascii: ",") || probe.peek() == UInt8(ascii: "]")
        }
        if beginsLine {
            var p = start
            while p < buf.count, attempts < 10_000 {
                guard buf[p] == 0x0A else { p += 1; continue }
                let q = p + 1 + indent
                p += 1
                guard q < buf.count, buf[q] == opener, (p..<q).allSatisfy({ isBlank(buf[$0]) }), let comma = commaBefore(q) else { continue }
                if reads(q) { return comma }
            }
            return nil
        }
        var p = max(error, start + 1)
        while p < buf.count, attempts < 10_000 {
            defer { p += 1 }
            guard buf[p] == UInt8(ascii: ",") else { continue }
            var q = p + 1
            while q < buf.count, isBlank(buf[q]) || buf[q] == 0x0A { q += 1 }
            guard q < buf.count, buf[q] == opener else { continue }
            if reads(q) { return p }
        }
        return nil
    }

    /// What a record read part by part lost to a fault after `landed` of its spans were read.
    static func partLanded(_ landed: Int) -> String {
        landed == 0 ? "" : "; the record cannot be read from here on (its \(landed) span\(landed == 1 ? "" : "s") before it landed)"
    }

    static func overLimit(_ bytes: Int, _ limit: Int) -> String {
        "record is \(ByteCount.text(bytes)), over the \(ByteCount.text(limit)) limit (raise it with --max-record-size)"
    }

    static func column(of offset: Int, in line: UnsafeBufferPointer<UInt8>) -> Int {
        // Columns count characters, not bytes.
        var col = 1
        for i in 0..<min(offset, line.count) where line[i] & 0xC0 != 0x80 { col += 1 }
        return col
    }

}

/// Maps byte offsets to 1-based line numbers, for offsets visited mostly in increasing order.
struct LineCounter {
    let buf: UnsafeBufferPointer<UInt8>
    var offset = 0
    var line = 1
    init(_ buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }
    mutating func line(at target: Int) -> Int {
        let t = min(max(target, 0), buf.count)
        if t < offset { offset = 0; line = 1 }
        while offset < t {
            if buf[offset] == 0x0A { line += 1 }
            offset += 1
        }
        return line
    }
}

/// Hands batches from the parsing thread to a writer thread, two in flight at most, and carries a
/// write failure back to the parser.
final class CommitPipe {
    private let writer: BatchWriter
    private let run: Int64
    private let cond = NSCondition()
    private var queue: [([SpanRow], Int, Int, ColumnChunks.Built?)] = []
    private var done = false
    private var failure: Error?
    private var thread: Thread?
    private var finished = false

    init(writer: BatchWriter, run: Int64) {
        self.writer = writer
        self.run = run
        let t = Thread { [unowned self] in self.loop() }
        t.stackSize = 1 << 22
        thread = t
        t.start()
    }

    private func loop() {
        while true {
            cond.lock()
            while queue.isEmpty && !done { cond.wait() }
            if queue.isEmpty && done { finished = true; cond.broadcast(); cond.unlock(); return }
            let (rows, records, rejected, prebuilt) = queue.removeFirst()
            cond.broadcast()
            cond.unlock()
            do {
                if failure == nil { try writer.commit(rows, records: records, rejected: rejected, run: run, prebuilt: prebuilt) }
            } catch {
                cond.lock(); failure = error; cond.broadcast(); cond.unlock()
            }
        }
    }

    func send(_ rows: inout [SpanRow], records: Int, rejected: Int) throws {
        // The batch's text is compressed and its column chunks built here, on the parsing thread,
        // while the writer commits the previous batch: the two threads share the work.
        let prebuilt = writer.prepare(&rows)
        cond.lock()
        defer { cond.unlock() }
        while queue.count >= 2 && failure == nil { cond.wait() }
        if let failure { throw failure }
        queue.append((rows, records, rejected, prebuilt))
        rows = []
        cond.broadcast()
    }

    /// Waits for every batch to be committed; rethrows a write failure.
    func finish() throws {
        cond.lock()
        done = true
        cond.broadcast()
        while !finished { cond.wait() }
        cond.unlock()
        if let failure { throw failure }
    }

    func abandon() {
        cond.lock()
        queue.removeAll()
        done = true
        cond.broadcast()
        while !finished { cond.wait() }
        cond.unlock()
    }
}

extension JSONReader {
    /// The value at the cursor up to the first array element past `elements`: where it stops, every
    /// open array and object is closed as it stands. Enough to recognise a format from the start of a
    /// document of any size, without reading the rest of it.
    mutating func parsePreview(elements: Int = 3) throws -> Value {
        var stopped = false
        return try preview(elements, &stopped)
    }

    private struct StopPreview: Error {}

    private mutating func preview(_ elements: Int, _ stopped: inout Bool) throws -> Value {
        switch peek() {
        case UInt8(ascii: "{"):
            var o = JSONObject()
            do {
                try forEachMember { r, key in
                    o[key] = try r.preview(elements, &stopped)
                    if stopped { throw StopPreview() }
                }
            } catch is StopPreview {}
            return .object(o)
        case UInt8(ascii: "["):
            var a: [Value] = []
            do {
                try forEachElement { r, i in
                    guard i < elements else { stopped = true; throw StopPreview() }
                    a.append(try r.preview(elements, &stopped))
                    if stopped { throw StopPreview() }
                }
            } catch is StopPreview {}
            return .array(a)
        default:
            return try parseValue()
        }
    }
}
