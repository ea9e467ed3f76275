// Ingest format 4: LangSmith (LangChain) runs, as the LangSmith API, `Client.list_runs` and run
// exports write them: one run per object (`id`, `trace_id`, `parent_run_id`, `run_type`, `inputs`,
// `outputs`, `start_time`, `end_time`, `error`, `extra`, `tags`, token counts), one per line, in a JSON
// array, or pretty-printed one after another. A run is a span; its trace is the root run.

import SiftModel

enum LangSmithRecord {
    /// An object with an `id` and a `run_type` that names its place in a run tree.
    static func looksLikeRun(_ v: Value) -> Bool {
        guard case .object(let o) = v, o["id"] != nil, o["run_type"]?.stringValue != nil else { return false }
        return o["inputs"] != nil || o["trace_id"] != nil || o["parent_run_id"] != nil || o["dotted_order"] != nil
    }

    /// The span type of a run type (the run type itself is kept in `metadata.run_type`).
    static func type(ofRunType runType: String?) -> String {
        switch runType?.lowercased() {
        case "llm", "chat_model", "embedding": return "llm"
        case "tool": return "tool"
        case "chain": return "task"
        default: return "function"  // retriever, prompt, parser
        }
    }

    /// The root run's id in a dotted order (`20230914T223155647Z<root-id>.20230914T223155649Z<id>`).
    static func rootRun(ofDottedOrder dotted: String) -> String? {
        let first = dotted.prefix { $0 != "." }
        guard let z = first.firstIndex(of: "Z") else { return nil }
        let id = first[first.index(after: z)...]
        return id.isEmpty ? nil : String(id)
    }

    static func map(_ run: Value) throws -> Span {
        guard case .object(var fields) = run else { throw SpanError(field: "", "expected a run object, found \(run.kindName)") }
        func take(_ key: String) -> Value? {
            let v = fields[key]
            fields[key] = nil
            return v?.isNull == false ? v : nil
        }
        guard let id = take("id")?.stringValue, !id.isEmpty else { throw SpanError(field: "id", "missing or not a string") }
        let parent = take("parent_run_id")?.stringValue
        let dotted = take("dotted_order")?.stringValue
        // The trace id is the root run's id; without one, the dotted order names the root.
        guard let trace = take("trace_id")?.stringValue ?? (parent == nil ? id : dotted.flatMap(rootRun(ofDottedOrder:))) else {
            throw SpanError(field: "trace_id", "missing, and no dotted_order names the root run")
        }
        guard let startValue = take("start_time"), let start = Timestamp(startValue) else {
            throw SpanError(field: "start_time", "missing or not a time")
        }
        var span = Span(id: id, spanID: id, rootSpanID: trace, spanParents: parent.map { [$0] } ?? [], created: start)
        span.metrics["start"] = .double(start.seconds)
        if let endValue = take("end_time") {
            guard let end = Timestamp(endValue) else { throw SpanError(field: "end_time", "not a time") }
            span.metrics["end"] = .double(end.seconds)
        }
        let runType = take("run_type")?.stringValue
        span.type = type(ofRunType: runType)
        span.name = take("name")?.stringValue
        if let runType { span.metadata["run_type"] = .string(runType) }
        span.input = take("inputs") ?? .null
        span.output = take("outputs") ?? .null
        if let error = take("error") { span.error = error }
        if let tags = take("tags") {
            guard let list = tags.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw SpanError(field: "tags", "expected an array of strings, found \(tags.kindName)")
            }
            span.tags = list.map { $0.stringValue! }
        }
        for key in ["prompt_tokens", "completion_tokens", "total_tokens"] {
            if let n = take(key)?.intValue { span.metrics[key] = .int(n) }
        }
        // extra.metadata is the run's metadata; LangChain names the model and provider in it.
        if case .object(var extra)? = take("extra") {
            if case .object(let metadata)? = extra["metadata"] {
                for (k, v) in metadata {
                    switch k {
                    case "ls_model_name": span.metadata["model"] = v
                    case "ls_provider": span.metadata["provider"] = v
                    default: span.metadata[k] = v
                    }
                }
                extra["metadata"] = nil
            }
            for (k, v) in extra { span.metadata[k] = v }
        }
        // The tree says who the children and parents are.
        for key in ["child_run_ids", "direct_child_run_ids", "parent_run_ids", "child_runs"] { _ = take(key) }
        if let dotted { span.metadata["dotted_order"] = .string(dotted) }
        // Every other field (status, session_id, total_cost, feedback_stats, ...) under its own name.
        for (k, v) in fields where !v.isNull { span.metadata[k] = v }
        return span
    }
}

extension LangSmithRecord: RecordReader {
    static var mayBePrettyPrinted: Bool { true }
    static func recognises(_ first: Value) -> Bool { looksLikeRun(first) }
    static func read(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, context: RecordContext,
                     accept: ([SpanRow]) throws -> Void, reject: RejectPart) throws {
        let v = try JSONReader.parse(UnsafeBufferPointer(rebasing: buffer[range]), maxDepth: context.maxDepth)
        try accept([SpanRow(try map(v))])
    }
}
