// Constraints: write actions taken after a tool result or the policy stated a condition that forbids them.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
    // MARK: - Constraints: write actions after a stated restriction

    struct Restriction {
        var families: Set<String>   // empty: any write action
        var ids: Set<String>        // identifiers of the object it is about (empty: unknown)
        var event: Int
        var quote: String
        /// For a failed gate (verification, authentication): the field a later success sets true,
        /// and the event of that success (writes after it are not against the gate).
        var gate: String? = nil
        var liftedAt: Int? = nil
        /// A count of what is left that is zero ("available": 0): it holds for writes that take one
        /// more of that very object (assign, add, enrol), named by its identifier.
        var capacity = false
        /// The action a permission names when it is of no known family ("early_downgrade_allowed":
        /// "downg"): it holds for writes that name that action.
        var action: String? = nil
        /// `action` is what the check that returned the verdict is named for.
        var checked = false
        /// Whom the object belongs to (its account): a write naming only them is about it when it
        /// names the restricted action too.
        var owners: Set<String> = []
        /// The object is named only by whose it is (an account's flags): the restriction holds for
        /// writes on that account, whatever more specific thing they name besides.
        var onOwner = false
        /// For a state of one object (`objectState`): its field. It holds for writes naming that
        /// object by its own identifier, until a later result of the field lifts it.
        var state: String? = nil
    }

    /// Fields whose value bars changing the object that carries them: true for holds (legal_hold,
    /// security_hold), false for compliance and approval. Nil for any other field.
    static func objectState(_ key: String) -> Bool? {
        let words = Set(keyWords(key))
        if words.contains("hold") && !words.contains("on") && words.isDisjoint(with: heldNot) { return true }
        if words.contains("compliant") || words.contains("approved") { return false }
        return nil
    }

    /// Words beside "hold" that make it no bar: an option to hold, a fare hold, a hold queue.
    static let heldNot: Set<String> = ["can", "available", "allowed", "eligible", "option", "options", "price", "fare", "fee", "queue", "music",
                                       "time", "duration", "days", "until", "expires", "expiry", "count"]

    /// The stem of the action a permission key names besides its cue ("early_downgrade_allowed" ->
    /// "downg"), when there is one.
    static func namedAction(_ key: String) -> String? {
        let noise: Set<String> = ["allowed", "permitted", "eligible", "early", "able", "can", "is", "may", "allow", "not", "non"]
        let words = keyWords(key).filter { $0.count >= 4 && !noise.contains($0) }
        guard words.count == 1, let w = words.first else { return nil }
        return String(w.prefix(5))
    }

    /// Fields that count what is left of something.
    static let capacityKeys: Set<String> = ["available", "remaining", "left", "free", "seats_available", "available_seats", "free_seats",
                                            "remaining_seats", "seats_left", "quota_remaining", "remaining_quota", "slots_available", "capacity_left"]
    /// Verbs of writes that take one more of something.
    static let consumingVerbs = ["assign", "add", "enrol", "enroll", "create", "book", "reserve", "allocate", "grant", "provision", "register", "activate", "install", "claim"]

    /// Gates on the whole session rather than one object: a write after a failed verification is
    /// against policy until a later result passes the gate.
    static let gateKeys = ["verified", "authenticated", "authorized", "authorised"]

    static let forbiddingWhenFalse = ["refundable", "returnable", "cancellable", "cancelable", "modifiable", "changeable", "editable", "exchangeable",
                                      "transferable", "eligible", "allowed", "permitted", "upgradeable", "upgradable"]
    static let forbiddingWhenTrue = ["final_sale", "finalsale", "non_refundable", "nonrefundable", "no_refund", "ineligible", "not_eligible",
                                     "not_refundable", "not_returnable", "non_returnable", "restricted", "locked", "frozen", "blocked"]
    static let forbiddingPhrases = ["final sale", "non-refundable", "nonrefundable", "non refundable", "not refundable", "not eligible", "ineligible",
                                    "not returnable", "non-returnable", "not cancellable", "not cancelable", "cannot be cancelled", "cannot be canceled",
                                    "cannot be refunded", "cannot be returned", "cannot be modified", "cannot be changed", "no refunds"]
    static let amountKeys = ["amount", "price", "total", "cost", "fee", "charge"]

    /// The amounts of money an object or a call's arguments carry, as identity keys: a credit names
    /// the charge it is for by its amount as often as by an id.
    static func amountKeys(_ o: JSONObject) -> Set<String> {
        var out = Set<String>()
        for (k, x) in o { if let d = x.doubleValue, d > 0, ByteText.any(k.lowercased(), amountKeys) { out.insert("amount:" + Facts.numberKey(d)) } }
        return out
    }

    /// Fields naming whom an object belongs to rather than which object it is.
    static let ownerKeys = ["account", "user", "customer", "member", "client", "owner", "subscriber"]

    /// What a call's arguments name: their identifiers (the owner's only when nothing more specific
    /// is named: every object of a customer carries the customer's id) and amounts.
    /// Identifiers in a value, and the value itself where its key says it is an id ("account_id":
    /// "acc_qqzzlt" holds no digit, but is no word either).
    static func keyedIDs(_ key: String, _ s: String) -> [String] {
        let found = Facts.identifiers(s)
        guard found.isEmpty else { return found }
        guard isIDKey(key), (5...64).contains(s.utf8.count),
              s.utf8.allSatisfy({ ByteText.isAlnum($0) || ByteText.isSeparator($0) }), s.utf8.contains(where: ByteText.isSeparator) else { return [] }
        return [s]
    }

    /// A key that says its value is an id: "id", "user_id", "order-id".
    static func isIDKey(_ key: String) -> Bool {
        let k = key.lowercased()
        return k == "id" || k.hasSuffix("_id") || k.hasSuffix("-id")
    }

    /// Every identifier a call's arguments name, its owner's included.
    static func namedIDs(_ c: ToolCall) -> Set<String> {
        Set((argumentIdentifiers(c) + keyedArgumentIDs(c)).map { Facts.normalizedID($0.id) })
    }

    static func argumentIdentity(_ c: ToolCall) -> Set<String> {
        let named = argumentIdentifiers(c) + keyedArgumentIDs(c)
        let specific = named.filter { !ByteText.any($0.key.lowercased(), ownerKeys) }
        var out = Set((specific.isEmpty ? named : specific).map { Facts.normalizedID($0.id) })
        for (k, v) in argumentLeaves(c) ?? [] {
            if let d = v.doubleValue, d > 0, ByteText.any(k.lowercased(), amountKeys) { out.insert("amount:" + Facts.numberKey(d)) }
        }
        return out
    }

    /// What a result field's name says, judged once per name per run (the same names fill every result).
    struct KeyClass {
        var lower: String
        var names: Bool      // names an object (an id, number, code)
        var owner: Bool      // names whom the object belongs to
        var dated: Bool      // holds a date the object's age is counted from
        var forbidsWhenFalse: Bool
        var forbidsWhenTrue: Bool
        var families: Set<String>
        var gate: Bool
        /// See `objectState`.
        var state: Bool? = nil
        /// The key's words ("legal_hold" -> legal, hold).
        var words: Set<String> = []
    }
    static let keyClasses = TextMemo<KeyClass>(minBytes: 0, maxBytes: 1 << 20)

    static func keyClass(_ k: String) -> KeyClass {
        keyClasses.value(k) { k in
            let lk = k.lowercased()
            let plain = lk.replacingOccurrences(of: "is_", with: "").replacingOccurrences(of: "can_", with: "")
            return KeyClass(lower: lk, names: ByteText.any(lk, idKeyCues) || lk == "id", owner: ByteText.any(lk, ownerKeys),
                            dated: ByteText.any(lk, objectDateKeys) || plainDateKeys.contains(lk),  // (see `age`)
                            forbidsWhenFalse: ByteText.any(plain, forbiddingWhenFalse) && !plain.hasPrefix("non") && !plain.hasPrefix("in"),
                            forbidsWhenTrue: ByteText.any(plain, forbiddingWhenTrue), families: families(lk),
                            gate: gateKeys.contains(plain) || gateKeys.contains(where: { plain.hasSuffix("_" + $0) }),
                            state: objectState(lk), words: Set(keyWords(lk)))
        }
    }

    /// Restrictions stated by successful, non-retrieval tool results about specific objects, and
    /// time windows stated anywhere (policy text, documents) that an object's dates already exceed.
    /// A restriction is about the object that states it: its own identifiers and amounts, else those
    /// of the object holding it, else what the call that returned it was asked about.
    func restrictions() -> [Restriction] {
        var out: [Restriction] = []
        // Windows: "refunds within 30 days", "returns accepted up to 14 days after delivery".
        var windows: [Window] = []
        // Policy and documents state windows; another tool's result states its own verdict, which the
        // flags and phrases below read.
        var texts = t.system
        for (_, c) in calls where !c.failed && c.isRetrieval { texts.append(c.result) }
        for text in texts { windows += Self.windowMemo.values(byLine: text, Self.windows).joined() }
        let now = conversationTime.seconds
        // A search result's records carry states (a catalog's "approved": false) as any result does;
        // the words of its documents are policy text, read above.
        for (ev, c) in calls where !c.failed {
            let noun = Set(Self.keyWords(c.name))
            func walk(_ v: Value, ids: Set<String>, depth: Int) {
                guard depth < 8 else { return }
                switch v {
                case .object(let o):
                    var own = Set<String>(), owner = Set<String>()
                    var byOwner = false
                    let classes = o.map { Self.keyClass($0.0) }
                    for ((_, x), kc) in zip(o, classes) where kc.names {
                        if let s = x.stringValue {
                            for id in Self.keyedIDs(kc.lower, s) { if kc.owner { owner.insert(Facts.normalizedID(id)) } else { own.insert(Facts.normalizedID(id)) } }
                        } else if let i = x.doubleValue, abs(i) >= 1000 {
                            if kc.owner { owner.insert(String(Int64(i))) } else { own.insert(String(Int64(i))) }
                        }
                    }
                    if own.isEmpty {
                        // Named only by owner keys: the key that names what the tool returns is the
                        // object's own (lookup_user's user_id), the others its owners (account_id).
                        var mine = Set<String>()
                        for ((_, x), kc) in zip(o, classes) where kc.names && kc.owner && !noun.isDisjoint(with: kc.words) {
                            if let s = x.stringValue { for id in Self.keyedIDs(kc.lower, s) { mine.insert(Facts.normalizedID(id)) } }
                        }
                        own = mine.isEmpty ? owner : mine
                        byOwner = !own.isEmpty
                    }
                    let here = own.isEmpty ? ids : own.union(Self.amountKeys(o))
                    var newest: Double?
                    var dated: [(key: String, seconds: Double)] = []
                    for ((k, x), kc) in zip(o, classes) {
                        if !c.isRetrieval, let n = x.doubleValue, n <= 0, Self.capacityKeys.contains(kc.lower), !own.isEmpty {
                            out.append(Restriction(families: [], ids: own, event: ev, quote: "\(c.name) -> \(k): \(JSONWriter.string(x))", capacity: true))
                        }
                        if !c.isRetrieval, let r = Self.openDispute(k, x, ids: here, event: ev, tool: c.name) { out.append(r) }
                        // A state may be an object of its own: "legal_hold": {"active": true, ...}.
                        if let b = x.boolValue ?? (kc.state != nil ? Self.activeFlag(x) : nil) {
                            if let held = kc.state {
                                // A state of one object that bars changing it (a legal hold, a failed
                                // compliance check) until a later result says otherwise.
                                if b == held, !own.isEmpty {
                                    out.append(Restriction(families: [], ids: own, event: ev, quote: "\(c.name) -> \(k): \(b)", state: kc.lower))
                                } else if b != held {
                                    for i in out.indices where out[i].state == kc.lower && out[i].liftedAt == nil && !out[i].ids.isDisjoint(with: own.union(ids)) { out[i].liftedAt = ev }
                                }
                            } else if c.isRetrieval {
                            } else if kc.gate {
                                // A failed gate holds until passed; a passed one lifts the gates before it.
                                if !b { out.append(Restriction(families: [], ids: [], event: ev, quote: "\(c.name) -> \(k): false", gate: kc.lower)) }
                                else { for i in out.indices where out[i].gate == kc.lower && out[i].liftedAt == nil { out[i].liftedAt = ev } }
                            } else if (!b && kc.forbidsWhenFalse) || (b && kc.forbidsWhenTrue) {
                                // A verdict of no family of its own ("eligible": false) is about what the
                                // check that returned it asked (check_refund_eligibility: refunds and credits).
                                let asked = kc.families.isEmpty && !Self.isWrite(c.name) ? Self.nameWords(c.name).first { !Self.families($0).isEmpty } : nil
                                let fam = asked.map(Self.families) ?? kc.families
                                var r = Restriction(families: fam, ids: here, event: ev, quote: "\(c.name) -> \(k): \(b)")
                                // (Or, for a check of no family, the action the check is named for:
                                // check_payment_holiday_eligibility -> "holid".)
                                r.action = fam.isEmpty ? Self.namedAction(kc.lower) : nil
                                if fam.isEmpty, r.action == nil, !Self.isWrite(c.name), let a = Self.checkedAction(c.name) { r.action = a; r.checked = true }
                                r.owners = ids.union(owner)
                                r.onOwner = byOwner
                                out.append(r)
                            }
                        } else if !c.isRetrieval, let s = x.stringValue, s.count <= 80 {
                            if s.utf8.count >= 6, ByteText.any(s, Self.forbiddingPhrases) {
                                let ls = s.lowercased()
                                if !ls.contains(" if ") && !ls.hasPrefix("if ") && !ls.contains("unless") {
                                    out.append(Restriction(families: Self.families(ls + " " + kc.lower), ids: here, event: ev, quote: "\(c.name) -> \(k): \(s)"))
                                }
                            }
                            if kc.dated, !windows.isEmpty, let d = Timestamp(iso8601: s) {
                                newest = max(newest ?? d.seconds, d.seconds)
                                dated.append((kc.lower, d.seconds))
                            }
                        }
                    }
                    // A window counts from the date it names ("invoices issued within 30 days": the
                    // issue date, not the due date); else from the object's latest date.
                    func age(_ w: Window) -> Double {
                        let ws = Self.stems(w.quote)
                        let anchored = dated.filter { d in !Self.stems(d.key).subtracting(["date", "time"]).isDisjoint(with: ws) }
                        // A plain "date" dates the object for a window about objects "dated within" it ("no more than 120 days old").
                        let plain = ByteText.any(w.quote.lowercased(), ["dated ", " days old", " day old"]) ? [] : Self.plainDateKeys
                        let own = dated.filter { !plain.contains($0.key) }
                        return (now - (anchored.map(\.seconds).max() ?? own.map(\.seconds).max() ?? now)) / 86400
                    }
                    if newest != nil, windows.contains(where: { age($0) > Double($0.days) + 1 }) {
                        // A window applies to the kind of object it names ("returns within 30 days of
                        // delivery" to a delivered order, not to an invoice).
                        var about = Set<String>()
                        for (k, x) in o {
                            about.formUnion(Self.stems(k))
                            if let s = x.stringValue, s.count <= 80 { about.formUnion(Self.stems(s)) }
                        }
                        about.formUnion(Self.stems(c.name))
                        for w in windows where age(w) > Double(w.days) + 1 && !Self.stems(w.quote).isDisjoint(with: about) {
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
            walk(c.resultValue, ids: Self.argumentIdentity(c), depth: 0)
        }
        return out
    }

    nonisolated(unsafe) static let affirmative = Facts.compiled(
        #"\b(yes|yeah|yep|yup|confirm|confirmed|go ahead|proceed|sure|ok|okay|please do|correct|that's right|sounds good|do it|agreed|approve)\b"#)
    /// The words of every earlier result object that carries one of `ids`.
    func objectWords(ids: Set<String>, before event: Int) -> Set<String> {
        var out = Set<String>()
        forEachObject(carrying: ids, before: event) { o in
            for (_, v) in o { if let s = v.stringValue { out.formUnion(Words.split(s.replacingOccurrences(of: "_", with: " "))) } }
        }
        return out
    }

    /// Calls `body` with every object of an earlier successful, non-retrieval result that carries one
    /// of `ids` as a string field.
    func forEachObject(carrying ids: Set<String>, before event: Int, _ body: (JSONObject) -> Void) {
        for (ev, c) in calls where ev < event && !c.failed && !c.isRetrieval {
            func walk(_ v: Value, depth: Int) {
                guard depth < 8 else { return }
                switch v {
                case .object(let o):
                    if o.contains(where: { $0.1.stringValue.map { ids.contains(Facts.normalizedID($0)) } ?? false }) { body(o) }
                    for (_, x) in o { walk(x, depth: depth + 1) }
                case .array(let a): for x in a.prefix(100) { walk(x, depth: depth + 1) }
                default: break
                }
            }
            walk(c.resultValue, depth: 0)
        }
    }

    /// Whether a system prompt asks for the user's confirmation before changes, read once per run.
    static let confirmationMemo = TextMemo<Bool>()

    mutating func policy() {
        let writes = calls.filter { !$0.call.failed && Self.isWrite($0.call.name) }
        guard !writes.isEmpty else { return }
        // A policy that asks for the user's confirmation before changes, and a change made without one.
        let needsConfirmation = t.system.contains { text in
            Self.confirmationMemo.values(byLine: text) { text in
                Facts.sentences(text).contains { s in
                    let l = s.lowercased()
                    return (Self.asksUserConfirmation(l) || l.contains("consent")) && (l.contains("before") || l.contains("prior to"))
                        && (!Self.families(s).isEmpty || ByteText.any(l, ["action", "book", "delete", "write", "purchase", "charge", "send"]))
                }
            }.contains(true)
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
        skippedPrerequisites(writes)
        ignoredWarnings(writes)
        writesOnRefusedDecisions(writes)
        policyGateChecks(writes)
        permissionChecks(writes)
        refusedQuotesCarriedOut(writes)
        let banned = prohibitions()
        if !banned.isEmpty {
            for (ev, w) in writes {
                let fam = Self.families(w.name)
                let ids = Set(Self.argumentIdentifiers(w).map { Facts.normalizedID($0.id) })
                guard !fam.isEmpty, !ids.isEmpty else { continue }
                let words = objectWords(ids: ids, before: ev)
                lazy var parts = objectParts(ids: ids, before: ev)   // only once a rule's words fit
                if let rule = banned.first(where: { !$0.families.isDisjoint(with: fam) && $0.subject.isSubset(of: words)
                                                    && !Self.changesAnotherPart(w.name, head: $0.head, parts: parts)
                                                    && !keepsPart(w, head: $0.head, ids: ids, before: ev) }) {
                    add(.policyViolation, "The agent ran \(w.name) on something the policy says cannot be changed that way.",
                        [(nil, "policy: " + rule.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                }
            }
        }
        // Amount limits the policy states ("refunds above 500.00 need a supervisor").
        let caps = t.system.flatMap { Self.capMemo.values(byLine: $0, Self.amountCaps).joined() }
        if !caps.isEmpty {
            capped: for (ev, w) in writes {
                let fam = Self.families(w.name)
                guard !fam.isEmpty else { continue }
                for (k, v) in Self.argumentLeaves(w) ?? [] {
                    guard let d = v.doubleValue, ByteText.any(k.lowercased(), Self.amountKeys) else { continue }
                    if let cap = caps.first(where: { !$0.families.isDisjoint(with: fam) && d > $0.limit + 0.005 && Self.names(w, $0.subject) }) {
                        add(.policyViolation, "The agent ran \(w.name) for an amount above the limit the policy states.",
                            [(nil, "policy: " + cap.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                        break capped
                    }
                }
            }
        }
        statedBounds(writes)
        let rules = restrictions()
        guard !rules.isEmpty else { return }
        for (ev, w) in writes {
            let fam = Self.families(w.name)
            let argIDs = Self.argumentIdentity(w)
            for r in rules where r.capacity && r.event < ev {
                guard ByteText.any(w.name.lowercased(), Self.consumingVerbs), !argIDs.isEmpty, !r.ids.isDisjoint(with: argIDs) else { continue }
                add(.policyViolation, "The agent ran \(w.name) although a tool result said none was left.",
                    [(span(r.event), r.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                break
            }
            for r in rules where r.state != nil && r.event < ev && (r.liftedAt.map { ev < $0 } ?? true) {
                guard !argIDs.isEmpty, !r.ids.isDisjoint(with: argIDs), !Self.protects(w.name),
                      !(r.state?.contains("approv") == true && ByteText.any(w.name.lowercased(), Self.approvalWords)) else { continue }
                add(.policyViolation, "The agent ran \(w.name) on something a tool result said may not be changed now.",
                    [(span(r.event), r.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                break
            }
            for r in rules where !r.capacity && r.state == nil && r.event < ev && (r.liftedAt.map { ev < $0 } ?? true) {
                // A failed gate holds for every write; a restriction on no family in particular, for
                // writes of a known family (a locked account still takes a password reset).
                // (A check's verdict holds for the write its name names, whatever that write's family:
                // grant_payment_holiday after check_payment_holiday_eligibility.)
                let familyMatch = r.gate != nil ? gateHolds(r, for: w)
                    : r.checked ? r.action.map { ByteText.contains(ByteText.lower(w.name), Array($0.utf8)) } ?? false
                    : (r.families.isEmpty ? !fam.isEmpty : !r.families.isDisjoint(with: fam))
                guard familyMatch else { continue }
                // The action a permission names is taken by a write that names it, or that carries out the
                // user's request for it ("We'd like to downgrade to Starter" -> change_plan).
                if let a = r.action, !ByteText.contains(ByteText.lower(w.name + " " + w.arguments + " " + asked(ev, fam)), Array(a.utf8)) { continue }
                guard r.ids.isEmpty || argIDs.isEmpty || !r.ids.isDisjoint(with: argIDs) || (r.action != nil && !r.owners.isDisjoint(with: argIDs))
                        || (r.onOwner && !r.ids.isDisjoint(with: Self.namedIDs(w))) else { continue }
                add(.policyViolation, "The agent ran \(w.name) after a tool result or the policy stated a condition that forbids it.",
                    [(span(r.event), r.quote), (span(ev), "\(w.name)(\(w.arguments.clipped(120)))")])
                break
            }
        }
    }
}
