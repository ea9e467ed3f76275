// Answers from an older result when another tool has since reported the same object anew: a list
// says a dispute is "under_review" and the dispute's own status lookup says "resolved"; an order
// result promises delivery on the 18th and the tracking lookup says the 24th; a points balance of
// 17,173 before a redemption whose result says 14,673 remain. The agent then answers with the old
// value. The RAG literature's stale context, where the fresher evidence is in the trace itself (and
// IssueFinder+Superseded.swift has the same tool called twice).
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
    /// A scalar field of an identified object in a result.
    struct ObjectField {
        var event: Int
        var tool: String
        var key: String
        var value: Value
        /// The object's own identifiers (inherited from the object holding it when it has none).
        var own: Set<String>
        /// Its own, and for a result's top object what its call was about.
        var about: Set<String>
    }

    /// Words a later field adds to name the same quantity now ("remaining_points" after "points").
    static let refreshWords: Set<String> = ["remaining", "current", "new", "updated", "latest", "revised", "now", "live", "outstanding"]
    /// Words that name a unit, not the quantity.
    static let quantityUnitWords: Set<String> = ["pence", "cents", "cent", "minor", "value", "amount", "usd", "gbp", "eur"]

    /// Fields that change on every call without saying anything about the object ("remaining" is a
    /// quantity here: "remaining_points").
    static let objectVolatileKeys = volatileKeys.filter { $0 != "remaining" }

    /// Whether `newer` names the quantity `older` names: the same key, or its words (less units) and
    /// words that say "now".
    static func sameQuantity(_ older: String, _ newer: String) -> Bool {
        // A bare "amount" or "value" names a different quantity in every tool's result.
        let a = Set(keyWords(older)).subtracting(quantityUnitWords), b = Set(keyWords(newer)).subtracting(quantityUnitWords)
        return !a.isEmpty && (older == newer || a.isSubset(of: b) && b.subtracting(a).isSubset(of: refreshWords))
    }

    /// A key's words less units, and those less the words that say "now", each as one text ("" for
    /// none): [full, core]. Keys repeat in every trace, so each is read once per run.
    static let keySignatures = TextMemo<[String]>(minBytes: 0, maxBytes: 1 << 20)
    static func signatures(_ k: String) -> [String] {
        keySignatures.value(k) { k in
            let w = Set(keyWords(k.lowercased())).subtracting(quantityUnitWords)
            return [w, w.subtracting(refreshWords)].map { $0.sorted().joined(separator: " ") }
        }
    }

    /// An object's identifiers, worked out only when one of its fields (or a field of an object it
    /// holds) is kept.
    final class LazyIDs {
        let make: () -> Set<String>
        lazy var value: Set<String> = make()
        init(_ make: @escaping () -> Set<String>) { self.make = make }
    }

    /// The fields of identified objects whose key names a quantity some other tool's result also
    /// names (by `sameQuantity`'s words): the only ones an older result can have given.
    func objectFields() -> [ObjectField] {
        let results = calls.filter { !$0.call.failed && !$0.call.isRetrieval }
        // Which key words each tool's results hold (a key's own, and less the words that say "now").
        var tools: [String: Set<String>] = [:]
        for (_, c) in results {
            func keys(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                switch v {
                case .object(let o): for (k, x) in o { if case .object = x { keys(x, depth: depth + 1) } else if case .array = x { keys(x, depth: depth + 1) } else { for s in Self.signatures(k) where !s.isEmpty { tools[s, default: []].insert(c.name) } } }
                case .array(let a): for x in a.prefix(50) { keys(x, depth: depth + 1) }
                default: break
                }
            }
            keys(c.resultValue, depth: 0)
        }
        let shared = Set(tools.filter { $0.value.count >= 2 }.keys)
        guard !shared.isEmpty else { return [] }
        var out: [ObjectField] = []
        for (ev, c) in results {
            let callIDs = Self.argumentIdentity(c)
            func walk(_ v: Value, inherited: LazyIDs?, depth: Int) {
                guard depth < 6, out.count < 2000 else { return }
                switch v {
                case .object(let o):
                    let own = LazyIDs { let mine = objectIDs(o, tool: c.name).filter { !$0.hasPrefix("name:") }; return mine.isEmpty ? inherited?.value ?? [] : mine }
                    for (k, x) in o {
                        switch x {
                        case .object, .array: walk(x, inherited: own, depth: depth + 1)
                        case .string(let s) where s.count <= 80: fallthrough
                        case .int, .double:
                            guard Self.signatures(k).contains(where: shared.contains), !ByteText.any(k.lowercased(), Self.objectVolatileKeys) else { continue }
                            let about = depth == 0 ? own.value.union(callIDs) : own.value
                            guard !about.isEmpty else { continue }
                            out.append(ObjectField(event: ev, tool: c.name, key: k.lowercased(), value: x, own: own.value, about: about))
                        default: break
                        }
                    }
                case .array(let a): for x in a.prefix(50) { walk(x, inherited: inherited, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, inherited: nil, depth: 0)
        }
        return out
    }

    /// The days of every date a text writes.
    static func writtenDays(_ text: String) -> Set<Int> {
        let b = ByteText.lower(text)
        var out = Set<Int>(), from = 0
        while from < b.count, let (day, end) = writtenDay(Array(b[from...])) {
            out.insert(day)
            from += max(end, 1)
        }
        return out
    }

    mutating func answersFromAnOlderResult() {
        guard !findings.contains(where: { $0.kind == .staleContext }), Set(calls.map(\.call.name)).count >= 2 else { return }
        let fields = objectFields()
        guard fields.count >= 2 else { return }
        // Fields by the words of their key (less units), so each field meets only the older fields
        // that can name its quantity (`sameQuantity`): its own words, or those less "remaining", "new"...
        let sigs = fields.map { Self.signatures($0.key) }
        var byWords: [String: [Int]] = [:]
        for (i, s) in sigs.enumerated() where !s[0].isEmpty { byWords[s[0], default: []].append(i) }
        for (bi, b) in fields.enumerated() {
            let (full, core) = (sigs[bi][0], sigs[bi][1])
            guard !core.isEmpty else { continue }
            var older = byWords[core] ?? []
            if core != full { older += byWords[full] ?? [] }
            older.removeAll { $0 >= bi || fields[$0].event >= b.event || fields[$0].tool == b.tool }
            guard !older.isEmpty, let (at, answer) = reply(after: b.event) else { continue }
            for a in older.map({ fields[$0] }) where Self.sameQuantity(a.key, b.key) {
                // Whether a text states the old value, and the new one.
                let saysOld: (String) -> Bool, saysNew: (String) -> Bool
                var contrast = Self.contrastCues
                switch (a.value, b.value) {
                case (.string(let o), .string(let n)):
                    // The same object by its own identifiers; a date, or a state as a word.
                    guard !a.own.isEmpty, !a.own.isDisjoint(with: b.own) else { continue }
                    let lo = o.lowercased(), ln = n.lowercased()
                    guard lo != ln, !lo.contains(ln), !ln.contains(lo) else { continue }
                    if let od = Timestamp(iso8601: o), let nd = Timestamp(iso8601: n) {
                        let d0 = Int((od.seconds / 86400).rounded(.down)), d1 = Int((nd.seconds / 86400).rounded(.down))
                        guard d0 != d1 else { continue }
                        saysOld = { Self.writtenDays($0).contains(d0) }; saysNew = { Self.writtenDays($0).contains(d1) }
                        // ("should arrive by the 18th, before you travel", "from 2024-09-18" set nothing against the date.)
                        contrast.removeAll { $0 == "before" || $0 == " from " }
                    } else {
                        // A write's status is its own operation's ("applied"), not the object's state.
                        guard !Self.isWrite(a.tool), !Self.isWrite(b.tool), lo.count >= 5, Facts.identifiers(o).isEmpty, Facts.identifiers(n).isEmpty, lo.contains(where: \.isLetter) else { continue }
                        saysOld = { Self.saysValue($0, o) }; saysNew = { Self.saysValue($0, n) }
                    }
                default:
                    guard !a.about.isDisjoint(with: b.about), let o = a.value.doubleValue, let n = b.value.doubleValue,
                          abs(o - n) > 0.0051, abs(o) >= 100 || o != o.rounded() else { continue }   // (a day of the month, a count of 20: said of many things)
                    let oldFactors = Self.unitFactors(a.key), newFactors = Self.unitFactors(b.key)
                    saysOld = { Self.numbersIn($0).contains { Self.states($0, o, oldFactors) } }
                    saysNew = { Self.numbersIn($0).contains { Self.states($0, n, newFactors) } }
                }
                guard saysOld(answer), !saysNew(answer) else { continue }
                // A later result that gives the old value again makes it current; an answer that sets
                // the old value against something ("was", "previously") reports the change.
                if fields[(bi + 1)...].contains(where: { $0.event < at && $0.key == a.key && $0.value == a.value }) { continue }
                let quote = Facts.sentences(answer).first(where: saysOld) ?? answer
                if ByteText.any(" " + quote.lowercased() + " ", contrast) { continue }
                add(.staleContext, "The answer gave a value of \(a.tool) that a later result of \(b.tool) had replaced.",
                    [(span(a.event), "\(a.tool) -> \(a.key): \(JSONWriter.string(a.value))"),
                     (span(b.event), "\(b.tool) -> \(b.key): \(JSONWriter.string(b.value))"), (span(at), answer)])
                return
            }
        }
    }
}
