// An OTLP/JSON request read span by span, straight from its bytes: a collector export holds thousands
// of traces in one document (50 MB and more), so the document is never built as a whole. Each
// resource's attributes and each scope's name are parsed once; each span is found flat, parsed and
// mapped on its own, held to the record-size limit alone, and rejected alone when it is bad (kept as
// a request of its own, with its resource and scope, so it can be fixed and ingested again).

import SiftModel

extension OTLPRecord {
    /// Where a span sits in a request's bytes: its own, and its resource's and scope's.
    struct SpanPlace {
        var span: Range<Int>
        var resource: Range<Int>?
        var scope: Range<Int>?

        /// The span alone in a request of its own, with its resource and scope.
        func request(in buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            var out = Array(#"{"resourceSpans":[{"#.utf8)
            if let resource { out += #""resource":"#.utf8; out += buffer[resource]; out.append(UInt8(ascii: ",")) }
            out += #""scopeSpans":[{"#.utf8
            if let scope { out += #""scope":"#.utf8; out += buffer[scope]; out.append(UInt8(ascii: ",")) }
            out += #""spans":["#.utf8
            out += buffer[span]
            out += "]}]}]}".utf8
            return out
        }
    }

    /// Walks the ExportTraceServiceRequest at `range` of `buffer` (`resourceSpans[] -> scopeSpans[] ->
    /// spans[]`), handing each mapped span to `onSpan` and each bad one to `onError` with its message,
    /// the byte offset of the fault and where it sits. Throws when the request itself cannot be read
    /// (JSONError with an offset in `buffer`, or SpanError); spans handed over before that stay handed.
    static func forEachSpan(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, maxDepth: Int, maxSpanBytes: Int,
                            onSpan: (Mapped) throws -> Void,
                            onError: (_ message: String, _ offset: Int, _ place: SpanPlace) throws -> Void) throws {
        var r = JSONReader(UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]), position: range.lowerBound, maxDepth: maxDepth)
        guard r.peek() == UInt8(ascii: "{") else {
            throw SpanError(field: "", "expected an ExportTraceServiceRequest object, found \(kindName(&r))")
        }
        var found = false
        try r.forEachMember { r, key in
            guard key == "resourceSpans" || key == "resource_spans" else { try r.skipValueFlat(); return }
            found = true
            guard r.peek() == UInt8(ascii: "[") else { throw SpanError(field: "resourceSpans", "expected an array, found \(kindName(&r))") }
            try r.forEachElement { r, ri in
                var service: String?
                var resource: Range<Int>?
                try forEachList(&r, contextKey: "resource", listKeys: scopeSpansKeys, context: { r in
                    let start = r.position
                    service = try Self.service(ofResource: r.parseValue())
                    resource = start..<r.position
                }) { r in
                    guard r.peek() == UInt8(ascii: "[") else { try r.skipValueFlat(); return }
                    try r.forEachElement { r, si in
                        var scope: String?
                        var scopeBytes: Range<Int>?
                        try forEachList(&r, contextKey: "scope", listKeys: ["spans"], context: { r in
                            let start = r.position
                            scope = try r.parseValue()["name"]?.stringValue
                            scopeBytes = start..<r.position
                        }) { r in
                            guard r.peek() == UInt8(ascii: "[") else { try r.skipValueFlat(); return }
                            try r.forEachElement { r, pi in
                                let span = try r.skipValueFlat()
                                let path = spanPath(ri, si, pi)
                                let place = SpanPlace(span: span, resource: resource, scope: scopeBytes)
                                if span.count > maxSpanBytes {
                                    try onError("\(path): span is \(ByteCount.text(span.count)), over the \(ByteCount.text(maxSpanBytes)) limit (raise it with --max-record-size)", span.lowerBound, place)
                                    return
                                }
                                do {
                                    let v = try JSONReader.parse(UnsafeBufferPointer(rebasing: buffer[span]), maxDepth: maxDepth)
                                    try onSpan(try mapSpan(v, scope: scope, project: service))
                                } catch let e as JSONError {
                                    try onError("\(path): invalid JSON: \(e.message)", span.lowerBound + e.offset, place)
                                } catch let e as SpanError {
                                    try onError("\(path): \(e)", span.lowerBound, place)
                                }
                            }
                        }
                    }
                }
            }
        }
        if !found { throw SpanError(field: "resourceSpans", "missing: not an OTLP/JSON ExportTraceServiceRequest") }
    }

    /// Iterates the object at the cursor for the list under one of `listKeys`, which needs what the
    /// member `contextKey` gives (a resource for its scopes, a scope for its spans). Writers put the
    /// context first; when the list comes first it is stepped over and walked after the object.
    /// Anything else at the cursor is stepped over.
    private static func forEachList(_ r: inout JSONReader, contextKey: String, listKeys: [String],
                                    context: (inout JSONReader) throws -> Void,
                                    list: (inout JSONReader) throws -> Void) throws {
        guard r.peek() == UInt8(ascii: "{") else { try r.skipValueFlat(); return }
        var sawContext = false
        var deferred: Int?
        try r.forEachMember { r, key in
            if key == contextKey {
                try context(&r)
                sawContext = true
            } else if listKeys.contains(key) && deferred == nil {
                if sawContext { try list(&r) } else { deferred = r.position; try r.skipValueFlat() }
            } else {
                try r.skipValueFlat()
            }
        }
        if let deferred {
            var later = JSONReader(r.bytes, position: deferred, maxDepth: r.maxDepth)
            try list(&later)
        }
    }

    /// What kind of value is at the cursor, in Value.kindName's words, without building it.
    private static func kindName(_ r: inout JSONReader) -> String {
        switch r.peek() {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case nil: return "nothing"
        default: return "a number"
        }
    }
}
