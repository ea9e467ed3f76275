// FieldSchema describes what a project's spans contain: every field path seen in a sample (up to
// three levels deep), its JSON kinds and an example value. `.schema` in the REPL prints it, and tab
// completion offers its paths.

import SiftModel
import SiftStore

public struct FieldInfo: Sendable {
    public var path: String
    public var kinds: [String]
    public var example: String
    public var count: Int
}

public enum FieldSchema {
    /// Paths in the first `sample` spans of the project.
    public static func describe(store: Store, project: String, sample: Int = 2000) throws -> [FieldInfo] {
        let columns = try store.spanColumns(project: project)
        let n = min(sample, columns.count)
        var infos: [String: FieldInfo] = [:]
        var order: [String] = []
        func note(_ path: String, _ v: Value) {
            guard !v.isNull else { return }
            let kind: String
            switch v {
            case .bool: kind = "boolean"
            case .int: kind = "integer"
            case .double: kind = "number"
            case .string(let s): kind = Timestamp(iso8601: s) != nil ? "timestamp text" : "string"
            case .array: kind = "array"
            case .object: kind = "object"
            case .null: kind = "null"
            }
            if infos[path] == nil {
                var ex = v.stringValue ?? JSONWriter.string(v)
                if ex.count > 40 { ex = String(ex.prefix(39)) + "…" }
                infos[path] = FieldInfo(path: path, kinds: [], example: ex, count: 0)
                order.append(path)
            }
            infos[path]!.count += 1
            if !infos[path]!.kinds.contains(kind) { infos[path]!.kinds.append(kind) }
        }
        func walk(_ path: String, _ v: Value, depth: Int) {
            note(path, v)
            guard depth < 3 else { return }
            switch v {
            case .object(let o): for (k, x) in o { walk(path + "." + quoted(k), x, depth: depth + 1) }
            case .array(let a): for x in a.prefix(5) { if case .object = x { walk(path + "[0]", x, depth: depth + 1) } }
            default: break
            }
        }
        for field in ["id", "span_id", "root_span_id", "created", "span_parents", "input", "output", "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes", "facets", "classifications"] {
            if field == "created" {
                for i in 0..<n { note("created", .string(Timestamp(microseconds: columns.created[i]).iso8601)) }
                infos["created"]?.kinds = ["timestamp"]
                continue
            }
            guard let values = try columns.column(field) else { continue }
            for v in values.prefix(n) {
                // Chat messages and free text are shown as one field, not walked.
                if ["input", "output", "expected"].contains(field) { note(field, v) } else { walk(field, v, depth: 1) }
            }
        }
        return order.map { infos[$0]! }
    }

    static func quoted(_ k: String) -> String {
        let plain = !k.isEmpty && k.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(k.first!.isNumber)
        return plain ? k : "\"" + k.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
