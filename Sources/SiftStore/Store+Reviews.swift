// The review_items table: traces assigned to a reviewer, and the verdicts recorded on them. A verdict
// also lands on the trace's classification metadata (where queries see it) and on the topic's
// confirmation; how verdicts add up to a confirmation is SiftActions' business.

import Foundation
import SiftModel

/// One item of a review queue, with the label of the topic it was assigned under.
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

extension Store {
    /// Queues traces (with the topic each was classified to) for `reviewer`, in one transaction;
    /// traces already in that reviewer's queue are not queued twice. Returns how many were added.
    public func assignReviews(projectRow pid: Int64, reviewer: String, facet: String, items: [(trace: String, topic: String?)]) throws -> Int {
        var added = 0
        try db.transaction {
            let s = try db.prepare("INSERT OR IGNORE INTO review_items(project_id, trace_id, reviewer, facet, topic_id, status, assigned) VALUES (?, ?, ?, ?, ?, 'open', ?)")
            for item in items {
                s.reset()
                try s.bind([.int(pid), .text(item.trace), .text(reviewer), .text(facet), item.topic.map(SQLValue.text) ?? .null, .int(Self.nowMicros())])
                try s.run()
                added += db.changes
            }
        }
        return added
    }

    /// Review items in queue order, of one reviewer or all, open only unless `includeDone`.
    public func reviewItems(reviewer: String? = nil, includeDone: Bool = false) throws -> [ReviewItem] {
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
        let s = try db.prepare(sql)
        try s.bind(binds)
        var out: [ReviewItem] = []
        while try s.step() {
            out.append(ReviewItem(id: s.int(0), project: s.text(1)!, trace: s.text(2)!, reviewer: s.text(3)!, facet: s.text(4), topicID: s.text(5), topicLabel: s.text(6),
                                  status: s.text(7)!, verdict: s.text(8), newLabel: s.text(9), comment: s.text(10), assigned: Timestamp(microseconds: s.int(11))))
        }
        return out
    }

    /// Marks an item done with its verdict (no transaction of its own: call it inside `transaction`).
    public func recordVerdict(item id: Int64, verdict: String, label: String?, comment: String?) throws {
        let s = try db.prepare("UPDATE review_items SET status = 'done', verdict = ?, new_label = ?, comment = ?, decided = ? WHERE id = ?")
        try s.bind([.text(verdict), label.map(SQLValue.text) ?? .null, comment.map(SQLValue.text) ?? .null, .int(Self.nowMicros()), .int(id)])
        try s.run()
    }

    /// Changes the metadata object of a trace's first classification for a facet (no transaction of
    /// its own); nothing happens when the trace has no such classification.
    public func updateClassificationMetadata(projectRow pid: Int64, trace: String, facet: String, _ change: (inout JSONObject) -> Void) throws {
        let read = try db.prepare("SELECT metadata FROM classifications WHERE project_id = ? AND trace_id = ? AND facet = ? AND position = 0")
        try read.bind([.int(pid), .text(trace), .text(facet)])
        guard try read.step() else { return }
        var meta = (read.text(0).flatMap { try? JSONReader.parse($0) }?.objectValue) ?? JSONObject()
        change(&meta)
        let w = try db.prepare("UPDATE classifications SET metadata = ? WHERE project_id = ? AND trace_id = ? AND facet = ? AND position = 0")
        try w.bind([.text(JSONWriter.string(.object(meta))), .int(pid), .text(trace), .text(facet)])
        try w.run()
    }

    /// How many finished reviews of a topic confirmed it, and how many rejected or relabelled it.
    public func reviewTally(projectRow pid: Int64, facet: String, topic: String) throws -> (confirmed: Int, against: Int)? {
        let s = try db.prepare("""
            SELECT sum(verdict = 'confirm'), sum(verdict IN ('reject', 'relabel')) FROM review_items
            WHERE project_id = ? AND facet = ? AND topic_id = ? AND status = 'done'
            """)
        try s.bind([.int(pid), .text(facet), .text(topic)])
        guard try s.step() else { return nil }
        return (Int(s.int(0)), Int(s.int(1)))
    }

    /// Sets (or clears) a topic's confirmation status.
    public func setTopicConfirmation(projectRow pid: Int64, facet: String, topic: String, status: String?) throws {
        let u = try db.prepare("UPDATE topics SET confirmation = ? WHERE project_id = ? AND facet = ? AND id = ?")
        try u.bind([status.map(SQLValue.text) ?? .null, .int(pid), .text(facet), .text(topic)])
        try u.run()
    }
}
