// The built-in Issues detectors. Each reads general properties of a trace (tool errors and what
// followed, whether the answer's specifics are grounded in what the agent saw, whether a write action
// ran after a stated restriction, how the user's side ended) and never a product's own vocabulary.
// Precision comes first: a detector fires only on direct evidence, and every finding carries it.

import Foundation
import SiftModel

struct IssueFinder {
    let t: TraceThread
    /// (event index, call) for every tool call, in order.
    let calls: [(index: Int, call: ToolCall)]
    var findings: [IssueFinding] = []

    init(_ t: TraceThread) {
        self.t = t
        calls = t.events.enumerated().compactMap { i, e in if case .tool(let c) = e { return (i, c) } else { return nil } }
    }

    static func find(_ t: TraceThread) -> [IssueFinding] {
        var f = IssueFinder(t)
        f.toolFailures()
        f.repeatedCalls()
        f.identifiersInCalls()
        f.policy()
        f.grounding()
        f.claimedActions()
        f.askedAgain()
        f.outcome()
        // One finding per kind (the first, with the evidence of all), dominant first.
        var byKind: [IssueKind: IssueFinding] = [:]
        for x in f.findings {
            if var y = byKind[x.kind] { y.evidence += x.evidence; byKind[x.kind] = y } else { byKind[x.kind] = x }
        }
        return byKind.values.sorted { $0.kind < $1.kind }.map { var x = $0; x.evidence = Array(x.evidence.prefix(6)); return x }
    }

    mutating func add(_ kind: IssueKind, _ detail: String, _ evidence: [(span: String?, quote: String)]) {
        findings.append(IssueFinding(kind: kind, detail: detail, evidence: evidence.map { ($0.span, $0.quote.clipped(240)) }))
    }

    func span(_ event: Int) -> String? { t.spanID(ofEvent: event) }

    /// The first assistant turn after event `i`, with its index.
    func reply(after i: Int) -> (Int, String)? {
        for j in (i + 1)..<t.events.count { if case .assistant(let s) = t.events[j] { return (j, s) } }
        return nil
    }

    // MARK: - Actions: tool errors and what followed

    static let systemErrorCues = ["timeout", "timed out", "unavailable", "internal", "rate limit", "ratelimit", "too many requests", "429", "500", "502",
                                  "503", "504", "connection", "upstream", "gateway", "overloaded", "throttl", "econn", "server error", "service error",
                                  "temporar", "try again later"]
    static let acknowledgeCues = ["sorry", "unable", "couldn't", "could not", "can't", "cannot", "failed", "fail", "error", "unfortunately", "problem",
                                  "not able", "wasn't able", "issue with", "went wrong", "try again", "didn't go through", "did not go through",
                                  "trouble", "not possible", "isn't possible", "no record", "not found", "couldn't find", "could not find", "apolog"]
    static let successCues = ["successfully", "has been", "have been", "is now", "i've ", "i have ", "done", "all set", "completed", "confirmed",
                              "processed", "went through", "is complete", "taken care", "is on its way", "you will receive", "you'll receive"]

    static func isSystemError(_ c: ToolCall) -> Bool {
        let s = ((c.errorType ?? "") + " " + (c.errorMessage ?? "")).lowercased()
        return ByteText.any(s, systemErrorCues)
    }

    mutating func toolFailures() {
        var k = 0
        var stormTools = Set<String>()
        while k < calls.count {
            guard calls[k].call.failed else { k += 1; continue }
            let name = calls[k].call.name
            var j = k
            while j < calls.count, calls[j].call.name == name, calls[j].call.failed { j += 1 }
            let failures = Array(calls[k..<j])
            let recovered = calls[j...].contains { $0.call.name == name && !$0.call.failed }
            let types = Array(Set(failures.compactMap { $0.call.errorType })).sorted().joined(separator: ", ")
            let ev = failures.prefix(3).map { (span(for: $0.index), "\(name) -> " + ($0.call.errorType ?? "error") + ": " + ($0.call.errorMessage ?? "")) }
            if failures.count >= 3 {
                stormTools.insert(name)
                let end = recovered ? "before it finally succeeded" : "and never succeeded"
                add(.retryStorm, "The tool \(name) failed again and again (\(types)) and was retried many times in a row \(end).", ev)
            }
            // A refused state-changing call re-issued with other arguments before the user said
            // anything more: the agent was guessing at them by trial and error (a user who corrects a
            // typo and is retried is not; measured on tau-bench, allowing a user turn in between
            // flagged 9 runs of which 5 failed, against 4 of 5 without).
            let refusedAt = failures[0].index
            let guessed = calls.contains { c in
                guard c.index > refusedAt, c.call.name == name, c.call.arguments != failures[0].call.arguments else { return false }
                return !t.events[refusedAt..<c.index].contains { if case .user = $0 { return true } else { return false } }
            }
            if Self.isWrite(name), guessed, let refused = failures.first(where: { !Self.isSystemError($0.call) }) {
                add(.rejectedWrite, "The system refused the state-changing call \(name) (\(refused.call.errorType ?? "error")).",
                    [(span(refused.index), "\(name)(\(refused.call.arguments.clipped(100))) -> " + (refused.call.errorMessage ?? ""))])
            }
            if !recovered {
                let last = failures.last!.index
                let answer = reply(after: last)
                let said = answer?.1.lowercased() ?? ""
                let acknowledged = ByteText.any(said, Self.acknowledgeCues)
                if let answer, !acknowledged, ByteText.any(said, Self.successCues) {
                    add(.ignoredError, "The tool \(name) returned an error (\(types)) that was never recovered, but the agent told the user the action succeeded.",
                        ev + [(span(answer.0), answer.1)])
                } else if !stormTools.contains(name), failures.contains(where: { Self.isSystemError($0.call) }) {
                    add(.unresolvedToolFailure, "The tool \(name) failed with a system error (\(types)) and was not recovered.", ev)
                }
            }
            k = j
        }
    }

    func span(for event: Int) -> String? { span(event) }

    mutating func repeatedCalls() {
        // Identical successful calls with identical results, between two user turns.
        var counts: [String: [(Int, ToolCall)]] = [:]
        var reported = Set<String>()
        func flush(_ self_: inout IssueFinder) {
            for (key, list) in counts where list.count >= 3 && !reported.contains(key) {
                reported.insert(key)
                let c = list[0].1
                self_.add(.repeatedCalls, "The agent called \(c.name) with the same arguments several times and got the same result each time.",
                          list.prefix(3).map { (self_.span($0.0), "\(c.name)(\($0.1.arguments.clipped(80)))") })
            }
            counts = [:]
        }
        for (i, e) in t.events.enumerated() {
            switch e {
            case .user: flush(&self)
            case .tool(let c) where !c.failed:
                counts[c.name + "\u{1}" + c.arguments + "\u{1}" + c.result, default: []].append((i, c))
            default: break
            }
        }
        flush(&self)
    }

    // MARK: - Grounding of tool arguments

    static let idKeyCues = ["id", "number", "code", "sku", "ref", "account", "order", "tracking", "confirmation", "reservation", "booking",
                            "ticket", "invoice", "customer", "user", "email", "phone", "serial", "card", "payment"]

    /// Every scalar in a call's arguments with the (lower-cased) key it sits under; nil when the
    /// arguments are not JSON.
    static func argumentLeaves(_ call: ToolCall) -> [(key: String, value: Value)]? {
        guard let v = try? JSONReader.parse(call.arguments) else { return nil }
        var out: [(String, Value)] = []
        func walk(_ v: Value, key: String, depth: Int) {
            guard depth < 8 else { return }
            switch v {
            case .object(let o): for (k, x) in o { walk(x, key: k.lowercased(), depth: depth + 1) }
            case .array(let a): for x in a.prefix(50) { walk(x, key: key, depth: depth + 1) }
            default: out.append((key, v))
            }
        }
        walk(v, key: "", depth: 0)
        return out
    }

    /// (key, identifier) pairs in a call's arguments.
    static func argumentIdentifiers(_ call: ToolCall) -> [(key: String, id: String)] {
        guard let leaves = argumentLeaves(call) else { return Facts.identifiers(call.arguments).map { ("", $0) } }
        var out: [(String, String)] = []
        for (key, v) in leaves {
            switch v {
            case .string(let s) where !ByteText.any(key, ["date", "time", "when", "day", "created", "updated"]):
                for id in Facts.identifiers(s) { out.append((key, id)) }
            case .int(let i) where (i >= 10000 || i <= -10000) && !ByteText.any(key, ["amount", "price", "total", "quantity", "count", "cents"]):
                out.append((key, String(i)))
            default: break
            }
        }
        return out
    }

    /// (key, value) of money amounts in a call's arguments (keys naming an amount, price or total).
    static func argumentAmounts(_ call: ToolCall) -> [(key: String, amount: Double)] {
        (argumentLeaves(call) ?? []).compactMap { key, v in
            guard let d = v.doubleValue, d > 10, ByteText.any(key, ["amount", "price", "total", "cost", "fee"]) else { return nil }
            return (key, d)
        }
    }

    mutating func identifiersInCalls() {
        // What the agent had seen before each call: system prompts, turns, earlier calls and results.
        var seen: [UInt8] = []
        var seenIDs = Set<String>(t.system.flatMap(Facts.identifiers).map(Facts.normalizedID))
        for s in t.system { seen += ByteText.alnum(s); seen.append(0x20) }
        var allUser: [UInt8] = []
        for s in t.userTurns { allUser += ByteText.alnum(s); allUser.append(0x20) }
        var seenTexts = t.system
        func see(_ s: String) {
            seen.append(0x20)
            seen += ByteText.alnum(s)
            for id in Facts.identifiers(s) { seenIDs.insert(Facts.normalizedID(id)) }
        }
        for (i, e) in t.events.enumerated() {
            switch e {
            case .user(let s): see(s); seenTexts.append(s)
            case .assistant(let s): see(s)
            case .tool(let c):
                for (key, id) in Self.argumentIdentifiers(c) {
                    let n = Facts.normalizedID(id)
                    let nb = Array(n.utf8)
                    guard nb.count >= 5, !ByteText.contains(seen, nb), !ByteText.contains(allUser, nb) else { continue }
                    // Composed from parts the conversation gave ("credit_card_7334" from "the card ending 7334").
                    let digits = String(n.filter(\.isNumber))
                    if digits.count >= 4, ByteText.contains(seen, Array(digits.utf8)) { continue }
                    if let near = seenIDs.first(where: { Self.isNearMiss(n, $0) }) {
                        add(.mistypedIdentifier, "The agent called \(c.name) with an identifier that differs slightly from one given earlier.",
                            [(span(i), "\(c.name)(\(key.isEmpty ? "" : key + ": ")\(id)) where the conversation had \(near)")])
                    }
                    // An identifier with no near match is not reported: agents legitimately look up
                    // catalogue keys (SKUs, plan codes) they know from their own instructions or tools
                    // the trace does not record.
                }
                let amounts = Self.isWrite(c.name) ? Self.argumentAmounts(c) : []
                if !amounts.isEmpty {
                    let pool = EvidencePool(texts: seenTexts, created: t.created)
                    for (key, amount) in amounts where !pool.supports(Fact(kind: .money, key: Facts.numberKey(amount), number: amount, text: "")) {
                        add(.inventedIdentifier, "The agent called \(c.name) with an amount that nothing earlier supports.",
                            [(span(i), "\(c.name)(\(key): \(Facts.numberKey(amount)))")])
                    }
                }
                seenTexts.append(c.arguments)
                seenTexts.append(c.result)
                see(c.arguments)
                see(c.result)
                see(c.errorMessage ?? "")
            }
        }
    }

    /// One or two edits apart (two only for long identifiers), of similar length.
    static func isNearMiss(_ a: String, _ b: String) -> Bool {
        guard a != b, a.count >= 5, b.count >= 5, abs(a.count - b.count) <= 1 else { return false }
        let limit = min(a.count, b.count) >= 8 ? 2 : 1
        return editDistance(Array(a), Array(b), limit: limit) <= limit
    }

    /// Damerau-Levenshtein (optimal string alignment) distance, stopping early past `limit`.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > limit { return limit + 1 }
            prev2 = prev; prev = cur
        }
        return prev[b.count]
    }

    // MARK: - Constraints: write actions after a stated restriction

    static let readVerbs: Set<String> = ["get", "list", "search", "find", "lookup", "look", "check", "fetch", "read", "query", "retrieve", "view", "show",
                                         "describe", "calculate", "compute", "estimate", "think", "validate", "verify", "kb", "track", "browse", "count"]
    static let writeVerbs: Set<String> = ["refund", "cancel", "update", "change", "modify", "book", "send", "issue", "create", "delete", "remove", "reset",
                                          "apply", "credit", "schedule", "submit", "transfer", "return", "exchange", "add", "set", "post", "place", "charge",
                                          "pay", "approve", "grant", "upgrade", "downgrade", "edit", "close", "reopen", "assign", "write", "save", "reverse",
                                          "void", "waive", "rebook", "reimburse", "compensate", "process", "initiate", "order", "purchase", "buy", "unsubscribe"]

    /// Words of a tool name ("issue_refund", "cancelOrder" -> [issue, refund] / [cancel, order]).
    static func nameWords(_ name: String) -> [String] {
        var words: [String] = [], cur = ""
        for ch in name {
            if ch.isUppercase, !cur.isEmpty { words.append(cur); cur = "" }
            if ch.isLetter { cur.append(Character(ch.lowercased())) } else if !cur.isEmpty { words.append(cur); cur = "" }
        }
        if !cur.isEmpty { words.append(cur) }
        return words
    }

    static func isWrite(_ name: String) -> Bool {
        let w = nameWords(name)
        guard let first = w.first, !readVerbs.contains(first) else { return false }
        return w.contains { writeVerbs.contains($0) || writeVerbs.contains(String($0.dropLast())) || writeVerbs.contains(String($0.dropLast(2))) }
    }

    /// The action families a word names: a refund and a return are one family.
    static let familyStems: [(stems: [[UInt8]], families: [String])] = [
        (["refund", "reimburs", "credit", "compensat"], ["refund"]), (["return"], ["refund", "return"]), (["cancel"], ["cancel"]),
        (["exchang"], ["exchange"]), (["modif", "chang", "updat", "edit"], ["modify"]), (["transfer"], ["transfer"]), (["upgrad"], ["upgrade"]),
    ].map { (stems: $0.0.map { Array($0.utf8) }, families: $0.1) }

    static func families(_ text: String) -> Set<String> {
        let b = ByteText.lower(text)
        var out = Set<String>()
        for f in familyStems where f.stems.contains(where: { ByteText.contains(b, $0) }) { out.formUnion(f.families) }
        return out
    }

    struct Restriction {
        var families: Set<String>   // empty: any write action
        var ids: Set<String>        // identifiers of the object it is about (empty: unknown)
        var event: Int
        var quote: String
    }

    static let forbiddingWhenFalse = ["refundable", "returnable", "cancellable", "cancelable", "modifiable", "changeable", "editable", "exchangeable",
                                      "transferable", "eligible", "allowed", "permitted", "upgradeable", "upgradable"]
    static let forbiddingWhenTrue = ["final_sale", "finalsale", "non_refundable", "nonrefundable", "no_refund", "ineligible", "not_eligible",
                                     "not_refundable", "not_returnable", "non_returnable", "restricted", "locked", "frozen", "blocked"]
    static let forbiddingPhrases = ["final sale", "non-refundable", "nonrefundable", "non refundable", "not refundable", "not eligible", "ineligible",
                                    "not returnable", "non-returnable", "not cancellable", "not cancelable", "cannot be cancelled", "cannot be canceled",
                                    "cannot be refunded", "cannot be returned", "cannot be modified", "cannot be changed", "no refunds"]
    nonisolated(unsafe) static let windowPattern = Facts.compiled(#"(\d+)[\s-]?(?:calendar\s|business\s)?days?\b"#)
    static let objectDateKeys = ["order", "purchase", "deliver", "ship", "bought", "booked", "placed", "created", "paid"]

    /// Restrictions stated by successful, non-retrieval tool results about specific objects, and
    /// time windows stated anywhere (policy text, documents) that an object's dates already exceed.
    func restrictions() -> [Restriction] {
        var out: [Restriction] = []
        // Windows: "refunds within 30 days", "returns accepted up to 14 days after delivery".
        var windows: [(families: Set<String>, days: Int, quote: String)] = []
        var texts = t.system
        for (_, c) in calls where !c.failed { texts.append(c.result) }
        for text in texts where !Self.families(text).isDisjoint(with: ["refund", "return", "cancel", "exchange"]) {
            for sentence in Facts.sentences(text) where sentence.utf8.count < 1200 {
                let fam = Self.families(sentence).intersection(["refund", "return", "cancel", "exchange"])
                guard !fam.isEmpty else { continue }
                let ns = sentence as NSString
                for m in Self.windowPattern?.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) ?? [] {
                    if let d = Int(ns.substring(with: m.range(at: 1))), d >= 1, d <= 3650 { windows.append((fam, d, sentence)) }
                }
            }
        }
        for (ev, c) in calls where !c.failed && !c.isRetrieval {
            func walk(_ v: Value, ids: Set<String>, depth: Int) {
                guard depth < 8 else { return }
                switch v {
                case .object(let o):
                    var here = ids
                    for (k, x) in o {
                        let lk = k.lowercased()
                        if let s = x.stringValue, ByteText.any(lk, Self.idKeyCues) || lk == "id" {
                            for id in Facts.identifiers(s) { here.insert(Facts.normalizedID(id)) }
                        } else if let i = x.doubleValue, ByteText.any(lk, Self.idKeyCues), abs(i) >= 1000 {
                            here.insert(String(Int64(i)))
                        }
                    }
                    var newest: Double?
                    for (k, x) in o {
                        let lk = k.lowercased()
                        if let b = x.boolValue {
                            let plain = lk.replacingOccurrences(of: "is_", with: "").replacingOccurrences(of: "can_", with: "")
                            if (!b && ByteText.any(plain, Self.forbiddingWhenFalse) && !plain.hasPrefix("non") && !plain.hasPrefix("in"))
                                || (b && ByteText.any(plain, Self.forbiddingWhenTrue)) {
                                out.append(Restriction(families: Self.families(lk), ids: here, event: ev, quote: "\(c.name) -> \(k): \(b)"))
                            }
                        } else if let s = x.stringValue, s.count <= 80 {
                            let ls = s.lowercased()
                            if ByteText.any(ls, Self.forbiddingPhrases), !ls.contains(" if ") && !ls.hasPrefix("if ") && !ls.contains("unless") {
                                out.append(Restriction(families: Self.families(ls + " " + lk), ids: here, event: ev, quote: "\(c.name) -> \(k): \(s)"))
                            }
                            if ByteText.any(lk, Self.objectDateKeys), let d = Timestamp(iso8601: s) {
                                newest = max(newest ?? d.seconds, d.seconds)
                            }
                        }
                    }
                    if let newest, !windows.isEmpty {
                        let age = (t.created.seconds - newest) / 86400
                        for w in windows where age > Double(w.days) + 1 {
                            out.append(Restriction(families: w.families, ids: here, event: ev,
                                                   quote: "\(c.name): the object's latest date is past the window stated in \"\(w.quote.clipped(120))\""))
                        }
                    }
                    for (_, x) in o { if case .object = x { walk(x, ids: here, depth: depth + 1) } else if case .array = x { walk(x, ids: here, depth: depth + 1) } }
                case .array(let a):
                    for x in a.prefix(100) { walk(x, ids: ids, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, ids: [], depth: 0)
        }
        return out
    }

    nonisolated(unsafe) static let affirmative = Facts.compiled(
        #"\b(yes|yeah|yep|yup|confirm|confirmed|go ahead|proceed|sure|ok|okay|please do|correct|that's right|sounds good|do it|agreed|approve)\b"#)
    nonisolated(unsafe) static let prohibition = Facts.compiled(
        #"^(.*?)\b(?:cannot|can not|can't|may not|must not|should not|is not allowed to|are not allowed to)\s+(?:be\s+)?(\w+)"#)
    static let subjectNoise: Set<String> = ["flight", "flights", "reservation", "reservations", "order", "orders", "item", "items", "product", "products",
                                            "user", "users", "customer", "customers", "agent", "agents", "account", "accounts", "booking", "bookings",
                                            "other", "some", "each", "these", "those", "they", "them", "also", "once", "already", "however", "note"]

    /// The policy's "things like X cannot be V-ed" sentences: (the words naming X, the action family, the sentence).
    func prohibitions() -> [(subject: Set<String>, families: Set<String>, quote: String)] {
        var out: [(Set<String>, Set<String>, String)] = []
        for text in t.system {
            for sentence in Facts.sentences(text) where sentence.count < 300 {
                let ns = sentence as NSString
                guard let m = Self.prohibition?.firstMatch(in: sentence, range: NSRange(location: 0, length: ns.length)) else { continue }
                let fam = Self.families(ns.substring(with: m.range(at: 2)))
                guard !fam.isEmpty else { continue }
                let before = ns.substring(with: m.range(at: 1))
                // The clause right before the negation names what is forbidden.
                let clause = before.split(whereSeparator: { ",;:".contains($0) }).last.map(String.init) ?? before
                let words = Words.split(clause).filter { $0.count >= 3 && !Tokens.stopwords.contains($0) && !Self.subjectNoise.contains($0) && !$0.contains(where: \.isNumber) }
                guard !words.isEmpty, words.count <= 3 else { continue }
                out.append((Set(words), fam, sentence))
            }
        }
        return out
    }

    /// The words of every earlier result object that carries one of `ids`.
    func objectWords(ids: Set<String>, before event: Int) -> Set<String> {
        var out = Set<String>()
        for (ev, c) in calls where ev < event && !c.failed && !c.isRetrieval {
            func walk(_ v: Value, depth: Int) {
                guard depth < 8 else { return }
                switch v {
                case .object(let o):
                    let strings = o.compactMap { $0.1.stringValue }
                    if strings.contains(where: { ids.contains(Facts.normalizedID($0)) }) {
                        for s in strings { out.formUnion(Words.split(s.replacingOccurrences(of: "_", with: " "))) }
                    }
                    for (_, x) in o { walk(x, depth: depth + 1) }
                case .array(let a): for x in a.prefix(100) { walk(x, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        return out
    }

    mutating func policy() {
        let writes = calls.filter { !$0.call.failed && Self.isWrite($0.call.name) }
        guard !writes.isEmpty else { return }
        // A policy that asks for the user's confirmation before changes, and a change made without one.
        let needsConfirmation = t.system.contains { text in
            Facts.sentences(text).contains { s in
                let l = s.lowercased()
                return (l.contains("confirm") || l.contains("consent")) && (l.contains("before") || l.contains("prior to"))
                    && (!Self.families(s).isEmpty || ByteText.any(l, ["action", "book", "delete", "write", "purchase", "charge", "send"]))
            }
        }
        if needsConfirmation, let affirmative = Self.affirmative {
            for (ev, w) in writes where !w.name.lowercased().contains("transfer") && !w.name.lowercased().contains("escalat") {
                var lastUser: (Int, String)?
                for j in stride(from: ev - 1, through: 0, by: -1) { if case .user(let s) = t.events[j] { lastUser = (j, s); break } }
                let said = lastUser?.1 ?? ""
                if affirmative.firstMatch(in: said, range: NSRange(location: 0, length: (said as NSString).length)) == nil {
                    add(.policyViolation, "The agent ran \(w.name) without the user's confirmation, which the policy requires before changes.",
                        [(span(ev), "\(w.name)(\(w.arguments.clipped(120)))")] + (lastUser.map { [(span($0.0), "last user turn: " + $0.1)] } ?? []))
                    break
                }
            }
        }
        let banned = prohibitions()
        if !banned.isEmpty {
            for (ev, w) in writes {
                let fam = Self.families(w.name)
                let ids = Set(Self.argumentIdentifiers(w).map { Facts.normalizedID($0.id) })
                guard !fam.isEmpty, !ids.isEmpty else { continue }
                let words = objectWords(ids: ids, before: ev)
                if let rule = banned.first(where: { !$0.families.isDisjoint(with: fam) && $0.subject.isSubset(of: words) }) {
                    add(.policyViolation, "The agent ran \(w.name) on something the policy says cannot be changed that way.",
                        [(nil, "policy: " + rule.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                }
            }
        }
        let rules = restrictions()
        guard !rules.isEmpty else { return }
        for (ev, w) in writes {
            let fam = Self.families(w.name)
            let argIDs = Set(Self.argumentIdentifiers(w).map { Facts.normalizedID($0.id) })
            for r in rules where r.event < ev {
                let familyMatch = r.families.isEmpty ? !fam.isEmpty : !r.families.isDisjoint(with: fam)
                guard familyMatch else { continue }
                guard r.ids.isEmpty || argIDs.isEmpty || !r.ids.isDisjoint(with: argIDs) else { continue }
                add(.policyViolation, "The agent ran \(w.name) after a tool result or the policy stated a condition that forbids it.",
                    [(span(r.event), r.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                break
            }
        }
    }

    // MARK: - Grounding of answers

    struct Valued {
        var value: Double
        var kind: FactKind
        var words: Set<String>
        var retrieval: Bool
        var date: Double?
        var event: Int
        var tool: String
        var quote: String
    }

    static let genericWords: Set<String> = ["price", "prices", "cost", "costs", "total", "amount", "your", "this", "that", "with", "from", "have",
                                            "will", "would", "which", "their", "there", "about", "what", "when", "plan", "item", "items", "product",
                                            "order", "currently", "current", "only", "also", "just", "month", "year", "week", "each", "per", "fee"]

    static func contentWords(_ s: String) -> Set<String> {
        Set(Words.split(s).filter { $0.count >= 4 && !$0.contains(where: \.isNumber) && !Tokens.stopwords.contains($0) && !genericWords.contains($0) })
    }

    static let moneyKeys = ["price", "cost", "fee", "amount", "total", "rate", "fare", "charge", "subtotal", "msrp", "balance", "refund", "premium"]
    static let dateKeys = ["updated", "modified", "as_of", "asof", "indexed", "refreshed", "snapshot", "published", "effective", "last_", "date", "version"]

    /// Amounts in successful tool results, with the words around them and how fresh their source is.
    func valuedFacts() -> [Valued] {
        var out: [Valued] = []
        for (ev, c) in calls where !c.failed {
            var resultDate: Double?
            func dates(_ v: Value, depth: Int) {
                guard depth < 6 else { return }
                if case .object(let o) = v {
                    for (k, x) in o {
                        let lk = k.lowercased()
                        if let s = x.stringValue, ByteText.any(lk, Self.dateKeys), let d = Timestamp(iso8601: s) { resultDate = max(resultDate ?? d.seconds, d.seconds) }
                        dates(x, depth: depth + 1)
                    }
                } else if case .array(let a) = v { for x in a.prefix(50) { dates(x, depth: depth + 1) } }
            }
            dates(c.resultValue, depth: 0)
            func text(_ s: String, words extra: Set<String>) {
                for sentence in Facts.sentences(s) {
                    let w = Self.contentWords(sentence).union(extra)
                    for f in Facts.extract(sentence) where f.kind == .money || f.kind == .percent {
                        if let v = f.number { out.append(Valued(value: v, kind: f.kind, words: w, retrieval: c.isRetrieval, date: resultDate, event: ev, tool: c.name, quote: sentence)) }
                    }
                }
            }
            func walk(_ v: Value, depth: Int) {
                guard depth < 8 else { return }
                switch v {
                case .object(let o):
                    var siblings = Set<String>()
                    for (_, x) in o { if let s = x.stringValue, s.count <= 120 { siblings.formUnion(Self.contentWords(s)) } }
                    for (k, x) in o {
                        let lk = k.lowercased()
                        if let d = x.doubleValue, ByteText.any(lk, Self.moneyKeys), !lk.contains("id") {
                            out.append(Valued(value: d, kind: .money, words: siblings, retrieval: c.isRetrieval, date: resultDate, event: ev, tool: c.name,
                                              quote: "\(c.name) -> \(k): \(JSONWriter.string(x))"))
                        } else if let s = x.stringValue, s.count > 3 {
                            text(s, words: s.count <= 120 ? [] : siblings)
                        } else {
                            walk(x, depth: depth + 1)
                        }
                    }
                case .array(let a): for x in a.prefix(100) { walk(x, depth: depth + 1) }
                case .string(let s): text(s, words: [])
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
        return out
    }

    /// Whether source `b` is fresher than source `a`: a later date, a live lookup over a retrieved
    /// document, or a later call of the same tool.
    static func fresher(_ b: Valued, than a: Valued) -> Bool {
        if let db = b.date, let da = a.date { return db > da + 86400 }
        if a.retrieval && !b.retrieval { return true }
        if b.retrieval && !a.retrieval { return false }
        return b.tool == a.tool && b.event > a.event
    }

    static let correctionCues = ["that's wrong", "that is wrong", "that's not right", "that is not right", "not correct", "incorrect", "that's not what",
                                 "you're wrong", "you are wrong", "that's not true", "that is not true", "but it says", "but the website", "but your website",
                                 "but your site", "but the app", "but the site", "that doesn't match", "that does not match", "doesn't add up"]
    static let stalenessCues = ["outdated", "out of date", "old price", "price changed", "prices changed", "no longer", "has changed", "have changed",
                                "was updated", "been updated", "new price", "now costs", "went up", "increased", "raised", "current price", "latest"]

    mutating func grounding() {
        guard !t.events.isEmpty else { return }
        var pool: [String] = t.system
        for e in t.events {
            switch e {
            case .user(let s): pool.append(s)
            case .tool(let c): pool.append(c.arguments); pool.append(c.result); if let m = c.errorMessage { pool.append(m) }
            case .assistant: break
            }
        }
        let evidence = EvidencePool(texts: pool + t.retrievedText, created: t.created)
        var sourcesCache: [Valued]?
        func sources() -> [Valued] {
            if let s = sourcesCache { return s }
            let s = calls.isEmpty ? [] : valuedFacts()
            sourcesCache = s
            return s
        }
        var stale: [(span: String?, quote: String)] = []
        var unsupported: [(span: String?, quote: String)] = []
        var lastClaims: [Fact] = []
        var answered = false
        for (i, e) in t.events.enumerated() {
            switch e {
            case .assistant(let s):
                answered = true
                lastClaims = []
                for sentence in Facts.sentences(s) where Facts.isAssertion(sentence) {
                    let facts = Facts.extract(sentence)
                    lastClaims += facts
                    for f in facts {
                        if !evidence.supports(f) {
                            unsupported.append((span(i), sentence))
                            break
                        }
                        guard f.kind == .money || f.kind == .percent, let v = f.number else { continue }
                        let words = Self.contentWords(sentence)
                        let sources = sources()
                        let support = sources.filter { $0.kind == f.kind && abs($0.value - v) < 0.0051 && $0.event < i }
                        guard !support.isEmpty else { continue }
                        let conflicts = sources.filter { c in
                            c.kind == f.kind && abs(c.value - v) >= 0.0051 && !c.words.isDisjoint(with: words)
                                && !support.contains { abs($0.value - c.value) < 0.0051 }
                        }
                        if let c = conflicts.first(where: { c in support.allSatisfy { Self.fresher(c, than: $0) } }) {
                            stale.append((span(i), sentence))
                            stale.append((span(c.event), c.quote))
                            break
                        }
                    }
                }
            case .user(let s) where answered:
                let l = s.lowercased()
                let strong = ByteText.any(l, ["outdated", "out of date", "old price", "old information", "not up to date"])
                if strong {
                    stale.append((span(i), s))
                } else if lastClaims.isEmpty {
                    if ByteText.any(l, Self.correctionCues) { add(.userCorrection, "The user said the agent's answer was wrong.", [(span(i), s)]) }
                } else if ByteText.any(l, Self.stalenessCues) && (ByteText.any(l, Self.correctionCues) || Facts.extract(s).contains { f in lastClaims.contains { $0.kind == f.kind && $0.key != f.key } }) {
                    stale.append((span(i), s))
                } else if ByteText.any(l, Self.correctionCues) {
                    add(.userCorrection, "The user said the agent's answer was wrong.", [(span(i), s)])
                }
                lastClaims = []
            default: break
            }
        }
        // With no tool call at all, claims about the user's own account (an order's state, a refund, a
        // charge) cannot have come from anywhere: the agent had nothing to look them up in.
        if calls.isEmpty, !t.userTurns.isEmpty {
            for (i, e) in t.events.enumerated() {
                guard case .assistant(let s) = e else { continue }
                if let sentence = Facts.sentences(s).first(where: { Facts.isAssertion($0) && Self.isAccountClaim($0) }) {
                    unsupported.append((span(i), sentence))
                    break
                }
            }
        }
        // A request about the user's own account (they gave an identifier) answered without looking
        // anything up: the agent could not have known, or did nothing.
        if calls.isEmpty, unsupported.isEmpty, !t.assistantTurns.isEmpty,
           let (i, turn) = t.events.enumerated().lazy.compactMap({ i, e -> (Int, String)? in
               // An account reference: an identifier in a short turn that names what it identifies (a
               // pasted log full of codes is not a request about an account).
               if case .user(let u) = e, u.utf8.count < 400, ByteText.any(u, Self.accountWords),
                  Facts.identifiers(u).contains(where: { id in id.contains(where: \.isLetter) || id.count >= 6 }) { return (i, u) }
               return nil
           }).first {
            add(.noLookup, "The user gave an account identifier, but the agent answered without looking anything up.", [(span(i), turn)])
        }
        if !stale.isEmpty {
            add(.staleContext, "The answer used a value from an older source although a newer source or the user gave a different one.", stale)
        }
        if !unsupported.isEmpty {
            add(.unsupportedClaim, "The answer states specifics that nothing the agent saw supports.", unsupported)
        }
    }

    static let accountWords = ["order", "account", "booking", "reservation", "user id", "my id", "customer", "ticket", "confirmation",
                               "tracking", "invoice", "subscription", "membership", "policy number", "case number", "member"]
    static let accountNouns = ["your order", "your refund", "your account", "your payment", "your charge", "your package", "your parcel",
                               "your subscription", "your booking", "your reservation", "your claim", "your case", "your ticket", "your return",
                               "your replacement", "your delivery", "your shipment", "the duplicate charge", "the charge", "the refund", "the order",
                               "we'll ship you", "we will ship you", "we'll send you", "we will send you", "you'll receive", "you will receive"]
    static let stateCues = ["processed", "reversed", "refunded", "shipped", "delivered", "approved", "cancelled", "canceled", "credited",
                            "left our warehouse", "has been", "have been", "was ", "will be", "already", "guarantee", "warranty", "free of charge",
                            "on its way", "arrive", "disappear"]

    static func isAccountClaim(_ sentence: String) -> Bool {
        let l = sentence.lowercased()
        let mentionsAccount = ByteText.any(l, accountNouns) || Facts.identifiers(sentence).contains { $0.contains(where: \.isLetter) && $0.contains(where: \.isNumber) }
        return mentionsAccount && ByteText.any(l, stateCues)
    }

    // MARK: - Actions claimed but not taken

    nonisolated(unsafe) static let claimedActionPattern = Facts.compiled(
        #"\b(?:i've|i have|i just|i've just|i have just|we've|we have|i've now|i have now|i've gone ahead and|i went ahead and)\s+(?:\w+\s+)?(refunded|cancell?ed|processed|updated|changed|booked|sent|issued|scheduled|reset|applied|credited|submitted|placed|rebooked|upgraded|modified|removed|deleted|added|reversed|waived|escalated|transferred|initiated|created|filed|opened)\b"#)

    mutating func claimedActions() {
        // Only where no tool ran at all: a related lookup may complete an action implicitly (a
        // validated code applied at checkout), and failed calls are the error checks' to report.
        guard calls.isEmpty else { return }
        for (i, e) in t.events.enumerated() {
            guard case .assistant(let s) = e else { continue }
            for sentence in Facts.sentences(s) where !sentence.contains("?") {
                let ns = sentence as NSString
                if Self.claimedActionPattern?.firstMatch(in: sentence, range: NSRange(location: 0, length: ns.length)) != nil {
                    add(.claimedAction, "The agent said it had carried out an action that no tool call in the trace performed.", [(span(i), sentence)])
                    return
                }
            }
        }
    }

    // MARK: - Outcome

    static let askCues = ["could you provide", "can you provide", "could you share", "can you share", "please share", "please provide", "what is your",
                          "what's your", "may i have", "could you tell me", "can you tell me", "could you give", "can you give", "please send",
                          "could you send", "can you send", "please enter", "please type"]

    mutating func askedAgain() {
        var given = Set<String>()
        var lastAssistant: String?
        for (i, e) in t.events.enumerated() {
            switch e {
            case .assistant(let s): lastAssistant = s
            case .user(let s):
                let ids = Set(Facts.identifiers(s).map(Facts.normalizedID))
                if let a = lastAssistant?.lowercased(), a.contains("?"), ByteText.any(a, Self.askCues), let again = ids.intersection(given).first {
                    add(.askedAgain, "The agent asked for details the user had already given.", [(span(i), s.clipped(160) + " (already given: \(again))")])
                }
                given.formUnion(ids)
                lastAssistant = nil
            case .tool: break
            }
        }
    }

    mutating func outcome() {
        let users = t.events.enumerated().compactMap { i, e -> (Int, String)? in if case .user(let s) = e { return (i, s) } else { return nil } }
        guard let last = users.last else { return }
        let tone = BuiltinFacetModel.tone(last.1)
        let gaveUp = ByteText.any(last.1.lowercased(), BuiltinFacetModel.giveUpCues)
        // Frustration at the end, not a complaint that opened a conversation the agent then handled:
        // the last turn frustrated or giving up, or a second dissatisfied turn.
        guard users.count >= 2 || gaveUp else { return }
        let earlierUnhappy = users.dropLast().contains { [.negative, .frustrated].contains(BuiltinFacetModel.tone($0.1)) }
        // A dissatisfied last word that accepts the outcome ("Fine, but...", "not great, but ok") is
        // a resolved complaint, not an unresolved one.
        let l = last.1.lowercased()
        let accepts = ByteText.any(l, ["fine", "ok", "okay", "alright", "all right", "i guess", "i see", "understood", "got it", "thank", "appreciate"])
        // Disappointment alone ("That's disappointing.") is a verdict, not an open request: a negative
        // last turn counts when it still asks for something, or asks for a person no one provided.
        let asksHuman = users.suffix(2).contains { u in ByteText.any(u.1.lowercased(), BuiltinFacetModel.escalationCues) }
        let handedOff = calls.contains { c in !c.call.failed && ByteText.any(c.call.name.lowercased(), ["transfer", "escalat", "handoff", "hand_off", "human"]) }
        let stillAsking = l.contains("?") || l.contains("still") || l.contains("not resolved") || l.contains("no answer")
        // "Never mind, I found it, thanks!" ends well; "thanks for nothing" does not.
        let thanks = ByteText.any(l, ["thank", "appreciate", "found it", "figured it out", "sorted it"]) && !ByteText.any(l, ["for nothing", "no thanks to"])
        guard !thanks else { return }
        guard tone == .frustrated || gaveUp || (asksHuman && !handedOff && tone != .positive)
                || (tone == .negative && earlierUnhappy && stillAsking && !accepts) else { return }
        var ev = [(span(last.0), last.1)]
        if let asked = users.first(where: { u in ByteText.any(u.1.lowercased(), BuiltinFacetModel.escalationCues) }), asked.0 != last.0 {
            ev.insert((span(asked.0), asked.1), at: 0)
        }
        add(.unresolvedFrustration, "The conversation ended with the user frustrated and the request unresolved.", ev)
    }
}
