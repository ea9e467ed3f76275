// One record read as ingest reads it, without a store: for the fuzz targets and property tests, which
// check that any bytes give rows or an error that says where, and that rows hold valid JSON.

import Foundation
import SiftModel

extension IngestFormat {
    /// The rows one record of this format gives and how many of its parts were rejected; throws what
    /// ingest would report for the whole record (a JSONError with its offset, or a SpanError).
    public func readRecord(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 128) throws -> (rows: [SpanRow], rejected: Int) {
        guard let reader else { throw IngestError("auto names no format: detect one first") }
        var rows: [SpanRow] = []
        var rejected = 0
        let context = RecordContext(index: 0, fileTime: Timestamp(microseconds: 1_700_000_000_000_000), maxDepth: maxDepth,
                                    maxBytes: 8 << 20, state: reader.fileState())
        try reader.read(bytes, range: 0..<bytes.count, context: context, accept: { rows += $0 }, reject: { _, _, _ in rejected += 1 })
        if let state = context.state { try reader.finish(state) { rows += $0 } }
        return (rows, rejected)
    }
}

extension SpanRow {
    /// The fields stored as JSON text, for checks that each is valid JSON.
    public var jsonTexts: [String?] { [spanParents, input, output, expected, error, scores, metadata, tags, metrics, spanAttributes, extra] }
}
