// Answers that contradict the tool result they report: the result says a request is denied and the
// answer says approved, a referral expired and the answer says active, a provider out of network and
// the answer says in network. RAG faithfulness checks (RAGAS, TruLens) and TRAIL's "tool output
// misinterpretation" name this: the agent had the right evidence and said the opposite.
// Part of IssueFinder's grounding checks (IssueFinder+Grounding.swift has the claims of numbers and dates).

import Foundation
import SiftModel

extension IssueFinder {
    /// A family of states a result reports and an answer restates, each class with the words (or word
    /// beginnings, for other languages' endings) that say it. Any two classes of a family exclude each other.
    struct StateFamily {
        let name: String
        let classes: [(name: String, words: [String])]
        /// Boolean fields that report the family, and the class of true and of false.
        let flags: [String: (yes: Int, no: Int)]
    }

    /// Words end at a non-letter (a plural "s" allowed); a word ending in "*" is a beginning
    /// ("aprobad*" for aprobado, aprobada).
    static let stateFamilies: [StateFamily] = [
        StateFamily(name: "decision", classes: [
            ("approved", ["approved", "authorized", "authorised", "granted", "aprobad*", "approuvé*", "aprovad*", "genehmigt", "approvat*", "autorizad*"]),
            ("denied", ["denied", "rejected", "declined", "refused", "not approved", "denegad*", "rechazad*", "refusé*", "negad*", "recusad*",
                        "abgelehnt", "rifiutat*", "respint*"]),
            ("pending", ["pending", "under review", "in review", "awaiting", "being reviewed", "no decision", "pendiente", "en attente", "pendente",
                         "em análise", "ausstehend", "in attesa"]),
        ], flags: [:]),
        StateFamily(name: "validity", classes: [
            ("active", ["is active", "are active", "still active", "still valid", "is valid", "in effect", "remains valid",
                        "remains active", "valid through", "good through", "activa", "activo", "actif", "vigente", "válid*", "gültig", "attiv*"]),
            ("inactive", ["inactive", "expired", "terminated", "lapsed", "no longer active", "no longer valid", "vencid*", "expiré*", "expirad*",
                          "caducad*", "abgelaufen", "scadut*", "inactiv*"]),
        ], flags: ["active": (0, 1), "is_active": (0, 1), "valid": (0, 1), "is_valid": (0, 1)]),
        StateFamily(name: "network", classes: [
            ("in network", ["in-network", "in network", "dentro de la red", "dans le réseau", "na rede", "im netzwerk", "in rete"]),
            ("out of network", ["out-of-network", "out of network", "fuera de la red", "hors réseau", "fora da rede", "außerhalb des netzwerks", "fuori rete"]),
        ], flags: ["in_network": (0, 1), "is_in_network": (0, 1), "innetwork": (0, 1)]),
        StateFamily(name: "payment", classes: [
            ("paid", ["paid", "paid in full", "settled", "pagad*", "payé*", "bezahlt", "pagat*"]),
            ("unpaid", ["unpaid", "outstanding", "overdue", "still due", "is due on", "is due by", "still owe", "impayé*", "em aberto", "da pagare"]),
        ], flags: ["paid": (0, 1), "is_paid": (0, 1)]),
        StateFamily(name: "opening", classes: [
            ("open", ["is open", "are open", "'s open", "open on", "open until", "open from", "está abierto", "est ouvert", "está aberto",
                      "ist geöffnet", "è aperto"]),
            ("closed", ["is closed", "are closed", "'s closed", "closed on", "closed until", "closed for", "está cerrado", "est fermé*",
                        "está fechado", "ist geschlossen", "è chiuso"]),
        ], flags: ["open": (0, 1), "is_open": (0, 1)]),
    ]

    /// Each family's words as lower-case bytes, with whether each is a beginning ("aprobad*").
    static let stateWordBytes: [[[(bytes: [UInt8], stem: Bool)]]] = stateFamilies.map { family in
        family.classes.map { cls in cls.words.map { w in (Array((w.hasSuffix("*") ? String(w.dropLast()) : w).utf8), w.hasSuffix("*")) } }
    }
    static let stateNegations: [[UInt8]] = ["not ", "n't ", "no ", "never ", "pas ", "nicht ", "não ", "non ", "not yet ", "n't yet ", "not been ",
                                            "n't been ", "not be ", "not yet been ", "n't yet been ", "no longer ", "pas encore ", "aún no ",
                                            "todavía no ", "ainda não ", "noch nicht ", "non ancora ", "nunca "].map { Array($0.utf8) }

    /// Whether `word` (see `stateFamilies`) occurs in lower-cased `l` as a word, not after a negation.
    static func says(_ l: String, _ word: String) -> Bool {
        let stem = word.hasSuffix("*")
        return says(Array(l.utf8), (Array((stem ? String(word.dropLast()) : word).utf8), stem))
    }

    static func says(_ l: [UInt8], _ word: (bytes: [UInt8], stem: Bool)) -> Bool {
        func letter(_ b: UInt8) -> Bool { b >= 0x80 || (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a }
        var from = 0
        while let i = ByteText.firstIndex(of: word.bytes, in: l, from: from) {
            from = i + 1
            let end = i + word.bytes.count
            if i > 0, letter(l[i - 1]) { continue }
            if !word.stem, end < l.count, letter(l[end]) {
                // A plural: "approveds" no, "claims" yes; "valid" is not "validated".
                guard l[end] == UInt8(ascii: "s"), end + 1 == l.count || !letter(l[end + 1]) else { continue }
            }
            let head = l[max(0, i - 16)..<i]
            if stateNegations.contains(where: { n in head.count >= n.count && head.suffix(n.count).elementsEqual(n) }) { continue }
            return true
        }
        return false
    }

    /// The (family, class) a status value says ("pending_review" -> decision/pending), if one; read
    /// once per distinct value.
    static func stateClass(ofValue value: String) -> (family: Int, cls: Int)? {
        guard value.utf8.count <= 40 else { return nil }
        let fc = valueClassMemo.value(value) { value in
            let v = Array((" " + value.lowercased() + " ").utf8).map { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") ? 0x20 : $0 }
            // A value names its class ("active", "closed", "out_of_network") or says it as an answer would.
            for (f, family) in stateWordBytes.enumerated() {
                for (c, words) in family.enumerated() {
                    let name = (Array(stateFamilies[f].classes[c].name.utf8), false)
                    if says(v, name) || words.contains(where: { w in says(v, (w.bytes.map { $0 == UInt8(ascii: "-") ? 0x20 : $0 }, w.stem)) }) { return [f, c] }
                }
            }
            return []
        }
        return fc.count == 2 ? (fc[0], fc[1]) : nil
    }
    static let valueClassMemo = TextMemo<[Int]>(minBytes: 0, maxBytes: 1 << 20)
    /// Whether a field names a state ("status", "coverage_state", "decision"), read once per key.
    static func isStateKey(_ key: String) -> Bool {
        stateKeyMemo.value(key) { k in ByteText.any(k.lowercased(), ["status", "state", "decision", "coverage", "network"]) }
    }
    static let stateKeyMemo = TextMemo<Bool>(minBytes: 0, maxBytes: 1 << 20)

    static let hypotheticalCues = [" as soon as ", " once ", " if ", " when ", " until ", " unless ", " in case ", " will be ", " would be ",
                                   " should be ", " could be ", " can be ", " may be ", " might be ", " hope ", " expect ",
                                   " si ", " cuando ", " una vez ", " quand ", " dès que ", " sobald ", " wenn ", " falls ", " quando ",
                                   " assim que ", " appena ", " zodra ", " als "]

    /// The (family, class) pairs of `families` a text says, each with the sentence saying it
    /// (statements only). Most answers say none: the whole text is searched first.
    static func stateClasses(inText text: String, families: Set<Int>) -> [(family: Int, cls: Int, sentence: String)] {
        let whole = ByteText.lower(text)
        guard families.contains(where: { f in stateWordBytes[f].contains { $0.contains { ByteText.firstIndex(of: $0.bytes, in: whole, from: 0) != nil } } })
        else { return [] }
        var out: [(Int, Int, String)] = []
        for sentence in Facts.sentences(text) where Facts.isAssertion(sentence) {
            let l = " " + sentence.lowercased() + " "
            // A state said of what may come ("As soon as it's approved I can grant the role") is no claim.
            if hypotheticalCues.contains(where: { l.contains($0) }) { continue }
            let b = Array(l.utf8)
            for f in families.sorted() {
                for (c, words) in stateWordBytes[f].enumerated() where words.contains(where: { says(b, $0) }) { out.append((f, c, sentence)) }
            }
        }
        return out
    }

    /// The states the successful results of a call report: status-like fields and the family's flags.
    static func reportedStates(_ v: Value, depth: Int = 0) -> [(family: Int, cls: Int, quote: String)] {
        guard depth < 4 else { return [] }
        switch v {
        case .object(let o):
            var out: [(Int, Int, String)] = []
            for (k, x) in o {
                let key = k.lowercased()
                switch x {
                case .string(let s) where isStateKey(k):
                    if let (f, c) = stateClass(ofValue: s) { out.append((f, c, "\(k): \(s)")) }
                case .bool(let b):
                    for (f, family) in stateFamilies.enumerated() {
                        if let flag = family.flags[key] { out.append((f, b ? flag.yes : flag.no, "\(k): \(b)")) }
                    }
                case .object, .array: out += reportedStates(x, depth: depth + 1)
                default: break
                }
            }
            return out
        case .array(let a): return a.prefix(20).flatMap { reportedStates($0, depth: depth + 1) }
        default: return []
        }
    }

    mutating func contradictions() {
        guard !calls.isEmpty else { return }
        // Every state any result reports: an answer's state that some result holds may be about that
        // result's entity (a second appointment, another referral), so it contradicts nothing.
        var states: [(event: Int, family: Int, cls: Int, quote: String)] = []
        for (i, c) in calls where !c.failed { states += Self.reportedStates(c.resultValue).map { (i, $0.family, $0.cls, $0.quote) } }
        guard !states.isEmpty else { return }
        var since = -1
        for (j, e) in t.events.enumerated() {
            guard case .assistant(let answer) = e else { continue }
            defer { since = j }
            let recent = states.filter { $0.event > since && $0.event < j }
            guard !recent.isEmpty else { continue }
            let families = Set(recent.map(\.family))
            let said = Self.stateClasses(inText: answer, families: families)
            for family in families.sorted() {
                let reported = Set(recent.filter { $0.family == family }.map(\.cls))
                // One state of the family since the last answer: the answer is about that entity.
                guard reported.count == 1, let actual = reported.first else { continue }
                let saidHere = said.filter { $0.family == family }
                guard !saidHere.contains(where: { $0.cls == actual }),
                      let wrong = saidHere.first(where: { s in !states.contains { $0.family == family && $0.cls == s.cls } }),
                      let source = recent.first(where: { $0.family == family }) else { continue }
                add(.contradictedAnswer, "The answer states the opposite of what a tool result reported.",
                    [(span(j), wrong.sentence), (span(source.event), source.quote)])
            }
        }
    }
}
