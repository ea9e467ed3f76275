// Catalog is how the binder learns what exists (projects, facet names, field paths) without the
// query layer ever touching storage: SiftEngine implements it over the store.

public protocol Catalog {
    /// The projects that exist (for checking a source and for hints).
    func projectNames() -> [String]
    /// Field paths seen in the project's data (`metadata.model`, `facets.Sentiment`, ...), for hints.
    func knownPaths(project: String) -> [String]
    /// The known paths under one top-level field (`facets` -> `facets.Sentiment`, ...); by default
    /// filtered from `knownPaths(project:)`, which a catalog may answer more cheaply.
    func knownPaths(project: String, root: String) -> [String]
}

extension Catalog {
    public func knownPaths(project: String, root: String) -> [String] {
        knownPaths(project: project).filter { $0.hasPrefix(root + ".") }
    }
}

/// A catalog that knows nothing beyond the span model: no projects are checked, no paths are known.
public struct OpenCatalog: Catalog {
    public init() {}
    public func projectNames() -> [String] { [] }
    public func knownPaths(project: String) -> [String] { [] }
}

/// The fields of the span model (DIALECT.md section 3) that a path may start with.
public enum SpanFields {
    public static let all: [String] = [
        "id", "span_id", "root_span_id", "span_parents", "is_root", "created", "project_id", "input", "output",
        "expected", "error", "scores", "metadata", "tags", "metrics", "span_attributes", "facets", "classifications",
    ]
    /// Fields under which a name matches case-insensitively when there is no exact match.
    public static let caseInsensitiveChildren: Set<String> = ["facets", "classifications", "scores"]
}

/// The fields of the other sources: rows promoted into a dataset, and topics.
public enum SourceFields {
    public static let dataset = ["id", "input", "expected", "metadata", "source_trace_id", "topic", "project_id", "created"]
    public static let topics = ["id", "facet", "label", "description", "terms", "size", "status", "merged_into", "confirmation", "parent", "parent_label", "project_id"]
}
