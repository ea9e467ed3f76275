// Span is one unit of work in an agent's trace (an LLM call, a tool call, a task), with every field of
// the span model in DIALECT.md section 3. It converts to and from the Braintrust span JSON shape, which
// is also what ingest format 1 reads and what `sift simulate` writes.

/// A span of a trace, as the query engine sees it.
public struct Span: Hashable, Sendable {
    public var id: String
    public var spanID: String
    /// The trace id: the root span's `span_id` (for OTLP input, the trace id).
    public var rootSpanID: String
    /// Parent span ids, empty for a root.
    public var spanParents: [String]
    public var created: Timestamp
    /// The project name, when the span has been stored.
    public var projectID: String?
    public var input: Value = .null
    public var output: Value = .null
    public var expected: Value = .null
    public var error: Value = .null
    /// Score name -> number in 0...1, or null.
    public var scores = JSONObject()
    public var metadata = JSONObject()
    public var tags: [String] = []
    /// `start`, `end` (Unix seconds), `prompt_tokens`, `completion_tokens`, `total_tokens`, other numbers.
    public var metrics = JSONObject()
    /// `name`, `type` (llm, tool, task, function, eval, score, ...), and any other attributes.
    public var spanAttributes = JSONObject()
    /// Facet name -> short text; present on root spans once facets are computed or imported.
    public var facets = JSONObject()
    /// Facet name -> array of `{id, label, confidence, metadata: {distance}, source}`.
    public var classifications = JSONObject()
    /// Fields of the source record that the span model does not name, kept so nothing is lost.
    public var extra = JSONObject()

    public init(id: String, spanID: String? = nil, rootSpanID: String? = nil, spanParents: [String] = [], created: Timestamp) {
        self.id = id
        self.spanID = spanID ?? id
        self.rootSpanID = rootSpanID ?? spanID ?? id
        self.spanParents = spanParents
        self.created = created
    }

    public var isRoot: Bool { spanParents.isEmpty }

    public var type: String? {
        get { spanAttributes["type"]?.stringValue }
        set { spanAttributes["type"] = newValue.map(Value.string) }
    }

    public var name: String? {
        get { spanAttributes["name"]?.stringValue }
        set { spanAttributes["name"] = newValue.map(Value.string) }
    }

    public var start: Double? { metrics["start"]?.doubleValue }
    public var end: Double? { metrics["end"]?.doubleValue }
    public var duration: Double? {
        guard let s = start, let e = end else { return nil }
        return e - s
    }
    public var promptTokens: Int64? { metrics["prompt_tokens"]?.intValue }
    public var completionTokens: Int64? { metrics["completion_tokens"]?.intValue }
    public var totalTokens: Int64? {
        if let t = metrics["total_tokens"]?.intValue { return t }
        if promptTokens == nil && completionTokens == nil { return nil }
        return (promptTokens ?? 0) + (completionTokens ?? 0)
    }
}

/// A span record that does not fit the span model, with the field at fault.
public struct SpanError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

extension Span {
    /// The field names of the span model, in the order records are written.
    public static let modelFields: [String] = [
        "id", "span_id", "root_span_id", "span_parents", "is_root", "created", "project_id", "input", "output",
        "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes", "facets", "classifications",
    ]

    /// Reads a Braintrust-style span object, checking the types of the fields it knows.
    public init(json: Value) throws {
        guard case .object(let o) = json else { throw SpanError(field: "", "expected a span object, found \(json.kindName)") }
        func idString(_ key: String) throws -> String? {
            switch o[key] {
            case nil, .null?: return nil
            case .string(let s)?:
                guard !s.isEmpty else { throw SpanError(field: key, "must not be empty") }
                return s
            case .int(let i)?: return String(i)
            case let v?: throw SpanError(field: key, "expected a string, found \(v.kindName)")
            }
        }
        guard let id = try idString("id") ?? idString("span_id") else {
            throw SpanError(field: "id", "the record has neither `id` nor `span_id`")
        }
        let spanID = try idString("span_id") ?? id
        let parents = try Span.stringArray(o["span_parents"], field: "span_parents")
        let root = try idString("root_span_id") ?? (parents.isEmpty ? spanID : nil)
        guard let root else { throw SpanError(field: "root_span_id", "a span with parents needs a root_span_id") }
        let created: Timestamp
        if let c = o["created"], !c.isNull {
            guard let t = Timestamp(c) else { throw SpanError(field: "created", "expected an ISO-8601 timestamp or Unix seconds, found \(c)") }
            created = t
        } else if let s = o["metrics"]?["start"], let t = Timestamp(s) {
            created = t
        } else {
            throw SpanError(field: "created", "missing (and no metrics.start to take it from)")
        }
        self.init(id: id, spanID: spanID, rootSpanID: root, spanParents: parents, created: created)
        input = o["input"] ?? .null
        output = o["output"] ?? .null
        expected = o["expected"] ?? .null
        error = o["error"] ?? .null
        scores = try Span.object(o["scores"], field: "scores")
        try Span.checkScores(scores)
        metadata = try Span.object(o["metadata"], field: "metadata")
        tags = try Span.stringArray(o["tags"], field: "tags")
        metrics = try Span.object(o["metrics"], field: "metrics")
        try Span.checkMetrics(metrics)
        spanAttributes = try Span.object(o["span_attributes"], field: "span_attributes")
        try Span.checkAttributes(spanAttributes)
        facets = try Span.object(o["facets"], field: "facets")
        classifications = try Span.object(o["classifications"], field: "classifications")
        for (k, v) in o where !Span.modelFields.contains(k) { extra[k] = v }
        if let p = o["project_id"]?.stringValue { extra["project_id"] = .string(p) }
    }

    /// The checks of a span's scores, metrics and span_attributes, shared with the readers that build
    /// rows straight from a record's bytes.
    public static func checkScores(_ scores: JSONObject) throws {
        for (k, v) in scores {
            switch v {
            case .null: break
            case .int, .double:
                let d = v.doubleValue!
                guard d >= 0 && d <= 1 else { throw SpanError(field: "scores.\(k)", "a score must be between 0 and 1, found \(v)") }
            default: throw SpanError(field: "scores.\(k)", "expected a number or null, found \(v.kindName)")
            }
        }
    }

    public static func checkMetrics(_ metrics: JSONObject) throws {
        for (k, v) in metrics where !v.isNull && v.doubleValue == nil {
            throw SpanError(field: "metrics.\(k)", "expected a number, found \(v.kindName)")
        }
    }

    public static func checkAttributes(_ attributes: JSONObject) throws {
        for k in ["type", "name"] {
            if let t = attributes[k], !t.isNull, t.stringValue == nil { throw SpanError(field: "span_attributes.\(k)", "expected a string, found \(t.kindName)") }
        }
    }

    static func object(_ v: Value?, field: String) throws -> JSONObject {
        switch v {
        case nil, .null?: return JSONObject()
        case .object(let o)?: return o
        case let v?: throw SpanError(field: field, "expected an object, found \(v.kindName)")
        }
    }

    static func stringArray(_ v: Value?, field: String) throws -> [String] {
        switch v {
        case nil, .null?: return []
        case .array(let a)?:
            return try a.enumerated().map { i, e in
                guard let s = e.stringValue else { throw SpanError(field: "\(field)[\(i)]", "expected a string, found \(e.kindName)") }
                return s
            }
        case let v?: throw SpanError(field: field, "expected an array of strings, found \(v.kindName)")
        }
    }

    /// The span as a Braintrust-style JSON object; empty optional fields are left out.
    public var jsonValue: Value {
        var o = JSONObject()
        o["id"] = .string(id)
        o["span_id"] = .string(spanID)
        o["root_span_id"] = .string(rootSpanID)
        o["span_parents"] = .array(spanParents.map(Value.string))
        o["is_root"] = .bool(isRoot)
        o["created"] = .string(created.iso8601)
        if let p = projectID { o["project_id"] = .string(p) }
        if !input.isNull { o["input"] = input }
        if !output.isNull { o["output"] = output }
        if !expected.isNull { o["expected"] = expected }
        if !error.isNull { o["error"] = error }
        if !scores.isEmpty { o["scores"] = .object(scores) }
        if !metadata.isEmpty { o["metadata"] = .object(metadata) }
        if !tags.isEmpty { o["tags"] = .array(tags.map(Value.string)) }
        if !metrics.isEmpty { o["metrics"] = .object(metrics) }
        if !spanAttributes.isEmpty { o["span_attributes"] = .object(spanAttributes) }
        if !facets.isEmpty { o["facets"] = .object(facets) }
        if !classifications.isEmpty { o["classifications"] = .object(classifications) }
        for (k, v) in extra where o[k] == nil { o[k] = v }
        return .object(o)
    }
}
