// Review queues: traces matching a filter are assigned to a named reviewer (with a cap and seeded
// sampling); the reviewer lists their queue, opens an item, and records a verdict on its topic
// (confirm, reject, or relabel) with a comment. Verdicts feed the topic's confirmation status and are
// queryable: classifications.<facet>[0].metadata.review on the reviewed trace.

import Foundation
import SiftModel
import SiftStore
import SiftTopics

public struct ReviewItem: Sendable {
    public var id: Int64
    public var project: String
    public var trace: String
    public var reviewer: String
    public var facet: String?
    public var topicID: String?
    public var topicLabel: String?
    public var status: String
    public var verdict: String?
    public var newLabel: String?
    public var comment: String?
    public var assigned: Timestamp
}

public final class Reviews {
    public let store: Store

    public init(store: Store) { self.store = store }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    /// Assigns matching traces to `reviewer`: at most `cap`, chosen by a seeded hash; traces already
    /// in that reviewer's queue are not assigned twice. Returns (assigned, already queued, matched).
    public func assign(reviewer: String, project: String, filter: String, cap: Int? = nil, seed: UInt64 = 42, facet: String = "Issues") throws -> (assigned: Int, existing: Int, matched: Int) {
        guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else { throw ActionError("a reviewer needs a name") }
        guard let pid = try store.projectID(named: project) else { throw StoreError.notFound("no project named '\(project)'") }
        let matched = try Scorers.matchingTraces(store: store, project: project, filter: filter)
        var ids = matched.map { ($0, Datasets.mix($0, seed)) }.sorted { $0.1 < $1.1 }.map(\.0)
        if let cap { ids = Array(ids.prefix(cap)) }
        let cls = Dictionary(try store.classifications(projectRow: pid, facet: facet).map { ($0.trace, $0.topic) }, uniquingKeysWith: { a, _ in a })
        var added = 0
        try store.db.transaction {
            let s = try store.db.prepare("INSERT OR IGNORE INTO review_items(project_id, trace_id, reviewer, facet, topic_id, status, assigned) VALUES (?, ?, ?, ?, ?, 'open', ?)")
            for id in ids {
                s.reset()
                try s.bind([.int(pid), .text(id), .text(reviewer), .text(facet), (cls[id] ?? nil).map(SQLValue.text) ?? .null, .int(Self.now)])
                try s.run()
                added += Int(try store.db.scalarInt("SELECT changes()") ?? 0)
            }
        }
        return (added, ids.count - added, matched.count)
    }

    public func items(reviewer: String? = nil, includeDone: Bool = false) throws -> [ReviewItem] {
        var sql = """
            SELECT r.id, p.name, r.trace_id, r.reviewer, r.facet, r.topic_id, t.label, r.status, r.verdict, r.new_label, r.comment, r.assigned
            FROM review_items r JOIN projects p ON p.id = r.project_id
            LEFT JOIN topics t ON t.project_id = r.project_id AND t.facet = r.facet AND t.id = r.topic_id
            WHERE 1
            """
        var binds: [SQLValue] = []
        if let reviewer { sql += " AND r.reviewer = ?"; binds.append(.text(reviewer)) }
        if !includeDone { sql += " AND r.status = 'open'" }
        sql += " ORDER BY r.id"
        let s = try store.db.prepare(sql)
        try s.bind(binds)
        var out: [ReviewItem] = []
        while try s.step() {
            out.append(ReviewItem(id: s.int(0), project: s.text(1)!, trace: s.text(2)!, reviewer: s.text(3)!, facet: s.text(4), topicID: s.text(5), topicLabel: s.text(6),
                                  status: s.text(7)!, verdict: s.text(8), newLabel: s.text(9), comment: s.text(10), assigned: Timestamp(microseconds: s.int(11))))
        }
        return out
    }

    public func item(_ id: Int64) throws -> ReviewItem {
        guard let it = try items(includeDone: true).first(where: { $0.id == id }) else { throw StoreError.notFound("no review item \(id) (sift review queue REVIEWER lists them)") }
        return it
    }

    /// Records a verdict: confirm or reject the topic, or relabel it (with `label`), plus a comment.
    public func done(_ id: Int64, verdict: String, label: String? = nil, comment: String? = nil) throws -> ReviewItem {
        guard ["confirm", "reject", "relabel"].contains(verdict) else { throw ActionError("verdict must be confirm, reject or relabel, not '\(verdict)'") }
        if verdict == "relabel" && (label ?? "").isEmpty { throw ActionError("relabel needs --label NEW_LABEL") }
        let it = try item(id)
        guard let pid = try store.projectID(named: it.project) else { throw StoreError.notFound("no project named '\(it.project)'") }
        try store.db.transaction {
            let s = try store.db.prepare("UPDATE review_items SET status = 'done', verdict = ?, new_label = ?, comment = ?, decided = ? WHERE id = ?")
            try s.bind([.text(verdict), label.map(SQLValue.text) ?? .null, comment.map(SQLValue.text) ?? .null, .int(Self.now), .int(id)])
            try s.run()
            // The verdict on the trace's classification, where queries see it.
            if let facet = it.facet {
                let read = try store.db.prepare("SELECT metadata FROM classifications WHERE project_id = ? AND trace_id = ? AND facet = ? AND position = 0")
                try read.bind([.int(pid), .text(it.trace), .text(facet)])
                if try read.step() {
                    var meta = (read.text(0).flatMap { try? JSONReader.parse($0) }?.objectValue) ?? JSONObject()
                    var review: JSONObject = ["verdict": .string(verdict), "reviewer": .string(it.reviewer)]
                    if let label { review["label"] = .string(label) }
                    if let comment { review["comment"] = .string(comment) }
                    meta["review"] = .object(review)
                    let w = try store.db.prepare("UPDATE classifications SET metadata = ? WHERE project_id = ? AND trace_id = ? AND facet = ? AND position = 0")
                    try w.bind([.text(JSONWriter.string(.object(meta))), .int(pid), .text(it.trace), .text(facet)])
                    try w.run()
                }
            }
            if let facet = it.facet, let topic = it.topicID { try updateConfirmation(pid: pid, facet: facet, topic: topic) }
        }
        return try item(id)
    }

    /// A topic is confirmed when more verdicts confirm it than reject or relabel it, rejected when
    /// fewer do, disputed on a tie.
    func updateConfirmation(pid: Int64, facet: String, topic: String) throws {
        let s = try store.db.prepare("""
            SELECT sum(verdict = 'confirm'), sum(verdict IN ('reject', 'relabel')) FROM review_items
            WHERE project_id = ? AND facet = ? AND topic_id = ? AND status = 'done'
            """)
        try s.bind([.int(pid), .text(facet), .text(topic)])
        guard try s.step() else { return }
        let yes = s.int(0), no = s.int(1)
        let status: String? = yes + no == 0 ? nil : yes > no ? "confirmed" : yes < no ? "rejected" : "disputed"
        let u = try store.db.prepare("UPDATE topics SET confirmation = ? WHERE project_id = ? AND facet = ? AND id = ?")
        try u.bind([status.map(SQLValue.text) ?? .null, .int(pid), .text(facet), .text(topic)])
        try u.run()
    }
}
