// What the command line reads besides queries: projects, traces, topics, runs and facet definitions,
// by project name. The CLI reaches the store only through these (and Session for queries).

import Foundation
import SiftModel
import SiftStore

extension Workspace {
    /// --db's default: `SIFT_DB`, else `./sift.db`.
    public static var defaultPath: String { Store.defaultPath }

    /// The store file's path.
    public var path: String { store.path }

    /// A query session over the store; `caching` keeps columns in memory between queries (the REPL).
    public func session(caching: Bool) -> Session { Session(store: store, caching: caching) }

    /// The fields seen in a project's spans, with their kinds (from a sample of `sample` spans).
    public func fields(project: String, sample: Int) throws -> [FieldInfo] { try FieldSchema.describe(store: store, project: project, sample: sample) }

    /// `name`, or the store's only project when none is given (an error when there are several).
    public func resolveProject(_ name: String?) throws -> String { try store.resolveProject(name) }

    public func projects() throws -> [Store.ProjectInfo] { try store.projects() }
    public func projectNames() throws -> [String] { try store.projectNames() }

    /// A trace by its id, any of its span ids, or a unique prefix of at least 6 characters.
    public func trace(id: String, project: String? = nil) throws -> Trace { try store.trace(id: id, project: project) }

    /// The most recent traces of a project (or all), newest first.
    public func recentTraces(project: String?, limit: Int) throws -> [Store.TraceSummary] { try store.recentTraces(project: project, limit: limit) }

    /// Trace ids of a project with their start, oldest first.
    public func traceStarts(project: String) throws -> [(id: String, created: Int64)] {
        try store.traceStarts(projectRow: try store.projectRow(named: project))
    }

    /// The traces of a project with these ids, in that order.
    public func traces(project: String, ids: [String]) throws -> [Trace] {
        try store.traces(projectRow: try store.projectRow(named: project), ids: ids)
    }

    // MARK: - Topics

    public func topics(project: String, facet: String? = nil) throws -> [StoredTopic] {
        try store.topics(projectRow: try store.projectRow(named: project), facet: facet)
    }

    public func classifications(project: String, facet: String) throws
        -> [(trace: String, topic: String?, label: String?, distance: Double?, confidence: Double?, x: Double?, y: Double?)] {
        try store.classifications(projectRow: try store.projectRow(named: project), facet: facet)
    }

    /// Why a trace was classified as it was: the evidence (issue, quote, span id) its facet model
    /// recorded in the classification's metadata, empty when there is none.
    public func evidence(project: String, facet: String, trace: String) throws -> [(issue: String, quote: String, span: String?)] {
        guard let text = try store.classificationMetadata(projectRow: try store.projectRow(named: project), facet: facet, trace: trace),
              let list = (try? JSONReader.parse(text))?["evidence"]?.arrayValue else { return [] }
        return list.compactMap { e in
            guard let q = e["quote"]?.stringValue else { return nil }
            return (e["issue"]?.stringValue ?? "", q, e["span_id"]?.stringValue)
        }
    }

    /// Each trace's summary for a facet.
    public func facetValues(project: String, facet: String) throws -> [String: String] {
        try store.facetValues(projectRow: try store.projectRow(named: project), facet: facet)
    }

    /// How many traces of the project have a summary, per facet (empty for an unknown project).
    public func facetCounts(project: String) throws -> [(name: String, traces: Int)] {
        guard let pid = try store.projectID(named: project) else { return [] }
        return try store.facetNames(projectRow: pid)
    }

    /// The project's recent topic runs, newest first. A run still marked running whose process is gone
    /// (killed, or the machine restarted) is reported as interrupted: it will never finish.
    public func topicRuns(project: String, limit: Int = 20) throws -> [TopicRunInfo] {
        try store.topicRuns(projectRow: try store.projectRow(named: project), limit: limit).map { run in
            var r = run
            if r.status == TopicRunStatus.running.rawValue, let pid = r.params["pid"]?.intValue, !Self.processIsAlive(pid) {
                r.status = "interrupted"
            }
            return r
        }
    }

    /// Whether a process of this machine with that id exists (signal 0 checks without signalling).
    static func processIsAlive(_ pid: Int64) -> Bool {
        guard pid > 0, pid <= Int64(Int32.max) else { return false }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }

    // MARK: - Custom facets

    public func saveFacetDefinition(name: String, definition: String) throws { try store.saveFacetDefinition(name: name, definition: definition) }

    /// Removes a custom facet; false when there is none of that name.
    public func removeFacetDefinition(name: String) throws -> Bool { try store.removeFacetDefinition(name: name) }
}
