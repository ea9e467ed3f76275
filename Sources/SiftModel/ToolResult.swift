// ToolResult reads whether a tool's result reports a failure in-band. Agents' tool wrappers rarely
// raise: they return the failure as the result ("Error: ...", {"error": {...}}, {"status": "error"},
// MCP's {"isError": true}), and the model reads it like any other result. Ingest and the facet models
// treat such a result as a failed call, with the failure as its error.

public enum ToolResult {
    static let failedStates: Set<String> = ["error", "failed", "failure", "fail"]

    /// The failure a tool's result text reports, or nil when it reports none: the text when it opens
    /// with the word error ("Error: ...", "ERROR 422: ..."); for a JSON object, its non-empty `error` (or `errors`) value, or the
    /// object itself when its `status` (or `state`) is error, or failed in a result naming no object
    /// of its own (an order whose status is failed was found), or `success`, `ok` is false, or
    /// `isError` is true.
    public static func failure(_ text: String) -> Value? {
        if opensWithError(text) { return .string(text) }
        let head = text.utf8.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        guard head == UInt8(ascii: "{"), let v = try? JSONReader.parse(text) else { return nil }
        return failure(v)
    }

    /// "Error: ...", "ERROR 422: ...", "error - ...": the word error, in any case, as the whole first
    /// word ("Errors found: none", "Erroneous", "error_count: 0" and "Error-free run" are not).
    static func opensWithError(_ text: String) -> Bool {
        let b = Array(text.utf8.prefix(6))
        guard b.count >= 5, String(decoding: b[0..<5], as: UTF8.self).lowercased() == "error" else { return false }
        return b.count == 5 || [UInt8(ascii: ":"), 0x20, 0x09, 0x0a, UInt8(ascii: "["), UInt8(ascii: "(")].contains(b[5])
    }

    /// The failure a parsed result reports (see `failure(_: String)`).
    public static func failure(_ v: Value) -> Value? {
        guard case .object(let o) = v else { return v.stringValue.flatMap(failure) }
        for key in ["error", "errors"] {
            guard let e = o[key] else { continue }
            switch e {
            case .null, .bool(false): continue
            case .string(let s) where s.isEmpty: continue
            case .array(let a) where a.isEmpty: continue
            case .object(let x) where x.isEmpty: continue
            case .bool(true): return v
            default: return e
            }
        }
        for key in ["status", "state"] {
            guard let s = o[key]?.stringValue?.lowercased(), failedStates.contains(s) else { continue }
            // "error" is the call's own; "failed" may be the state of what the call looked up (an
            // order, a payment), so it counts only in a result that names no object of its own.
            if s == "error" || !o.contains(where: { k, _ in namesObject(k) }) { return v }
        }
        if o["success"]?.boolValue == false || o["ok"]?.boolValue == false { return v }
        if o["isError"]?.boolValue == true || o["is_error"]?.boolValue == true { return v }
        return nil
    }

    /// Whether a field names an object the result is about ("order_id", "id"), not the request.
    static func namesObject(_ key: String) -> Bool {
        let k = key.lowercased()
        let names = k == "id" || k.hasSuffix("_id") || (key.hasSuffix("Id") && key.count > 2)
        return names && !["request_id", "trace_id", "correlation_id", "requestid", "traceid", "correlationid"].contains(k)
    }
}
