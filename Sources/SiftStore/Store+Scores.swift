// The scorers and scores tables: scorer definitions saved per project (their logic lives in
// SiftActions), and one score per trace and scorer, read back as scores.<name> on the root span.

import Foundation
import SiftModel

/// A saved scorer: its kind and its definition as JSON text, with counts of what it has scored.
public struct StoredScorer: Sendable {
    public var name: String
    public var kind: String
    public var definition: String
    public var scored: Int
    public var zeros: Int
    public var errors: Int
}

/// One trace's result from one scorer: a score, or NULL with a reason, or an error.
public struct ScoreRow: Sendable {
    public var trace: String
    public var score: Double?
    public var reason: String?
    public var metadata: String?
    public var error: String?

    public init(trace: String, score: Double?, reason: String?, metadata: String?, error: String?) {
        self.trace = trace; self.score = score; self.reason = reason; self.metadata = metadata; self.error = error
    }
}

extension Store {
    /// Saves a scorer, replacing one of the same name in the project.
    public func saveScorer(projectRow pid: Int64, name: String, kind: String, definition: String) throws {
        try db.transaction {
            let s = try db.prepare("""
                INSERT INTO scorers(project_id, name, kind, definition, created) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(project_id, name) DO UPDATE SET kind = excluded.kind, definition = excluded.definition
                """)
            try s.bind([.int(pid), .text(name), .text(kind), .text(definition), .int(Self.nowMicros())])
            try s.run()
        }
    }

    /// The project's scorers by name, with how many traces each scored, scored 0, and failed on.
    public func scorers(projectRow pid: Int64) throws -> [StoredScorer] {
        let s = try db.prepare("""
            SELECT name, kind, definition,
              (SELECT count(*) FROM scores c WHERE c.project_id = s.project_id AND c.scorer = s.name),
              (SELECT count(*) FROM scores c WHERE c.project_id = s.project_id AND c.scorer = s.name AND c.score = 0),
              (SELECT count(*) FROM scores c WHERE c.project_id = s.project_id AND c.scorer = s.name AND c.error IS NOT NULL)
            FROM scorers s WHERE project_id = ? ORDER BY name
            """)
        try s.bind([.int(pid)])
        var out: [StoredScorer] = []
        while try s.step() {
            out.append(StoredScorer(name: s.text(0)!, kind: s.text(1)!, definition: s.text(2) ?? "{}",
                                    scored: Int(s.int(3)), zeros: Int(s.int(4)), errors: Int(s.int(5))))
        }
        return out
    }

    /// Removes a scorer and all its scores, in one transaction.
    public func removeScorer(projectRow pid: Int64, name: String) throws {
        try db.transaction {
            for sql in ["DELETE FROM scores WHERE project_id = ? AND scorer = ?", "DELETE FROM scorers WHERE project_id = ? AND name = ?"] {
                let s = try db.prepare(sql)
                try s.bind([.int(pid), .text(name)])
                try s.run()
            }
        }
    }

    /// The traces a scorer has already scored (or failed on).
    public func scoredTraces(projectRow pid: Int64, scorer: String) throws -> Set<String> {
        let s = try db.prepare("SELECT trace_id FROM scores WHERE project_id = ? AND scorer = ?")
        try s.bind([.int(pid), .text(scorer)])
        var done = Set<String>()
        while try s.step() { done.insert(s.text(0)!) }
        return done
    }

    /// Writes a scorer's results in one transaction, replacing earlier results for the same traces.
    public func writeScores(projectRow pid: Int64, scorer: String, rows: [ScoreRow]) throws {
        let now = Self.nowMicros()
        try db.transaction {
            let s = try db.prepare("""
                INSERT INTO scores(project_id, trace_id, scorer, score, reason, metadata, error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(project_id, trace_id, scorer) DO UPDATE SET score = excluded.score, reason = excluded.reason,
                  metadata = excluded.metadata, error = excluded.error, created = excluded.created
                """)
            for r in rows {
                s.reset()
                s.bind(pid, at: 1)
                try s.bind(r.trace, at: 2)
                try s.bind(scorer, at: 3)
                s.bind(r.score, at: 4)
                try s.bind(r.reason, at: 5)
                try s.bind(r.metadata, at: 6)
                try s.bind(r.error, at: 7)
                s.bind(now, at: 8)
                try s.run()
            }
        }
    }
}
