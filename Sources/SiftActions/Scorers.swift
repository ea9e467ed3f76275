// Scorers turn a confirmed pattern into a check that keeps running. A filter scorer is a dialect
// filter plus a reason: 0 with the reason where the filter matches a trace, 1 otherwise, null where
// the trace lacks a facet the filter reads. A judge scorer asks a chat model (OpenAI-compatible) to
// grade a trace from a prompt template with {{input}}, {{output}} and {{context}}, on a choice scale
// mapped to scores; verdicts are strict JSON, and unparseable ones are retried, then recorded as
// errors, never as scores. Results land in the scores table and read as scores.<name> on the root.

import Foundation
import SiftEngine
import SiftModel
import SiftStore
import SiftTopics

public struct ScorerDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable { case filter, judge }
    public var name: String
    public var kind: Kind
    /// filter: the dialect filter; judge: nil.
    public var filter: String?
    public var reason: String?
    /// judge: the prompt template and the choice scale.
    public var prompt: String?
    public var choices: [String: Double]

    public init(name: String, filter: String, reason: String) {
        self.name = name; kind = .filter; self.filter = filter; self.reason = reason; prompt = nil; choices = [:]
    }

    public init(name: String, prompt: String, choices: [String: Double]) {
        self.name = name; kind = .judge; filter = nil; reason = nil; self.prompt = prompt; self.choices = choices
    }

    var json: Value {
        var o: JSONObject = [:]
        if let filter { o["filter"] = .string(filter) }
        if let reason { o["reason"] = .string(reason) }
        if let prompt { o["prompt"] = .string(prompt) }
        if !choices.isEmpty { o["choices"] = .object(JSONObject(keys: choices.keys.sorted(), values: choices.keys.sorted().map { .double(choices[$0]!) })) }
        return .object(o)
    }

    init(name: String, kind: String, json: Value) throws {
        self.name = name
        guard let k = Kind(rawValue: kind) else { throw ActionError("scorer '\(name)' has an unknown kind '\(kind)'") }
        self.kind = k
        filter = json["filter"]?.stringValue
        reason = json["reason"]?.stringValue
        prompt = json["prompt"]?.stringValue
        var c: [String: Double] = [:]
        for (key, v) in json["choices"]?.objectValue ?? JSONObject() { c[key] = v.doubleValue }
        choices = c
    }
}

public struct ActionError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ s: String) { description = s }
}

public struct ScoreRunReport: Sendable {
    public var scorer: String
    public var scored: Int
    public var zeros: Int
    public var nulls: Int
    public var errors: Int
    public var skipped: Int
}

public final class Scorers {
    public let store: Store
    public let project: String
    let pid: Int64

    public init(store: Store, project: String) throws {
        self.store = store
        self.project = project
        pid = try store.projectRow(named: project)
    }

    /// Names follow Braintrust's: any text ("Checkout experience", "checkout-experience"), without
    /// leading or trailing spaces or control characters.
    static func checkName(_ name: String) throws {
        let ok = !name.isEmpty && name.count <= 128 && name.trimmingCharacters(in: .whitespacesAndNewlines) == name
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
        guard ok else {
            throw ActionError("scorer name '\(name)' must be 1 to 128 characters, with no leading or trailing spaces and no control characters")
        }
    }

    /// How a query reads a scorer's score: scores.name, or scores."Name with spaces".
    public static func scorePath(_ name: String) -> String {
        let plain = name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil
        return "scores." + (plain ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
    }

    /// Saves a scorer (replacing one of the same name), after checking its filter against the dialect.
    public func add(_ def: ScorerDefinition) throws {
        try Self.checkName(def.name)
        switch def.kind {
        case .filter:
            guard let f = def.filter, !f.trimmingCharacters(in: .whitespaces).isEmpty else { throw ActionError("a filter scorer needs --filter") }
            _ = try matchingTraces(filter: f)   // parse and bind now: errors carry the line and column
        case .judge:
            guard let p = def.prompt, p.contains("{{") else { throw ActionError("a judge scorer needs a prompt template using {{input}}, {{output}} or {{context}}") }
            guard !def.choices.isEmpty else { throw ActionError("a judge scorer needs choices, e.g. --choices \"Y=1,N=0\"") }
        }
        try store.saveScorer(projectRow: pid, name: def.name, kind: def.kind.rawValue, definition: JSONWriter.string(def.json))
    }

    public func list() throws -> [(def: ScorerDefinition, scored: Int, zeros: Int, errors: Int)] {
        try store.scorers(projectRow: pid).map { s in
            (try ScorerDefinition(name: s.name, kind: s.kind, json: try JSONReader.parse(s.definition)), s.scored, s.zeros, s.errors)
        }
    }

    public func get(_ name: String) throws -> ScorerDefinition {
        guard let def = try list().first(where: { $0.def.name == name })?.def else {
            let names = try list().map(\.def.name)
            throw StoreError.notFound("no scorer named '\(name)' in '\(project)'" + (names.isEmpty ? " (add one with sift scorers add)" : " (scorers: \(names.joined(separator: ", ")))"))
        }
        return def
    }

    /// Removes a scorer and its scores.
    public func remove(_ name: String) throws {
        _ = try get(name)
        try store.removeScorer(projectRow: pid, name: name)
    }

    /// Trace ids matching a dialect filter (a trace matches if any of its spans does).
    public func matchingTraces(filter: String) throws -> Set<String> {
        try Self.matchingTraces(store: store, project: project, filter: filter)
    }

    public static func matchingTraces(store: Store, project: String, filter: String) throws -> Set<String> {
        let escaped = project.replacingOccurrences(of: "'", with: "''")
        let session = Session(store: store, caching: false)
        // Check the filter on its own first, so a mistake is reported at its own line and column.
        var options = QueryOptions()
        options.project = project
        options.shape = .traces
        _ = try session.plan(filter, options: options)
        // The pipe form reads filters as written (INCLUDES and all), as the bare filter form does.
        let oneLine = filter.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        let q = "select: root_span_id\nfrom: project_logs('\(escaped)', shape => 'traces')\nfilter: \(oneLine)"
        let result = try session.run(q, options: QueryOptions())
        return Set(result.rows.map { $0[0].text })
    }

    /// The facets a filter reads (facets.X, classifications.X), to give traces without them a null.
    static func facetsRead(by filter: String) throws -> Set<String> {
        var out = Set<String>()
        let rx = try NSRegularExpression(pattern: #"(?i)\b(?:facets|classifications)\s*\.\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_]*))"#)
        let ns = filter as NSString
        for m in rx.matches(in: filter, range: NSRange(location: 0, length: ns.length)) {
            let r = m.range(at: 1).location != NSNotFound ? m.range(at: 1) : m.range(at: 2)
            out.insert(ns.substring(with: r).replacingOccurrences(of: "\"\"", with: "\"").lowercased())
        }
        return out
    }

    /// Scores traces (only those not yet scored by this scorer, unless `rescore`) that started at or
    /// after `since`. A judge needs `judge` (a chat model client).
    public func run(_ name: String, since: Int64? = nil, rescore: Bool = false, judge: ModelServerClient? = nil, progress: ((String) -> Void)? = nil) throws -> ScoreRunReport {
        let def = try get(name)
        var ids = try store.traceStarts(projectRow: pid, since: since).map(\.id)
        var skipped = 0
        if !rescore {
            let done = try store.scoredTraces(projectRow: pid, scorer: name)
            let before = ids.count
            ids = ids.filter { !done.contains($0) }
            skipped = before - ids.count
        }
        var rows: [ScoreRow] = []
        switch def.kind {
        case .filter:
            let matches = try matchingTraces(filter: def.filter!)
            let needed = try Self.facetsRead(by: def.filter!)
            var has: [String: Set<String>] = [:]
            for f in needed { has[f] = Set(try store.facetValues(projectRow: pid, facet: f).keys) }
            for id in ids {
                if let missing = needed.sorted().first(where: { !(has[$0]?.contains(id) ?? false) }) {
                    rows.append(ScoreRow(trace: id, score: nil, reason: "the trace has no \(missing) facet", metadata: nil, error: nil))
                } else if matches.contains(id) {
                    rows.append(ScoreRow(trace: id, score: 0, reason: def.reason, metadata: nil, error: nil))
                } else {
                    rows.append(ScoreRow(trace: id, score: 1, reason: nil, metadata: nil, error: nil))
                }
            }
        case .judge:
            guard let judge else { throw ActionError("scorer '\(name)' is an LLM judge: it needs a model server (--model URL or SIFT_MODEL_URL)") }
            rows = try runJudge(def, ids: ids, client: judge, progress: progress)
        }
        try store.writeScores(projectRow: pid, scorer: name, rows: rows)
        return ScoreRunReport(scorer: name, scored: rows.filter { $0.score != nil }.count, zeros: rows.filter { $0.score == 0 }.count,
                              nulls: rows.filter { $0.score == nil && $0.error == nil }.count, errors: rows.filter { $0.error != nil }.count, skipped: skipped)
    }

    // MARK: - Judge

    /// The template with {{input}}, {{output}} and {{context}} filled from a trace (redacted).
    public static func render(_ template: String, trace: Trace, redactor: Redactor) -> String {
        let thread = TraceThread(trace: trace).redacted(by: redactor)
        func text(_ v: Value) -> String { v.stringValue ?? (v.isNull ? "" : JSONWriter.string(v)) }
        let input = thread.userTurns.first ?? redactor.redact(text(trace.root.input))
        let output = thread.finalAnswer ?? redactor.redact(text(trace.root.output))
        let context = thread.toolCalls.map { c in
            "[\(c.isRetrieval ? "retrieved" : "tool") \(c.name)] " + (c.failed ? "ERROR \(c.errorType ?? ""): \(c.errorMessage ?? "")" : c.result)
        }.joined(separator: "\n")
        return template.replacingOccurrences(of: "{{input}}", with: input)
            .replacingOccurrences(of: "{{output}}", with: output)
            .replacingOccurrences(of: "{{context}}", with: context.isEmpty ? "(no tool output or retrieved context)" : context)
    }

    static let judgeSystem = """
        You grade one answer from an AI agent. Reply with one JSON object and nothing else: \
        {"choice": one of the allowed choices, "unsupported_claims": [claims in the answer that the context does not support], \
        "confidence": a number from 0 to 1, "rationale": one or two sentences}.
        """

    func runJudge(_ def: ScorerDefinition, ids: [String], client: ModelServerClient, progress: ((String) -> Void)?) throws -> [ScoreRow] {
        let redactor = try Redactor()
        let traces = try store.traces(projectRow: pid, ids: ids)
        let choices = def.choices
        let allowed = choices.keys.sorted()
        var out = [ScoreRow?](repeating: nil, count: traces.count)
        let lock = NSLock()
        var done = 0
        var unreachable: Error?
        let workers = max(1, client.config.concurrency)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: traces.count, by: workers) {
                lock.lock(); let stop = unreachable != nil; lock.unlock()
                if stop { break }
                let t = traces[i]
                let user = Self.render(def.prompt!, trace: t, redactor: redactor) + "\n\nAllowed choices: " + allowed.joined(separator: ", ")
                let row: ScoreRow
                do {
                    let v = try client.chatJSON(system: Self.judgeSystem, user: user) { o in
                        guard let c = o["choice"]?.stringValue else { return "a verdict without a \"choice\"" }
                        guard choices[c] != nil else { return "choice '\(c)' outside \(allowed)" }
                        if let conf = o["confidence"], conf.doubleValue == nil { return "a non-numeric \"confidence\"" }
                        if let u = o["unsupported_claims"], u.arrayValue == nil { return "\"unsupported_claims\" that is not a list" }
                        return nil
                    }
                    let choice = v["choice"]!.stringValue!
                    var meta: JSONObject = ["choice": .string(choice)]
                    meta["unsupported_claims"] = v["unsupported_claims"] ?? .array([])
                    meta["confidence"] = v["confidence"] ?? .null
                    meta["rationale"] = v["rationale"] ?? .null
                    row = ScoreRow(trace: t.id, score: choices[choice]!, reason: v["rationale"]?.stringValue, metadata: JSONWriter.string(.object(meta)), error: nil)
                } catch {
                    // A server that cannot be reached fails every trace alike: stop rather than record that.
                    if "\(error)".hasPrefix("cannot reach") { lock.lock(); unreachable = error; lock.unlock(); break }
                    row = ScoreRow(trace: t.id, score: nil, reason: nil, metadata: nil, error: "\(error)")
                }
                lock.lock()
                out[i] = row
                done += 1
                let d = done
                lock.unlock()
                if d % 20 == 0 { progress?("judged \(d)/\(traces.count) traces") }
            }
        }
        if let unreachable { throw unreachable }
        return out.compactMap { $0 }
    }
}
