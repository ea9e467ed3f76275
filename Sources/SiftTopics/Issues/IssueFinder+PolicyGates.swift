// Policy sentences that tie an action to a condition a tool result can show, read from generic
// cues: a field the policy names with the value it must have ("(waivers_last_12m must be 0)"), a
// feature the object must have ("Only book emergency contractors when the home policy has Home
// Emergency cover", against "home_emergency": false), actions the agent may never take ("You cannot
// pay or promise claim settlements"), and a ban on backdating ("Never backdate a change"). tau-bench's
// fault analysis and MAST's "disobey task specification" count these: the rule was in the prompt and
// the result in front of the agent.
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    enum GateKind: Equatable {
        /// A field named in the policy must have `required` (lower-cased: "0", "true", "active").
        case field(name: String, required: String)
        /// The action is allowed only where the object has a feature the sentence names.
        case feature
        /// The agent may never do `verbs` to `objects` (stems); with `qualifiers`, only to objects a
        /// result describes by one of them ("Do not reverse pending or non-duplicate transactions":
        /// a transaction whose status is pending).
        case forbidden(verbs: [String], objects: Set<String>, qualifiers: Set<String>)
        /// No write may take effect before today.
        case noBackdating
    }

    struct PolicyGate {
        var kind: GateKind
        var quote: String
        /// Stems of the sentence's words, less generic ones: what a write must name to be under it.
        var stems: Set<String>
    }

    /// A system prompt comes back with every trace, often with the day's date in the paragraph of its
    /// rules: its gates are read once per sentence per run.
    static let policyGateMemo = TextMemo<[PolicyGate]>(minBytes: 0, maxBytes: 1 << 20)

    nonisolated(unsafe) static let namedFieldPattern = Facts.compiled(
        #"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b\s*(?:must be|must equal|should be|needs to be|has to be|==|=|:)\s*"?([a-z0-9_]+(?:\.[0-9]+)?)"?"#)
    nonisolated(unsafe) static let fieldAtMostPattern = Facts.compiled(
        #"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b[^.]*?\bif (?:it|this|that|the value|the count|the number)(?: is|'s) (\d+) or (?:more|above|higher|greater)"#)
    static let backdatingCues = ["backdat", "back-dat", "back dat", "retroactiv", "retro-activ"]
    static let gateNegations = ["cannot ", "can not ", "can't ", "must not ", "may not ", "must never ", "should not ", "never ", "do not ", "don't "]
    /// Words that make a prohibition conditional (who, above, without...): those are the other rules' to read.
    static let conditionWords: Set<String> = ["if", "unless", "without", "above", "over", "below", "under", "more", "less", "than", "before", "after",
                                              "until", "except", "only", "who", "whose", "which", "that", "when", "where", "while", "within",
                                              "outside", "beyond", "exceed", "exceeds", "exceeding", "first", "again", "twice", "unverified"]
    /// Nouns every write of a domain names (its policy, its claim, its account): no sign of which rule it is under.
    static let gateGenericStems: Set<String> = ["polic", "claim", "accou", "custo", "reque", "recor", "detai", "reque", "numbe", "servi", "user",
                                                "item", "items", "order", "case", "ticke", "membe", "perso", "statu", "today", "shows", "state",
                                                "cover", "inclu", "add", "addon", "optio", "extra", "benef", "avail", "activ"]

    /// The gates one policy text states, sentence by sentence.
    static func policyGates(_ text: String) -> [PolicyGate] {
        Facts.sentences(text).flatMap { sentence in sentence.utf8.count < 600 ? policyGateMemo.value(sentence, gates(ofSentence:)) : [] }
    }

    static func gates(ofSentence sentence: String) -> [PolicyGate] {
        var out: [PolicyGate] = []
        do {
            let l = sentence.lowercased()
            let stems = Self.stems(sentence).subtracting(gateGenericStems).subtracting(genericSubjectStems)
            if ByteText.any(l, backdatingCues), ByteText.any(l, ["not", "never", "no ", "cannot", "can't", "forbid", "prohibit"]) {
                out.append(PolicyGate(kind: .noBackdating, quote: sentence, stems: stems))
                return out
            }
            if l.contains("_"), let p = namedFieldPattern {
                let ns = l as NSString
                for m in p.matches(in: l, range: NSRange(location: 0, length: ns.length)) {
                    let name = ns.substring(with: m.range(at: 1)), value = ns.substring(with: m.range(at: 2))
                    out.append(PolicyGate(kind: .field(name: name, required: value), quote: sentence, stems: stems))
                }
                // "Check waivers_last_12m first; if it is 1 or more the fee stands": below that.
                for m in fieldAtMostPattern?.matches(in: l, range: NSRange(location: 0, length: ns.length)) ?? [] {
                    out.append(PolicyGate(kind: .field(name: ns.substring(with: m.range(at: 1)), required: "<" + ns.substring(with: m.range(at: 2))),
                                          quote: sentence, stems: stems))
                }
            }
            // "Only book X when/if/for ... with/has/includes Y": a permission under a condition.
            let words = Words.split(l)
            if words.contains("only"), words.contains(where: { ["when", "if", "for", "where", "with"].contains($0) }),
               words.contains(where: { ["has", "have", "includes", "include", "with", "shows", "show"].contains($0) }) {
                out.append(PolicyGate(kind: .feature, quote: sentence, stems: stems))
            }
            // "Never send a card to an address other than the one on file": a flag the write's object
            // carries ("address_on_file": false); "(any block source other than the customer)": the value
            // a field must have.
            if l.contains(" other than "), ByteText.any(l, gateNegations) {
                out.append(PolicyGate(kind: .feature, quote: sentence, stems: stems))
                if let f = otherThanField(l) { out.append(PolicyGate(kind: .field(name: f.name, required: f.value), quote: sentence, stems: stems)) }
            }
            if l.contains("(not "), let f = excludedByParenthesis(l) {
                out.append(PolicyGate(kind: .forbidden(verbs: f.verbs, objects: f.objects, qualifiers: f.qualifiers), quote: sentence, stems: stems))
            }
            if ByteText.any(l, gateNegations), let f = forbiddenAction(sentence) {
                out.append(PolicyGate(kind: .forbidden(verbs: f.verbs, objects: f.objects, qualifiers: f.qualifiers), quote: sentence, stems: stems))
            }
        }
        return out
    }

    /// An unconditional "you cannot V (or V) O" or "O cannot be V-ed by the assistant": the verbs'
    /// stems and the object's. Conditional ones ("refunds above £100 cannot be issued without
    /// approval", "do not add a driver who is under 21") are left to the other rules.
    static func forbiddenAction(_ sentence: String) -> (verbs: [String], objects: Set<String>, qualifiers: Set<String>)? {
        // The rule ends at a dash, a semicolon or a bracket ("- those are made by the claims handler only").
        var head = sentence.lowercased()
        for cut in [" - ", " – ", " — ", ";", "(", ": "] { if let r = head.range(of: cut) { head = String(head[..<r.lowerBound]) } }
        guard let neg = gateNegations.compactMap({ n in head.range(of: n).map { (n, $0) } }).min(by: { $0.1.lowerBound < $1.1.lowerBound }) else { return nil }
        let before = String(head[..<neg.1.lowerBound]), after = String(head[neg.1.upperBound...])
        var rest = Words.split(after)
        var passive = false
        if rest.first == "be" { passive = true; rest.removeFirst() }
        guard !rest.isEmpty, rest.allSatisfy({ !conditionWords.contains($0) }) else { return nil }
        let beforeWords = Words.split(before)
        // Who may not: the agent ("you", "the assistant") in the active voice; in the passive, "by the
        // assistant" or nobody at all.
        var verbs: [String] = [], objectWords: [String]
        if passive {
            guard let v = rest.first, v.hasSuffix("ed") || v.hasSuffix("en") else { return nil }
            verbs = [v]
            if let by = rest.firstIndex(of: "by"), !rest[(by + 1)...].contains(where: { ["you", "assistant", "agent", "agents", "us", "bot"].contains($0) }) { return nil }
            // The subject: the sentence's first content words.
            // The subject: the sentence's words up to its first verb-like word ("The £50 cancellation fee
            // applies to ...").
            let subject = beforeWords.prefix { !["applies", "apply", "is", "are", "was", "were", "has", "have", "will", "can", "may", "must", "and", "which", "that"].contains($0) }
            objectWords = subject.filter { $0.count >= 3 && !Tokens.stopwords.contains($0) && $0.allSatisfy(\.isLetter) }
        } else {
            guard beforeWords.isEmpty || beforeWords.last.map({ ["you", "assistant", "agent", "agents", "we", "bot", "please"].contains($0) }) == true else { return nil }
            // A list of verbs: "pay or promise claim settlements", "authorise, issue or promise a claim
            // settlement payment".
            let raw = after.split(separator: " ").map(String.init)
            var i = 0
            while i < raw.count {
                verbs.append(raw[i].trimmingCharacters(in: .punctuationCharacters))
                if raw[i].hasSuffix(","), i + 1 < raw.count { i += 1; continue }
                if i + 2 < raw.count, ["or", "and"].contains(raw[i + 1]) { i += 2; continue }
                i += 1
                break
            }
            let object = raw[i...].joined(separator: " ").trimmingCharacters(in: .punctuationCharacters)
            objectWords = Words.split(object).filter { $0.count >= 3 && !Tokens.stopwords.contains($0) && $0.allSatisfy(\.isLetter) }
            // Qualified objects ("pending or non-duplicate transactions") make the rule a condition:
            // the head noun, done to an object a result calls by a qualifier ("status": "pending").
            // (A qualifier with "non-" says what the object is not: no state names it.)
            if object.contains(" or ") || object.contains(" and ") || object.contains("non-") {
                let parts = object.split(separator: " ").map { String($0).trimmingCharacters(in: .punctuationCharacters) }
                guard let head = parts.last, head.count >= 4 else { return nil }
                let qualifiers = Set(parts.dropLast().filter { $0.count >= 4 && !$0.hasPrefix("non") && !["or", "and", "any", "the"].contains($0) && $0.allSatisfy(\.isLetter) })
                guard !qualifiers.isEmpty else { return nil }
                let verbStems = verbs.map { String($0.prefix(5)) }.filter { $0.count >= 3 }
                guard !verbStems.isEmpty else { return nil }
                return (verbStems, [String(head.prefix(5))], qualifiers)
            }
        }
        var objects = Set(objectWords.map { String($0.prefix(5)) }).subtracting(genericObjectStems)
        // "The assistant must never close an account": a general object, held only by a write whose
        // name says it ("@": in the name).
        if objects.isEmpty, !passive, objectWords.count == 1 { objects = ["@" + String(objectWords[0].prefix(5))] }
        guard !objects.isEmpty, objects.count <= 4, !verbs.isEmpty else { return nil }
        // "waived" -> "waiv" (it names "waive_fee" and "waived"); "pay" names "payment".
        let verbStems = verbs.map { v in String((v.hasSuffix("ed") && v.count > 4 ? String(v.dropLast(2)) : v).prefix(5)) }
            .filter { $0.count >= 3 && !["make", "take", "give", "use", "let", "get", "have", "say", "tell", "share", "provi", "guess", "quote"].contains($0) }
        guard !verbStems.isEmpty else { return nil }
        return (verbStems, objects, [])
    }

    /// "any block source other than the customer": the field ("source") and the one value it may have.
    static func otherThanField(_ l: String) -> (name: String, value: String)? {
        guard let r = l.range(of: " other than ") else { return nil }
        let name = Words.split(String(l[..<r.lowerBound])).last ?? ""
        let value = Words.split(String(l[r.upperBound...])).first { !["the", "a", "an", "that", "this"].contains($0) } ?? ""
        guard name.count >= 4, value.count >= 4, !Tokens.stopwords.contains(name), !Tokens.stopwords.contains(value),
              name.allSatisfy(\.isLetter), value.allSatisfy(\.isLetter) else { return nil }
        return (name, value)
    }

    /// "Disputes may only be raised for posted (not pending) card transactions", "You may only refund
    /// delivered (not shipped) orders": the action, on an object a result calls by the excluded word.
    /// The action is the subject's nouns ("dispute", "chargeback") or, where the agent is the subject,
    /// the verb after "only"; the object, the noun the parenthesis qualifies.
    static func excludedByParenthesis(_ l: String) -> (verbs: [String], objects: Set<String>, qualifiers: Set<String>)? {
        guard let open = l.range(of: "(not "), let close = l[open.upperBound...].firstIndex(of: ")"),
              let modal = [" may ", " can ", " must ", " should "].compactMap({ l.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }),
              modal.upperBound <= open.lowerBound, l[modal.upperBound..<open.lowerBound].contains("only") else { return nil }
        let qualifiers = Set(Words.split(String(l[open.upperBound..<close])).filter { $0.count >= 4 })
        let after = Words.split(String(l[l.index(after: close)...]))
        let noun = after.prefix { !conditionWords.contains($0) && !$0.hasSuffix("ed") && !Tokens.stopwords.contains($0) }
        guard !qualifiers.isEmpty, let head = noun.last, head.count >= 4 else { return nil }
        let subject = Words.split(String(l[..<modal.lowerBound])).filter { !["the", "all", "any", "a", "an"].contains($0) }
        var verbs: [String]
        if subject.contains(where: { ["you", "agent", "agents", "assistant", "we"].contains($0) }) {
            guard let v = Words.split(String(l[modal.upperBound..<open.lowerBound])).first(where: { !["only", "be", "ever"].contains($0) }) else { return nil }
            verbs = [String(v.prefix(5))]
        } else {
            // The subject's nouns, singular: "disputes/chargebacks" -> dispute, chargeback.
            verbs = subject.filter { $0.count >= 4 && $0.allSatisfy(\.isLetter) }.map { String(($0.hasSuffix("s") ? String($0.dropLast()) : $0).prefix(7)) }
        }
        guard !verbs.isEmpty, verbs.count <= 3 else { return nil }
        return (verbs, [String(head.prefix(5))], qualifiers)
    }

    /// Objects too general to tell one rule's action from another's ("the cancellation fee": the fee
    /// names every charge).
    static let genericObjectStems: Set<String> = ["fee", "fees", "charg", "amoun", "payme", "polic", "accou", "custo", "assis", "agent", "money", "funds",
                                                  "detai", "infor", "thing", "anyth", "somet"]

    /// Verbs of writes that give the user something (the actions policies ration).
    static let givingVerbs: Set<String> = grantingVerbs.union(["create", "dispatch", "request", "arrange", "register", "submit", "send", "pay", "open",
                                                               "reserve", "extend", "remove", "waive", "refund", "cancel", "change", "update", "amend",
                                                               "unfreeze", "unblock"])

    /// The words of a write's result status ("waived", "dispatched").
    func statusWords(_ w: ToolCall) -> [String] {
        guard case .object(let o) = w.resultValue else { return [] }
        var out: [String] = []
        for key in ["status", "state", "result", "outcome"] { if let s = o[key]?.stringValue, s.count <= 40 { out += Self.keyWords(s.lowercased()) } }
        return out
    }

    /// What a write did: its name's words and its result's status.
    func actionWords(_ w: ToolCall) -> [String] { Self.nameWords(w.name) + statusWords(w) }

    /// Whether a write is what the gate's sentence is about: a giving verb in its name or status, and
    /// a word of its name the sentence (or the field the gate names) holds; its status ("waived")
    /// only against the field's words ("waivers_last_12m"): "booked" is a verb of many sentences.
    func isUnder(_ g: PolicyGate, _ w: ToolCall, field: Set<String> = []) -> Bool {
        givesSomething(w) && (!stems(Self.nameWords(w.name)).isDisjoint(with: g.stems.union(field)) || !stems(statusWords(w)).isDisjoint(with: field))
    }

    /// Whether a write's name or status holds a giving verb ("waived", "dispatch").
    func givesSomething(_ w: ToolCall) -> Bool {
        actionWords(w).contains { Self.givingVerbs.contains($0) || Self.givingVerbs.contains(String($0.dropLast(2))) || Self.givingVerbs.contains(String($0.dropLast())) }
    }

    /// Stems of words of four letters or more, less the generic ones.
    func stems(_ ws: [String]) -> Set<String> { Set(ws.filter { $0.count >= 4 }.map { String($0.prefix(5)) }).subtracting(Self.gateGenericStems) }

    /// Whether a field's value breaks what the policy requires of it: another value, or for "<N" a
    /// number of N or more.
    static func breaks(_ value: String, _ required: String) -> Bool {
        if required.hasPrefix("<") { return Double(value).flatMap { v in Double(required.dropFirst()).map { v >= $0 } } ?? false }
        return value != required && !(Double(value).flatMap { a in Double(required).map { a == $0 } } ?? false)
    }

    mutating func policyGateChecks(_ writes: [(index: Int, call: ToolCall)]) {
        guard !findings.contains(where: { $0.kind == .policyViolation }) else { return }
        let gates = t.system.flatMap(Self.policyGates)
        guard !gates.isEmpty else { return }
        let today = (conversationTime.seconds / 86400).rounded(.down)
        var fieldsRead: [ResultField]?
        func fields() -> [ResultField] {
            if let f = fieldsRead { return f }
            let f = resultFields()
            fieldsRead = f
            return f
        }
        for (ev, w) in writes {
            let argIDs = Self.argumentIdentity(w)
            for g in gates {
                switch g.kind {
                case .noBackdating:
                    for (k, v) in Self.argumentLeaves(w) ?? [] {
                        let words = Self.keyWords(k)
                        guard words.contains(where: { ["effective", "start", "commencement", "from"].contains($0) }), let s = v.stringValue,
                              let day = Self.writtenDay(ByteText.lower(s))?.days, Double(day) < today else { continue }
                        add(.policyViolation, "The agent ran \(w.name) with a date before today, which the policy forbids.",
                            [(nil, "policy: " + g.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                        return
                    }
                case .forbidden(let verbs, let objects, let qualifiers):
                    // The verb: the name, the result's status, or an argument set true ("waive_fee": true).
                    var done = actionWords(w)
                    var said = Self.nameWords(w.name) + Self.keyWords(w.name)
                    for (k, v) in Self.argumentLeaves(w) ?? [] {
                        if v.boolValue == true { done += Self.keyWords(k) }
                        said += Self.keyWords(k)
                        if let s = v.stringValue, s.count <= 40 { said += Self.keyWords(s.lowercased()) }
                    }
                    let named = Set(Self.nameWords(w.name).map { "@" + String($0.prefix(5)) })
                    guard done.contains(where: { d in verbs.contains { d.hasPrefix($0) } }),
                          !Set(said.filter { $0.count >= 3 }.map { String($0.prefix(5)) }).union(named).isDisjoint(with: objects) else { continue }
                    if !qualifiers.isEmpty {
                        guard let q = fields().last(where: { $0.event < ev && !$0.isBool && qualifiers.contains($0.value) && !argIDs.isEmpty && !argIDs.isDisjoint(with: $0.ids) })
                        else { continue }
                        add(.policyViolation, "The agent ran \(w.name) on something the policy says it may not do that to.",
                            [(nil, "policy: " + g.quote), (span(q.event), q.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                        return
                    }
                    add(.policyViolation, "The agent ran \(w.name), an action the policy says it may not take.",
                        [(nil, "policy: " + g.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                    return
                case .field(let name, let required):
                    guard givesSomething(w), let (at, value, quote) = Self.lastValue(of: name, in: fields(), before: ev, ids: argIDs), Self.breaks(value, required),
                          isUnder(g, w, field: Set(Self.keyWords(name).filter { $0.count >= 4 }.map { String($0.prefix(5)) })) else { continue }
                    add(.policyViolation, "The agent ran \(w.name) although a tool result showed a value the policy does not allow for it.",
                        [(nil, "policy: " + g.quote), (span(at), quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                    return
                case .feature:
                    // (The write's own result counts: "address_on_file": false.)
                    // The write names the sentence's action ("book emergency contractors": dispatch_contractor),
                    // or the missing feature itself in its name, arguments or status ("emergency_type").
                    guard givesSomething(w), let (at, quote, feature) = missingFeature(g, in: fields(), before: ev + 1, ids: argIDs),
                          !stems(Self.nameWords(w.name)).isDisjoint(with: g.stems)
                            || !stems(Self.nameWords(w.name) + statusWords(w) + (Self.argumentLeaves(w) ?? []).flatMap { Self.keyWords($0.key) }).isDisjoint(with: feature)
                    else { continue }
                    add(.policyViolation, "The agent ran \(w.name) for something that lacks what the policy requires for it.",
                        [(nil, "policy: " + g.quote), (span(at), quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                    return
                }
            }
        }
    }

    /// A scalar field of a successful, non-retrieval result, with the identifiers of the object holding
    /// it (its own, or what its call asked about).
    struct ResultField {
        var event: Int
        var key: String
        /// Lower-cased: "true", "0", "12.5", "active".
        var value: String
        var isBool: Bool
        var ids: Set<String>
        var quote: String
    }

    /// Every scalar field of the trace's results, read once per trace when a gate needs them.
    func resultFields() -> [ResultField] {
        var out: [ResultField] = []
        for (ev, c) in calls where !c.failed && !c.isRetrieval {
            let callIDs = Self.argumentIdentity(c)
            func walk(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                switch v {
                case .object(let o):
                    var ids: Set<String>?
                    for (k, x) in o {
                        let s: String
                        switch x {
                        case .bool(let b): s = b ? "true" : "false"
                        case .string(let t) where t.utf8.count <= 80: s = t.lowercased()
                        case .object, .array: walk(x, depth: depth + 1); continue
                        default:
                            guard let d = x.doubleValue else { continue }
                            s = Self.numberText(d)
                        }
                        if ids == nil { ids = objectIDs(o).union(callIDs) }
                        out.append(ResultField(event: ev, key: k.lowercased(), value: s, isBool: x.boolValue != nil, ids: ids!,
                                               quote: "\(c.name) -> \(k): \(JSONWriter.string(x))"))
                    }
                case .array(let a): for x in a.prefix(50) { walk(x, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        return out
    }

    /// The latest value an earlier result gave field `name` on an object the write names, with the
    /// event and a quote.
    static func lastValue(of name: String, in fields: [ResultField], before event: Int, ids: Set<String>) -> (Int, String, String)? {
        fields.last { $0.event < event && $0.key == name && (ids.isEmpty || !ids.isDisjoint(with: $0.ids)) }.map { ($0.event, $0.value, $0.quote) }
    }

    /// Field words that say nothing about which feature a flag is ("has_cover", "included").
    static let featureNoise: Set<String> = ["cover", "covered", "coverage", "has", "have", "is", "included", "include", "enabled", "add", "on", "addon",
                                            "option", "optional", "extra", "benefit", "eligible", "available", "active", "policy"]

    /// A false flag, in an earlier result about the object the write names, whose words the gate's
    /// sentence holds ("home_emergency": false under "... has Home Emergency cover").
    func missingFeature(_ g: PolicyGate, in fields: [ResultField], before event: Int, ids: Set<String>) -> (Int, String, Set<String>)? {
        var latest: [String: ResultField] = [:]
        for f in fields where f.isBool && f.event < event && (ids.isEmpty || !ids.isDisjoint(with: f.ids)) {
            let words = Self.keyWords(f.key).filter { !Self.featureNoise.contains($0) }
            guard !words.isEmpty, words.allSatisfy({ $0.count >= 4 && g.stems.contains(String($0.prefix(5))) }) else { continue }
            latest[f.key] = f
        }
        return latest.values.filter { $0.value == "false" }.sorted { ($0.event, $0.key) < ($1.event, $1.key) }.first.map { f in
            (f.event, f.quote, stems(Self.keyWords(f.key).filter { !Self.featureNoise.contains($0) }))
        }
    }

    // MARK: - A refused quote carried out

    static let refusingDecisions: Set<String> = ["refer", "referred", "refer_to_underwriting", "referral", "decline", "declined", "reject", "rejected",
                                                 "deny", "denied", "refused", "not_approved", "ineligible", "not_eligible"]
    static let decisionKeys: Set<String> = ["decision", "outcome", "verdict", "underwriting_decision", "recommendation", "quote_decision", "result"]

    /// A quote or check whose result refused the change ("decision": "refer"), then a write that makes
    /// that very change: it carries at least two of the quoted arguments' values that are not
    /// identifiers (the driver's name, date of birth, relationship), so a change for someone else on
    /// the same policy is not it. The refusal was in front of the agent (tau-bench's and MAST's
    /// "disobey task specification").
    mutating func refusedQuotesCarriedOut(_ writes: [(index: Int, call: ToolCall)]) {
        guard !findings.contains(where: { $0.kind == .policyViolation }) else { return }
        for (ev, c) in calls where !c.failed && !c.isRetrieval {
            guard case .object(let o) = c.resultValue,
                  let (key, decision) = o.first(where: { Self.decisionKeys.contains($0.0.lowercased()) && ($0.1.stringValue.map { Self.refusingDecisions.contains($0.lowercased()) } ?? false) })
            else { continue }
            let quoted = Set(Self.changeValues(c))
            guard !quoted.isEmpty else { continue }
            let quotedIDs = Self.namedIDs(c)
            for (wev, w) in writes where wev > ev {
                // Two of the change's values, or an amount of it on the same object (the overdraft
                // limit a check declined, requested anyway).
                let shared = Self.changeValues(w).filter(quoted.contains)
                guard shared.count >= 2 || (shared.contains { $0.hasPrefix("#") } && !quotedIDs.isDisjoint(with: Self.namedIDs(w))) else { continue }
                add(.policyViolation, "The agent ran \(w.name) for a change a tool result had refused.",
                    [(span(ev), "\(c.name) -> \(key): \(JSONWriter.string(decision))"), (span(wev), "\(w.name)(\(w.arguments.clipped(120)))")])
                return
            }
        }
    }

    /// The values of a call's arguments that describe a change rather than name an object: strings of
    /// three characters or more that hold no identifier, lower-cased, and amounts of 100 or more
    /// ("#1750"; a count of years or points is in too many changes).
    static func changeValues(_ c: ToolCall) -> [String] {
        (argumentLeaves(c) ?? []).compactMap { kv in
            guard !isIDKey(kv.key) else { return nil }
            if kv.value.stringValue == nil, let d = kv.value.doubleValue, abs(d) >= 100 { return "#" + Facts.numberKey(d) }
            guard let s = kv.value.stringValue, s.count >= 3, s.count <= 80, Facts.identifiers(s).isEmpty else { return nil }
            return s.lowercased()
        }
    }
}
