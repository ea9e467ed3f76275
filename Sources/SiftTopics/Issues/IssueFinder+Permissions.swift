// Permissions a policy grants only under a condition a tool result can show: "Otherwise, basic economy
// or economy flights can be cancelled only if travel insurance is bought", against a reservation
// whose result says "cabin": "economy", "insurance": "no"; with the exceptions the sentence before an
// "Otherwise" grants ("All reservations can be cancelled within 24 hours of booking, or if the airline
// cancelled the flight"), each checked against the object's own dates and states. tau-bench's fault
// analysis counts these as the most common policy failure (the agent takes the user's word that the
// booking is recent, or that a cancellation is allowed); MAST calls it "disobey task specification".
// A rule is read only when every exception it carries can be checked: one that cannot ("if the
// manager agrees") leaves the rule unread, so a write is flagged only where the trace shows that no
// condition for it held.
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    struct Permission {
        /// The action's stem ("cance").
        var verb: String
        /// The kinds of object the rule is about, as a result names them ("basic economy", "economy");
        /// empty: every object the action is done to.
        var scope: [String]
        /// The content-word stems of each condition of "only if A and B".
        var requirements: [Set<String>]
        /// Exceptions: "within 24 hours of booking" (seconds, and the stems naming the date).
        var windows: [(seconds: Double, anchor: Set<String>)]
        /// Exceptions: "if the airline cancelled the flight" (the event's stem, "cance").
        var events: [String]
        var quote: String
    }

    /// A system prompt comes back with every trace: its permissions are read once per line.
    static let permissionMemo = TextMemo<[Permission]>()

    nonisolated(unsafe) static let onlyIfPatterns = [
        Facts.compiled(#"^(.*?)\b(?:can|may)\s+be\s+([a-z]+ed)\b([^.]*?)\bonly\s+(?:if|when|where|provided(?: that)?)\s+(.*)$"#),
        Facts.compiled(#"^(.*?)\b(?:can|may)\s+only\s+be\s+([a-z]+ed)\b([^.]*?)\b(?:if|when|where|provided(?: that)?)\s+(.*)$"#),
    ].compactMap { $0 }
    nonisolated(unsafe) static let grantPattern = Facts.compiled(#"\b(?:can|may)\s+be\s+([a-z]+ed)\b(.*)$"#)
    nonisolated(unsafe) static let withinPattern = Facts.compiled(#"^within\s+(\d+)\s+(hour|day|week|month)s?\s+(?:of|after|from|since)\s+(.+)$"#)
    static let otherwiseCues = ["otherwise", "in all other cases", "in other cases", "else"]
    static let subjectDeterminers: Set<String> = ["all", "any", "the", "a", "an", "other", "their", "your", "its", "such"]
    /// Words that make a subject a clause of its own ("If the user is gold, reservations can be ..."):
    /// too much to read.
    static let subjectClauseWords: Set<String> = ["if", "unless", "when", "where", "while", "who", "which", "that", "with", "without", "after", "before"]
    /// Keys that date an object's making: where "within 24 hours of booking" counts from.
    static let madeKeyWords: Set<String> = ["created", "creation", "booked", "booking", "purchased", "purchase", "placed", "ordered", "opened",
                                            "issued", "bought", "made", "submitted"]
    /// Values that say a flag is off ("insurance": "no").
    static let offValues: Set<String> = ["no", "false", "none", "0", "n", "not purchased", "not_purchased", "declined"]

    /// The line's "X can be V-ed only if C" rules, with the exceptions of the sentence before an "Otherwise".
    static func permissions(_ line: String) -> [Permission] {
        guard line.utf8.count < 4000 else { return [] }
        let lower = line.lowercased()
        guard lower.contains("only") else { return [] }
        var out: [Permission] = []
        var previous: String?
        for sentence in Facts.sentences(lower) {
            defer { previous = sentence }
            guard sentence.utf8.count < 600, sentence.contains("only"),
                  let p = permission(sentence, previous: previous) else { continue }
            out.append(p)
        }
        return out
    }

    static func permission(_ sentence: String, previous: String?) -> Permission? {
        var s = sentence.trimmingCharacters(in: CharacterSet(charactersIn: "-*• \t"))
        var otherwise = false
        for cue in otherwiseCues where s.hasPrefix(cue) {
            otherwise = true
            s = String(s.dropFirst(cue.count)).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            break
        }
        let ns = s as NSString
        guard let m = onlyIfPatterns.lazy.compactMap({ $0.firstMatch(in: s, range: NSRange(location: 0, length: ns.length)) }).first else { return nil }
        let subject = ns.substring(with: m.range(at: 1)), verbWord = ns.substring(with: m.range(at: 2))
        var condition = ns.substring(with: m.range(at: 4))
        let verb = String(verbWord.prefix(5))
        guard verbWord.count >= 5 else { return nil }
        // Whom it is about: "basic economy or economy flights" -> the head noun's qualifiers.
        let subjectWords = Words.split(subject).filter { !subjectDeterminers.contains($0) }
        guard subjectWords.count <= 6, subjectWords.allSatisfy({ !subjectClauseWords.contains($0) && !$0.allSatisfy(\.isNumber) }) else { return nil }
        var scope: [String] = []
        if subjectWords.count >= 2 {
            var current: [String] = []
            for w in subjectWords.dropLast() {
                if w == "or" || w == "and" { if !current.isEmpty { scope.append(current.joined(separator: " ")) }; current = [] } else { current.append(w) }
            }
            if !current.isEmpty { scope.append(current.joined(separator: " ")) }
        }
        // The conditions: up to the next clause ("..., and business flights can always be cancelled").
        for cut in [", and ", "; ", ", but ", ", or ", ", otherwise", " unless ", ". "] { if let r = condition.range(of: cut) { condition = String(condition[..<r.lowerBound]) } }
        condition = condition.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        // A condition that is a choice or a negation is not read (either way it is not shown false).
        let requirements = condition.components(separatedBy: " and ")
            .filter { c in !c.contains(" or ") && !Words.split(c).contains(where: { ["not", "no", "never", "unless", "without"].contains($0) }) }
            .map { stems($0) }.filter { !$0.isEmpty }
        guard !requirements.isEmpty else { return nil }
        var windows: [(seconds: Double, anchor: Set<String>)] = [], events: [String] = []
        if otherwise {
            // "Otherwise" sets the rule after the sentence before's grants: each must be one the trace can check.
            guard let prev = previous?.trimmingCharacters(in: CharacterSet(charactersIn: "-*• \t")), let gp = grantPattern else { return nil }
            let pns = prev as NSString
            guard let g = gp.firstMatch(in: prev, range: NSRange(location: 0, length: pns.length)),
                  pns.substring(with: g.range(at: 1)).hasPrefix(verb) else { return nil }
            let grants = pns.substring(with: g.range(at: 2)).trimmingCharacters(in: CharacterSet(charactersIn: ". "))
                .replacingOccurrences(of: ", or ", with: ",").replacingOccurrences(of: " or ", with: ",")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !grants.isEmpty else { return nil }
            for grant in grants {
                let gns = grant as NSString
                if let w = withinPattern?.firstMatch(in: grant, range: NSRange(location: 0, length: gns.length)), let n = Double(gns.substring(with: w.range(at: 1))) {
                    let unit: Double = ["hour": 3600, "day": 86400, "week": 7 * 86400, "month": 31 * 86400][gns.substring(with: w.range(at: 2))] ?? 86400
                    windows.append((n * unit, stems(gns.substring(with: w.range(at: 3)))))
                } else if grant.hasPrefix("if ") || grant.hasPrefix("when "), let happened = Words.split(grant).first(where: { $0.count >= 5 && $0.hasSuffix("ed") }) {
                    events.append(String(happened.prefix(5)))
                } else {
                    return nil
                }
            }
        }
        return Permission(verb: verb, scope: scope, requirements: requirements, windows: windows, events: events,
                          quote: otherwise ? (previous ?? "") + " " + sentence : sentence)
    }

    /// Writes that do an action the policy allows only under a condition, on an object whose results
    /// show the condition unmet, none of the rule's exceptions holding, and the object of the kind the
    /// rule names.
    mutating func permissionChecks(_ writes: [(index: Int, call: ToolCall)]) {
        guard !findings.contains(where: { $0.kind == .policyViolation }) else { return }
        let rules = t.system.flatMap { Self.permissionMemo.values(byLine: $0, Self.permissions).joined() }
        guard !rules.isEmpty else { return }
        // Only writes that do a rule's action need the results read.
        let acting = writes.map { (ev: $0.index, w: $0.call, done: actionWords($0.call)) }
            .filter { a in rules.contains { r in a.done.contains { $0.hasPrefix(r.verb) } } }
        guard !acting.isEmpty else { return }
        let now = conversationTime.seconds
        let fields = resultFields()
        for (ev, w, done) in acting {
            let ids = Self.argumentIdentity(w)
            guard !ids.isEmpty else { continue }
            var latest: [String: ResultField] = [:]
            for f in fields where f.event < ev && !f.ids.isDisjoint(with: ids) { latest[f.key] = f }
            guard !latest.isEmpty else { continue }
            let object = latest.values.sorted { ($0.event, $0.key) < ($1.event, $1.key) }
            for rule in rules where done.contains(where: { $0.hasPrefix(rule.verb) }) {
                guard rule.scope.isEmpty || object.contains(where: { !$0.isBool && rule.scope.contains($0.value.replacingOccurrences(of: "_", with: " ")) })
                else { continue }
                // A condition shown unmet: a flag whose words the condition names, off.
                guard let unmet = object.first(where: { f in
                    guard f.isBool || Self.offValues.contains(f.value) || ["yes", "true", "y"].contains(f.value) else { return false }
                    let words = Self.keyWords(f.key).filter { !Self.featureNoise.contains($0) && $0 != "id" }
                    return !words.isEmpty && rule.requirements.contains { r in words.allSatisfy { $0.count >= 4 && r.contains(String($0.prefix(5))) } }
                }), Self.offValues.contains(unmet.value) else { continue }
                // No exception holds: the object was made longer ago than each window, and no earlier
                // result (other than the action's own calls) reports the event.
                var dated: ResultField?
                var exempt = false
                for window in rule.windows {
                    guard let made = object.last(where: { f in
                        let words = Self.keyWords(f.key)
                        return (words.contains(where: Self.madeKeyWords.contains) || !Self.stems(f.key).isDisjoint(with: window.anchor)) && Timestamp(iso8601: f.value) != nil
                    }), let at = Timestamp(iso8601: made.value) else { exempt = true; break }
                    if now - at.seconds <= window.seconds { exempt = true; break }
                    dated = made
                }
                if !exempt, !rule.events.isEmpty {
                    for (j, c) in calls where j < ev && !c.failed && !Self.nameWords(c.name).contains(where: { $0.hasPrefix(rule.verb) }) {
                        let r = c.result.lowercased()
                        if rule.events.contains(where: { r.contains($0) }) { exempt = true; break }
                    }
                }
                guard !exempt else { continue }
                add(.policyViolation, "The agent ran \(w.name) although the policy allows it only under a condition a tool result showed unmet.",
                    [(nil, "policy: " + rule.quote.clipped(300)), (span(unmet.event), unmet.quote)]
                    + (dated.map { [(span($0.event), $0.quote)] } ?? []) + [(span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                return
            }
        }
    }
}
