// The built-in facet model: deterministic analysis of a thread's structure and words. Task is the
// user's request with identifiers generalised plus the actions the agent took; Sentiment reads the
// user's turns against a tone lexicon and reports how the tone moved; Issues runs detectors for
// agent-side problems (retry storms, ignored tool errors, stale retrieved context, answers with no
// source, clarification loops, unresolved escalations, refusals, abandoned requests) and writes one
// sentence per problem, the most serious first, in wording distinct enough to cluster apart.

import Foundation
import SiftModel

/// What a facet model says about one trace.
public struct FacetOutput: Hashable, Sendable {
    public var summary: String
    /// For facets with a fixed label set: the chosen label (upper-case), or nil for `no_match`.
    public var label: String?
    /// The part of the summary that defines the group, when the model knows it (the built-in Task
    /// facet: the actions taken); clustering embeds it instead of the whole summary.
    public var clusterText: String?

    public init(summary: String, label: String? = nil, clusterText: String? = nil) {
        self.summary = summary
        self.label = label
        self.clusterText = clusterText
    }
}

public protocol FacetModel: Sendable {
    /// Recorded with each summary ("builtin", or the server's model name).
    var name: String { get }
    /// Summarises one trace along a facet. `thread` is redacted; `text` is the redacted output of
    /// the facet's preprocessor. Nil means the model skips the trace (e.g. nothing to say).
    func summarize(thread: TraceThread, text: String, facet: FacetDefinition) throws -> FacetOutput?
    /// How many traces to summarise at once (a model server is latency-bound; the built-in, CPU-bound).
    var concurrency: Int { get }
}

extension FacetModel {
    public var concurrency: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

public struct BuiltinFacetModel: FacetModel, @unchecked Sendable {
    public var name: String { "builtin" }
    private var ruleCache: [String: [NSRegularExpression]] = [:]

    public init(custom: [FacetDefinition] = []) {
        for f in custom {
            for l in f.labels {
                ruleCache[f.name + "\u{1}" + l.label] = l.match.compactMap { try? NSRegularExpression(pattern: $0, options: .caseInsensitive) }
            }
        }
    }

    /// Whether the built-in model can produce this facet (custom facets need label rules).
    public static func canSummarize(_ facet: FacetDefinition) -> Bool {
        facet.kind != .custom || (!facet.labels.isEmpty && facet.labels.contains { !$0.match.isEmpty })
    }

    public func summarize(thread: TraceThread, text: String, facet: FacetDefinition) throws -> FacetOutput? {
        switch facet.kind {
        case .task: return Self.task(thread)
        case .sentiment: return Self.sentiment(thread)
        case .issues: return Self.issues(thread)
        case .custom:
            guard Self.canSummarize(facet) else {
                throw TopicsError.model("facet '\(facet.name)' needs a model server: the built-in model can only choose among labels with \"match\" rules (set SIFT_MODEL_URL, or add rules)")
            }
            let range = NSRange(location: 0, length: (text as NSString).length)
            for l in facet.labels {
                let rules = ruleCache[facet.name + "\u{1}" + l.label] ?? []
                if rules.contains(where: { $0.firstMatch(in: text, range: range) != nil }) {
                    return FacetOutput(summary: l.label, label: l.label)
                }
            }
            return FacetOutput(summary: "no_match", label: nil)
        }
    }

    // MARK: - Task

    static func task(_ t: TraceThread) -> FacetOutput? {
        guard let first = t.userTurns.first else { return nil }
        var request = SummaryText.generalize(first)
        request = SummaryText.dropToneSentences(request)
        if request.count > 240 { request = String(request.prefix(240)) + "…" }
        // What the agent did is the clearest sign of what the user wanted: lead with it, so requests
        // worded differently but handled alike read alike. Without tools, the request speaks alone.
        var actions: [String] = []
        for c in t.toolCalls where !actions.contains(c.name) { actions.append(c.name) }
        guard !actions.isEmpty else { return FacetOutput(summary: "Question answered without tools: " + request) }
        let intent = actions.prefix(4).map { $0.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: ".", with: " ") }.joined(separator: " + ")
        let lead = intent.prefix(1).uppercased() + intent.dropFirst()
        return FacetOutput(summary: lead + ": " + request, clusterText: lead)
    }

    // MARK: - Sentiment

    enum Tone: Int { case neutral = 0, positive, negative, frustrated }

    static let frustratedCues = ["ridiculous", "unbelievable", "worst", "useless", "forget it", "never mind", "nevermind", "!!!", "are you even",
                                 "given it to you", "like i said", "getting silly", "disputing", "nobody ever", "waste of time", "fed up",
                                 "sick of", "absurd", "pathetic", "terrible", "furious", "that's not an answer", "what is wrong with"]
    static let negativeCues = ["annoying", "not happy", "ugh", "disappoint", "expected better", "shouldn't have", "not great", "not impressed",
                               "too slow", "so slow", "took forever", "took ages", "second time", "unacceptable", "frustrat", "upset", "wrong",
                               "bad ", "poor", "why was that", "already did", "in my message", "still waiting", "again"]
    static let positiveCues = ["thank", "great", "perfect", "awesome", "wonderful", "appreciate", "helpful", "exactly what", "excellent",
                               "amazing", "love it", "brilliant", "fantastic", "cheers", "much better"]

    static func tone(_ text: String) -> Tone {
        let s = text.lowercased()
        if frustratedCues.contains(where: { s.contains($0) }) { return .frustrated }
        let neg = negativeCues.contains { s.contains($0) }
        // "not great" is negative, not also positive: look for praise outside the negative phrases.
        var rest = s
        for cue in negativeCues where rest.contains(cue) { rest = rest.replacingOccurrences(of: cue, with: " ") }
        let pos = positiveCues.contains { rest.contains($0) }
        if neg && !pos { return .negative }
        if pos && !neg { return .positive }
        return .neutral
    }

    static func label(_ t: Tone) -> String {
        switch t {
        case .neutral: return "NEUTRAL"
        case .positive: return "POSITIVE"
        case .negative: return "NEGATIVE"
        case .frustrated: return "FRUSTRATED"
        }
    }

    static func sentiment(_ t: TraceThread) -> FacetOutput? {
        let turns = t.userTurns
        guard !turns.isEmpty else { return nil }
        let tones = turns.map(tone)
        // The path: the tones the user moved through, repeats collapsed, starting NEUTRAL if the first turn is.
        var path: [Tone] = []
        for x in tones where path.last != x && (x != .neutral || path.isEmpty) { path.append(x) }
        let nonNeutral = tones.filter { $0 != .neutral }
        let overall: String
        if let last = nonNeutral.last {
            let hadNegative = nonNeutral.contains { $0 == .negative || $0 == .frustrated }
            if last == .positive && hadNegative { overall = "MIXED" } else { overall = label(last) }
        } else {
            overall = "NEUTRAL"
        }
        let summary = path.map(label).joined(separator: " -> ")
        return FacetOutput(summary: summary, label: overall)
    }

    // MARK: - Issues

    struct Finding {
        var head: String
        var sentence: String
        var severity: Int
    }

    static let escalationCues = ["human", "real person", "speak to a", "talk to a", "speak to someone", "talk to someone", "manager",
                                 "supervisor", "representative", "live agent", "real agent"]
    static let giveUpCues = ["forget it", "never mind", "nevermind", "useless", "i'll call", "disputing", "nobody ever", "i give up",
                             "waste of time", "cancel my account", "going elsewhere"]
    static let acknowledgeCues = ["sorry", "unable", "couldn't", "could not", "can't", "cannot", "failed", "error", "unfortunately",
                                  "problem", "not able", "wasn't able", "issue with", "went wrong", "try again", "didn't go through"]
    static let refusalCues = ["i can't help with", "i cannot help with", "i'm not able to help", "i am not able to help", "i can't assist",
                              "i cannot assist", "i'm unable to assist", "against our policy", "not allowed to", "i won't be able to"]
    static let askCues = ["could you", "can you", "please share", "please provide", "provide", "confirm", "what is your", "what's your", "may i have"]
    static let assertiveCues = ["processed", "guarantee", "lifetime", "tomorrow", "tonight", "today", "already", "will be", "has been",
                                "have been", "reversed", "free of charge", "delivered", "shipped", "refunded"]

    static func issues(_ t: TraceThread) -> FacetOutput {
        var findings: [Finding] = []
        let users = t.userTurns.map { $0.lowercased() }
        let calls = t.toolCalls
        // How the user's side ended (an agent's closing pleasantry after it does not change that).
        let lastIsUser = !users.isEmpty
        let lastUser = users.last ?? ""
        let gaveUp = lastIsUser && giveUpCues.contains { lastUser.contains($0) }

        // Unresolved escalation.
        let askedHuman = users.contains { u in escalationCues.contains { u.contains($0) } }
        var escalationTools = Set<String>()
        if askedHuman {
            let escalateCalls = calls.filter { $0.name.lowercased().contains("escalat") || $0.name.lowercased().contains("handoff") || $0.name.lowercased().contains("transfer") }
            escalationTools = Set(escalateCalls.map(\.name))
            let escalationFailed = escalateCalls.contains { $0.failed }
            let endedBadly = lastIsUser && (tone(lastUser) == .frustrated || tone(lastUser) == .negative || gaveUp)
            if endedBadly || escalationFailed {
                var s = "Unresolved escalation: the user asked for a human agent"
                if let f = escalateCalls.first(where: { $0.failed }) { s += ", the handoff tool \(f.name) failed (\(f.errorType ?? "error"))" }
                else if escalateCalls.isEmpty { s += ", no handoff was attempted" }
                s += ", and the conversation ended with the request unresolved and the user frustrated."
                findings.append(Finding(head: "Unresolved escalation", sentence: s, severity: 10))
            }
        }

        // Tool failures: retry storms, transient retries, ignored errors, hard failures.
        var i = 0
        var handledFailure = Set<Int>()
        while i < calls.count {
            guard calls[i].failed, !handledFailure.contains(i) else { i += 1; continue }
            let name = calls[i].name
            var j = i
            var failures: [ToolCall] = []
            while j < calls.count, calls[j].name == name, calls[j].failed { failures.append(calls[j]); handledFailure.insert(j); j += 1 }
            let succeededLater = calls[j...].contains { $0.name == name && !$0.failed }
            let types = Array(Set(failures.compactMap(\.errorType))).sorted().joined(separator: ", ")
            if succeededLater && failures.count >= 3 {
                findings.append(Finding(head: "Retry storm",
                    sentence: "Retry storm: the tool \(name) failed \(failures.count) times in a row (\(types)) and was retried again and again before it finally succeeded, adding long delays.",
                    severity: 7))
            } else if succeededLater {
                findings.append(Finding(head: "Transient tool failure",
                    sentence: "Transient tool failure: \(name) hit one \(types) error; a single retry recovered.", severity: 1))
            } else if !escalationTools.contains(name) {
                // Not recovered: did the agent own up to it?
                let after = eventsAfterToolFailure(t, name: name)
                let acknowledged = after.map { a in acknowledgeCues.contains { a.lowercased().contains($0) } } ?? true
                let msg = failures.last?.errorMessage.map { ": " + SummaryText.generalize($0).clipped(90) } ?? ""
                if !acknowledged {
                    findings.append(Finding(head: "Tool error ignored",
                        sentence: "Tool error ignored: \(name) returned an error (\(types)\(msg)) but the agent told the user the action succeeded.",
                        severity: 9))
                } else {
                    findings.append(Finding(head: "Tool failure",
                        sentence: "Tool failure: \(name) returned an error (\(types)\(msg)) and the agent could not complete the action.", severity: 5))
                }
            }
            i = j
        }

        // Stale retrieved context.
        var stalest: (days: Int, source: String)?
        for c in calls where !c.failed {
            for (key, value) in Self.datedFields(c.resultValue) {
                guard let date = Timestamp(iso8601: value) else { continue }
                let days = Int((t.created.seconds - date.seconds) / 86400)
                if (15..<3650).contains(days) && days > (stalest?.days ?? 0) {
                    stalest = (days, c.resultValue["source"]?.stringValue ?? c.name)
                    _ = key
                }
            }
        }
        if let s = stalest {
            findings.append(Finding(head: "Stale context",
                sentence: "Stale context: the answer relied on \(s.source) data that was last updated weeks before the conversation (\(s.days) days old), so it may be outdated.",
                severity: 8))
        }

        // Confident answer with no source.
        if calls.isEmpty {
            let specific = t.assistantTurns.contains { answer in
                let a = answer.lowercased()
                return !a.contains("?") && (a.contains { $0.isNumber } || a.contains("$") || assertiveCues.contains { a.contains($0) })
            }
            if specific {
                findings.append(Finding(head: "Unsupported answer",
                    sentence: "Unsupported answer: the agent made a specific, confident claim without calling any tool or citing any retrieved source to back it up.",
                    severity: 8))
            }
        }

        // Clarification loop: the agent keeps asking for what the user already gave.
        let questions = t.assistantTurns.filter { a in a.contains("?") && askCues.contains { a.lowercased().contains($0) } }
        if questions.count >= 2 {
            let repeatedID = Self.repeatedIdentifier(t.userTurns)
            let complained = users.dropFirst().contains { u in ["already", "like i said", "again", "twice", "in my message"].contains { u.contains($0) } }
            if repeatedID || complained {
                findings.append(Finding(head: "Clarification loop",
                    sentence: "Clarification loop: the agent asked \(questions.count) times for information the user had already provided, instead of using it.",
                    severity: 8))
            }
        }

        // Refusal.
        if t.assistantTurns.contains(where: { a in refusalCues.contains { a.lowercased().contains($0) } }) {
            findings.append(Finding(head: "Refusal", sentence: "Refusal: the agent declined to help with the request.", severity: 5))
        }

        // Abandoned: the user gave up and nothing above explains it.
        if gaveUp && !findings.contains(where: { $0.severity >= 5 }) {
            findings.append(Finding(head: "Unresolved request",
                sentence: "Unresolved request: the user gave up before the agent resolved the request.", severity: 6))
        }

        guard !findings.isEmpty else { return FacetOutput(summary: "NONE") }
        findings.sort { $0.severity > $1.severity }
        var summary = findings[0].sentence
        let others = findings.dropFirst().map { $0.head.lowercased() }
        if !others.isEmpty { summary += " Also: " + others.joined(separator: "; ") + "." }
        return FacetOutput(summary: summary)
    }

    /// The first assistant turn after the last failed call of `name`.
    static func eventsAfterToolFailure(_ t: TraceThread, name: String) -> String? {
        guard let idx = t.events.lastIndex(where: { if case .tool(let c) = $0 { return c.name == name && c.failed } else { return false } }) else { return nil }
        for e in t.events[(idx + 1)...] { if case .assistant(let s) = e { return s } }
        return nil
    }

    /// (key, value) of string fields whose key names an update time, anywhere in a tool result.
    static func datedFields(_ v: Value, depth: Int = 0) -> [(String, String)] {
        guard depth < 6 else { return [] }
        var out: [(String, String)] = []
        switch v {
        case .object(let o):
            for (k, x) in o {
                let lk = k.lowercased()
                if let s = x.stringValue, ["updated", "modified", "as_of", "indexed", "refreshed", "snapshot"].contains(where: { lk.contains($0) }) {
                    out.append((k, s))
                } else {
                    out.append(contentsOf: datedFields(x, depth: depth + 1))
                }
            }
        case .array(let a): for x in a.prefix(50) { out.append(contentsOf: datedFields(x, depth: depth + 1)) }
        default: break
        }
        return out
    }

    /// Whether an identifier-like token (letters and at least 4 digits) appears in two user turns.
    static func repeatedIdentifier(_ turns: [String]) -> Bool {
        var seen = Set<String>()
        for turn in turns {
            var here = Set<String>()
            for tok in turn.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }) where tok.filter(\.isNumber).count >= 4 {
                here.insert(String(tok))
            }
            if !here.isDisjoint(with: seen) { return true }
            seen.formUnion(here)
        }
        return false
    }
}

