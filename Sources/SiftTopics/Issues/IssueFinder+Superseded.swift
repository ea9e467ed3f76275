// Answers from a result that a later call superseded: the agent looked the same thing up again (a
// refresh, a re-check after the user changed something) and got a different value, but answered
// with the old one. The RAG literature's "stale context" in its plainest form: the trace itself
// holds the newer evidence, from the same tool, under the same field.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
    /// Fields that change on every call without saying anything about the object.
    static let volatileKeys = ["request_id", "trace_id", "duration", "rate_limit", "remaining", "reset", "served_by", "region", "_meta", "latency",
                               "timestamp", "checked_at", "fetched_at", "generated_at", "as_of", "_at", "etag", "cursor", "page"]

    /// The scalar leaves of a result, by path, without volatile fields, identifiers or dates.
    static func leaves(_ v: Value) -> [String: Value] {
        var out: [String: Value] = [:]
        func walk(_ v: Value, _ path: String, depth: Int) {
            guard depth < 8, out.count < 400 else { return }
            switch v {
            case .object(let o):
                for (k, x) in o where !ByteText.any(k.lowercased(), volatileKeys) { walk(x, path + "." + k, depth: depth + 1) }
            case .array(let a):
                for (i, x) in a.prefix(50).enumerated() { walk(x, path + "[\(i)]", depth: depth + 1) }
            case .string(let s):
                guard s.count >= 4, s.count <= 40, Facts.identifiers(s).isEmpty, Timestamp(iso8601: s) == nil,
                      s.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) else { return }
                out[path] = v
            case .int, .double:
                out[path] = v
            default: break
            }
        }
        walk(v, "", depth: 0)
        return out
    }

    /// Every number in a text, and the other reading of those written with dots or a comma the
    /// European way.
    static func numbersIn(_ text: String) -> [(value: Double, decimals: Int)] {
        var out: [(Double, Int)] = []
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            guard ByteText.isDigit(b[i]), i == 0 || !(ByteText.isAlnum(b[i - 1]) || b[i - 1] == UInt8(ascii: "-") || b[i - 1] == UInt8(ascii: "_")) else { i += 1; continue }
            var k = i
            while k < b.count, ByteText.isDigit(b[k]) || ((b[k] == UInt8(ascii: ",") || b[k] == UInt8(ascii: ".")) && k + 1 < b.count && ByteText.isDigit(b[k + 1])) { k += 1 }
            guard k >= b.count || !ByteText.isLetter(b[k]) || b[k] == UInt8(ascii: "G") || b[k] == UInt8(ascii: "M") || b[k] == UInt8(ascii: "T") else { i = k; continue }
            let w = String(decoding: b[i..<k], as: UTF8.self)
            let f = Fact(kind: .quantity, key: "", number: Facts.number(w), text: w)
            if let v = f.number { out.append((v, w.split(separator: ".").dropFirst().first?.count ?? 0)) }
            if let alt = EvidencePool.groupedByDots(f) { out.append((alt, w.contains(",") ? (w.split(separator: ",").last?.count ?? 0) : 0)) }
            i = k
        }
        return out
    }

    /// Whether a stated number is `x` in some unit of data or time, rounded as written.
    static func states(_ stated: (value: Double, decimals: Int), _ x: Double) -> Bool {
        var half = 0.5
        for _ in 0..<min(stated.decimals, 6) { half /= 10 }
        for k in EvidencePool.dataFactors + [60, 3600, 86400] where abs(x / k - stated.value) <= half * 1.000001 && (k == 1 || x / k >= 1) { return true }
        return false
    }

    mutating func supersededValues() {
        // The same lookup again: the same tool about the same object (the same identifiers in its
        // arguments, or the same arguments); the same tool about another invoice is another fact.
        var byLookup: [String: [(index: Int, leaves: [String: Value])]] = [:]
        var names: [String: String] = [:]
        for (i, c) in calls where !c.failed && !c.isRetrieval {
            let ids = Self.argumentIdentity(c).sorted()
            let key = c.name + "\u{1}" + (ids.isEmpty ? c.arguments : ids.joined(separator: ","))
            names[key] = c.name
            byLookup[key, default: []].append((i, Self.leaves(c.resultValue)))
        }
        for (key, results) in byLookup where results.count >= 2 {
            let name = names[key]!
            for (a, b) in zip(results, results.dropFirst()) {
                for (path, old) in a.leaves {
                    guard let new = b.leaves[path], old != new else { continue }
                    // The first answer after the newer result, and before the tool is called again.
                    let end = results.first(where: { $0.index > b.index })?.index ?? t.events.count
                    guard let (at, answer) = reply(after: b.index), at < end else { continue }
                    let stated = Self.numbersIn(answer)
                    var oldSaid = false, newSaid = false
                    switch (old, new) {
                    case (.string(let o), .string(let n)):
                        let l = answer.lowercased()
                        func said(_ s: String) -> Bool {
                            let w = s.lowercased().replacingOccurrences(of: "_", with: " ")
                            return ByteText.hasCue(ByteText.lower(l), Array(w.utf8)) || ByteText.hasCue(ByteText.lower(l), Array(s.lowercased().utf8))
                        }
                        // One value inside the other ("compliant", "non_compliant") tells nothing.
                        guard !o.lowercased().contains(n.lowercased()), !n.lowercased().contains(o.lowercased()) else { continue }
                        oldSaid = said(o); newSaid = said(n)
                    default:
                        guard let o = old.doubleValue, let n = new.doubleValue, abs(o) >= 10, abs(o - n) > 0.0051 else { continue }
                        oldSaid = stated.contains { Self.states($0, o) }
                        newSaid = stated.contains { Self.states($0, n) }
                    }
                    if oldSaid && !newSaid {
                        add(.staleContext, "The answer repeated a value of \(name) that a later call of \(name) had replaced.",
                            [(span(a.index), "\(name) -> \(path.dropFirst()): \(JSONWriter.string(old))"),
                             (span(b.index), "\(name) again -> \(path.dropFirst()): \(JSONWriter.string(new))"), (span(at), answer)])
                        return
                    }
                }
            }
        }
    }
}
