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
                guard s.count >= 4, s.count <= 120, Facts.identifiers(s).isEmpty, Timestamp(iso8601: s) == nil,
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
            // A part of a date or a time ("17/06/2025", "12:40") is no amount.
            let slash = UInt8(ascii: "/"), colon = UInt8(ascii: ":")
            if (k < b.count && (b[k] == slash || b[k] == colon) && k + 1 < b.count && ByteText.isDigit(b[k + 1]))
                || (i > 0 && (b[i - 1] == slash || b[i - 1] == colon)) { i = k; continue }
            let w = String(decoding: b[i..<k], as: UTF8.self)
            let f = Fact(kind: .quantity, key: "", number: Facts.number(w), text: w)
            if let v = f.number { out.append((v, w.split(separator: ".").dropFirst().first?.count ?? 0)) }
            if let alt = EvidencePool.groupedByDots(f) { out.append((alt, w.contains(",") ? (w.split(separator: ",").last?.count ?? 0) : 0)) }
            i = k
        }
        return out
    }

    /// The scales a field's value may be restated in: data for a field in bytes, KB, MB or GB,
    /// time for one in (milli)seconds or minutes, none for the rest.
    static func lastKey(_ path: String) -> String { path.split(whereSeparator: { $0 == "." || $0 == "[" }).last.map { $0.lowercased() } ?? "" }

    static func unitFactors(_ path: String) -> [Double] {
        let key = lastKey(path)
        if ["_mb", "_gb", "_kb", "_tb", "bytes"].contains(where: { key.hasSuffix($0) }) { return EvidencePool.dataFactors }
        if ["_s", "_ms", "seconds", "_sec", "_min", "minutes"].contains(where: { key.hasSuffix($0) }) { return [1, 60, 3600, 86400, 1000] }
        // Money in minor units ("refund_due_minor": 1129 is £11.29).
        if ["_minor", "_cents", "_pence", "_cent"].contains(where: { key.hasSuffix($0) }) { return [100, 1] }
        return [1]
    }

    /// Whether a stated number is `x` in one of the field's scales, rounded as written.
    static func states(_ stated: (value: Double, decimals: Int), _ x: Double, _ factors: [Double]) -> Bool {
        var half = 0.5
        for _ in 0..<min(stated.decimals, 6) { half /= 10 }
        for k in factors where abs(x / k - stated.value) <= half * 1.000001 && (k == 1 || x / k >= 1) { return true }
        return false
    }

    mutating func supersededValues() {
        // The same lookup again: the same tool about the same object (the same identifiers in its
        // arguments, or the same arguments); the same tool about another invoice is another fact.
        var byKey: [String: [(index: Int, call: ToolCall)]] = [:]
        var counts: [String: Int] = [:]
        for (_, c) in calls where !c.failed && !c.isRetrieval { counts[c.name, default: 0] += 1 }
        for (i, c) in calls where !c.failed && !c.isRetrieval && counts[c.name]! >= 2 {
            let ids = Self.argumentIdentity(c).sorted()
            // Arguments redaction replaced ("<EMAIL>") no longer tell two lookups apart.
            guard !ids.isEmpty || !c.arguments.contains(">\"") else { continue }
            byKey[c.name + "\u{1}" + (ids.isEmpty ? c.arguments : ids.joined(separator: ",")), default: []].append((i, c))
        }
        for (_, group) in byKey where group.count >= 2 {
            let name = group[0].call.name
            let results = group.map { (index: $0.index, leaves: Self.leaves($0.call.resultValue)) }
            for (a, b) in zip(results, results.dropFirst()) {
                for (path, old) in a.leaves {
                    guard let new = b.leaves[path], old != new else { continue }
                    // The answers after the newer result, until the tool is called again (the answer after
                    // a write that followed a re-quote); a later result that gives the old value again
                    // (the user chose the first quote) makes it current.
                    let end = results.first(where: { $0.index > b.index })?.index ?? t.events.count
                    var from = b.index
                    answers: while let (at, answer) = reply(after: from), at < end {
                        // Past the first answer, only amounts of the object's own fields (a list's
                        // second entry may be another object in the next result; "paid" and a count
                        // of 12 are said of many things).
                        // Two calls with no turn between them are options shown together (a standard and an
                        // express quote), not one replacing the other: the user may choose the first.
                        if from != b.index, path.contains("[") || old.doubleValue == nil || !ByteText.any(Self.lastKey(path), Self.moneyKeys)
                            || !t.events[(a.index + 1)..<b.index].contains(where: { if case .user = $0 { return true } else { return false } }) { break answers }
                        from = at
                        if calls.contains(where: { $0.index > b.index && $0.index < at && !$0.call.failed && Self.holds($0.call.resultValue, old, path) }) { break answers }
                        let stated = Self.numbersIn(answer)
                        var oldSaid = false, newSaid = false
                        switch (old, new) {
                        case (.string(let o), .string(let n)):
                            // One value inside the other ("compliant", "non_compliant") tells nothing.
                            guard !o.lowercased().contains(n.lowercased()), !n.lowercased().contains(o.lowercased()) else { break answers }
                            oldSaid = Self.saysValue(answer, o); newSaid = Self.saysValue(answer, n)
                        default:
                            guard let o = old.doubleValue, let n = new.doubleValue, abs(o) >= 10, abs(o - n) > 0.0051 else { break answers }
                            let factors = Self.unitFactors(path)
                            oldSaid = stated.contains { Self.states($0, o, factors) }
                            newSaid = stated.contains { Self.states($0, n, factors) }
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
}

extension IssueFinder {
    /// Whether a text says a value as a whole word, "_" read as a space ("admin" is not said by
    /// "administrator"; "under_review" is said by "under review").
    static func saysValue(_ text: String, _ value: String) -> Bool {
        let lower = ByteText.lower(text.lowercased())
        for w in [value.lowercased().replacingOccurrences(of: "_", with: " "), value.lowercased()] {
            let c = Array(w.utf8)
            var from = 0
            while let i = ByteText.firstIndex(of: c, in: lower, from: from) {
                let e = i + c.count
                if (i == 0 || !ByteText.isWordByte(lower[i - 1])) && (e == lower.count || !ByteText.isWordByte(lower[e])) { return true }
                from = i + 1
            }
        }
        return false
    }

    /// Words that set an old figure against a new one ("was £597.91", "down from", "rather than").
    static let contrastCues = [" was ", " were ", "previous", " from ", "before", "instead of", "rather than", "used to", " old ", "originally", "earlier"]

    /// What a write reports back is the object's state after it: the answer right after the write
    /// that states an amount an earlier result gave the same field of the same object (a renewal
    /// quote's premium), where the write's result gives that field another value and the answer
    /// states neither it nor a contrast ("Your new premium is £597.91" after an update whose result
    /// says 548.86, quoted after a re-quote).
    mutating func answersFromBeforeAWrite() {
        guard !findings.contains(where: { $0.kind == .staleContext }) else { return }
        for (wi, w) in calls where !w.failed && Self.isWrite(w.name) {
            let ids = Self.argumentIdentity(w)
            guard !ids.isEmpty, let (at, answer) = reply(after: wi), !calls.contains(where: { $0.index > wi && $0.index < at }) else { continue }
            let now = Self.leaves(w.resultValue).filter { !$0.key.contains("[") && $0.value.doubleValue != nil && ByteText.any(Self.lastKey($0.key), Self.moneyKeys) }
            guard !now.isEmpty else { continue }
            let stated = Self.numbersIn(answer)
            for (ri, r) in calls where ri < wi && !r.failed && !r.isRetrieval && r.name != w.name {
                let rIDs = Self.argumentIdentity(r)
                guard !rIDs.isEmpty, rIDs.isSubset(of: ids) else { continue }
                for (path, o) in Self.leaves(r.resultValue) {
                    guard let n = now[path]?.doubleValue, let o = o.doubleValue, abs(o) >= 10, abs(o - n) > 0.0051 else { continue }
                    let factors = Self.unitFactors(path)
                    guard stated.contains(where: { $0.decimals > 0 && Self.states($0, o, factors) }), !stated.contains(where: { Self.states($0, n, factors) }),
                          let sentence = Facts.sentences(answer).first(where: { s in Self.numbersIn(s).contains { $0.decimals > 0 && Self.states($0, o, factors) } }),
                          !ByteText.any(" " + sentence.lowercased() + " ", Self.contrastCues) else { continue }
                    add(.staleContext, "The answer after \(w.name) gave a value its result had replaced.",
                        [(span(ri), "\(r.name) -> \(path.dropFirst()): \(Self.numberText(o))"), (span(wi), "\(w.name) -> \(path.dropFirst()): \(Self.numberText(n))"),
                         (span(at), answer)])
                    return
                }
            }
        }
    }

    static func numberText(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
}

extension IssueFinder {
    /// Documents that say they replace another ("This article supersedes KB-1904", "replaces",
    /// "obsoletes"): an answer that states a figure only the replaced one holds answered from it.
    mutating func supersededDocuments() {
        // Most traces hold no document that says it replaces another: look for the words first.
        let cues = ["upersede", "eplaces ", "bsoletes "].map { Array($0.utf8) }
        guard calls.contains(where: { c in !c.call.failed && cues.contains { ByteText.contains(Array(c.call.result.utf8), $0) } }) else { return }
        // The text of every identified object in the results, by its id.
        var texts: [String: String] = [:]
        var order: [String: Int] = [:]
        for (i, c) in calls where !c.failed {
            func walk(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                switch v {
                case .object(let o):
                    if let id = o["id"]?.stringValue ?? o["article_id"]?.stringValue ?? o["doc_id"]?.stringValue {
                        let key = Facts.normalizedID(id)
                        let body = o.compactMap { k, x in k.lowercased() == "id" ? nil : x.stringValue }.joined(separator: "\n")
                        texts[key, default: ""] += "\n" + body
                        order[key] = max(order[key] ?? 0, i)
                    }
                    for (_, x) in o { walk(x, depth: depth + 1) }
                case .array(let a): for x in a.prefix(50) { walk(x, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        guard texts.count >= 2 else { return }
        for (newer, text) in texts {
            let l = text.lowercased()
            for cue in ["supersedes ", "superseded ", "replaces ", "obsoletes "] {
                var from = l.startIndex
                while let r = l.range(of: cue, range: from..<l.endIndex) {
                    from = r.upperBound
                    let after = String(text[r.upperBound...].prefix(40))
                    guard let old = Facts.identifiers(after).first.map(Facts.normalizedID), old != newer, let oldText = texts[old] else { continue }
                    let newNumbers = Self.numbersIn(text).map(\.value)
                    let oldNumbers = Self.numbersIn(oldText)
                    let oldValues = oldNumbers.map(\.value)
                    let only = oldNumbers.filter { n in n.value >= 2 && !(1900...2100).contains(n.value) && !newNumbers.contains { abs($0 - n.value) < 0.0051 } }
                    guard !only.isEmpty else { continue }
                    let seen = max(order[newer] ?? 0, order[old] ?? 0)
                    for (j, e) in t.events.enumerated() where j > seen {
                        guard case .assistant(let s) = e else { continue }
                        let stated = Self.numbersIn(s)
                        // An answer that also gives the newer figure contrasts the two ("raised from 25 MB to 50 MB").
                        if stated.contains(where: { x in newNumbers.contains { abs($0 - x.value) < 0.0051 } && !oldValues.contains { abs($0 - x.value) < 0.0051 } && x.value >= 2 }) { break }
                        if let n = only.first(where: { o in stated.contains { $0.decimals == o.decimals && abs($0.value - o.value) < 0.0051 } }) {
                            add(.staleContext, "The answer stated a figure from a document that a newer one in the trace replaces.",
                                [(nil, "\(old): \(Self.sentence(around: n.value, in: oldText))"), (nil, "\(newer): " + String(after.prefix(60))), (span(j), s)])
                            return
                        }
                    }
                }
            }
        }
    }

    /// The sentence of `text` that holds the number, for evidence.
    static func sentence(around n: Double, in text: String) -> String {
        Facts.sentences(text).first { s in numbersIn(s).contains { abs($0.value - n) < 0.0051 } }?.clipped(160) ?? ""
    }
}

extension IssueFinder {
    /// Whether a result holds `value` (a leaf of field `path`, in the field's scales; a string as a
    /// whole value) anywhere.
    static func holds(_ result: Value, _ value: Value, _ path: String) -> Bool {
        let factors = unitFactors(path)
        for (p, v) in leaves(result) {
            switch (v, value) {
            case (.string(let a), .string(let b)): if a.lowercased() == b.lowercased() { return true }
            default:
                guard let a = v.doubleValue, let b = value.doubleValue else { continue }
                // Both in the same scale, or one in minor units and the other not.
                let fa = unitFactors(p)
                if factors.contains(where: { k in fa.contains { abs(a / $0 - b / k) < 0.0051 } }) { return true }
            }
        }
        return false
    }
}
