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
    /// Whether `clusterText` is an exact group key (a structured behaviour signature): traces with
    /// the same key form one topic, with no similarity clustering between keys.
    public var grouped: Bool
    /// Why: (issue, quote, span_id) objects, written to the classification's metadata.
    public var evidence: [Value]
    /// The text topics are named from, when not the clustered one (the Task facet: the user's request).
    public var labelText: String?

    public init(summary: String, label: String? = nil, clusterText: String? = nil, grouped: Bool = false, evidence: [Value] = [], labelText: String? = nil) {
        self.summary = summary
        self.label = label
        self.clusterText = clusterText
        self.grouped = grouped
        self.evidence = evidence
        self.labelText = labelText
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
        // Without the typed placeholders ("<id>"); most requests have none, and a pattern is compiled per call.
        let named = !request.utf8.contains(UInt8(ascii: "<")) ? request
            : request.replacingOccurrences(of: "\\s*<[a-z]+>", with: "", options: .regularExpression)
                .replacingOccurrences(of: "\\s+([,.;:!?])", with: "$1", options: .regularExpression)
        guard !actions.isEmpty else { return FacetOutput(summary: "Question answered without tools: " + request, labelText: named) }
        let intent = actions.prefix(4).map { $0.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: ".", with: " ") }.joined(separator: " + ")
        let lead = intent.prefix(1).uppercased() + intent.dropFirst()
        // Grouped by what the agent did, named by what users asked for.
        return FacetOutput(summary: lead + ": " + request, clusterText: lead, labelText: named)
    }

    // MARK: - Sentiment

    enum Tone: Int { case neutral = 0, positive, negative, frustrated }

    // Tone cues, from the general markers of customer frustration in support conversations: insults
    // to the service, giving up, repeating oneself ("I already told you"), disbelief, escalation
    // threats; and of dissatisfaction: complaints about time, errors, having to ask again.
    static let frustratedCues = ["ridiculous", "unbelievable", "useless", "forget it", "never mind", "nevermind", "are you even",
                                 "given it to you", "like i said", "getting silly", "disputing", "nobody ever", "waste of time", "fed up",
                                 "sick of", "absurd", "pathetic", "furious", "that's not an answer", "what is wrong with",
                                 "how many times", "i already told you", "already told you", "i told you", "i've told you", "for the third time",
                                 "third time", "are you kidding", "you're not listening", "you are not listening", "not listening", "not helping",
                                 "you're not helping", "thanks for nothing", "i give up", "this is a joke", "seriously?", "come on",
                                 "outrageous", "unacceptable", "incompetent", "scam", "livid", "i'm done", "i am done",
                                 "still not working", "still doesn't work", "still broken", "pointless",
                                 "makes no sense", "this is insane", "wtf", "ffs", "what the hell", "damn", "going in circles", "report you",
                                 // The verdict of a user who leaves unhelped: the conversation went nowhere, no help came.
                                 "going nowhere", "no help at all", "not helpful at all", "not at all helpful",
                                 "you haven't helped", "you have not helped", "you didn't help", "no help whatsoever",
                                 // Repeating oneself and being answered the same.
                                 "i just told you", "just told you", "same answer again", "nobody cares", "no one cares",
                                 "nobody here cares", "no one here cares", "wait forever", "waiting forever", "nobody has contacted",
                                 "no one has contacted", "nobody got back", "no one got back",
                                 // Time wasted, service judged, a refusal to go on repeating oneself.
                                 "waste of my time", "wasting my time", "not good enough", "repeating myself", "this is the service",
                                 "what kind of service", "what you're here for", "don't have time for this", "not doing this again",
                                 // Asking for anyone else who could do something: this agent has not.
                                 "who can actually help", "who can actually do", "anyone who can actually", "someone who can actually",
                                 "had enough", "nobody can help", "no one can help", "is a joke", "when i actually need", "servizio pessimo", "pessimo servizio"]
        + otherLanguageFrustration
    static let negativeCues = ["annoying", "annoyed", "not happy", "unhappy", "ugh", "disappoint", "expected better", "shouldn't have", "not great",
                               "not impressed", "too slow", "so slow", "took forever", "took ages", "second time", "frustrat", "upset", "wrong",
                               "bad ", "poor", "why was that", "already did", "in my message", "still waiting", "yet again", "once again",
                               "doesn't help", "didn't help", "not helpful", "unhelpful", "that's not what i", "not what i asked", "didn't answer",
                               "did not answer", "confus", "hmm, no", "no, that", "that's not it", "not right", "incorrect", "complain",
                               "inconvenien", "hassle", "not fair", "unfair"]
        + otherLanguageDissatisfaction

    /// The same markers in the other languages support traffic most often comes in (French, Spanish,
    /// Portuguese, German, Italian, Dutch): disbelief, insults to the service, wasted time, giving up,
    /// having said it already.
    static let otherLanguageFrustration = [
        "incroyable", "inadmissible", "inacceptable", "ridicule", "n'importe quoi", "perte de temps", "j'abandonne", "laissez tomber",
        "laisse tomber", "ça ne sert à rien", "ca ne sert a rien", "je l'ai déjà dit", "je vous l'ai déjà dit", "déjà expliqué", "trois fois",
        "c'est une blague", "vous plaisantez", "j'en ai marre", "ras le bol", "honteux", "scandaleux",
        "increíble", "inaceptable", "ridículo", "pérdida de tiempo", "perdida de tiempo", "me rindo", "olvídalo", "olvidalo", "no sirve para nada",
        "ya lo dije", "ya te lo dije", "ya se lo dije", "ya lo expliqué", "tercera vez", "es una broma", "estoy harto", "estoy harta", "vergonzoso",
        "inacreditável", "inaceitável", "perda de tempo", "desisto", "esquece isso", "esqueça isso", "deixa pra lá", "deixa para lá",
        "não serve para nada", "já disse", "já expliquei", "terceira vez", "é uma piada", "estou farto", "estou farta", "que vergonha",
        "unglaublich", "inakzeptabel", "lächerlich", "zeitverschwendung", "ich gebe auf", "vergessen sie es", "vergiss es", "schon gesagt",
        "schon dreimal", "sinnlos", "frechheit", "unverschämt", "es reicht",
        "inaccettabile", "ridicolo", "perdita di tempo", "mi arrendo", "lascia perdere", "lasci perdere", "l'ho già detto",
        "terza volta", "che vergogna", "assurdo",
        "aucune aide", "ne m'avez pas aidé", "ça n'avance pas", "on tourne en rond",
        "no me has ayudado", "no me ha ayudado", "no avanzamos",
        "não me ajudou", "não ajudou em nada",
        "überhaupt nicht hilfreich", "drehen uns im kreis",
        "non mi hai aiutato", "non mi ha aiutato",
        "belachelijk", "onacceptabel", "tijdverspilling", "ik geef het op", "laat maar zitten",
    ]
    static let otherLanguageDissatisfaction = [
        "déçu", "décevant", "pas content", "toujours pas", "toujours rien", "encore une fois", "pas ce que j'ai demandé",
        "decepcionado", "decepcionada", "molesto", "molesta", "sigue sin", "todavía nada", "todavia nada", "no es lo que pedí",
        "chateado", "chateada", "continua sem", "ainda nada", "não é o que pedi",
        "enttäuscht", "ärgerlich", "verärgert", "immer noch nicht", "schon wieder", "nicht hilfreich",
        "deluso", "delusa", "arrabbiato", "arrabbiata", "ancora niente", "non è quello che ho chiesto",
        "teleurgesteld", "nog steeds niet",
    ]
    static let positiveCues = ["thank", "great", "perfect", "awesome", "wonderful", "appreciate", "helpful", "exactly what", "excellent",
                               "amazing", "love it", "brilliant", "fantastic", "cheers", "much better", "that works", "works now", "sounds good",
                               "glad", "happy with", "nice", "good job", "well done", "solved", "resolved"] + otherLanguageThanks
    /// Thanks and praise in the other languages of `otherLanguageFrustration`.
    static let otherLanguageThanks = ["merci", "parfait", "génial", "gracias", "perfecto", "obrigad", "perfeito", "danke", "perfekt", "grazie",
                                      "perfetto", "bedankt"]

    /// Whether `s` holds `cue` starting at a word boundary ("ugh" is not in "through"); short cues
    /// must end at one too ("bad" is not in "badge").
    static func has(_ s: String, _ cue: String) -> Bool { ByteText.hasCue(ByteText.lower(s), Array(cue.utf8)) }

    static let frustratedBytes = unapostrophed(frustratedCues).map { Array($0.utf8) }
    static let negativeBytes = unapostrophed(negativeCues).map { Array($0.utf8) }

    /// Cues as typed in a hurry too: "dont bother", "doesnt help", "ill sort it myself".
    static func unapostrophed(_ cues: [String]) -> [String] {
        cues + cues.filter { $0.contains("'") && $0.count >= 8 }.map { $0.replacingOccurrences(of: "'", with: "") }
    }
    static let positiveBytes = positiveCues.map { Array($0.utf8) }
    static let harshBytes = harshCues.map { Array($0.utf8) }
    static let serviceBytes = serviceCues.map { Array($0.utf8) }
    static let politeBytes = ["no thank", "thanks in advance", "thank you in advance"].map { Array($0.utf8) }

    /// Strong words that are frustration when aimed at the service ("the worst support I've had")
    /// and only a negative remark otherwise ("the weather was awful").
    static let harshCues = ["worst", "terrible", "awful", "horrible", "angry"]
    static let serviceCues = ["service", "support", "company", "agent", "you guys", "your ", "this bot", "customer", "experience", "help desk",
                              "you people", "this app", "this website", "this store"]

    static func tone(_ text: String) -> Tone {
        // Only the user's own words carry their tone: a pasted log or stack trace is full of ERROR,
        // FAILED and capitals that are the machine's, not the user's.
        let text = text.utf8.contains(0x0a) ? prose(text) : text
        let b = ByteText.lower(text)
        if frustratedBytes.contains(where: { ByteText.hasCue(b, $0) }) || dismisses(b) { return .frustrated }
        let harsh = harshBytes.contains { ByteText.hasCue(b, $0) }
        if harsh && serviceBytes.contains(where: { ByteText.contains(b, $0) }) { return .frustrated }
        // Shouting: several words in capitals, or runs of ?! marks.
        var shouted = 0, upper = 0, lowerSeen = false
        for u in text.utf8 {
            if u >= 0x41 && u <= 0x5a { upper += 1 } else if (u >= 0x61 && u <= 0x7a) || u >= 0x80 || (u >= 0x30 && u <= 0x39) { lowerSeen = true } else {
                if upper >= 4 && !lowerSeen { shouted += 1 }
                upper = 0; lowerSeen = false
            }
        }
        if upper >= 4 && !lowerSeen { shouted += 1 }
        if shouted >= 3 || ["?!", "!?", "???"].contains(where: { ByteText.contains(b, Array($0.utf8)) }) || sarcastic(b) { return .frustrated }
        var neg = harsh || negativeBytes.contains { ByteText.hasCue(b, $0) }
        // "not great" is negative, not also positive: look for praise outside the negative phrases.
        var pos = positiveBytes.contains { ByteText.hasCue(b, $0) }
        if pos && (neg || politeBytes.contains(where: { ByteText.contains(b, $0) })) {
            var rest = text.lowercased()
            for cue in negativeCues where rest.contains(cue) { rest = rest.replacingOccurrences(of: cue, with: " ") }
            for polite in ["no thank", "thanks in advance", "thank you in advance"] { rest = rest.replacingOccurrences(of: polite, with: " ") }
            pos = positiveCues.contains { has(rest, $0) }
        }
        // "Thanks, that works" after a complaint word in the same turn reads as relief, not complaint.
        if neg && pos && ["that works", "works now", "solved", "resolved", "perfect"].contains(where: { ByteText.contains(b, Array($0.utf8)) }) { neg = false }
        // Runs of "!" intensify whatever the turn says: excitement stays positive, a complaint turns frustrated.
        if neg && !pos { return ByteText.contains(b, Array("!!".utf8)) ? .frustrated : .negative }
        if pos && !neg { return .positive }
        return .neutral
    }

    /// A refusal, then praise alone ("you won't give it. Great.").
    static func sarcastic(_ lower: [UInt8]) -> Bool {
        let praise = ["great", "brilliant", "perfect", "fantastic", "wonderful", "lovely", "thanks a lot"]
        guard praise.contains(where: { ByteText.contains(lower, Array($0.utf8)) }) else { return false }
        let s = Facts.sentences(String(decoding: lower, as: UTF8.self)).map { $0.trimmingCharacters(in: CharacterSet.punctuationCharacters.union(.whitespaces)) }
        return s.indices.dropFirst().contains { i in
            praise.contains(s[i]) && Words.split(s[i - 1], innerApostrophes: true).contains { ["won't", "can't", "don't", "not", "never", "cannot", "didn't", "wont", "cant"].contains($0) }
        }
    }

    /// Dismissals as a sentence of their own ("whatever. logging off.", "wow. ok. goodbye"): the user
    /// stops arguing unhelped. Inside a sentence they dismiss nothing ("whatever time suits you").
    static let dismissals: Set<String> = ["whatever", "fine whatever", "ok whatever", "yeah whatever", "wow", "ok wow", "wow ok"]

    /// A turn made only of a dismissal and leaving words ("whatever. logging off."); "Whatever, the
    /// earliest slot is fine" answers a choice.
    static func dismisses(_ lower: [UInt8]) -> Bool {
        guard ByteText.contains(lower, Array("whatever".utf8)) || ByteText.contains(lower, Array("wow".utf8)) else { return false }
        let text = String(decoding: lower, as: UTF8.self)
        var dismissed = false
        for piece in text.split(whereSeparator: { ".!?;,\n…".contains($0) }) {
            let words = Words.split(String(piece)).joined(separator: " ")
            if words.isEmpty { continue }
            if dismissals.contains(words) { dismissed = true } else if !leavingCues.contains(words) && !["ok", "okay", "right", "fine"].contains(words) { return false }
        }
        return dismissed
    }

    /// Words of a user who leaves the conversation ("bye", "logging off").
    static let leavingCues = ["bye", "goodbye", "logging off", "signing off", "gotta go", "i'm off", "i'm leaving", "au revoir", "adiós", "adios", "tschüss",
                              "tschüs", "ciao", "tchau"]

    /// A multi-line turn without what the user pasted: fenced blocks (```), and lines that read as
    /// machine output (starting with a time stamp, a bracketed field or a stack frame, or holding a
    /// log level in capitals).
    static func prose(_ text: String) -> String {
        var out: [Substring] = []
        var fenced = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.drop(while: { $0 == " " || $0 == "\t" })
            if t.hasPrefix("```") { fenced.toggle(); continue }
            if fenced || isMachineLine(t) { continue }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    static let logLevels: [[UInt8]] = ["ERROR", "WARN", "WARNING", "INFO", "DEBUG", "TRACE", "FATAL", "CRITICAL", "SEVERE"].map { Array($0.utf8) }

    static func isMachineLine(_ t: Substring) -> Bool {
        let b = Array(t.utf8)
        guard let first = b.first else { return false }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") || first == UInt8(ascii: "<") { return true }
        if b.count >= 4, b.prefix(4).allSatisfy(ByteText.isDigit) { return true }   // 2025-06-02T08:41, 1717000000
        if t.hasPrefix("at ") || t.hasPrefix("File \"") || t.hasPrefix("Traceback") || t.hasPrefix("Caused by") { return true }
        // A log level as a word of its own, in capitals.
        for level in logLevels {
            var from = 0
            while let at = ByteText.firstIndex(of: level, in: b, from: from) {
                from = at + 1
                let end = at + level.count
                if (at == 0 || !ByteText.isAlnum(b[at - 1])) && (end == b.count || !ByteText.isAlnum(b[end])) { return true }
            }
        }
        return false
    }

    /// The tone of a turn with typos forgiven ("unbeleivable", "pintless", "not listeening"): where the
    /// exact cues find nothing, each cue's words of seven letters or more may differ from the turn's
    /// by one letter added, dropped, changed or swapped. Shorter words must match: among them a typo
    /// is too often another word ("forgot it" is not "forget it"). Used where a turn or two decide the
    /// outcome, not for every turn of the Sentiment facet.
    static func tolerantTone(_ text: String) -> Tone {
        let exact = tone(text)
        guard exact == .neutral else { return exact }
        let words = Words.split(text.utf8.contains(0x0a) ? prose(text) : text, innerApostrophes: true).map { Array($0.utf8) }
        guard !words.isEmpty else { return .neutral }
        for (cue, t) in fuzzyCues where cue.count <= words.count {
            for start in 0...(words.count - cue.count)
            where zip(cue, words[start..<(start + cue.count)]).allSatisfy({ c, w in c.count < 7 ? c == w : ByteText.withinOneEdit(c, w) || (w.count > c.count && ByteText.withinOneEdit(c, Array(w.prefix(c.count)))) }) {
                return t
            }
        }
        return .neutral
    }

    /// Cues with a word long enough to carry a typo, as words.
    static let fuzzyCues: [(words: [[UInt8]], tone: Tone)] = {
        func split(_ cues: [String], _ t: Tone) -> [([[UInt8]], Tone)] {
            cues.map { (Words.split($0, innerApostrophes: true).map { Array($0.utf8) }, t) }.filter { $0.0.contains { $0.count >= 7 } }
        }
        return split(frustratedCues + giveUpCues, .frustrated) + split(negativeCues, .negative)
    }()

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

    static let escalationCues = ["human", "real person", "speak to a", "talk to a", "speak to someone", "talk to someone", "manager",
                                 "supervisor", "representative", "live agent", "real agent"]
    /// Whether a user turn asks for a person: an escalation cue that is not the user's own ("my
    /// manager approved it", "our representative") and not a question about the agent ("are you a
    /// real person?").
    static func asksForPerson(_ text: String) -> Bool {
        let l = Array(text.lowercased().utf8)
        for cue in escalationCues {
            let c = Array(cue.utf8)
            var from = 0
            while let at = ByteText.firstIndex(of: c, in: l, from: from) {
                from = at + 1
                guard at == 0 || !ByteText.isLetter(l[at - 1]) else { continue }
                // The word before the cue, and the two before that.
                var words: [String] = []
                var e = at
                while words.count < 3 {
                    while e > 0, !ByteText.isLetter(l[e - 1]) { e -= 1 }
                    var b = e
                    while b > 0, ByteText.isLetter(l[b - 1]) { b -= 1 }
                    guard b < e else { break }
                    words.append(String(decoding: l[b..<e], as: UTF8.self))
                    e = b
                }
                if words.contains(where: { ["my", "our", "their", "his", "her"].contains($0) }) { continue }  // "our new operations manager"
                // "are you a real person?", "is this a human?"
                if words.count >= 2, words[0] == "a" || words[0] == "an", ["you", "this", "it", "that"].contains(words[1]) { continue }
                return true
            }
        }
        return false
    }

    static let giveUpCues = unapostrophed(["forget it", "never mind", "nevermind", "i give up", "waste of time", "cancel my account", "going elsewhere",
                             "i'll go elsewhere", "i'll take my business", "my business elsewhere", "i'm done", "i am done", "don't bother",
                             "go elsewhere", "move my account", "switch banks", "switching banks", "change banks", "money elsewhere",
                             "this is pointless", "useless", "waste of my time",
                             "j'abandonne", "laissez tomber", "laisse tomber", "perte de temps", "me rindo", "olvídalo", "olvidalo", "pérdida de tiempo",
                             "desisto", "esquece isso", "deixa pra lá", "perda de tempo", "ich gebe auf", "vergiss es", "zeitverschwendung",
                             "lascia perdere", "mi arrendo", "perdita di tempo", "ik geef het op", "tijdverspilling"])
        + complainElsewhereCues
    /// Taking the complaint to someone else (an ombudsman, a regulator, the public): the user gives
    /// up on the agent, however calmly it is said ("Fine, I'll take it to the ombudsman then").
    /// (Phrased as taking it there: "do I need to report this to the police?" asks how.)
    static let complainElsewhereCues = ["to the ombudsman", "to the regulator", "to trading standards", "report you to", "reporting you to",
                                        "complain on twitter", "complain on social media", "complaining on twitter", "post this on twitter",
                                        "take it further", "take this further", "see you in court", "formal complaint", "complain instead",
                                        "ring and complain", "call and complain", "phone and complain"]
    /// Taking the problem back: the user will sort it out without the agent. Giving up only when the
    /// turn asks for nothing more ("Just send me the link and I'll do it myself" is a request).
    static let takeBackCues = unapostrophed(["i'll sort it out myself", "i'll figure it out myself", "i'll deal with it myself", "i'll handle it myself",
                               "i'll do it myself", "i'll sort it myself", "je me débrouillerai", "je vais me débrouiller",
                               "lo resuelvo yo", "lo resolveré yo", "lo arreglo yo", "eu resolvo sozinh", "eu mesmo resolvo", "ich kläre das selbst",
                               "ich mache das selbst", "kümmere mich selbst", "lo risolvo da sol", "faccio da sol", "ik los het zelf op"])
    static let requestWords = ["?", "send", "please", "schick", "manda", "envoy", "envía", "envia", "bitte", "por favor", "s'il vous", "per favore"]

    static func takesBack(_ lower: String) -> Bool {
        ByteText.any(lower, takeBackCues) && !ByteText.any(lower, requestWords)
    }

    /// The Issues facet: every problem the detectors find (see `IssueFinder`), dominant first. The
    /// topic is formed on the dominant problem's fixed sentence, so one behaviour makes one topic
    /// whatever the product, tool or numbers; the summary and evidence say what happened here.
    static func issues(_ t: TraceThread) -> FacetOutput {
        let found = IssueFinder.find(t)
        guard let first = found.first else { return FacetOutput(summary: FacetOutput.none) }
        var summary = first.kind.head + ": " + first.detail
        if found.count > 1 { summary += " Also: " + found.dropFirst().map { $0.kind.head.lowercased() }.joined(separator: "; ") + "." }
        let evidence = found.flatMap { f in
            f.evidence.map { e -> Value in
                var o: JSONObject = ["issue": .string(f.kind.head), "quote": .string(e.quote)]
                if let s = e.span { o["span_id"] = .string(s) }
                return .object(o)
            }
        }
        return FacetOutput(summary: summary, clusterText: first.kind.signature, grouped: true, evidence: evidence)
    }
}
