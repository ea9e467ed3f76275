// Ingest format 2: OTLP/JSON ExportTraceServiceRequest (resourceSpans -> scopeSpans -> spans), mapped
// through the OpenTelemetry GenAI semantic conventions and the OpenInference attribute names that
// Phoenix users emit. A request becomes spans; the resource's service.name names the project.

import Foundation
import SiftModel

enum OTLPRecord {
    struct Mapped {
        var span: Span
        var project: String?
    }

    /// Maps one ExportTraceServiceRequest object. A span that cannot be mapped throws, naming it;
    /// the caller reports it and keeps the others (see `mapRequest(_:onError:)`).
    static func mapRequest(_ request: Value, onError: (String) -> Void) throws -> [Mapped] {
        guard case .object = request else { throw SpanError(field: "", "expected an ExportTraceServiceRequest object, found \(request.kindName)") }
        guard let resourceSpans = request["resourceSpans"] ?? request["resource_spans"] else {
            throw SpanError(field: "resourceSpans", "missing: not an OTLP/JSON ExportTraceServiceRequest")
        }
        guard let rsList = resourceSpans.arrayValue else { throw SpanError(field: "resourceSpans", "expected an array, found \(resourceSpans.kindName)") }
        var out: [Mapped] = []
        for (ri, rs) in rsList.enumerated() {
            let service = service(ofResource: rs["resource"])
            let scopes = scopeSpansKeys.lazy.compactMap { rs[$0] }.first?.arrayValue ?? []
            for (si, ss) in scopes.enumerated() {
                let scopeName = ss["scope"]?["name"]?.stringValue
                for (pi, raw) in (ss["spans"]?.arrayValue ?? []).enumerated() {
                    do {
                        out.append(try mapSpan(raw, scope: scopeName, project: service))
                    } catch {
                        onError("\(spanPath(ri, si, pi)): \(error)")
                    }
                }
            }
        }
        return out
    }

    /// The member names a resource's list of scopes goes by (the last is OTLP's older name).
    static let scopeSpansKeys = ["scopeSpans", "scope_spans", "instrumentationLibrarySpans"]

    /// The project a resource names: its `service.name` attribute.
    static func service(ofResource resource: Value?) -> String? {
        attributes(resource?["attributes"])["service.name"]?.stringValue
    }

    /// Where a span sits in its request, for messages.
    static func spanPath(_ resource: Int, _ scope: Int, _ span: Int) -> String {
        "resourceSpans[\(resource)].scopeSpans[\(scope)].spans[\(span)]"
    }

    /// One span with what its scope and resource give it.
    static func mapSpan(_ raw: Value, scope: String?, project: String?) throws -> Mapped {
        var span = try mapSpan(raw)
        if let scope { span.metadata["otel.scope.name"] = .string(scope) }
        return Mapped(span: span, project: project)
    }

    /// OTLP attributes (`[{key, value: {stringValue|intValue|...}}]`) as an ordered object.
    static func attributes(_ v: Value?) -> JSONObject {
        var o = JSONObject()
        for kv in v?.arrayValue ?? [] {
            guard let k = kv["key"]?.stringValue else { continue }
            o[k] = anyValue(kv["value"])
        }
        return o
    }

    /// An OTLP AnyValue as a Value. intValue arrives as a JSON string (int64) or number.
    static func anyValue(_ v: Value?) -> Value {
        guard let v, case .object(let o) = v, let (k, x) = o.first(where: { _ in true }) else { return .null }
        switch k {
        case "stringValue": return x
        case "boolValue": return x
        case "intValue":
            if let s = x.stringValue, let i = Int64(s) { return .int(i) }
            return x.intValue.map(Value.int) ?? x
        case "doubleValue":
            if let s = x.stringValue, let d = Double(s) { return .double(d) }
            return x
        case "arrayValue": return .array((x["values"]?.arrayValue ?? []).map { anyValue($0) })
        case "kvlistValue": return .object(attributes(x["values"]))
        case "bytesValue": return x
        default: return x
        }
    }

    static func nanos(_ v: Value?) -> Int64? {
        switch v {
        case .string(let s)?: return Int64(s)
        case .int(let i)?: return i
        case .double(let d)?: return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil   // past Int64: not a time
        default: return nil
        }
    }

    /// Hex span and trace ids; OTLP/JSON writes them as hex (the protobuf JSON mapping's base64 is accepted too).
    static func idString(_ v: Value?, field: String, required: Bool) throws -> String? {
        guard let s = v?.stringValue, !s.isEmpty else {
            if required { throw SpanError(field: field, "missing") }
            return nil
        }
        return normalizedID(s)
    }

    /// Ids as protobuf requests give them (lowercase hex), so spans of one trace join whichever
    /// encoding each came in: hex in any case is lowercased, and base64 of 8 or 16 bytes (the generic
    /// protobuf JSON mapping's form) becomes hex. Anything else is kept as it is.
    static func normalizedID(_ s: String) -> String {
        let u = s.utf8
        if u.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) { return s.lowercased() }
        if u.count == 12 || u.count == 24, let bytes = Data(base64Encoded: s), bytes.count == 8 || bytes.count == 16 {
            return bytes.map { String(format: "%02x", $0) }.joined()
        }
        return s
    }

    /// A JSON text attribute (gen_ai.input.messages is a JSON string in most SDKs) as structured JSON.
    static func structured(_ v: Value?) -> Value? {
        guard let v else { return nil }
        if let s = v.stringValue, let first = s.first(where: { !$0.isWhitespace }), first == "[" || first == "{",
           let parsed = try? JSONReader.parse(s) {
            return parsed
        }
        return v
    }

    /// What the mapping reads from one span, whichever encoding it came in: OTLP/JSON (below) or
    /// protobuf (OTLPProtobuf, which fills this straight from the wire without a JSON-shaped tree).
    struct SpanFields {
        var traceID: String?
        var spanID: String?
        var parent: String?
        var name: String?
        var kind: Value?
        var startNs: Int64?
        var endNs: Int64?
        var attributes = JSONObject()
        var events: [(name: String?, attributes: JSONObject)] = []
        var statusCode: Value?
        var statusMessage: String?
    }

    static func mapSpan(_ raw: Value) throws -> Span {
        guard case .object = raw else { throw SpanError(field: "", "expected a span object, found \(raw.kindName)") }
        var f = SpanFields()
        f.traceID = try idString(raw["traceId"] ?? raw["trace_id"], field: "traceId", required: true)
        f.spanID = try idString(raw["spanId"] ?? raw["span_id"], field: "spanId", required: true)
        f.parent = try idString(raw["parentSpanId"] ?? raw["parent_span_id"], field: "parentSpanId", required: false)
        f.startNs = nanos(raw["startTimeUnixNano"] ?? raw["start_time_unix_nano"])
        f.endNs = nanos(raw["endTimeUnixNano"] ?? raw["end_time_unix_nano"])
        f.name = raw["name"]?.stringValue
        f.kind = raw["kind"]
        f.attributes = attributes(raw["attributes"])
        f.events = (raw["events"]?.arrayValue ?? []).map { ($0["name"]?.stringValue, attributes($0["attributes"])) }
        f.statusCode = raw["status"]?["code"]
        f.statusMessage = raw["status"]?["message"]?.stringValue
        return try map(f)
    }

    static func map(_ f: SpanFields) throws -> Span {
        guard let traceID = f.traceID, !traceID.isEmpty else { throw SpanError(field: "traceId", "missing") }
        guard let spanID = f.spanID, !spanID.isEmpty else { throw SpanError(field: "spanId", "missing") }
        let parent = f.parent.flatMap { $0.isEmpty ? nil : $0 }
        guard let startNs = f.startNs else { throw SpanError(field: "startTimeUnixNano", "missing or not a number") }
        let endNs = f.endNs
        var attrs = f.attributes
        var span = Span(id: spanID, spanID: spanID, rootSpanID: traceID, spanParents: parent.map { [$0] } ?? [],
                        created: Timestamp(nanoseconds: startNs))
        func take(_ key: String) -> Value? {
            let v = attrs[key]
            attrs[key] = nil
            return v
        }
        /// The first of several names for one thing; all of them are consumed.
        func takeFirst(_ keys: String...) -> Value? {
            keys.map(take).first { $0 != nil } ?? nil
        }
        // Span type: GenAI operation name first, then OpenInference span kind, then OpenLLMetry's.
        let operation = take("gen_ai.operation.name")?.stringValue
        let kind = take("openinference.span.kind")?.stringValue?.uppercased()
        let traceloop = (Self.type(ofRequestType: take("llm.request.type")?.stringValue), Self.type(ofTraceloopKind: take("traceloop.span.kind")?.stringValue))
        var type: String?
        switch operation {
        case "chat", "text_completion", "generate_content", "embeddings": type = "llm"
        case "execute_tool": type = "tool"
        case "invoke_agent", "create_agent": type = "task"
        default: break
        }
        if type == nil, let kind {
            switch kind {
            case "LLM", "EMBEDDING": type = "llm"
            case "TOOL": type = "tool"
            case "AGENT", "CHAIN": type = "task"
            case "EVALUATOR": type = "score"
            default: type = "function"  // RETRIEVER, RERANKER, GUARDRAIL
            }
            span.metadata["openinference.span.kind"] = .string(kind)
        }
        if let operation { span.metadata["gen_ai.operation.name"] = .string(operation) }
        span.type = type ?? traceloop.0 ?? traceloop.1 ?? (parent == nil ? "task" : "function")
        let toolName = take("gen_ai.tool.name")?.stringValue ?? attrs["tool.name"]?.stringValue
        span.name = f.name ?? toolName
        if let toolName { span.metadata["tool_name"] = .string(toolName) }

        // Input and output.
        if let v = structured(take("gen_ai.input.messages")) { span.input = v }
        else if let v = structured(take("input.value")) { span.input = v }
        else if let v = takeIndexedMessages("gen_ai.prompt", from: &attrs) { span.input = v }
        else if let v = jsonText(take("traceloop.entity.input")) { span.input = v }
        else if let v = structured(take("gen_ai.tool.call.arguments")) { span.input = v }
        if let v = structured(take("gen_ai.output.messages")) { span.output = v }
        else if let v = structured(take("output.value")) { span.output = v }
        else if let v = takeIndexedMessages("gen_ai.completion", from: &attrs) { span.output = v }
        else if let v = jsonText(take("traceloop.entity.output")) { span.output = v }
        else if let v = structured(take("gen_ai.tool.call.result")) { span.output = v }
        if let v = structured(take("gen_ai.system_instructions")) { span.metadata["system_instructions"] = v }
        _ = take("input.mime_type"); _ = take("output.mime_type")

        // Metrics.
        span.metrics["start"] = .double(Double(startNs) / 1e9)
        if let endNs { span.metrics["end"] = .double(Double(endNs) / 1e9) }
        // Older names: OpenLLMetry's gen_ai.usage.prompt_tokens / completion_tokens, llm.usage.total_tokens.
        let prompt = takeFirst("gen_ai.usage.input_tokens", "llm.token_count.prompt", "gen_ai.usage.prompt_tokens")?.intValue
        let completion = takeFirst("gen_ai.usage.output_tokens", "llm.token_count.completion", "gen_ai.usage.completion_tokens")?.intValue
        let total = takeFirst("llm.token_count.total", "llm.usage.total_tokens", "gen_ai.usage.total_tokens")?.intValue
        if let prompt { span.metrics["prompt_tokens"] = .int(prompt) }
        if let completion { span.metrics["completion_tokens"] = .int(completion) }
        if let t = total ?? (prompt != nil || completion != nil ? (prompt ?? 0) + (completion ?? 0) : nil) {
            span.metrics["total_tokens"] = .int(t)
        }

        // Model.
        if let m = take("gen_ai.request.model") ?? take("llm.model_name") { span.metadata["model"] = m }
        if let m = take("gen_ai.response.model") { span.metadata["response_model"] = m }
        if let p = take("gen_ai.provider.name") ?? take("gen_ai.system") ?? take("llm.provider") { span.metadata["provider"] = p }

        // Errors: status ERROR, and exception events.
        let code = f.statusCode
        let isError = code?.intValue == 2 || code?.stringValue == "STATUS_CODE_ERROR" || code?.stringValue == "ERROR"
        var exception: JSONObject?
        for e in f.events where e.name == "exception" {
            let ea = e.attributes
            var o = JSONObject()
            if let t = ea["exception.type"] { o["type"] = t }
            if let m = ea["exception.message"] { o["message"] = m }
            if let st = ea["exception.stacktrace"] { o["stacktrace"] = st }
            exception = o
        }
        if isError || exception != nil {
            var o = exception ?? JSONObject()
            if let m = f.statusMessage, !m.isEmpty, o["message"] == nil { o["message"] = .string(m) }
            if let t = take("error.type"), o["type"] == nil { o["type"] = t }
            span.error = o.isEmpty ? .string("error") : .object(o)
        }
        if let k = f.kind, !k.isNull { span.metadata["otel.kind"] = k }
        // Every other attribute is kept in metadata under its own name.
        for (k, v) in attrs { span.metadata[k] = v }
        return span
    }
}
