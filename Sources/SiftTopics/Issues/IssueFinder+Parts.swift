// The parts of an object a policy rule is about: a rule that names one part ("Basic economy flights
// cannot be modified") does not hold for a write that changes another part of the same object, or
// that gives the part the value it already has.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
    /// The stems of the fields that are parts of the objects carrying one of `ids` in earlier results:
    /// keys whose value is not an identifier ("passengers", "flights", "total_baggages"), so not
    /// the object's own name ("reservation_id").
    func objectParts(ids: Set<String>, before event: Int) -> Set<String> {
        var out = Set<String>()
        forEachObject(carrying: ids, before: event) { o in
            for (k, _) in o where !Self.isIDKey(k) {
                for w in Self.keyWords(k) where w.count >= 4 && w.allSatisfy(\.isLetter) { out.insert(String(w.prefix(5))) }
            }
        }
        return out
    }

    /// Whether a write changes a part of an object other than the part a rule restricts: the rule
    /// names its part ("Basic economy flights cannot be modified": flights), the object holds that part
    /// and the one the tool's name names as fields (update_reservation_passengers: passengers), and the
    /// tool's name does not name the restricted part. A tool naming only the object itself
    /// (cancel_reservation, modify_order) changes the whole, and the rule holds for it.
    static func changesAnotherPart(_ tool: String, head: String?, parts: Set<String>) -> Bool {
        guard let head, parts.contains(head) else { return false }
        let named = Set(nameWords(tool).filter { $0.count >= 4 && !readVerbs.contains($0) && !writeVerbs.contains($0) }.map { String($0.prefix(5)) })
        return !named.contains(head) && !named.intersection(parts).isEmpty
    }

    /// Whether a write sets the part a rule restricts to what the object already holds there
    /// (update_reservation_flights with the booking's own flights, to change its cabin): the part is
    /// not changed. Every text the write gives for the part must be in the part's current value.
    func keepsPart(_ w: ToolCall, head: String?, ids: Set<String>, before event: Int) -> Bool {
        guard let head, case .object(let args)? = try? JSONReader.parse(w.arguments) else { return false }
        func isPart(_ key: String) -> Bool { !Self.isIDKey(key) && Self.keyWords(key).contains { String($0.prefix(5)) == head } }
        func texts(_ v: Value, _ depth: Int = 0, into out: inout Set<String>) {
            guard depth < 6 else { return }
            switch v {
            case .string(let s): out.insert(s)
            case .array(let a): for x in a.prefix(100) { texts(x, depth + 1, into: &out) }
            case .object(let o): for (_, x) in o { texts(x, depth + 1, into: &out) }
            default: break
            }
        }
        guard let given = args.first(where: { isPart($0.0) })?.1 else { return false }
        var wanted = Set<String>()
        texts(given, into: &wanted)
        guard !wanted.isEmpty else { return false }
        var held = Set<String>()
        forEachObject(carrying: ids, before: event) { o in
            for (k, x) in o where isPart(k) { texts(x, into: &held) }
        }
        return wanted.isSubset(of: held)
    }
}
