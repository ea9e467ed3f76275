// SpanRow is a span in the form the store keeps it: hot fields as scalars, nested objects as JSON
// text. Ingest of Braintrust lines builds rows straight from the bytes (keeping a nested field's
// original text); the other formats build Spans and convert them here.

import SiftModel

public struct SpanRow: Sendable {
    /// The project the record names (OTLP service.name); nil means the ingest's default project.
    public var projectName: String?
    public var id: String
    public var spanID: String
    public var rootSpanID: String
    /// JSON array text; nil for a root.
    public var spanParents: String?
    public var created: Int64
    public var type: String?
    public var name: String?
    // The number columns make the metrics form (`preparedMetricsForm`): a change clears it.
    public var start: Double? { didSet { metricsFormPrepared = false } }
    public var end: Double? { didSet { metricsFormPrepared = false } }
    public var promptTokens: Int64? { didSet { metricsFormPrepared = false } }
    public var completionTokens: Int64? { didSet { metricsFormPrepared = false } }
    public var totalTokens: Int64? { didSet { metricsFormPrepared = false } }
    public var input: String? { didSet { packed = nil } }
    public var output: String? { didSet { packed = nil } }
    public var expected: String? { didSet { packed = nil } }
    public var error: String? { didSet { parsed = nil; packed = nil } }
    public var scores: String? { didSet { parsed = nil; packed = nil } }
    public var metadata: String? { didSet { parsed = nil; packed = nil } }
    public var tags: String?
    public var metrics: String? { didSet { parsed = nil; packed = nil; metricsFormPrepared = false } }
    public var spanAttributes: String? { didSet { parsed = nil; packed = nil } }
    public var extra: String? { didSet { packed = nil } }
    /// Facets and classifications that came with the record (root spans of exports); stored in their own tables.
    public var facets: JSONObject?
    public var classifications: JSONObject?
    /// The objects the path columns read, kept when the row was made from a Span or read from a
    /// Braintrust record, so that building the column chunks and the metrics form does not parse the
    /// JSON text back. Nil for rows read back from the store.
    var parsed: Parsed?

    /// The text fields compressed as they are stored (`RowPacking`), made off the writer's thread;
    /// nil until packed, and again once any of them changes.
    var packed: Packed?

    /// The metrics form (`RowForms.metricsForm`), made off the writer's thread when the batch was
    /// prepared; it depends on the metrics text and the number columns, set before then.
    var preparedMetricsForm: [UInt8]?
    var metricsFormPrepared = false

    struct Packed: @unchecked Sendable {
        let dictionary: RowDictionary
        /// input, output, expected, error, scores, metadata, metrics, span_attributes, extra: each
        /// compressed, or nil where it stays text.
        var fields: [[UInt8]?]
    }

    mutating func pack(with d: RowDictionary) {
        let fields = RowPacking.fields(self).map { $0.flatMap(d.pack) }
        packed = fields.contains { $0 != nil } ? Packed(dictionary: d, fields: fields) : nil
    }

    struct Parsed: Sendable {
        var metadata: Value
        var metrics: Value
        var spanAttributes: Value
        var scores: Value
        var error: Value
    }

    public var isRoot: Bool { spanParents == nil }

    public init(id: String, spanID: String, rootSpanID: String, spanParents: String?, created: Int64) {
        self.id = id; self.spanID = spanID; self.rootSpanID = rootSpanID; self.spanParents = spanParents; self.created = created
    }

    /// Fills the hot metric columns from a metrics object.
    mutating func takeHotMetrics(_ m: JSONObject) {
        start = m["start"]?.doubleValue
        end = m["end"]?.doubleValue
        promptTokens = m["prompt_tokens"]?.intValue
        completionTokens = m["completion_tokens"]?.intValue
        totalTokens = m["total_tokens"]?.intValue
        if totalTokens == nil, promptTokens != nil || completionTokens != nil {
            totalTokens = (promptTokens ?? 0) + (completionTokens ?? 0)
        }
    }
}

extension SpanRow {
    private static func text(_ v: Value) -> String? { v.isNull ? nil : JSONWriter.string(v) }
    private static func text(_ o: JSONObject) -> String? { o.isEmpty ? nil : JSONWriter.string(.object(o)) }

    public init(_ span: Span, projectName: String? = nil) {
        self.init(id: span.id, spanID: span.spanID, rootSpanID: span.rootSpanID,
                  spanParents: span.spanParents.isEmpty ? nil : JSONWriter.string(.array(span.spanParents.map(Value.string))),
                  created: span.created.microseconds)
        self.projectName = projectName
        type = span.type
        name = span.name
        takeHotMetrics(span.metrics)
        input = Self.text(span.input)
        output = Self.text(span.output)
        expected = Self.text(span.expected)
        error = Self.text(span.error)
        scores = Self.text(span.scores)
        metadata = Self.text(span.metadata)
        tags = span.tags.isEmpty ? nil : JSONWriter.string(.array(span.tags.map(Value.string)))
        metrics = Self.text(span.metrics)
        spanAttributes = Self.text(span.spanAttributes)
        extra = Self.text(span.extra)
        facets = span.facets.isEmpty ? nil : span.facets
        classifications = span.classifications.isEmpty ? nil : span.classifications
        func object(_ o: JSONObject) -> Value { o.isEmpty ? .null : .object(o) }
        parsed = Parsed(metadata: object(span.metadata), metrics: object(span.metrics), spanAttributes: object(span.spanAttributes),
                        scores: object(span.scores), error: span.error)
    }
}
