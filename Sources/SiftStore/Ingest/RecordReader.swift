// The formats ingest reads, behind one role: a reader recognises its records and reads one record
// into span rows. A new format is one file here (a type that is a RecordReader) plus its case in
// IngestFormat and `IngestFormat.reader` below; detection, batching, rejects and line numbers are shared.

import Foundation
import SiftModel

/// Where a record sits, for readers that need it.
struct RecordContext {
    /// The record's position in its file: its index in a document, its line number less one in lines.
    var index: Int
    /// The file's modification time (or now): runs without times of their own are placed before it.
    var fileTime: Timestamp
    var maxDepth: Int
    /// The size limit of a record, or of each part of one for readers that split records.
    var maxBytes: Int
    /// What the reader keeps across the records of this file, if it keeps anything.
    var state: FileState?
}

/// What a reader keeps across the records of one file, for records that make sense only together.
protocol FileState: AnyObject {}

/// A part of a record that is wrong on its own: what is wrong, the byte offset in the reader's buffer
/// it is at (for its line), and the text to keep in the rejects file, which should ingest again once
/// fixed. The rest of the record still lands.
typealias RejectPart = (_ message: String, _ offset: Int, _ text: UnsafeBufferPointer<UInt8>) throws -> Void

protocol RecordReader {
    /// Whether a record of this format may span several lines even when the file is not an array
    /// (a pretty-printed single request or run).
    static var mayBePrettyPrinted: Bool { get }
    /// Whether the reader walks a record part by part (an OTLP request span by span): the size limit
    /// then holds for each part, and a record of any size lands.
    static var splitsRecords: Bool { get }
    /// Whether `first`, the first record of a file, is one of this format's (auto-detection). It may
    /// be a preview: arrays cut to their first few elements.
    static func recognises(_ first: Value) -> Bool
    /// Reads the record at `range` of `buffer`, handing its rows to `accept` (once, or part by part).
    /// Parts of a record that are wrong on their own go to `reject` and the rest still land; a record
    /// that cannot be read at all throws (SpanError, or JSONError with its offset counted from
    /// `range.lowerBound`).
    static func read(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     accept: ([SpanRow]) throws -> Void, reject: RejectPart) throws
    /// A fresh state for one file (in `RecordContext.state`), for readers whose records make sense only
    /// together (an Agents SDK trace's root is timed by its spans).
    static func fileState() -> FileState?
    /// The rows a file's records leave to its end.
    static func finish(_ state: FileState, accept: ([SpanRow]) throws -> Void) throws
}

extension RecordReader {
    /// Most readers take a record whole, and each record by itself.
    static var splitsRecords: Bool { false }
    static func fileState() -> FileState? { nil }
    static func finish(_ state: FileState, accept: ([SpanRow]) throws -> Void) throws {}
}

/// A format `sift ingest --format` names; `auto` detects it from the first record.
public enum IngestFormat: String, CaseIterable, Sendable {
    case auto, spans, otlp, trajectories, langsmith
    case openaiAgents = "openai-agents"
}

extension IngestFormat {
    /// The reader of a concrete format; nil for `auto`.
    var reader: RecordReader.Type? {
        switch self {
        case .auto: return nil
        case .spans: return BraintrustRecord.self
        case .otlp: return OTLPRecord.self
        case .trajectories: return TrajectoryRecord.self
        case .langsmith: return LangSmithRecord.self
        case .openaiAgents: return OpenAIAgentsRecord.self
        }
    }

    /// The formats auto-detection tries, in order, before falling back to spans.
    static let detectable: [IngestFormat] = [.otlp, .langsmith, .openaiAgents, .trajectories]
}

extension BraintrustRecord: RecordReader {
    static var mayBePrettyPrinted: Bool { false }
    static func recognises(_ first: Value) -> Bool { true }
    static func read(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     accept: ([SpanRow]) throws -> Void, reject: RejectPart) throws {
        try accept([try parse(buffer, range: range, maxDepth: context.maxDepth)])
    }
}

extension OTLPRecord {
    /// Whether a line's first member is `resourceSpans` (or `resource_spans`): a cheap look that lets
    /// auto-detection route each line by itself.
    static func startsLikeRequest(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        func skipBlank() { while i < line.count, [0x20, 0x09, 0x0D, 0xEF, 0xBB, 0xBF].contains(line[i]) { i += 1 } }
        skipBlank()
        guard i < line.count, line[i] == UInt8(ascii: "{") else { return false }
        i += 1
        skipBlank()
        // Span lines start with another member name: one byte decides most lines.
        guard i + 2 < line.count, line[i] == UInt8(ascii: "\""), line[i + 1] == UInt8(ascii: "r") else { return false }
        for k in requestKeys where i + k.count <= line.count {
            if (0..<k.count).allSatisfy({ line[i + $0] == k[$0] }) { return true }
        }
        return false
    }

    static let requestKeys: [[UInt8]] = [Array(#""resourceSpans""#.utf8), Array(#""resource_spans""#.utf8)]
}

extension OTLPRecord: RecordReader {
    static var mayBePrettyPrinted: Bool { true }
    static var splitsRecords: Bool { true }
    static func recognises(_ first: Value) -> Bool { first["resourceSpans"] != nil || first["resource_spans"] != nil }
    /// One ExportTraceServiceRequest, span by span: its good spans are accepted, each bad one rejected by itself.
    static func read(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     accept: ([SpanRow]) throws -> Void, reject: RejectPart) throws {
        do {
            try forEachSpan(buffer, range: range, maxDepth: context.maxDepth, maxSpanBytes: context.maxBytes,
                            onSpan: { try accept([SpanRow($0.span, projectName: $0.project)]) },
                            onError: { message, offset, place in
                                try place.request(in: buffer).withUnsafeBufferPointer { try reject(message, offset, $0) }
                            })
        } catch let e as JSONError {
            throw JSONError(e.message, offset: e.offset - range.lowerBound)
        }
    }
}

extension TrajectoryRecord: RecordReader {
    static var mayBePrettyPrinted: Bool { true }
    static func recognises(_ first: Value) -> Bool { looksLikeRun(first) }
    static func read(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     accept: ([SpanRow]) throws -> Void, reject: RejectPart) throws {
        let raw = UnsafeBufferPointer(rebasing: buffer[range])
        let v = try JSONReader.parse(raw, maxDepth: context.maxDepth)
        // Runs without times of their own are placed a minute apart before the file was written.
        let spans = try map(v, id: runID(raw), base: context.fileTime + Int64(-(context.index + 1)) * 60_000_000)
        try accept(spans.map { SpanRow($0) })
    }
}
