// Ingest format 1: Braintrust-style span JSON, one object per line (or elements of a JSON array).
// This is the hot path of bulk ingest, so it builds a SpanRow straight from the bytes: every field is
// type-checked exactly as Span(json:) checks it, small objects member by member as they are read
// (taking the hot values on the way), and each field is kept as its original JSON text, so nothing
// is built only to be serialised again.

import SiftModel

enum BraintrustRecord {
    /// Fields kept as their original JSON text, by slot.
    private enum RawField: Int, CaseIterable {
        case input, output, expected, error, metadata, scores, metrics, attributes, tags, parents
    }

    /// Parses one span object occupying `range` of `bytes`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, maxDepth: Int) throws -> SpanRow {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        var r = JSONReader(slice, maxDepth: maxDepth)
        guard r.peek() == UInt8(ascii: "{") else {
            let v = try r.parseValue()  // a JSON error (e.g. nesting) says more than "not an object"
            throw SpanError(field: "", "expected a span object, found \(v.kindName)")
        }
        var id: String?, spanID: String?, rootSpanID: String?
        var created: Value?
        var raws = [Range<Int>?](repeating: nil, count: RawField.allCases.count)
        var facets = JSONObject(), classifications = JSONObject()
        var type: String?, name: String?
        var start: Double?, promptTokens: Int64?, completionTokens: Int64?, totalTokens: Int64?
        var end: Double?
        var hasParents = false
        var extraParts: [(String, Range<Int>)] = []
        var projectID: String?
        // The small objects as parsed, handed on with the row so the column chunks and row forms
        // need not parse their text again.
        var metadataValue = Value.null, metricsValue = Value.null, attributesValue = Value.null
        var scoresValue = Value.null, errorValue = Value.null

        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: slice[range]), as: UTF8.self)
        }
        func idString(_ key: String, _ v: Value) throws -> String? {
            switch v {
            case .null: return nil
            case .string(let s):
                guard !s.isEmpty else { throw SpanError(field: key, "must not be empty") }
                return s
            case .int(let i): return String(i)
            default: throw SpanError(field: key, "expected a string, found \(v.kindName)")
            }
        }
        func object(_ v: Value, _ field: String) throws -> JSONObject {
            switch v {
            case .null: return JSONObject()
            case .object(let o): return o
            default: throw SpanError(field: field, "expected an object, found \(v.kindName)")
            }
        }
        /// True at `{`; consumes null and returns false; anything else is the wrong type.
        func objectStart(_ r: inout JSONReader, _ field: String) throws -> Bool {
            switch r.peek() {
            case UInt8(ascii: "{"): return true
            case UInt8(ascii: "n"): _ = try r.parseValue(); return false
            default: throw SpanError(field: field, "expected an object, found \(try r.parseValue().kindName)")
            }
        }
        /// Checks an array of strings (or null); returns its element count.
        func strings(_ r: inout JSONReader, _ field: String) throws -> Int {
            switch r.peek() {
            case UInt8(ascii: "["):
                var n = 0
                try r.forEachElement { r, i in
                    guard r.peek() == UInt8(ascii: "\"") else {
                        throw SpanError(field: "\(field)[\(i)]", "expected a string, found \(try r.parseValue().kindName)")
                    }
                    try r.skipString()
                    n += 1
                }
                return n
            case UInt8(ascii: "n"): _ = try r.parseValue(); return 0
            default: throw SpanError(field: field, "expected an array of strings, found \(try r.parseValue().kindName)")
            }
        }
        /// The object at the cursor, parsed, with where it sits; nil (and nothing kept) for null.
        func objectValue(_ r: inout JSONReader, _ f: RawField, _ key: String) throws -> Value {
            guard try objectStart(&r, key) else { raws[f.rawValue] = nil; return .null }
            let at = r.position
            let v = try r.parseValue()
            raws[f.rawValue] = at..<r.position
            return v
        }
        /// Records where a field's value sits, as written: `[]` and `{}` stay what they are, distinct
        /// from null and from an absent field.
        func keep(_ f: RawField, from at: Int, _ r: JSONReader, nonEmpty: Bool = true) {
            raws[f.rawValue] = nonEmpty ? at..<r.position : nil
        }

        try r.forEachMember { r, key in
            r.skipWhitespace()
            let at = r.position
            switch key {
            case "id": id = try idString(key, r.parseValue())
            case "span_id": spanID = try idString(key, r.parseValue())
            case "root_span_id": rootSpanID = try idString(key, r.parseValue())
            case "span_parents":
                hasParents = try strings(&r, key) > 0
                keep(.parents, from: at, r, nonEmpty: hasParents)
            case "created": created = try r.parseValue()
            case "is_root": try r.skipValue()
            case "project_id": projectID = try r.parseValue().stringValue
            case "input": raws[RawField.input.rawValue] = try r.skipValue()
            case "output": raws[RawField.output.rawValue] = try r.skipValue()
            case "expected": raws[RawField.expected.rawValue] = try r.skipValue()
            case "error":
                errorValue = try r.parseValue()
                raws[RawField.error.rawValue] = at..<r.position
            case "metadata": metadataValue = try objectValue(&r, .metadata, key)
            case "scores":
                scoresValue = .null
                if try objectStart(&r, key) {
                    scoresValue = try r.parseValue()
                    try Span.checkScores(scoresValue.objectValue ?? JSONObject())
                }
                keep(.scores, from: at, r)
            case "metrics":
                metricsValue = .null
                if try objectStart(&r, key) {
                    metricsValue = try r.parseValue()
                    let metrics = metricsValue.objectValue ?? JSONObject()
                    try Span.checkMetrics(metrics)
                    for (metric, v) in metrics {
                        switch metric {
                        case "start": start = v.doubleValue
                        case "end": end = v.doubleValue
                        case "prompt_tokens": promptTokens = v.intValue
                        case "completion_tokens": completionTokens = v.intValue
                        case "total_tokens": totalTokens = v.intValue
                        default: break
                        }
                    }
                }
                keep(.metrics, from: at, r)
            case "span_attributes":
                attributesValue = .null
                if try objectStart(&r, key) {
                    attributesValue = try r.parseValue()
                    let attributes = attributesValue.objectValue ?? JSONObject()
                    try Span.checkAttributes(attributes)
                    if let t = attributes["type"] { type = t.stringValue }
                    if let n = attributes["name"] { name = n.stringValue }
                }
                keep(.attributes, from: at, r)
            case "tags":
                _ = try strings(&r, key)
                keep(.tags, from: at, r)
            case "facets": facets = try object(r.parseValue(), key)
            case "classifications": classifications = try object(r.parseValue(), key)
            default: extraParts.append((key, try r.skipValue()))
            }
        }
        r.skipWhitespace()
        if !r.isAtEnd { throw JSONError("unexpected text after the JSON value", offset: r.position) }

        guard let rowID = id ?? spanID else { throw SpanError(field: "id", "the record has neither `id` nor `span_id`") }
        let sid = spanID ?? rowID
        guard let root = rootSpanID ?? (hasParents ? nil : sid) else {
            throw SpanError(field: "root_span_id", "a span with parents needs a root_span_id")
        }
        let time: Timestamp
        if let c = created, !c.isNull {
            guard let t = Timestamp(c) else { throw SpanError(field: "created", "expected an ISO-8601 timestamp or Unix seconds, found \(c)") }
            time = t
        } else if let s = start {
            time = Timestamp(seconds: s)
        } else {
            throw SpanError(field: "created", "missing (and no metrics.start to take it from)")
        }

        func raw(_ f: RawField) -> String? {
            guard let range = raws[f.rawValue] else { return nil }
            if range.count == 4 && slice[range.lowerBound] == UInt8(ascii: "n") { return nil }  // null
            return text(range)
        }
        var row = SpanRow(id: rowID, spanID: sid, rootSpanID: root, spanParents: raw(.parents), created: time.microseconds)
        row.input = raw(.input)
        row.output = raw(.output)
        row.expected = raw(.expected)
        row.error = raw(.error)
        row.metadata = raw(.metadata)
        row.scores = raw(.scores)
        row.metrics = raw(.metrics)
        row.spanAttributes = raw(.attributes)
        row.tags = raw(.tags)
        row.type = type
        row.name = name
        row.start = start
        row.end = end
        row.promptTokens = promptTokens
        row.completionTokens = completionTokens
        row.totalTokens = totalTokens ?? ((promptTokens != nil || completionTokens != nil) ? (promptTokens ?? 0) + (completionTokens ?? 0) : nil)
        row.parsed = SpanRow.Parsed(metadata: metadataValue, metrics: metricsValue, spanAttributes: attributesValue,
                                    scores: scoresValue, error: errorValue)
        if !facets.isEmpty { row.facets = facets }
        if !classifications.isEmpty { row.classifications = classifications }
        if !extraParts.isEmpty || projectID != nil {
            // Unknown fields are kept as written, the last of a duplicated key winning, as the reader does.
            var seen = Set<String>()
            var parts: [String] = []
            for (k, range) in extraParts.reversed() where seen.insert(k).inserted {
                parts.append(JSONWriter.string(.string(k)) + ":" + text(range))
            }
            parts.reverse()
            if let projectID, !seen.contains("project_id") { parts.append(#""project_id":"# + JSONWriter.string(.string(projectID))) }
            row.extra = "{" + parts.joined(separator: ",") + "}"
        }
        return row
    }
}
