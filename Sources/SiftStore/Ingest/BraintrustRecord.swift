// Ingest format 1: Braintrust-style span JSON, one object per line (or elements of a JSON array).
// This is the hot path of bulk ingest, so it builds a SpanRow straight from the bytes: small fields
// (ids, metrics, attributes, scores, tags) are parsed and type-checked exactly as Span(json:) does,
// while large nested fields (input, output, metadata, ...) are validated and kept as written.

import SiftModel

enum BraintrustRecord {
    /// Fields kept as their original JSON text.
    private enum RawField { case input, output, expected, error, metadata }

    /// Parses one span object occupying `range` of `bytes`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, maxDepth: Int) throws -> SpanRow {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        var r = JSONReader(slice, maxDepth: maxDepth)
        guard r.peek() == UInt8(ascii: "{") else {
            let v = try r.parseValue()  // a JSON error (e.g. nesting) says more than "not an object"
            throw SpanError(field: "", "expected a span object, found \(v.kindName)")
        }
        var id: String?, spanID: String?, rootSpanID: String?
        var parents: [String] = []
        var created: Value?
        var raws: [RawField: Range<Int>] = [:]
        var scores = JSONObject(), metrics = JSONObject(), attributes = JSONObject(), facets = JSONObject(), classifications = JSONObject()
        var tags: [String] = []
        var extraParts: [(String, Range<Int>)] = []
        var projectID: String?

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
        func stringArray(_ v: Value, _ field: String) throws -> [String] {
            switch v {
            case .null: return []
            case .array(let a):
                return try a.enumerated().map { i, e in
                    guard let s = e.stringValue else { throw SpanError(field: "\(field)[\(i)]", "expected a string, found \(e.kindName)") }
                    return s
                }
            default: throw SpanError(field: field, "expected an array of strings, found \(v.kindName)")
            }
        }

        try r.forEachMember { r, key in
            switch key {
            case "id": id = try idString(key, r.parseValue())
            case "span_id": spanID = try idString(key, r.parseValue())
            case "root_span_id": rootSpanID = try idString(key, r.parseValue())
            case "span_parents": parents = try stringArray(r.parseValue(), key)
            case "created": created = try r.parseValue()
            case "is_root": try r.skipValue()
            case "project_id":
                let v = try r.parseValue()
                projectID = v.stringValue
            case "input": raws[.input] = try r.skipValue()
            case "output": raws[.output] = try r.skipValue()
            case "expected": raws[.expected] = try r.skipValue()
            case "error": raws[.error] = try r.skipValue()
            case "metadata":
                let c = r.peek()
                let range = try r.skipValue()
                if c != UInt8(ascii: "{") && c != UInt8(ascii: "n") {
                    let v = try JSONReader.parse(UnsafeBufferPointer(rebasing: slice[range]))
                    throw SpanError(field: "metadata", "expected an object, found \(v.kindName)")
                }
                raws[.metadata] = range
            case "scores": scores = try object(r.parseValue(), key)
            case "metrics": metrics = try object(r.parseValue(), key)
            case "span_attributes": attributes = try object(r.parseValue(), key)
            case "tags": tags = try stringArray(r.parseValue(), key)
            case "facets": facets = try object(r.parseValue(), key)
            case "classifications": classifications = try object(r.parseValue(), key)
            default: extraParts.append((key, try r.skipValue()))
            }
        }
        r.skipWhitespace()
        if !r.isAtEnd { throw JSONError("unexpected text after the JSON value", offset: r.position) }

        for (k, v) in scores {
            switch v {
            case .null: break
            case .int, .double:
                let d = v.doubleValue!
                guard d >= 0 && d <= 1 else { throw SpanError(field: "scores.\(k)", "a score must be between 0 and 1, found \(v)") }
            default: throw SpanError(field: "scores.\(k)", "expected a number or null, found \(v.kindName)")
            }
        }
        for (k, v) in metrics where !v.isNull && v.doubleValue == nil {
            throw SpanError(field: "metrics.\(k)", "expected a number, found \(v.kindName)")
        }
        for key in ["type", "name"] {
            if let t = attributes[key], !t.isNull, t.stringValue == nil {
                throw SpanError(field: "span_attributes.\(key)", "expected a string, found \(t.kindName)")
            }
        }
        guard let rowID = id ?? spanID else { throw SpanError(field: "id", "the record has neither `id` nor `span_id`") }
        let sid = spanID ?? rowID
        guard let root = rootSpanID ?? (parents.isEmpty ? sid : nil) else {
            throw SpanError(field: "root_span_id", "a span with parents needs a root_span_id")
        }
        let time: Timestamp
        if let c = created, !c.isNull {
            guard let t = Timestamp(c) else { throw SpanError(field: "created", "expected an ISO-8601 timestamp or Unix seconds, found \(c)") }
            time = t
        } else if let s = metrics["start"], let t = Timestamp(s) {
            time = t
        } else {
            throw SpanError(field: "created", "missing (and no metrics.start to take it from)")
        }

        var row = SpanRow(id: rowID, spanID: sid, rootSpanID: root,
                          spanParents: parents.isEmpty ? nil : JSONWriter.string(.array(parents.map(Value.string))),
                          created: time.microseconds)
        func raw(_ f: RawField) -> String? {
            guard let range = raws[f] else { return nil }
            if range.count == 4 && slice[range.lowerBound] == UInt8(ascii: "n") { return nil }  // null
            return text(range)
        }
        row.input = raw(.input)
        row.output = raw(.output)
        row.expected = raw(.expected)
        row.error = raw(.error)
        row.metadata = raw(.metadata)
        if row.metadata == "{}" { row.metadata = nil }
        row.type = attributes["type"]?.stringValue
        row.name = attributes["name"]?.stringValue
        row.takeHotMetrics(metrics)
        if !scores.isEmpty { row.scores = JSONWriter.string(.object(scores)) }
        if !metrics.isEmpty { row.metrics = JSONWriter.string(.object(metrics)) }
        if !attributes.isEmpty { row.spanAttributes = JSONWriter.string(.object(attributes)) }
        if !tags.isEmpty { row.tags = JSONWriter.string(.array(tags.map(Value.string))) }
        if !facets.isEmpty { row.facets = facets }
        if !classifications.isEmpty { row.classifications = classifications }
        if !extraParts.isEmpty || projectID != nil {
            // Unknown fields are kept as written, last duplicate winning, like the reader does.
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
