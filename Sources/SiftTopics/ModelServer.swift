// Talking to an OpenAI-compatible model server (OpenAI, vLLM, llama.cpp server, Ollama): chat
// completions for facet summaries and topic labels, embeddings for clustering. Timeouts, retries with
// exponential backoff on rate limits, server errors and dropped connections, a concurrency limit, and
// a clear error naming the server when it cannot be reached. Model output is parsed strictly: a
// reply that is not the JSON object asked for is retried, then reported, never stored as a summary.

import Foundation
import SiftModel

public struct ModelServerConfig: Sendable {
    /// Base URL up to and including the API version, e.g. http://localhost:8000/v1.
    public var baseURL: String
    public var model: String
    public var apiKey: String?
    public var timeout: TimeInterval = 60
    public var retries = 3
    public var concurrency = 4
    /// First backoff delay; doubles each retry.
    public var backoff: TimeInterval = 0.5

    public init(baseURL: String, model: String, apiKey: String? = nil) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.model = model
        self.apiKey = apiKey
    }

    /// From the environment: SIFT_MODEL (default gpt-4o-mini), SIFT_API_KEY or OPENAI_API_KEY,
    /// SIFT_MODEL_TIMEOUT (seconds), SIFT_MODEL_CONCURRENCY.
    public static func fromEnvironment(baseURL: String, model: String? = nil, defaultModel: String = "gpt-4o-mini") -> ModelServerConfig {
        let env = ProcessInfo.processInfo.environment
        func value(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        var c = ModelServerConfig(baseURL: baseURL, model: model ?? value("SIFT_MODEL") ?? defaultModel, apiKey: value("SIFT_API_KEY") ?? value("OPENAI_API_KEY"))
        if let t = value("SIFT_MODEL_TIMEOUT").flatMap(Double.init), t > 0 { c.timeout = t }
        if let n = value("SIFT_MODEL_CONCURRENCY").flatMap(Int.init), n > 0 { c.concurrency = min(n, 64) }
        return c
    }
}

/// Where the model servers are. The environment is read here and in `ModelServerConfig` only:
/// SIFT_MODEL_URL (chat: facets, labels, judges), SIFT_EMBEDDINGS_URL and SIFT_EMBEDDINGS_MODEL.
/// A command-line option, when given, wins; "builtin" means no server.
public struct ModelServerSettings: Sendable {
    public var chatURL: String?
    public var embeddingsURL: String?
    public var embeddingsModel: String

    public static func fromEnvironment() -> ModelServerSettings {
        let env = ProcessInfo.processInfo.environment
        func value(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        return ModelServerSettings(chatURL: value("SIFT_MODEL_URL"), embeddingsURL: value("SIFT_EMBEDDINGS_URL"),
                                   embeddingsModel: value("SIFT_EMBEDDINGS_MODEL") ?? "text-embedding-3-small")
    }

    /// A chat client for `option`, else SIFT_MODEL_URL; nil for the built-in models.
    public func chatClient(option: String?) throws -> ModelServerClient? {
        guard let url = option ?? chatURL, url != "builtin" else { return nil }
        return try ModelServerClient(ModelServerConfig.fromEnvironment(baseURL: url))
    }

    /// An embeddings client for `option`, else SIFT_EMBEDDINGS_URL; nil for the built-in encoder.
    public func embeddingsClient(option: String?) throws -> ModelServerClient? {
        guard let url = option ?? embeddingsURL, url != "builtin" else { return nil }
        return try ModelServerClient(ModelServerConfig.fromEnvironment(baseURL: url, model: embeddingsModel))
    }
}

public final class ModelServerClient: @unchecked Sendable {
    public let config: ModelServerConfig

    public init(_ config: ModelServerConfig) throws {
        guard let u = URL(string: config.baseURL), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil else {
            throw TopicsError.invalid("model server URL '\(config.baseURL)' is not an http(s) URL (e.g. http://localhost:8000/v1)")
        }
        self.config = config
    }

    /// POSTs `body` as JSON to `path` and returns the parsed JSON reply, retrying what is worth retrying.
    public func post(_ path: String, _ body: Value) throws -> Value {
        let url = config.baseURL + path
        var headers = ["Content-Type: application/json", "Accept: application/json"]
        if let key = config.apiKey { headers.append("Authorization: Bearer \(key)") }
        let payload = Array(JSONWriter.string(body).utf8)
        var lastError = ""
        for attempt in 0...config.retries {
            if attempt > 0 { Thread.sleep(forTimeInterval: config.backoff * pow(2, Double(attempt - 1))) }
            let response: HTTPResponse
            do {
                response = try HTTP.request("POST", url, headers: headers, body: payload, timeout: config.timeout,
                                            connectTimeout: min(config.timeout, 10))
            } catch {
                lastError = "cannot reach the model server at \(config.baseURL): \(error)"
                continue
            }
            let status = response.status
            let text = response.text
            if status == 429 || status >= 500 {
                lastError = "the model server at \(config.baseURL) answered HTTP \(status): \(text.prefix(200))"
                continue
            }
            guard (200..<300).contains(status) else {
                // 4xx other than 429: retrying will not help (bad key, unknown model, bad request).
                throw TopicsError.model("the model server at \(config.baseURL) refused \(path) with HTTP \(status): \(text.prefix(300))")
            }
            do { return try JSONReader.parse(text) } catch {
                lastError = "the model server at \(config.baseURL) sent a reply that is not JSON: \(text.prefix(120))"
                continue
            }
        }
        throw TopicsError.model(lastError + " (after \(config.retries + 1) attempts)")
    }

    /// One chat completion asking for a JSON object; returns the object. Replies that are not a JSON
    /// object (or fail `validate`) are asked again, up to `config.retries` times.
    public func chatJSON(system: String, user: String, validate: (JSONObject) -> String?) throws -> JSONObject {
        var problem = ""
        for _ in 0...config.retries {
            let reply = try post("/chat/completions", [
                "model": .string(config.model),
                "temperature": 0,
                "response_format": ["type": "json_object"],
                "messages": [["role": "system", "content": .string(system)], ["role": "user", "content": .string(user)]],
            ])
            guard let content = reply["choices"]?[0]?["message"]?["content"]?.stringValue else {
                problem = "a reply without choices[0].message.content"
                continue
            }
            guard let o = (try? JSONReader.parse(Self.stripFences(content)))?.objectValue else {
                problem = "content that is not a JSON object: \(content.prefix(120))"
                continue
            }
            if let why = validate(o) { problem = why; continue }
            return o
        }
        throw TopicsError.model("the model \(config.model) at \(config.baseURL) gave \(problem) (after \(config.retries + 1) attempts)")
    }

    /// Models sometimes wrap JSON in a ``` fence despite being asked not to.
    static func stripFences(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.hasPrefix("```") {
            if let nl = t.firstIndex(of: "\n") { t = String(t[t.index(after: nl)...]) }
            if t.hasSuffix("```") { t = String(t.dropLast(3)) }
        }
        return t
    }
}

struct ModelReplyProblem: Error { var why: String }

/// Facet summaries from a chat model: our prompt, the facet's question, the redacted text; a JSON
/// object back with "summary" (and "label", one of the facet's labels, when it has a label set).
public struct ChatFacetModel: FacetModel {
    public let client: ModelServerClient
    public var name: String { client.config.model }
    public var concurrency: Int { client.config.concurrency }

    public init(client: ModelServerClient) { self.client = client }

    static let system = """
        You summarise one conversation between a user and an AI agent (with its tool calls) along a single facet, \
        for clustering many conversations into topics. Answer with one JSON object and nothing else. \
        "summary": one or two plain sentences, specific about what happened, without names, identifiers, \
        numbers or quotes that would make alike conversations look different. When the facet has labels, \
        also give "label": exactly one of the allowed labels, or "no_match" when none fits.
        """

    public func prompt(facet: FacetDefinition, text: String) -> String {
        var p = "Facet: \(facet.name)\nQuestion: \(facet.prompt)\n"
        if !facet.labels.isEmpty {
            p += "Allowed labels:\n"
            for l in facet.labels { p += "- \(l.label)" + (l.example.map { " (example: \($0))" } ?? "") + "\n" }
        }
        if facet.kind == .issues { p += Self.issuesInstructions }
        p += "\nConversation:\n" + text.clipped(12_000)
        return p
    }

    /// The Issues facet asks for structured findings in the built-in model's vocabulary, each with a
    /// quote that shows it; findings whose quote is not in the conversation are dropped.
    static let issuesInstructions: String = {
        var p = """
            Answer with this JSON schema instead of a summary:
            {"type": "object", "required": ["issues"], "properties": {"issues": {"type": "array", "items": {"type": "object", \
            "required": ["kind", "quote", "explanation"], "properties": {"kind": {"type": "string"}, "quote": {"type": "string"}, \
            "explanation": {"type": "string"}}}}}}
            List the problems on the agent's side, the most serious first (a cause before its consequences); an empty list \
            when nothing went wrong. A date alone is not staleness: report outdated information only when newer information \
            in the conversation disagrees. "quote": words copied exactly from the conversation that show the problem. \
            "explanation": one sentence, without names, identifiers or numbers. "kind": one of these when it fits, else a \
            short name of at most 6 words for a new kind of problem:

            """
        for k in IssueKind.allCases { p += "- \(k.head): \(k.meaning)\n" }
        return p
    }()

    /// Findings from a reply to `issuesInstructions`, or why the reply does not fit it.
    static func issues(_ o: JSONObject, text: String) -> Result<FacetOutput, ModelReplyProblem> {
        guard let list = o["issues"]?.arrayValue else { return .failure(ModelReplyProblem(why: "no \"issues\" array")) }
        func squeeze(_ s: String) -> String { s.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let haystack = squeeze(text)
        var found: [(kind: String, explanation: String, quote: String)] = []
        for item in list {
            guard let kind = item["kind"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !kind.isEmpty, kind.count <= 80,
                  let quote = item["quote"]?.stringValue, let explanation = item["explanation"]?.stringValue else {
                return .failure(ModelReplyProblem(why: "an issue without \"kind\", \"quote\" and \"explanation\" strings"))
            }
            // Evidence or nothing: a quote the conversation does not contain does not count.
            let q = squeeze(quote)
            guard q.count >= 3, haystack.contains(q) else { continue }
            found.append((kind, explanation.trimmingCharacters(in: .whitespacesAndNewlines), quote))
        }
        guard let first = found.first else { return .success(FacetOutput(summary: FacetOutput.none)) }
        let known = IssueKind.allCases.first { $0.head.lowercased() == first.kind.lowercased() }
        let head = known?.head ?? first.kind.prefix(1).uppercased() + first.kind.dropFirst()
        var summary = head + ": " + first.explanation
        var others: [String] = []
        for f in found.dropFirst() where f.kind.lowercased() != first.kind.lowercased() && !others.contains(f.kind.lowercased()) { others.append(f.kind.lowercased()) }
        if !others.isEmpty { summary += " Also: " + others.joined(separator: "; ") + "." }
        let evidence: [Value] = found.map { .object(["issue": .string($0.kind), "quote": .string($0.quote.clipped(240))]) }
        return .success(FacetOutput(summary: summary, clusterText: known?.signature ?? head + ": " + first.explanation, grouped: known != nil, evidence: evidence))
    }

    public func summarize(thread: TraceThread, text: String, facet: FacetDefinition) throws -> FacetOutput? {
        let allowed = Set(facet.labels.map(\.label))
        if facet.kind == .issues {
            var parsed: FacetOutput?
            _ = try client.chatJSON(system: Self.system, user: prompt(facet: facet, text: text)) { o in
                switch Self.issues(o, text: text) {
                case .success(let out): parsed = out; return nil
                case .failure(let p): return p.why
                }
            }
            return parsed
        }
        let o = try client.chatJSON(system: Self.system, user: prompt(facet: facet, text: text)) { o in
            guard let s = o["summary"]?.stringValue, !s.trimmingCharacters(in: .whitespaces).isEmpty else { return "no \"summary\" string" }
            if !allowed.isEmpty {
                guard let l = o["label"]?.stringValue else { return "no \"label\" for a facet with labels" }
                if l != "no_match" && !allowed.contains(l.uppercased()) { return "label '\(l)' outside \(allowed.sorted())" }
            }
            return nil
        }
        let summary = o["summary"]!.stringValue!.trimmingCharacters(in: .whitespacesAndNewlines)
        if allowed.isEmpty { return FacetOutput(summary: summary.uppercased() == "NONE" ? "NONE" : summary) }
        let label = o["label"]!.stringValue!
        return label == "no_match" ? FacetOutput(summary: "no_match") : FacetOutput(summary: summary, label: label.uppercased())
    }

    /// A short label and a one-line description for a topic, from its representative summaries.
    public func label(facet: String, summaries: [String], terms: [String]) throws -> (label: String, description: String) {
        let user = "Facet: \(facet)\nDistinctive terms: \(terms.joined(separator: ", "))\nRepresentative summaries:\n"
            + summaries.prefix(8).map { "- " + $0.clipped(300) }.joined(separator: "\n")
            + "\n\nName this group of conversations. JSON: {\"label\": at most 6 words, \"description\": one sentence}."
        let o = try client.chatJSON(system: "You name clusters of similar AI-agent conversations for an analyst. Answer with one JSON object.", user: user) { o in
            guard let l = o["label"]?.stringValue, !l.isEmpty, l.count <= 80 else { return "no short \"label\"" }
            guard o["description"]?.stringValue != nil else { return "no \"description\"" }
            return nil
        }
        return (o["label"]!.stringValue!, o["description"]!.stringValue!)
    }
}

/// Embeddings from the server's /embeddings endpoint, in batches, L2-normalised.
public struct ServerEmbedder: EmbeddingModel {
    public let client: ModelServerClient
    public let dimensions: Int
    public var name: String { "server:\(client.config.model)@\(client.config.baseURL)" }

    /// Connects and learns the vector size with one small request (so an unreachable server is
    /// reported before any work starts).
    public init(client: ModelServerClient) throws {
        self.client = client
        let probe = try Self.request(client, ["dimension probe"])
        guard let d = probe.first?.count, d > 0 else { throw TopicsError.model("the embeddings endpoint at \(client.config.baseURL) returned no vector") }
        dimensions = d
    }

    static func request(_ client: ModelServerClient, _ texts: [String]) throws -> [[Float]] {
        let reply = try client.post("/embeddings", ["model": .string(client.config.model), "input": .array(texts.map(Value.string))])
        guard let data = reply["data"]?.arrayValue, data.count == texts.count else {
            throw TopicsError.model("the embeddings endpoint at \(client.config.baseURL) returned \(reply["data"]?.arrayValue?.count ?? 0) vectors for \(texts.count) texts")
        }
        // Replies carry an index; order by it rather than trusting the array order.
        let ordered = data.enumerated().sorted { ($0.element["index"]?.intValue ?? Int64($0.offset)) < ($1.element["index"]?.intValue ?? Int64($1.offset)) }
        return try ordered.map { _, item in
            guard let v = item["embedding"]?.arrayValue else { throw TopicsError.model("an embedding without a vector") }
            var f = v.map { Float($0.doubleValue ?? 0) }
            Vectors.normalize(&f)
            return f
        }
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(texts.count)
        var i = 0
        while i < texts.count {
            let batch = Array(texts[i..<min(texts.count, i + 64)])
            let vecs = try Self.request(client, batch.map { $0.isEmpty ? " " : $0 })
            guard vecs.allSatisfy({ $0.count == dimensions }) else { throw TopicsError.model("the embeddings endpoint changed its vector size mid-run") }
            out.append(contentsOf: vecs)
            i += batch.count
        }
        return out
    }
}
