// OTLP's protobuf encoding (what every OpenTelemetry exporter sends by default over HTTP), decoded
// straight from the wire format into the fields the OTLP mapping reads (OTLPRecord.SpanFields), so one
// mapping serves both encodings.
// Only the messages of opentelemetry/proto/collector/trace/v1 and what they hold are read; unknown
// fields are skipped as the protobuf rules say, so newer exporters still decode.
//
// Field numbers (opentelemetry-proto, trace/v1, common/v1, resource/v1):
//   ExportTraceServiceRequest  1 resource_spans
//   ResourceSpans              1 resource, 2 scope_spans, 1000 instrumentation_library_spans (old)
//   Resource                   1 attributes
//   ScopeSpans                 1 scope, 2 spans
//   InstrumentationScope       1 name, 2 version, 3 attributes
//   Span                       1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind,
//                              7 start_time_unix_nano (fixed64), 8 end_time_unix_nano (fixed64),
//                              9 attributes, 11 events, 13 links, 15 status, 16 flags (fixed32)
//   Event                      1 time_unix_nano (fixed64), 2 name, 3 attributes
//   Link                       1 trace_id, 2 span_id, 3 trace_state, 4 attributes
//   Status                     2 message, 3 code
//   KeyValue                   1 key, 2 value;  AnyValue 1 string, 2 bool, 3 int, 4 double, 5 array,
//                              6 kvlist, 7 bytes;  ArrayValue / KeyValueList 1 values

import Foundation
import SiftModel

enum OTLPProtobuf {
    struct DecodeError: Error, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "undecodable protobuf at byte \(offset): \(message)" }
    }

    /// Decodes one ExportTraceServiceRequest and maps its spans as they are read, without building the
    /// JSON-shaped tree `request` returns (which tests use to check both paths agree). A span that
    /// cannot be mapped goes to `onError` with its place in the request; the others are returned.
    static func mapped(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int = 64, onError: (String) -> Void) throws -> [OTLPRecord.Mapped] {
        var d = Decoder(buf: buf, maxDepth: maxDepth)
        var out: [OTLPRecord.Mapped] = []
        var ri = 0
        try d.fields(0..<buf.count) { d, field, wire in
            guard field == 1, wire == 2 else { try d.skip(wire); return }
            // A resource's attributes may come after its scopes: spans are mapped once both are read.
            var service: String?
            var scopes: [(name: String?, spans: [OTLPRecord.SpanFields])] = []
            try d.fields(d.bytes()) { d, f, w in
                switch (f, w) {
                case (1, 2):
                    try d.fields(d.bytes()) { d, f2, w2 in
                        if f2 == 1, w2 == 2 {
                            let (k, v) = try d.keyValue(d.bytes())
                            if k == "service.name" { service = v.stringValue }
                        } else { try d.skip(w2) }
                    }
                case (2, 2), (1000, 2):
                    var name: String?
                    var spans: [OTLPRecord.SpanFields] = []
                    try d.fields(d.bytes()) { d, f2, w2 in
                        switch (f2, w2) {
                        case (1, 2):
                            try d.fields(d.bytes()) { d, f3, w3 in
                                if f3 == 1, w3 == 2 { name = d.string(try d.bytes()) } else { try d.skip(w3) }
                            }
                        case (2, 2): spans.append(try d.spanFields(d.bytes()))
                        default: try d.skip(w2)
                        }
                    }
                    scopes.append((name, spans))
                default: try d.skip(w)
                }
            }
            for (si, scope) in scopes.enumerated() {
                for (pi, f) in scope.spans.enumerated() {
                    do {
                        var span = try OTLPRecord.map(f)
                        if let name = scope.name { span.metadata["otel.scope.name"] = .string(name) }
                        out.append(OTLPRecord.Mapped(span: span, project: service))
                    } catch {
                        onError("\(OTLPRecord.spanPath(ri, si, pi)): \(error)")
                    }
                }
            }
            ri += 1
        }
        return out
    }

    /// The wire format: varints, fixed 32/64-bit values and length-delimited fields, with a nesting limit.
    struct Decoder {
        let buf: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var pos = 0
        var depth = 0

        init(buf: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.buf = buf
            self.maxDepth = maxDepth
        }

        func fail(_ message: String) -> DecodeError { DecodeError(offset: pos, message: message) }

        mutating func varint(end: Int) throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < end else { throw fail("truncated varint") }
                let b = buf[pos]
                pos += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { throw fail("varint longer than 10 bytes") }
            }
        }

        var end = 0

        /// Calls `body` for each field of the message at `range`; `body` consumes the field's value.
        mutating func fields(_ range: Range<Int>, _ body: (inout Decoder, Int, UInt64) throws -> Void) throws {
            depth += 1
            guard depth <= maxDepth else { throw fail("messages nested deeper than \(maxDepth)") }
            let savedEnd = end
            pos = range.lowerBound
            end = range.upperBound
            while pos < end {
                let key = try varint(end: end)
                let field = key >> 3
                guard field > 0, field <= 0x1FFF_FFFF else { throw fail("field number \(field) out of range") }
                try body(&self, Int(field), key & 7)
            }
            guard pos == end else { throw fail("a field runs past the end of its message") }
            end = savedEnd
            pos = range.upperBound
            depth -= 1
        }

        mutating func bytes() throws -> Range<Int> {
            let n = try varint(end: end)
            guard n <= UInt64(end - pos) else { throw fail("length \(n) runs past the end of the message") }
            let r = pos..<(pos + Int(n))
            pos += Int(n)
            return r
        }

        mutating func fixed(_ count: Int) throws -> UInt64 {
            guard end - pos >= count else { throw fail("truncated fixed-width value") }
            var v: UInt64 = 0
            for i in 0..<count { v |= UInt64(buf[pos + i]) << (8 * UInt64(i)) }
            pos += count
            return v
        }

        mutating func skip(_ wire: UInt64) throws {
            switch wire {
            case 0: _ = try varint(end: end)
            case 1: _ = try fixed(8)
            case 2: _ = try bytes()
            case 5: _ = try fixed(4)
            default: throw fail("unsupported wire type \(wire)")
            }
        }

        /// A field of the expected wire type, or an error naming what it is.
        func expect(_ wire: UInt64, _ want: UInt64, _ name: String) throws {
            guard wire == want else { throw fail("\(name) has wire type \(wire), expected \(want)") }
        }

        func string(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: buf[r]), as: UTF8.self) }

        func hex(_ r: Range<Int>) -> String {
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(r.count * 2)
            for i in r {
                out.append(digits[Int(buf[i] >> 4)])
                out.append(digits[Int(buf[i] & 15)])
            }
            return String(decoding: out, as: UTF8.self)
        }

        // MARK: - Messages

        /// A span's fields for the mapping, read straight from the wire.
        mutating func spanFields(_ r: Range<Int>) throws -> OTLPRecord.SpanFields {
            var s = OTLPRecord.SpanFields()
            try fields(r) { d, field, wire in
                switch (field, wire) {
                case (1, 2): s.traceID = d.hex(try d.bytes())
                case (2, 2): s.spanID = d.hex(try d.bytes())
                case (4, 2): s.parent = d.hex(try d.bytes())
                case (5, 2): s.name = d.string(try d.bytes())
                case (6, 0): s.kind = .int(Int64(truncatingIfNeeded: try d.varint(end: d.end)))
                case (7, 1): s.startNs = Int64(bitPattern: try d.fixed(8))
                case (8, 1): s.endNs = Int64(bitPattern: try d.fixed(8))
                case (9, 2):
                    let (k, v) = try d.keyValue(d.bytes())
                    s.attributes[k] = v
                case (11, 2):
                    var name: String?
                    var attrs = JSONObject()
                    try d.fields(d.bytes()) { d, f, w in
                        switch (f, w) {
                        case (2, 2): name = d.string(try d.bytes())
                        case (3, 2):
                            let (k, v) = try d.keyValue(d.bytes())
                            attrs[k] = v
                        default: try d.skip(w)
                        }
                    }
                    s.events.append((name, attrs))
                case (15, 2):
                    try d.fields(d.bytes()) { d, f, w in
                        switch (f, w) {
                        case (2, 2): s.statusMessage = d.string(try d.bytes())
                        case (3, 0): s.statusCode = .int(Int64(truncatingIfNeeded: try d.varint(end: d.end)))
                        default: try d.skip(w)
                        }
                    }
                case (1, _), (2, _), (4, _), (5, _), (6, _), (7, _), (8, _), (9, _), (11, _), (15, _):
                    try d.expect(wire, field == 6 ? 0 : field == 7 || field == 8 ? 1 : 2, "Span field \(field)")
                default: try d.skip(wire)
                }
            }
            return s
        }

        /// A KeyValue as (key, value), the value as the mapping stores it.
        mutating func keyValue(_ r: Range<Int>) throws -> (String, Value) {
            var key = ""
            var value: Value = .null
            try fields(r) { d, f, w in
                switch (f, w) {
                case (1, 2): key = d.string(try d.bytes())
                case (2, 2): value = try d.anyValue(d.bytes())
                default: try d.skip(w)
                }
            }
            return (key, value)
        }

        mutating func anyValue(_ r: Range<Int>) throws -> Value {
            var out: Value = .null
            try fields(r) { d, f, w in
                switch (f, w) {
                case (1, 2): out = .string(d.string(try d.bytes()))
                case (2, 0): out = .bool(try d.varint(end: d.end) != 0)
                case (3, 0): out = .int(Int64(bitPattern: try d.varint(end: d.end)))
                case (4, 1):
                    let x = Double(bitPattern: try d.fixed(8))
                    out = x.isFinite ? .double(x) : .null
                case (5, 2):
                    var values: [Value] = []
                    try d.fields(d.bytes()) { d, f2, w2 in
                        if f2 == 1, w2 == 2 { values.append(try d.anyValue(d.bytes())) } else { try d.skip(w2) }
                    }
                    out = .array(values)
                case (6, 2):
                    var o = JSONObject()
                    try d.fields(d.bytes()) { d, f2, w2 in
                        if f2 == 1, w2 == 2 {
                            let (k, v) = try d.keyValue(d.bytes())
                            o[k] = v
                        } else { try d.skip(w2) }
                    }
                    out = .object(o)
                case (7, 2): out = .string(Data(UnsafeBufferPointer(rebasing: d.buf[try d.bytes()])).base64EncodedString())
                default: try d.skip(w)
                }
            }
            return out
        }
    }
}
