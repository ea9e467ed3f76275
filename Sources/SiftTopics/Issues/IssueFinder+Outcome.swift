// Actions claimed but not taken, and how the user's side of the conversation ended.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
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
        // Details the user brought into the conversation: an identifier the agent or a tool showed
        // first (a flight the agent listed, an order a lookup returned) is repeated by a user who
        // picks or confirms it, which is no sign of being asked twice.
        var given: [String: Int] = [:]   // identifier -> the event where the user first gave it
        var lastAssistant: String?
        for (i, e) in t.events.enumerated() {
            switch e {
            case .assistant(let s): lastAssistant = s
            case .user(let s):
                let ids = Facts.identifiers(s).map(Facts.normalizedID)
                // A reply that also brings a detail the user never gave answers a request for that
                // detail (a second policy's number with the ZIP code that secures it, for a new request).
                if let a = lastAssistant?.lowercased(), a.contains("?"), ByteText.any(a, Self.askCues),
                   ids.allSatisfy({ given[$0] != nil }),
                   let again = ids.first(where: { id in given[id].map { !shownBefore(id, $0) } ?? false }) {
                    add(.askedAgain, "The agent asked for details the user had already given.", [(span(i), s.clipped(160) + " (already given: \(again))")])
                }
                for id in ids where given[id] == nil { given[id] = i }
                lastAssistant = nil
            case .tool: break
            }
        }
    }

    /// Whether the agent or a tool showed identifier `id` before event `end`.
    func shownBefore(_ id: String, _ end: Int) -> Bool {
        t.events[..<end].contains { e in
            switch e {
            case .assistant(let s): return Facts.identifiers(s).contains { Facts.normalizedID($0) == id }
            case .tool(let c): return (Facts.identifiers(c.arguments) + Facts.identifiers(c.result)).contains { Facts.normalizedID($0) == id }
            case .user: return false
            }
        }
    }

    static let identifierAsks = ["provide", "share", "need your", "need the", "may i have", "what is your", "what's your", "tell me your",
                                 "give me your", "send me your", "let me know your"]
    static let identifierNouns: Set<String> = ["id", "number", "reference", "code", "confirmation", "username"]

    /// The agent asked for an identifier to look the user's account up, and the conversation ended
    /// without a single tool call: the request was never acted on (tau-bench's missing lookups; MAST's
    /// premature termination). Where the user left frustrated, that finding says it better, and a
    /// request the grounding checks already report is not reported twice.
    mutating func requestNeverLookedUp() {
        guard calls.isEmpty, t.events.count >= 4,
              !findings.contains(where: { [.noLookup, .unresolvedFrustration, .unsupportedClaim, .claimedAction].contains($0.kind) }) else { return }
        var users = 0
        var ask: (Int, String)?
        for (i, e) in t.events.enumerated() {
            switch e {
            case .user: users += 1
            case .assistant(let s) where ask == nil && users > 0:
                ask = Facts.sentences(s).first { sentence in
                    let l = sentence.lowercased()
                    return ByteText.any(l, Self.identifierAsks) && Words.split(l).contains(where: Self.identifierNouns.contains)
                }.map { (i, $0) }
            default: break
            }
        }
        guard let ask, users >= 2, let last = t.events.indices.last(where: { if case .user = t.events[$0] { return true } else { return false } }),
              last > ask.0, case .user(let said) = t.events[last] else { return }
        // "Never mind, I found it": the user resolved it on their own.
        if ByteText.any(said.lowercased(), ["found it", "figured it out", "sorted it", "solved it", "no longer need", "don't need it anymore"]) { return }
        add(.noLookup, "The agent asked for an account identifier, but the conversation ended without anything looked up or done.",
            [(span(ask.0), ask.1), (span(last), "last user turn: " + said)])
    }

    mutating func outcome() {
        let users = t.events.enumerated().compactMap { i, e -> (Int, String)? in if case .user(let s) = e { return (i, s) } else { return nil } }
        guard let last = users.last else { return }
        let tone = BuiltinFacetModel.tone(last.1)
        let gaveUp = ByteText.any(last.1.lowercased(), BuiltinFacetModel.giveUpCues) || BuiltinFacetModel.takesBack(last.1.lowercased())
        // Frustration at the end, not a complaint that opened a conversation the agent then handled:
        // the last turn frustrated or giving up, or a second dissatisfied turn.
        guard users.count >= 2 || gaveUp else { return }
        let earlierUnhappy = users.dropLast().contains { [.negative, .frustrated].contains(BuiltinFacetModel.tone($0.1)) }
        // A dissatisfied last word that accepts the outcome ("Fine, but...", "not great, but ok") is
        // a resolved complaint, not an unresolved one.
        let l = last.1.lowercased()
        // (The other languages' words as words: "vale" is in "equivalent", "merci" in "commercial".)
        let otherAccepts = ["d'accord", "entendu", "de acuerdo", "vale", "entendido", "tudo bem", "verstanden", "einverstanden", "va bene", "capito"]
        let thanksAbroad = BuiltinFacetModel.otherLanguageThanks.contains { BuiltinFacetModel.has(l, $0) }
        let accepts = ByteText.any(l, ["fine", "ok", "okay", "alright", "all right", "i guess", "i see", "understood", "got it", "thank", "appreciate"])
            || thanksAbroad || otherAccepts.contains { BuiltinFacetModel.has(l, $0) }
        // Disappointment alone ("That's disappointing.") is a verdict, not an open request: a negative
        // last turn counts when it still asks for something, or asks for a person no one provided.
        let asksHuman = users.suffix(2).contains { u in BuiltinFacetModel.asksForPerson(u.1) }
        let handoffs = calls.filter { c in !c.call.failed && ByteText.any(c.call.name.lowercased(), ["transfer", "escalat", "handoff", "hand_off", "human"]) }
        let handedOff = !handoffs.isEmpty
        // A user who asked for a person in the last turn and was handed to one is passed on, not left.
        if BuiltinFacetModel.asksForPerson(last.1), handoffs.contains(where: { $0.index > last.0 }) { return }
        let stillAsking = l.contains("?") || l.contains("still") || l.contains("not resolved") || l.contains("no answer")
        // "Never mind, I found it, thanks!" ends well; "thanks for nothing" does not.
        let thanks = (ByteText.any(l, ["thank", "appreciate", "found it", "figured it out", "sorted it"]) || thanksAbroad)
            && !ByteText.any(l, ["for nothing", "no thanks to", "merci pour rien", "gracias por nada", "obrigado por nada", "danke für nichts"])
        guard !thanks else { return }
        // "ok never mind, I'll ask our IT admin": a user who drops the request calmly, with a way on.
        // (Its "never mind" reads as frustration on its own; the acceptance and the plan outweigh it.)
        if gaveUp && accepts && (ByteText.any(l, ["i'll ", "i will ", "i'm going to "]) || BuiltinFacetModel.takesBack(l))
            && !ByteText.any(l, BuiltinFacetModel.complainElsewhereCues)
            && !ByteText.any(l, ["elsewhere", "my business", "cancel", "competitor", "useless", "pointless", "waste", "no help", "not helpful",
                                 "nowhere", "helped", "aucune aide", "ayudado", "ajudou", "hilfreich", "aiutato"]) { return }
        // The user's tone fell and stayed down: two of the last three turns unhappy, one of them
        // frustrated (disappointment alone is a verdict), typos forgiven, and the last neither thanks
        // nor accepts ("so this was pointless" then "no. bye").
        let lastThree = users.suffix(3).map { BuiltinFacetModel.tolerantTone($0.1) }
        let stayedDown = users.count >= 2 && lastThree.filter { $0 == .negative || $0 == .frustrated }.count >= 2
            && lastThree.contains(.frustrated) && lastThree.last != .positive && !accepts
        let lastTone = tone == .neutral ? (lastThree.last ?? .neutral) : tone
        // A user who was frustrated a turn or two before and now leaves without thanks or acceptance
        // ("This is ridiculous." ... "bye.") leaves unhelped.
        // (Not a complaint that opened the conversation, nor a goodbye that praises the fix.)
        let leavesUnhappy = users.count >= 3 && lastThree.dropLast().contains(.frustrated) && !accepts && tone != .positive
            && !(users.count == 3 && lastThree.first == .frustrated && lastThree[1] != .frustrated && lastThree[1] != .negative)
            && BuiltinFacetModel.leavingCues.contains { BuiltinFacetModel.has(l, $0) }
        guard lastTone == .frustrated || gaveUp || (asksHuman && !handedOff && tone != .positive)
                || (lastTone == .negative && earlierUnhappy && stillAsking && !accepts) || stayedDown || leavesUnhappy else { return }
        var ev = [(span(last.0), last.1)]
        if let asked = users.first(where: { u in BuiltinFacetModel.asksForPerson(u.1) }), asked.0 != last.0 {
            ev.insert((span(asked.0), asked.1), at: 0)
        }
        add(.unresolvedFrustration, "The conversation ended with the user frustrated and the request unresolved.", ev)
    }
}
