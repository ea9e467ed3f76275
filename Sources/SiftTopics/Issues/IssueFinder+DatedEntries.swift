// Answers from an older entry of a dated list: a ticket's comments, an incident's updates, a
// record's history. When a result lists dated entries and the answer retells one that a later
// entry of the same list has overtaken ("we're investigating" after the update that says it is
// resolved), the answer is stale although every word of it came from a tool: the fresher source
// was in the same result. The answer must follow the older entry closely and the latest entry
// hardly at all, so an answer that tells the history, or only the latest news, is not flagged.
// Part of IssueFinder's grounding checks (IssueFinder+Grounding.swift).

import Foundation
import SiftModel

extension IssueFinder {
    struct DatedEntry {
        var seconds: Double
        var text: String
        var words: Set<String>
    }

    /// Lists of at least two objects that each carry a date and a text of some length, in the
    /// successful results before event `before`.
    func datedLists(before: Int) -> [(event: Int, entries: [DatedEntry])] {
        var out: [(Int, [DatedEntry])] = []
        for (ev, c) in calls where ev < before && !c.failed {
            func walk(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                switch v {
                case .array(let a):
                    let entries: [DatedEntry] = a.prefix(50).compactMap { x in
                        // Entries of one thing's history carry no identity of their own; a list of
                        // documents or records (each with an id, a title, a URL) is not a history.
                        guard case .object(let o) = x, !o.contains(where: { k, _ in Self.namesAnObject(k) }) else { return nil }
                        var date: Double?, text = ""
                        for (_, y) in o {
                            guard let s = y.stringValue else { continue }
                            if date == nil, s.utf8.count >= 10, s.utf8.count <= 40, let d = Timestamp(iso8601: s) { date = d.seconds }
                            else if s.utf8.count >= 30, s.utf8.count > text.utf8.count { text = s }
                        }
                        guard let date, !text.isEmpty else { return nil }
                        return DatedEntry(seconds: date, text: text, words: Self.contentWords(text))
                    }
                    if entries.count >= 2, entries.count == min(a.count, 50) { out.append((ev, entries)) }
                    for x in a.prefix(50) { walk(x, depth: depth + 1) }
                case .object(let o):
                    for (_, x) in o { walk(x, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        return out
    }

    static func namesAnObject(_ key: String) -> Bool {
        let k = key.lowercased()
        return k == "id" || k.hasSuffix("_id") || k.hasSuffix("id") && k.count <= 6 || ["title", "url", "name", "sku", "uri", "link"].contains(k)
    }

    mutating func olderEntries() {
        let lists = datedLists(before: t.events.count)
        guard !lists.isEmpty else { return }
        for (i, e) in t.events.enumerated() {
            guard case .assistant(let answer) = e else { continue }
            let said = Self.contentWords(answer)
            guard said.count >= 4 else { continue }
            for (ev, entries) in lists where ev < i {
                guard let latest = entries.max(by: { $0.seconds < $1.seconds }) else { continue }
                func echo(_ x: DatedEntry) -> Double { x.words.isEmpty ? 0 : Double(x.words.intersection(said).count) / Double(x.words.count) }
                guard let told = entries.filter({ $0.seconds < latest.seconds }).max(by: { echo($0) < echo($1) }) else { continue }
                let shared = told.words.intersection(said).count
                // The answer retells the older entry, and next to nothing of what only the latest one says.
                let news = latest.words.subtracting(told.words)
                guard shared >= 4, echo(told) >= 0.5, news.count >= 3, Double(news.intersection(said).count) <= 0.2 * Double(news.count) else { continue }
                add(.staleContext, "The answer retells an older entry of a list whose latest entry says something else.",
                    [(span(i), answer), (span(ev), "latest entry: " + latest.text)])
                return
            }
        }
    }
}
