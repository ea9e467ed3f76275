// Grounding of tool arguments: identifiers and amounts in a call that nothing earlier in the trace carried.
// Part of IssueFinder (IssueFinder.swift), one file per signal family.

import Foundation
import SiftModel

extension IssueFinder {
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
            // (A number a setting takes, "timeout_ms": 25000 or "page_size", names nothing.)
            case .int(let i) where (i >= 10000 || i <= -10000) && !ByteText.any(key.lowercased(), ["amount", "price", "total", "quantity", "count", "cents", "timeout", "limit",
                                                                                                    "page", "size", "max", "min", "retr", "attempt", "delay", "interval"])
                && EvidencePool.secondsPer(key: key) == nil:
                out.append((key, String(i)))
            default: break
            }
        }
        return out
    }

    /// Identifiers without a digit that only their key makes one ("user_id": "usr_obrei"), in a call's
    /// arguments or anywhere in a value (a result).
    static func keyedIdentifiers(_ v: Value, key: String = "", depth: Int = 0) -> [(key: String, id: String)] {
        guard depth < 8 else { return [] }
        switch v {
        case .string(let s):
            // Only a key that says "id" makes one (checked before the value is read for identifiers).
            guard isIDKey(key), Facts.identifiers(s).isEmpty else { return [] }
            return keyedIDs(key, s).map { (key, $0) }
        case .object(let o): return o.flatMap { k, x in keyedIdentifiers(x, key: k, depth: depth + 1) }
        case .array(let a): return a.prefix(100).flatMap { keyedIdentifiers($0, key: key, depth: depth + 1) }
        default: return []
        }
    }

    /// The keyed identifiers of a call's arguments (see `keyedIdentifiers`).
    static func keyedArgumentIDs(_ call: ToolCall) -> [(key: String, id: String)] {
        (argumentLeaves(call) ?? []).flatMap { keyedIdentifiers($0.value, key: $0.key) }
    }

    /// (key, value) of money amounts in a call's arguments (keys naming an amount, price or total).
    static func argumentAmounts(_ call: ToolCall) -> [(key: String, amount: Double)] {
        (argumentLeaves(call) ?? []).compactMap { key, v in
            guard let d = v.doubleValue, d > 10, ByteText.any(key, ["amount", "price", "total", "cost", "fee"]) else { return nil }
            return (key, d)
        }
    }

    /// A system prompt's letters and digits and its identifiers, read once per run.
    static let systemText = TextMemo<(alnum: [UInt8], ids: [String])>()

    mutating func identifiersInCalls() {
        // What the agent had seen before each call: system prompts, turns, earlier calls and results.
        var seen: [UInt8] = []
        var seenIDs = Set<String>()
        for s in t.system {
            let read = Self.systemText.value(s) { (ByteText.alnum($0), Facts.identifiers($0).map(Facts.normalizedID)) }
            seen += read.alnum
            seen.append(0x20)
            seenIDs.formUnion(read.ids)
        }
        var allUser: [UInt8] = []
        var toolText: [UInt8] = []
        let userRaw = t.userTurns.joined(separator: "\n")
        for s in t.userTurns { allUser += ByteText.alnum(s); allUser.append(0x20) }
        // The evidence before each write call, grown as the trace goes (texts not yet in the pool wait).
        var pool: EvidencePool?
        var unpooled = t.system
        var seenTexts: [String] = []
        func see(_ s: String) {
            seenTexts.append(s)
            seen.append(0x20)
            seen += ByteText.alnum(s)
            for id in Facts.identifiers(s) { seenIDs.insert(Facts.normalizedID(id)) }
        }
        for (i, e) in t.events.enumerated() {
            switch e {
            case .user(let s): see(s); unpooled.append(s)
            case .assistant(let s): see(s)
            case .tool(let c):
                if let key = t.addressTypos[i] {
                    add(.mistypedIdentifier, "The agent called \(c.name) with an e-mail address that differs slightly from one given earlier.",
                        [(span(i), "\(c.name)(\(key): <EMAIL>) with an address one or two letters off one given earlier")])
                }
                let keyed = Self.keyedArgumentIDs(c)
                // A nearby postal code may be meant; two characters swapped ("L15 6AG" for "L15 6GA") is a slip.
                for (key, v) in Self.argumentLeaves(c) ?? [] where ByteText.any(key, Self.postalKeys) {
                    guard let s = v.stringValue else { continue }
                    let nb = ByteText.alnum(s)
                    if !ByteText.contains(seen, nb), let swapped = Self.swappedVariant(nb, in: Self.wordsAndPairs(seenTexts)) {
                        add(.mistypedIdentifier, "The agent called \(c.name) with a postal code that has two characters of one given earlier swapped.",
                            [(span(i), "\(c.name)(\(key): \(s)) where the conversation had \(swapped)")])
                    }
                }
                // The call found whom or what the user named: its result names a person or place the
                // user gave that no earlier result held ("Dr. Victor Haddad care team"), so an id one
                // digit from another is that entity's own, not a typo.
                lazy var confirmed = !c.failed && Self.properNames(c.result).contains { name in
                    // Written as a name by the user (capitalised: "credit card" is no name).
                    userRaw.contains(name) && !ByteText.contains(toolText, ByteText.alnum(name))
                }
                for (key, id) in Self.argumentIdentifiers(c) + keyed {
                    // A postal code names a place, not a record (below).
                    if ByteText.any(key, Self.postalKeys) { continue }
                    let n = Facts.normalizedID(id)
                    let nb = Array(n.utf8)
                    guard nb.count >= 5, !ByteText.contains(seen, nb), !ByteText.contains(allUser, nb) else { continue }
                    let nears = seenIDs.filter { Self.isNearMiss(n, $0) }.sorted()
                    let near = nears.first
                    // Composed from parts the conversation gave ("credit_card_7334" from "the card ending
                    // 7334"); not a letter slipped in an identifier given whole ("ING-2024-189957" for
                    // "INV-2024-189957").
                    let digits = String(n.filter(\.isNumber))
                    if digits.count >= 4, ByteText.contains(seen, Array(digits.utf8)),
                       !nears.contains(where: { $0.count == n.count && String($0.filter(\.isNumber)) == digits }) { continue }
                    if let near, !confirmed {
                        add(.mistypedIdentifier, "The agent called \(c.name) with an identifier that differs slightly from one given earlier.",
                            [(span(i), "\(c.name)(\(key.isEmpty ? "" : key + ": ")\(id)) where the conversation had \(near)")])
                    }
                    // An identifier with no near match is not reported: agents legitimately look up
                    // catalogue keys (SKUs, plan codes) they know from their own instructions or tools
                    // the trace does not record.
                }
                let amounts = Self.isWrite(c.name) ? Self.argumentAmounts(c) : []
                if !amounts.isEmpty {
                    if let pool { pool.add(unpooled) } else { pool = EvidencePool(texts: unpooled, created: conversationTime) }
                    unpooled = []
                    for (key, amount) in amounts where !pool!.supports(Fact(kind: .money, key: Facts.numberKey(amount), number: amount, text: ""))
                        && !pool!.derivableWithRate(amount) {
                        add(.inventedIdentifier, "The agent called \(c.name) with an amount that nothing earlier supports.",
                            [(span(i), "\(c.name)(\(key): \(Facts.numberKey(amount)))")])
                    }
                }
                unpooled.append(c.arguments)
                unpooled.append(c.result)
                see(c.arguments)
                see(c.result)
                toolText += ByteText.alnum(c.result)
                toolText.append(0x20)
                see(c.errorMessage ?? "")
                for (_, id) in keyed + (c.failed ? [] : Self.keyedIdentifiers(c.resultValue)) { seenIDs.insert(Facts.normalizedID(id)) }
            }
        }
    }

    static let postalKeys = ["zip", "postal", "postcode"]

    /// `id` with two neighbouring characters swapped, as a word (or two words: "L15 6GA") of the
    /// texts seen holds it, if one does.
    static func swappedVariant(_ id: [UInt8], in words: Set<[UInt8]>) -> String? {
        guard id.count >= 5, id.count <= 10 else { return nil }
        for k in 0..<(id.count - 1) where id[k] != id[k + 1] {
            var v = id
            v.swapAt(k, k + 1)
            if words.contains(v) { return String(decoding: v, as: UTF8.self).uppercased() }
        }
        return nil
    }

    /// The words of the texts (letters and digits, lower-cased) and each two neighbouring words joined.
    static func wordsAndPairs(_ texts: [String]) -> Set<[UInt8]> {
        var out = Set<[UInt8]>()
        for t in texts {
            let words = t.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }).map { ByteText.alnum(String($0)) }
            for (i, w) in words.enumerated() {
                out.insert(w)
                if i + 1 < words.count { out.insert(w + words[i + 1]) }
            }
        }
        return out
    }

    /// Names of people and places in `text`: runs of two or three capitalised words ("Victor Haddad",
    /// "Harbor Point Clinic"), titles ("Dr.") left out.
    static func properNames(_ text: String) -> [String] {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return [] }
        var out: [String] = [], run: [Substring] = []
        func flush() { if run.count >= 2 { out.append(run.prefix(3).joined(separator: " ")) }; run = [] }
        for w in text.split(whereSeparator: { !($0.isLetter || $0 == "'" || $0 == "-") }) {
            let capital = w.first.map { $0.isUppercase } ?? false
            if capital, w.count >= 2, w.dropFirst().contains(where: \.isLowercase), !["Dr", "Mr", "Mrs", "Ms", "The"].contains(String(w)) { run.append(w) } else { flush() }
        }
        flush()
        return out
    }

    /// One or two edits apart (two only for long identifiers), of similar length, and not the same
    /// identifier written another way: numbers that differ only by leading zeros ("caramelsauce015"
    /// and "caramelsauce15", "order 0042" and "order 42") name the same thing.
    static func isNearMiss(_ a: String, _ b: String) -> Bool {
        guard a != b, a.count >= 5, b.count >= 5, abs(a.count - b.count) <= 1 else { return false }
        if withoutLeadingZeros(a) == withoutLeadingZeros(b) { return false }
        let limit = min(a.count, b.count) >= 8 ? 2 : 1
        return editDistance(Array(a), Array(b), limit: limit) <= limit
    }

    /// The text with each run of digits written without its leading zeros.
    static func withoutLeadingZeros(_ s: String) -> String {
        var out = ""
        var inRun = false, runHasDigit = false
        for ch in s {
            if ch.isASCII && ch.isNumber {
                if !inRun { inRun = true; runHasDigit = false }
                if ch == "0" && !runHasDigit { continue }
                runHasDigit = true
                out.append(ch)
            } else {
                if inRun && !runHasDigit { out.append("0") }   // a run of zeros is the number 0
                inRun = false
                out.append(ch)
            }
        }
        if inRun && !runHasDigit { out.append("0") }
        return out
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
}
