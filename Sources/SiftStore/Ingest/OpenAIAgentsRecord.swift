// Ingest format 5: OpenAI Agents SDK trace exports, the items its tracing processors export: traces
// (`object: "trace"`: id, workflow_name, group_id, metadata) and spans (`object: "trace.span"`: id,
// trace_id, parent_id, started_at, ended_at, span_data, error), one per line, in a JSON array, or in
// the `{"data": [...]}` batches the SDK posts. Each span is a span; each trace is its root, named after
// the workflow, which the file's spans time: the SDK exports a trace when it starts, with no time of
// its own, so roots are written when the file ends.

import SiftModel

enum OpenAIAgentsRecord {
    static func looksLikeItem(_ v: Value) -> Bool {
        switch v["object"]?.stringValue {
        case "trace.span": return v["span_data"] != nil
        case "trace": return v["id"] != nil
        default: return v["data"]?.arrayValue?.first.map(looksLikeItem) ?? false
        }
    }

    /// The span type of a span_data type (the type itself is kept in `metadata["span_data.type"]`).
    static func type(ofSpanData kind: String?) -> String {
        switch kind {
        case "agent": return "task"
        case "generation", "response": return "llm"
        case "function": return "tool"
        default: return "function"  // handoff, guardrail, custom, mcp_tools, transcription, speech
        }
    }

    /// The file's traces: what their items say, and when their spans ran.
    final class Traces: FileState {
        struct Root {
            var item: JSONObject?
            var start: Timestamp?
            var end: Timestamp?
        }
        var order: [String] = []
        var roots: [String: Root] = [:]
        /// Where a trace with no time at all is placed: the file's time.
        var fileTime = Timestamp(microseconds: 0)

        func update(_ trace: String, _ change: (inout Root) -> Void) {
            if roots[trace] == nil { order.append(trace) }
            change(&roots[trace, default: Root()])
        }
    }

    /// One span item. Spans without a parent hang under their trace's root.
    static func map(span item: JSONObject) throws -> Span {
        var fields = item
        func take(_ key: String) -> Value? {
            let v = fields[key]
            fields[key] = nil
            return v?.isNull == false ? v : nil
        }
        _ = take("object")
        guard let id = take("id")?.stringValue ?? take("span_id")?.stringValue, !id.isEmpty else { throw SpanError(field: "id", "missing or not a string") }
        guard let trace = take("trace_id")?.stringValue, !trace.isEmpty else { throw SpanError(field: "trace_id", "missing or not a string") }
        guard let startValue = take("started_at"), let start = Timestamp(startValue) else { throw SpanError(field: "started_at", "missing or not a time") }
        let parent = take("parent_id")?.stringValue ?? trace
        var span = Span(id: id, spanID: id, rootSpanID: trace, spanParents: [parent], created: start)
        span.metrics["start"] = .double(start.seconds)
        if let endValue = take("ended_at") {
            guard let end = Timestamp(endValue) else { throw SpanError(field: "ended_at", "not a time") }
            span.metrics["end"] = .double(end.seconds)
        }
        if let error = take("error") { span.error = error }
        guard case .object(var data)? = take("span_data") else { throw SpanError(field: "span_data", "missing or not an object") }
        func takeData(_ key: String) -> Value? {
            let v = data[key]
            data[key] = nil
            return v?.isNull == false ? v : nil
        }
        let kind = takeData("type")?.stringValue
        span.type = type(ofSpanData: kind)
        if let kind { span.metadata["span_data.type"] = .string(kind) }
        let name = takeData("name")?.stringValue
        switch kind {
        case "agent":
            span.name = name ?? "agent"
            if let name { span.metadata["agent"] = .string(name) }
        case "generation":
            let model = takeData("model")
            span.name = model?.stringValue ?? "generation"
            if let model { span.metadata["model"] = model }
        case "handoff":
            let from = takeData("from_agent"), to = takeData("to_agent")
            span.name = "handoff to \(to?.stringValue ?? "?")"
            if let from { span.metadata["from_agent"] = from }
            if let to { span.metadata["to_agent"] = to }
        default:
            span.name = name ?? kind
        }
        // Function arguments and results are JSON text; generations hold message lists.
        if let input = takeData("input") { span.input = OTLPRecord.structured(input) ?? input }
        if let output = takeData("output") { span.output = OTLPRecord.structured(output) ?? output }
        if let usage = takeData("usage") {
            let prompt = usage["input_tokens"]?.intValue ?? usage["prompt_tokens"]?.intValue
            let completion = usage["output_tokens"]?.intValue ?? usage["completion_tokens"]?.intValue
            if let prompt { span.metrics["prompt_tokens"] = .int(prompt) }
            if let completion { span.metrics["completion_tokens"] = .int(completion) }
            if let total = usage["total_tokens"]?.intValue ?? (prompt != nil || completion != nil ? (prompt ?? 0) + (completion ?? 0) : nil) {
                span.metrics["total_tokens"] = .int(total)
            }
        }
        // The rest of span_data (tools, handoffs, output_type, response_id, triggered, data, ...)
        // and of the item, under their own names.
        for (k, v) in data where !v.isNull { span.metadata[k] = v }
        for (k, v) in fields where !v.isNull { span.metadata[k] = v }
        return span
    }

    /// A trace's root: named after its workflow, with its group and metadata, timed by its own times
    /// when it has them, else by its spans, else placed at `fallback`.
    static func root(_ trace: String, _ root: Traces.Root, fallback: Timestamp) -> Span {
        var fields = root.item ?? JSONObject()
        func take(_ key: String) -> Value? {
            let v = fields[key]
            fields[key] = nil
            return v?.isNull == false ? v : nil
        }
        for key in ["object", "id"] { _ = take(key) }
        let start = take("started_at").flatMap(Timestamp.init) ?? root.start
        let end = take("ended_at").flatMap(Timestamp.init) ?? root.end
        var span = Span(id: trace, spanID: trace, rootSpanID: trace, created: start ?? fallback)
        span.type = "task"
        span.name = take("workflow_name")?.stringValue ?? "trace"
        if let start { span.metrics["start"] = .double(start.seconds) }
        if let end { span.metrics["end"] = .double(end.seconds) }
        if case .object(let metadata)? = take("metadata") { for (k, v) in metadata { span.metadata[k] = v } }
        for (k, v) in fields where !v.isNull { span.metadata[k] = v }
        return span
    }
}

extension OpenAIAgentsRecord: RecordReader {
    static var mayBePrettyPrinted: Bool { true }
    static func recognises(_ first: Value) -> Bool { looksLikeItem(first) }
    static func fileState() -> FileState? { Traces() }

    /// One item, or a `{"data": [...]}` batch of them: spans land now, traces when the file ends.
    static func read(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     accept: ([SpanRow]) throws -> Void, reject: RejectPart) throws {
        let v = try JSONReader.parse(UnsafeBufferPointer(rebasing: buffer[range]), maxDepth: context.maxDepth)
        guard let traces = context.state as? Traces else { throw SpanError(field: "", "OpenAI Agents items are read with the state of their file") }
        traces.fileTime = context.fileTime
        guard v["object"] == nil, let batch = v["data"]?.arrayValue else {
            try accept(try read(item: v, into: traces).map { [SpanRow($0)] } ?? [])
            return
        }
        // A batch: a bad item is rejected by itself, as a line of its own would be.
        var rows: [SpanRow] = []
        for (i, item) in batch.enumerated() {
            do {
                if let span = try read(item: item, into: traces) { rows.append(SpanRow(span)) }
            } catch let e as SpanError {
                let message = e.field.isEmpty ? "data[\(i)]: \(e.message)" : "data[\(i)].\(e)"
                try Array(JSONWriter.string(item).utf8).withUnsafeBufferPointer { try reject(message, range.lowerBound, $0) }
            }
        }
        try accept(rows)
    }

    /// One item: a span is returned (and times its trace), a trace is kept for the end of the file.
    private static func read(item: Value, into traces: Traces) throws -> Span? {
        guard case .object(let o) = item else { throw SpanError(field: "", "expected a trace or span object, found \(item.kindName)") }
        switch o["object"]?.stringValue {
        case "trace":
            guard let id = o["id"]?.stringValue, !id.isEmpty else { throw SpanError(field: "id", "missing or not a string") }
            traces.update(id) { $0.item = o }
            return nil
        case "trace.span":
            let span = try map(span: o)
            traces.update(span.rootSpanID) { root in
                if root.start.map({ span.created < $0 }) ?? true { root.start = span.created }
                if let end = span.end.map(Timestamp.init(seconds:)), root.end.map({ end > $0 }) ?? true { root.end = end }
            }
            return span
        default:
            throw SpanError(field: "object", "expected \"trace\" or \"trace.span\", found \(o["object"].map { JSONWriter.string($0) } ?? "nothing")")
        }
    }

    static func finish(_ state: FileState, accept: ([SpanRow]) throws -> Void) throws {
        guard let traces = state as? Traces else { return }
        try accept(traces.order.map { SpanRow(root($0, traces.roots[$0]!, fallback: traces.fileTime)) })
    }
}
