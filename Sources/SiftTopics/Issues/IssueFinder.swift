// The built-in Issues detectors. Each reads general properties of a trace (tool errors and what
// followed, whether the answer's specifics are grounded in what the agent saw, whether a write action
// ran after a stated restriction, how the user's side ended) and never a product's own vocabulary.
// Precision comes first: a detector fires only on direct evidence, and every finding carries it.
// This file holds the finder and the action checks; each other signal family is an IssueFinder+*.swift.

import Foundation
import SiftModel

struct IssueFinder {
    let t: TraceThread
    /// (event index, call) for every tool call, in order.
    let calls: [(index: Int, call: ToolCall)]
    var findings: [IssueFinding] = []
    /// Answer sentences with a count nothing supports (IssueFinder+Counts.swift): weaker evidence than
    /// an unsupported amount or date, so a finding of their own only when nothing else was found.
    var countClaims: [(span: String?, quote: String)] = []

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
        f.contradictions()
        f.supersededValues()
        f.answersFromBeforeAWrite()
        f.answersFromAnOlderResult()
        f.correctedValues()
        f.supersededDocuments()
        f.olderEntries()
        f.claimedActions()
        f.askedAgain()
        f.droppedRequests()
        f.outcome()
        f.requestNeverLookedUp()
        if f.findings.isEmpty, !f.countClaims.isEmpty {
            f.add(.unsupportedClaim, "The answer states counts that nothing the agent saw supports.", f.countClaims)
        }
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
                                  "temporar", "try again later", "retry later", "rate_limit", "quota exceeded"]
    static let acknowledgeCues = ["sorry", "unable", "couldn't", "could not", "can't", "cannot", "failed", "fail", "error", "unfortunately", "problem",
                                  "not able", "wasn't able", "issue with", "went wrong", "try again", "didn't go through", "did not go through",
                                  "trouble", "not possible", "isn't possible", "no record", "not found", "couldn't find", "could not find", "apolog"]
        + otherLanguageAcknowledgeCues
    /// Apologies and failures said in the other languages support traffic comes in (French, Spanish,
    /// Portuguese, German, Italian, Dutch).
    static let otherLanguageAcknowledgeCues = [
        "désolé", "désolée", "desole", "je ne peux pas", "impossible de", "erreur", "malheureusement", "ne fonctionne pas", "ne répond pas",
        "lo siento", "lo lamento", "disculp", "no puedo", "no pude", "imposible", "no funciona", "no responde", "lamentablemente",
        "desculp", "lamento", "não consigo", "não posso", "não foi possível", "impossível", "não está respondendo", "não funciona", "infelizmente",
        "leider", "entschuldig", "kann nicht", "konnte nicht", "fehler", "nicht möglich", "funktioniert nicht", "antwortet nicht",
        "mi dispiace", "purtroppo", "spiacente", "non riesco", "non posso", "errore", "non è possibile", "non funziona", "non risponde",
        "helaas", "kan niet", "fout", "niet mogelijk", "werkt niet",
    ]
    static let successCues = ["successfully", "has been", "have been", "is now", "i've ", "i have ", "done", "all set", "completed", "confirmed",
                              "processed", "went through", "is complete", "taken care", "is on its way", "you will receive", "you'll receive",
                              " updated", " booked", " cancelled", " canceled", " rescheduled", " scheduled", " submitted", " sent", " saved",
                              " created", " opened", " changed", " added", " removed", "you're set", "you are set", "is set up", "is in place",
                              "on your account"]
        + otherLanguageSuccessCues
    /// "Done", "it has been done" and completed actions in the other languages support traffic comes in.
    static let otherLanguageSuccessCues = [
        "c'est fait", "c’est fait", "a été", "est annulé", "est confirmé", "est enregistré", "c'est réservé", "c'est noté",
        "listo", "hecho", "ha sido", "está cancelada", "está confirmad", "quedó", "queda registrad",
        "pronto", "feito", "foi ", "está cancelad", "está confirmad", "erledigt", "wurde", "ist jetzt", "ist gebucht", "storniert",
        "fatto", "è stato", "è stata", "gedaan", "is gelukt", "is geregeld",
    ]
    /// An answer that says the action was not done acknowledges the failure ("the refill was not
    /// sent"); other negations are about other things ("You won't be charged").
    static let negatedCues = ["not been", "not saved", "not sent", "not updated", "not booked", "not changed", "not submitted", "not created",
                              "not processed", "not completed", "not cancel", "not go through", "wasn't possible", "was not possible",
                              "fully booked", "no longer available", "not available", "unavailable", "pas été", "pas pu", "n'a pas", "no se pudo", "no fue", "no ha ",
                              "não foi", "wurde nicht", "ist nicht", "nicht gespeichert", "non è stato", "non è stata", "non ho potuto", "niet gelukt"]

    /// A failure that answers: what was asked for does not exist ("No account matches AC-47249").
    static func isAbsent(_ c: ToolCall) -> Bool {
        let s = failureText(c)
        return !ByteText.any(s, systemErrorCues) && ByteText.any(s, ["not found", "not_found", "notfound", "no such", "does not exist", "doesn't exist", "no match"])
    }

    /// A failed call's error type and message, lower-cased.
    static func failureText(_ c: ToolCall) -> String { ((c.errorType ?? "") + " " + (c.errorMessage ?? "")).lowercased() }

    /// Whether the user said anything between two events.
    func userSpoke(after a: Int, before b: Int) -> Bool {
        a + 1 < b && t.events[(a + 1)..<b].contains { if case .user = $0 { return true } else { return false } }
    }

    static func isSystemError(_ c: ToolCall) -> Bool {
        ByteText.any(failureText(c), systemErrorCues)
    }

    mutating func toolFailures() {
        var stormTools = Set<String>()
        var seen = Set<Int>()
        for k in calls.indices where calls[k].call.failed && !seen.contains(k) {
            // The failures of one tool until it next succeeds, whatever ran between them: an agent
            // that thinks, logs or looks something up between two attempts is still retrying
            // (MAST's step repetition). j is the tool's next success, or the end.
            let name = calls[k].call.name
            var run = [k]
            var j = k + 1
            while j < calls.count {
                if calls[j].call.name == name {
                    if !calls[j].call.failed { break }
                    // The service answered ("not found" after two time-outs): the retrying is over.
                    let prev = calls[run[run.count - 1]].call
                    if Self.isSystemError(prev), Self.isAbsent(calls[j].call) { break }
                    // The user gave something new in between ("sorry, it's AC-47294"): a new request.
                    if calls[j].call.arguments != prev.arguments, userSpoke(after: calls[run[run.count - 1]].index, before: calls[j].index) { break }
                    run.append(j)
                }
                j += 1
            }
            seen.formUnion(run)
            let failures = run.map { calls[$0] }
            // Recovered: the tool ran again after the run (it succeeded, or answered "not found", or
            // was called with what the user gave next).
            let recovered = j < calls.count
            let types = Array(Set(failures.compactMap { $0.call.errorType })).sorted().joined(separator: ", ")
            let ev = failures.prefix(3).map { (span(for: $0.index), "\(name) -> " + ($0.call.errorType ?? "error") + ": " + ($0.call.errorMessage ?? "")) }
            if failures.count >= 3 {
                stormTools.insert(name)
                let end = !recovered ? "and never succeeded" : calls[j].call.failed ? "before the service answered" : "before it finally succeeded"
                add(.retryStorm, "The tool \(name) failed again and again (\(types)) and was retried many times in a row \(end).", ev)
            }
            // A refused state-changing call re-issued with other arguments before the user said
            // anything more: the agent was guessing at them by trial and error (a user who corrects a
            // typo and is retried is not; measured on tau-bench, allowing a user turn in between
            // flagged 9 runs of which 5 failed, against 4 of 5 without).
            // One corrected attempt after a refusal (a date re-sent in the format asked for) is
            // ordinary; guessing is two refused attempts with different arguments, or more.
            let refusedAt = failures[0].index
            let refusedArgs = Set(failures.filter { !Self.isSystemError($0.call) }.map(\.call.arguments))
            let guessed = refusedArgs.count >= 2 && calls.contains { c in
                guard c.index > refusedAt, c.call.name == name, c.call.arguments != failures[0].call.arguments else { return false }
                return !userSpoke(after: refusedAt, before: c.index)
            }
            if Self.isWrite(name), guessed, let refused = failures.first(where: { !Self.isSystemError($0.call) }) {
                add(.rejectedWrite, "The system refused the state-changing call \(name) (\(refused.call.errorType ?? "error")).",
                    [(span(refused.index), "\(name)(\(refused.call.arguments.clipped(100))) -> " + (refused.call.errorMessage ?? ""))])
            }
            if !recovered {
                let last = failures.last!.index
                let answer = reply(after: last)
                let said = answer?.1.lowercased() ?? ""
                let acknowledged = ByteText.any(said, Self.acknowledgeCues) || ByteText.any(said, Self.negatedCues)
                if let answer, !acknowledged, ByteText.any(" " + said, Self.successCues) {
                    add(.ignoredError, "The tool \(name) returned an error (\(types)) that was never recovered, but the agent told the user the action succeeded.",
                        ev + [(span(answer.0), answer.1)])
                } else if !acknowledged, !stormTools.contains(name), failures.contains(where: { Self.isSystemError($0.call) }) {
                    // (A failure the agent told the user about was handled: surfacing an outage is what
                    // an agent should do. One passed over in silence leaves the user waiting.)
                    add(.unresolvedToolFailure, "The tool \(name) failed with a system error (\(types)) and was not recovered.", ev)
                }
            }
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
}
