// The formats ingest reads, behind one role: a reader recognises its records and turns one record into
// span rows. A new format is one file here (a type that is a RecordReader) plus its case in
// IngestFormat and `IngestFormat.reader` below; detection, batching, rejects and line numbers are shared.

import Foundation
import SiftModel

/// Where a record sits, for readers that need it.
struct RecordContext {
    /// The record's position in its file (0 for JSON lines, which need no position).
    var index: Int
    /// The file's modification time (or now): runs without times of their own are placed before it.
    var fileTime: Timestamp
    var maxDepth: Int
}

protocol RecordReader {
    /// Whether files of this format are whole JSON documents (an array of records, or one object)
    /// rather than one record per line.
    static var readsDocuments: Bool { get }
    /// Whether a record of this format may span several lines even when the file is not an array
    /// (a pretty-printed single request).
    static var mayBePrettyPrinted: Bool { get }
    /// Whether `first`, the first record of a file, is one of this format's (auto-detection).
    static func recognises(_ first: Value) -> Bool
    /// The span rows of the record at `range` of `buffer`. Parts of a record that are wrong on their
    /// own go to `reject` and the rest still land; a record that cannot be read at all throws
    /// (JSONError or SpanError).
    static func rows(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     reject: (String) throws -> Void) throws -> [SpanRow]
}

/// A format `sift ingest --format` names; `auto` detects it from the first record.
public enum IngestFormat: String, CaseIterable, Sendable {
    case auto, spans, otlp, trajectories
}

extension IngestFormat {
    /// The reader of a concrete format; nil for `auto`.
    var reader: RecordReader.Type? {
        switch self {
        case .auto: return nil
        case .spans: return BraintrustRecord.self
        case .otlp: return OTLPRecord.self
        case .trajectories: return TrajectoryRecord.self
        }
    }

    /// The formats auto-detection tries, in order, before falling back to spans.
    static let detectable: [IngestFormat] = [.otlp, .trajectories]
}

extension BraintrustRecord: RecordReader {
    static var readsDocuments: Bool { false }
    static var mayBePrettyPrinted: Bool { false }
    static func recognises(_ first: Value) -> Bool { true }
    static func rows(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     reject: (String) throws -> Void) throws -> [SpanRow] {
        [try parse(buffer, range: range, maxDepth: context.maxDepth)]
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
    static var readsDocuments: Bool { false }
    static var mayBePrettyPrinted: Bool { true }
    static func recognises(_ first: Value) -> Bool { first["resourceSpans"] != nil || first["resource_spans"] != nil }
    /// One ExportTraceServiceRequest: its good spans are accepted, each bad one rejected by itself.
    static func rows(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     reject: (String) throws -> Void) throws -> [SpanRow] {
        let v = try JSONReader.parse(UnsafeBufferPointer(rebasing: buffer[range]), maxDepth: context.maxDepth)
        var bad: [String] = []
        let mapped = try mapRequest(v) { bad.append($0) }
        let rows = mapped.map { SpanRow($0.span, projectName: $0.project) }
        for b in bad { try reject(b) }
        return rows
    }
}

extension TrajectoryRecord: RecordReader {
    static var readsDocuments: Bool { true }
    static var mayBePrettyPrinted: Bool { true }
    static func recognises(_ first: Value) -> Bool { looksLikeRun(first) }
    static func rows(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     reject: (String) throws -> Void) throws -> [SpanRow] {
        let raw = UnsafeBufferPointer(rebasing: buffer[range])
        let v = try JSONReader.parse(raw, maxDepth: context.maxDepth)
        // Runs without times of their own are placed a minute apart before the file was written.
        let spans = try map(v, id: runID(raw), base: context.fileTime + Int64(-(context.index + 1)) * 60_000_000)
        return spans.map { SpanRow($0) }
    }
}
