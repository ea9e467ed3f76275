// Facets: what to summarise each trace along. Task, Sentiment and Issues are built in; a team adds
// custom facets (a name, a prompt, an optional fixed label set with one example per label, an
// optional exclusion pattern, an optional preprocessor), in a JSON file or via `sift facets add`.

import Foundation
import SiftModel

public struct FacetLabel: Hashable, Sendable {
    public var label: String
    /// One example of a trace summary or text that should get this label (shown to a chat model).
    public var example: String?
    /// Case-insensitive regular expressions: the built-in model gives the label when any matches the
    /// preprocessed text (labels are tried in order). Without rules only a model server can choose it.
    public var match: [String]

    public init(label: String, example: String? = nil, match: [String] = []) {
        self.label = label
        self.example = example
        self.match = match
    }
}

/// How a facet turns a trace into text.
public enum Preprocessor: Hashable, Sendable {
    /// The built-in readable thread.
    case thread
    /// A declarative selection: event kinds (`user`, `assistant`, `tools`, `errors`, `retrieval`,
    /// `final_answer`) and root span paths (`input`, `output`, `metadata.channel`, ...), in order.
    case fields([String])
    /// An external command: the trace's spans as a JSON array on stdin, text on stdout; empty output
    /// skips the trace for this facet.
    case command(String)
}

public struct FacetDefinition: Hashable, Sendable {
    public enum Kind: String, Sendable { case task, sentiment, issues, custom }

    public var name: String
    public var kind: Kind
    public var prompt: String
    public var labels: [FacetLabel]
    /// A case-insensitive regular expression: a trace whose text matches is stored as `no_match`.
    public var exclude: String?
    public var preprocessor: Preprocessor

    public init(name: String, kind: Kind = .custom, prompt: String, labels: [FacetLabel] = [], exclude: String? = nil, preprocessor: Preprocessor = .thread) {
        self.name = name
        self.kind = kind
        self.prompt = prompt
        self.labels = labels
        self.exclude = exclude
        self.preprocessor = preprocessor
    }

    /// Facets with a fixed label set are classified by their label, not clustered.
    public var hasLabelSet: Bool { !labels.isEmpty }

    public static let sentimentLabels = ["POSITIVE", "NEUTRAL", "NEGATIVE", "FRUSTRATED", "MIXED"]

    public static let task = FacetDefinition(
        name: "Task", kind: .task,
        prompt: "In one sentence, what is the user trying to get done? Name the request, not the outcome, and leave out names and identifiers.")
    public static let sentiment = FacetDefinition(
        name: "Sentiment", kind: .sentiment,
        prompt: "What is the user's tone over the conversation, and how did it move? Answer with the labels in order, e.g. NEUTRAL -> FRUSTRATED, then quote the user's most telling words.",
        labels: sentimentLabels.map { FacetLabel(label: $0) })
    public static let issues = FacetDefinition(
        name: "Issues", kind: .issues,
        prompt: "What went wrong on the agent's side? Consider failed or retried tool calls, loops, claims that no tool output or retrieved context supports, stale context, refusals, unresolved requests and escalations. One sentence per problem, the most serious first; NONE when nothing went wrong.")

    public static let builtins: [FacetDefinition] = [task, sentiment, issues]

    // MARK: - JSON

    /// Reads a facet file: one definition object, or an array of them.
    ///
    ///     {"name": "Refund reason", "prompt": "Why does the user want a refund?",
    ///      "labels": [{"label": "DAMAGED", "example": "arrived broken", "match": ["broken|damaged"]}],
    ///      "exclude": "password", "preprocessor": {"fields": ["user"]}}
    public static func parse(_ json: Value, source: String) throws -> [FacetDefinition] {
        let items = json.arrayValue ?? [json]
        return try items.enumerated().map { i, v in
            let at = items.count > 1 ? "\(source)[\(i)]" : source
            guard let o = v.objectValue else { throw TopicsError.invalid("\(at): a facet must be an object, found \(v.kindName)") }
            guard let name = o["name"]?.stringValue, !name.isEmpty else { throw TopicsError.invalid("\(at): \"name\" is missing") }
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_ ]{0,63}$"#, options: .regularExpression) != nil else {
                throw TopicsError.invalid("\(at): facet name '\(name)' must start with a letter and use letters, digits, spaces or _")
            }
            if builtins.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                throw TopicsError.invalid("\(at): '\(name)' is a built-in facet")
            }
            guard let prompt = o["prompt"]?.stringValue, !prompt.isEmpty else { throw TopicsError.invalid("\(at): \"prompt\" is missing") }
            var labels: [FacetLabel] = []
            for (j, l) in (o["labels"]?.arrayValue ?? []).enumerated() {
                let label: String, example: String?, match: [String]
                if let s = l.stringValue { label = s; example = nil; match = [] } else {
                    guard let s = l["label"]?.stringValue, !s.isEmpty else { throw TopicsError.invalid("\(at): labels[\(j)] needs a \"label\"") }
                    label = s
                    example = l["example"]?.stringValue
                    match = l["match"]?.stringValue.map { [$0] } ?? l["match"]?.arrayValue?.compactMap(\.stringValue) ?? []
                }
                for p in match where (try? NSRegularExpression(pattern: p, options: .caseInsensitive)) == nil {
                    throw TopicsError.invalid("\(at): labels[\(j)].match '\(p)' is not a valid regular expression")
                }
                labels.append(FacetLabel(label: label.uppercased(), example: example, match: match))
            }
            let exclude = o["exclude"]?.stringValue
            if let e = exclude, (try? NSRegularExpression(pattern: e, options: .caseInsensitive)) == nil {
                throw TopicsError.invalid("\(at): exclude '\(e)' is not a valid regular expression")
            }
            var pre = Preprocessor.thread
            if let p = o["preprocessor"], !p.isNull {
                if let cmd = p["command"]?.stringValue { pre = .command(cmd) }
                else if let f = p["fields"]?.arrayValue { pre = .fields(f.compactMap(\.stringValue)) }
                else if p.stringValue == "thread" { pre = .thread }
                else { throw TopicsError.invalid("\(at): preprocessor must be \"thread\", {\"fields\": [...]} or {\"command\": \"...\"}") }
            }
            return FacetDefinition(name: name, prompt: prompt, labels: labels, exclude: exclude, preprocessor: pre)
        }
    }

    public var json: Value {
        var o: JSONObject = ["name": .string(name), "prompt": .string(prompt)]
        if !labels.isEmpty {
            o["labels"] = .array(labels.map { l in
                var lo: JSONObject = ["label": .string(l.label)]
                if let e = l.example { lo["example"] = .string(e) }
                if !l.match.isEmpty { lo["match"] = .array(l.match.map(Value.string)) }
                return .object(lo)
            })
        }
        if let exclude { o["exclude"] = .string(exclude) }
        switch preprocessor {
        case .thread: break
        case .fields(let f): o["preprocessor"] = ["fields": .array(f.map(Value.string))]
        case .command(let c): o["preprocessor"] = ["command": .string(c)]
        }
        return .object(o)
    }
}
