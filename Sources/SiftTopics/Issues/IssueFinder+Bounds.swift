// Bounds a tool result states and a later write goes past: a plan longer than the "max_months" the
// arrangement's own result allows, a Direct Debit below its "minimum_without_review", a refund above
// the "refundable_amount"; and a write whose own result shows a value above the maximum beside it.
// TRAIL's "instruction non-compliance" and tau-bench's policy faults read the same way: the system
// said how far the agent may go, and it went further.
// Part of IssueFinder (IssueFinder.swift), with the other constraints (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    /// A numeric bound of one object, stated by a successful result.
    struct Bound {
        var stem: Set<String>       // what it bounds, besides its bound word ("max_months": months)
        var value: Double
        var isMax: Bool
        var families: Set<String>   // for an "-able" amount: the action it bounds (refundable: refund)
        var verb: String?           // and the stem a write's name must hold ("refun": a credit is no refund)
        var key: String
        var toolStems: Set<String>  // what the tool that stated it handles (get_direct_debit: direc, debit)
        var ids: Set<String>
        var event: Int
        var quote: String
    }

    static let maxWords: Set<String> = ["max", "maximum", "limit"]
    static let minWords: Set<String> = ["min", "minimum"]
    /// Words of a bound's key that say nothing of what it bounds.
    static let boundNoise: Set<String> = ["max", "maximum", "limit", "min", "minimum", "without", "review", "approval", "allowed", "permitted",
                                          "per", "value", "the", "current", "new", "amount", "allowable", "eligible"]
    /// Words that make a bound with no other subject a bound on an amount ("minimum_without_review",
    /// "max_refund"); a bare "limit" or "max" is as often a page size.
    static let amountBoundWords: Set<String> = ["amount", "price", "total", "cost", "fee", "charge", "refund", "credit", "payment", "without", "review", "approval"]

    /// Bounds stated by the fields of one result.
    func bounds(in c: ToolCall, event: Int) -> [Bound] {
        var out: [Bound] = []
        let callIDs = Self.namedIDs(c)
        let toolStems = Self.stems(c.name).subtracting(Self.readVerbs.map { String($0.prefix(5)) })
        func walk(_ v: Value, depth: Int) {
            guard depth < 6 else { return }
            switch v {
            case .object(let o):
                var ids = callIDs
                for (k, x) in o where Self.keyClass(k).names { if let s = x.stringValue { for id in Self.keyedIDs(k.lowercased(), s) { ids.insert(Facts.normalizedID(id)) } } }
                for (k, x) in o {
                    guard let m = x.doubleValue else { walk(x, depth: depth + 1); continue }
                    let words = Self.keyWords(k)
                    let ws = Set(words)
                    let able = words.filter { $0.count > 6 && $0.hasSuffix("able") && $0 != "available" }
                    let isMax = !ws.isDisjoint(with: Self.maxWords), isMin = !ws.isDisjoint(with: Self.minWords)
                    var families = Set<String>()
                    var verb: String?
                    if !isMax && !isMin {
                        // "refundable_amount": 162.24 bounds a refund.
                        guard let a = able.first, ws.contains("amount") || ws.contains("balance") else { continue }
                        families = Self.families(a)
                        verb = String(a.prefix(5))
                        guard !families.isEmpty else { continue }
                    }
                    guard isMax != isMin || !families.isEmpty else { continue }
                    let stem = ws.subtracting(Self.boundNoise).subtracting(able)
                    if stem.isEmpty && ws.isDisjoint(with: Self.amountBoundWords) && families.isEmpty { continue }
                    out.append(Bound(stem: stem, value: m, isMax: !isMin, families: families, verb: verb, key: k.lowercased(), toolStems: toolStems, ids: ids, event: event,
                                     quote: "\(c.name) -> \(k): \(JSONWriter.string(x))"))
                }
            case .array(let a):
                for x in a.prefix(50) { walk(x, depth: depth + 1) }
            default: break
            }
        }
        walk(c.resultValue, depth: 0)
        return out
    }

    /// A policy's limit relative to a value a tool reports: "Direct Debit amounts must not be set
    /// more than 25% below the recommended amount". `subject`: stems a write must name (direc,
    /// debit); `field`: stems of the reported field (recom); `below`: the direction.
    typealias RelativeLimit = (subject: Set<String>, field: Set<String>, percent: Double, below: Bool, quote: String)
    static let relativeMemo = TextMemo<[RelativeLimit]>()
    nonisolated(unsafe) static let relativePattern = Facts.compiled(
        #"^(.*?)\b(?:must not|may not|cannot|can't|should not|never)\b.*?\bmore than\s+(\d{1,2}(?:\.\d+)?)\s?%\s+(below|under|lower than|less than|above|over|higher than)\s+(?:the|their|its|our)?\s*((?:[a-z-]+\s+){0,2}?)(?:amount|price|value|figure|level|rate)\b"#)

    static let earlierWords: Set<String> = ["previous", "prev", "old", "prior", "former", "last", "original", "was"]

    static func relativeLimits(_ text: String) -> [RelativeLimit] {
        guard let re = relativePattern, text.contains("%") else { return [] }
        var out: [RelativeLimit] = []
        for sentence in Facts.sentences(text) where sentence.utf8.count < 400 && sentence.contains("%") {
            let ns = sentence as NSString
            guard let m = re.firstMatch(in: sentence, range: NSRange(location: 0, length: ns.length)),
                  let pct = Double(ns.substring(with: m.range(at: 2))) else { continue }
            let field = stems(ns.substring(with: m.range(at: 4)))
            guard !field.isEmpty else { continue }
            let direction = ns.substring(with: m.range(at: 3)).lowercased()
            let below = ["below", "under", "lower than", "less than"].contains(direction)
            out.append((subjectWords(ns.substring(with: m.range(at: 1))), field, pct, below, sentence.trimmingCharacters(in: .whitespaces)))
        }
        return out
    }

    /// Writes that set an amount further from a reported value than the policy allows.
    mutating func relativeLimitBreaches(_ writes: [(index: Int, call: ToolCall)]) {
        let limits = t.system.flatMap { Self.relativeMemo.values(byLine: $0, Self.relativeLimits).joined() }
        guard !limits.isEmpty else { return }
        for (ev, w) in writes {
            let rules = limits.filter { Self.names(w, $0.subject) }
            guard !rules.isEmpty, let leaves = Self.argumentLeaves(w) else { continue }
            let named = Self.namedIDs(w)
            for r in rules {
                // The latest value an earlier result about the same account reports under that field:
                // the field itself, not an earlier version of it ("previous_recommended"); the plainest
                // name when several fit.
                var reported: (value: Double, event: Int, key: String)?
                for (e, c) in calls where e < ev && !c.failed && !c.isRetrieval && !Self.namedIDs(c).isDisjoint(with: named) {
                    let fits = Self.leaves(c.resultValue).compactMap { rk, rv -> (key: String, path: String, value: Double)? in
                        let key = rk.split(separator: ".").last.map(String.init) ?? rk
                        guard let v = rv.doubleValue, v > 0, r.field.isSubset(of: Self.stems(key)),
                              Set(Self.keyWords(rk.lowercased().replacingOccurrences(of: ".", with: " "))).isDisjoint(with: Self.earlierWords) else { return nil }
                        return (key, rk, v)
                    }.sorted { ($0.key.count, $0.key, $0.path) < ($1.key.count, $1.key, $1.path) }
                    if let f = fits.first { reported = (f.value, e, f.key) }
                }
                guard let rep = reported else { continue }
                let bound = r.below ? rep.value * (1 - r.percent / 100) : rep.value * (1 + r.percent / 100)
                for (k, x) in leaves {
                    guard let d = x.doubleValue, ByteText.any(k, Self.amountKeys), r.below ? d < bound - 0.005 : d > bound + 0.005 else { continue }
                    add(.policyViolation, "The agent ran \(w.name) with \(k) further from the \(rep.key) than the policy allows.",
                        [(nil, "policy: " + r.quote), (span(rep.event), "\(rep.key): \(Facts.numberKey(rep.value))"), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                    return
                }
            }
        }
    }

    /// Writes that go past a bound an earlier result stated for the same object or account, and
    /// writes whose own result shows a value above the maximum beside it.
    mutating func statedBounds(_ writes: [(index: Int, call: ToolCall)]) {
        // A write whose own result shows a value above the maximum beside it ("total_quota_gb":
        // 52224 with "max_quota_gb": 51200): the system took it, the limit says it should not have.
        for (ev, w) in writes {
            if let over = Self.aboveMaximum(w.resultValue) {
                add(.policyViolation, "The agent ran \(w.name), which left a value above the maximum its result states.",
                    [(span(ev), "\(w.name) -> \(over)")])
                break
            }
        }
        relativeLimitBreaches(writes)
        var found: [Bound] = []
        var read = -1
        for (ev, w) in writes {
            for (e, c) in calls where e > read && e < ev && !c.failed && !c.isRetrieval { found += bounds(in: c, event: e) }
            read = max(read, ev - 1)
            guard !found.isEmpty, let leaves = Self.argumentLeaves(w) else { continue }
            let named = Self.namedIDs(w)
            let fam = Self.families(w.name)
            let writeStems = Self.stems(w.name)
            for (k, x) in leaves {
                let kw = Set(Self.keyWords(k))
                // A write that sets a limit ("daily_limit": 2000) changes it; it is not judged by it.
                guard let d = x.doubleValue, kw.isDisjoint(with: Self.maxWords), kw.isDisjoint(with: Self.minWords) else { continue }
                let stem = kw.subtracting(Self.boundNoise)
                let isAmount = ByteText.any(k, Self.amountKeys)
                // The bounds that apply, the latest of them: a limit raised later is the limit. A bound
                // on no subject of its own ("minimum_without_review") holds for writes of what the tool
                // that stated it handles (get_direct_debit: update_direct_debit, not a refund).
                let applicable = found.filter { b in
                    (b.families.isEmpty || (!b.families.isDisjoint(with: fam) && b.verb.map { w.name.lowercased().contains($0) } ?? true))
                        && (b.stem.isEmpty ? isAmount && stem.isEmpty || isAmount && b.families.count > 0 : b.stem == stem)
                        && (!b.stem.isEmpty || !b.families.isEmpty || !b.toolStems.isDisjoint(with: writeStems))
                        && !b.ids.isDisjoint(with: named)
                }
                guard let latest = applicable.last else { continue }
                // Options of one result ("max_months" 6 or 24): the most the options allow.
                let options = applicable.filter { $0.event == latest.event && $0.key == latest.key }
                let limit = latest.isMax ? options.map(\.value).max()! : options.map(\.value).min()!
                var b = latest
                b.value = limit
                if b.isMax ? d > limit + 0.005 : d < limit - 0.005 {
                    // The amount an earlier result gave before this one revised it: the write acted on
                    // outdated information ("refundable_amount" 212.31, then 120.35 after a new bill).
                    if let old = found.first(where: { $0.key == b.key && $0.event < b.event && !$0.ids.isDisjoint(with: b.ids) && abs($0.value - d) < 0.005 }) {
                        add(.staleContext, "The agent ran \(w.name) with the \(k) an earlier result gave, after a later one revised it.",
                            [(span(old.event), old.quote), (span(b.event), b.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                        return
                    }
                    add(.policyViolation, "The agent ran \(w.name) with \(k) \(b.isMax ? "above the maximum" : "below the minimum") a tool result stated.",
                        [(span(b.event), b.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                    return
                }
            }
        }
    }

    /// "key: value > maxKey: max" for the first field of an object above its sibling maximum.
    static func aboveMaximum(_ v: Value, depth: Int = 0) -> String? {
        guard depth < 6 else { return nil }
        switch v {
        case .object(let o):
            let noise: Set<String> = ["max", "maximum", "limit", "total", "current", "new", "the"]
            func stem(_ k: String) -> Set<String> { Set(keyWords(k)).subtracting(noise) }
            for (mk, mx) in o {
                guard let m = mx.doubleValue, !Set(keyWords(mk)).isDisjoint(with: maxWords) else { continue }
                let ms = stem(mk)
                guard !ms.isEmpty else { continue }
                for (k, x) in o where k != mk {
                    if let d = x.doubleValue, stem(k) == ms, Set(keyWords(k)).isDisjoint(with: maxWords), d > m {
                        return "\(k): \(JSONWriter.string(x)) > \(mk): \(JSONWriter.string(mx))"
                    }
                }
            }
            for (_, x) in o { if let f = aboveMaximum(x, depth: depth + 1) { return f } }
        case .array(let a):
            for x in a.prefix(50) { if let f = aboveMaximum(x, depth: depth + 1) { return f } }
        default: break
        }
        return nil
    }

}
