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
                    out.append(Bound(stem: stem, value: m, isMax: !isMin, families: families, verb: verb, key: k.lowercased(), ids: ids, event: event,
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
        var found: [Bound] = []
        var read = 0
        for (ev, w) in writes {
            for (e, c) in calls where e > read && e < ev && !c.failed && !c.isRetrieval { found += bounds(in: c, event: e) }
            read = max(read, ev - 1)
            guard !found.isEmpty, let leaves = Self.argumentLeaves(w) else { continue }
            let named = Self.namedIDs(w)
            let fam = Self.families(w.name)
            for (k, x) in leaves {
                guard let d = x.doubleValue else { continue }
                let kw = Set(Self.keyWords(k))
                let stem = kw.subtracting(Self.boundNoise)
                let isAmount = ByteText.any(k, Self.amountKeys)
                if let b = found.last(where: { b in
                    (b.families.isEmpty || (!b.families.isDisjoint(with: fam) && b.verb.map { w.name.lowercased().contains($0) } ?? true))
                        && (b.stem.isEmpty ? isAmount && stem.isEmpty || isAmount && b.families.count > 0 : b.stem == stem)
                        && !b.ids.isDisjoint(with: named)
                        && (b.isMax ? d > b.value + 0.005 : d < b.value - 0.005)
                }) {
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
            let bounds: Set<String> = ["max", "maximum", "limit"]
            let noise: Set<String> = ["max", "maximum", "limit", "total", "current", "new", "the"]
            func stem(_ k: String) -> Set<String> { Set(keyWords(k)).subtracting(noise) }
            for (mk, mx) in o {
                guard let m = mx.doubleValue, !Set(keyWords(mk)).isDisjoint(with: bounds) else { continue }
                let ms = stem(mk)
                guard !ms.isEmpty else { continue }
                for (k, x) in o where k != mk {
                    if let d = x.doubleValue, stem(k) == ms, Set(keyWords(k)).isDisjoint(with: bounds), d > m {
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
