// Review queues: traces matching a filter are assigned to a named reviewer (with a cap and seeded
// sampling); the reviewer lists their queue, opens an item, and records a verdict on its topic
// (confirm, reject, or relabel) with a comment. Verdicts feed the topic's confirmation status and are
// queryable: classifications.<facet>[0].metadata.review on the reviewed trace.

import Foundation
import SiftModel
import SiftStore
import SiftTopics

public final class Reviews {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Assigns matching traces to `reviewer`: at most `cap`, chosen by a seeded hash; traces already
    /// in that reviewer's queue are not assigned twice. Returns (assigned, already queued, matched).
    public func assign(reviewer: String, project: String, filter: String, cap: Int? = nil, seed: UInt64 = 42, facet: String = "Issues") throws -> (assigned: Int, existing: Int, matched: Int) {
        guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty else { throw ActionError("a reviewer needs a name") }
        let pid = try store.projectRow(named: project)
        let matched = try Scorers.matchingTraces(store: store, project: project, filter: filter)
        var ids = matched.map { ($0, Datasets.mix($0, seed)) }.sorted { $0.1 < $1.1 }.map(\.0)
        if let cap { ids = Array(ids.prefix(cap)) }
        let cls = Dictionary(try store.classifications(projectRow: pid, facet: facet).map { ($0.trace, $0.topic) }, uniquingKeysWith: { a, _ in a })
        let added = try store.assignReviews(projectRow: pid, reviewer: reviewer, facet: facet, items: ids.map { ($0, cls[$0] ?? nil) })
        return (added, ids.count - added, matched.count)
    }

    public func items(reviewer: String? = nil, includeDone: Bool = false) throws -> [ReviewItem] {
        try store.reviewItems(reviewer: reviewer, includeDone: includeDone)
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
        let pid = try store.projectRow(named: it.project)
        try store.transaction {
            try store.recordVerdict(item: id, verdict: verdict, label: label, comment: comment)
            // The verdict on the trace's classification, where queries see it.
            if let facet = it.facet {
                try store.updateClassificationMetadata(projectRow: pid, trace: it.trace, facet: facet) { meta in
                    var review: JSONObject = ["verdict": .string(verdict), "reviewer": .string(it.reviewer)]
                    if let label { review["label"] = .string(label) }
                    if let comment { review["comment"] = .string(comment) }
                    meta["review"] = .object(review)
                }
            }
            if let facet = it.facet, let topic = it.topicID { try updateConfirmation(pid: pid, facet: facet, topic: topic) }
        }
        return try item(id)
    }

    /// A topic is confirmed when more verdicts confirm it than reject or relabel it, rejected when
    /// fewer do, disputed on a tie.
    func updateConfirmation(pid: Int64, facet: String, topic: String) throws {
        guard let (yes, no) = try store.reviewTally(projectRow: pid, facet: facet, topic: topic) else { return }
        let status: String? = yes + no == 0 ? nil : yes > no ? "confirmed" : yes < no ? "rejected" : "disputed"
        try store.setTopicConfirmation(projectRow: pid, facet: facet, topic: topic, status: status)
    }
}
