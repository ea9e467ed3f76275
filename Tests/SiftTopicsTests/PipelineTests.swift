import XCTest
import SiftModel
import SiftSimulator
@testable import SiftTopics

final class ThreadAndFacetTests: XCTestCase {
    func span(_ id: String, type: String, name: String, at t: Double, input: Value = .null, output: Value = .null, error: Value = .null) -> Span {
        var s = Span(id: id, rootSpanID: "root", spanParents: ["root"], created: Timestamp(seconds: t))
        s.type = type; s.name = name; s.input = input; s.output = output; s.error = error
        s.metrics = ["start": .double(t)]
        return s
    }

    func trace(_ spans: [Span]) -> Trace {
        var root = Span(id: "root", created: Timestamp(seconds: 1_000_000))
        root.type = "task"
        root.metrics = ["start": .double(999_999)]
        return Trace(spans: [root] + spans)!
    }

    func user(_ s: String) -> Value { ["role": "user", "content": .string(s)] }
    func assistant(_ s: String) -> Value { ["role": "assistant", "content": .string(s)] }

    func testThreadOrdersTurnsAndToolCalls() {
        let t = trace([
            span("a", type: "llm", name: "chat", at: 1_000_001, input: [user("Where is order A123456?")], output: ["role": "assistant", "content": nil]),
            span("b", type: "tool", name: "lookup_order", at: 1_000_002, input: ["order_id": "A123456"], output: ["status": "shipped"]),
            span("c", type: "llm", name: "chat", at: 1_000_003, input: [user("Where is order A123456?")], output: assistant("It shipped.")),
            span("d", type: "llm", name: "chat", at: 1_000_004, input: [user("Where is order A123456?"), assistant("It shipped."), user("Thanks!")], output: assistant("Anything else?")),
        ])
        let th = TraceThread(trace: t)
        XCTAssertEqual(th.userTurns, ["Where is order A123456?", "Thanks!"])
        XCTAssertEqual(th.toolCalls.map(\.name), ["lookup_order"])
        XCTAssertEqual(th.finalAnswer, "Anything else?")
        let text = th.render()
        XCTAssertTrue(text.contains("Tool lookup_order({\"order_id\":\"A123456\"}) -> {\"status\":\"shipped\"}"), text)
        XCTAssertTrue(text.hasPrefix("User: Where is order A123456?"), text)
        // The user's last word after the last answer is in no llm span's input, only in a root that
        // holds the whole conversation (as a trajectory's does).
        var root = Span(id: "root", created: Timestamp(seconds: 1_000_000))
        root.type = "task"
        root.input = [user("Can you send a technician?"), assistant("No slots, check back later."), user("Forget it.")]
        let ended = TraceThread(trace: Trace(spans: [root, span("a", type: "llm", name: "chat", at: 1_000_001, input: [user("Can you send a technician?")],
                                                                output: assistant("No slots, check back later."))])!)
        XCTAssertEqual(ended.userTurns, ["Can you send a technician?", "Forget it."])
        XCTAssertEqual(BuiltinFacetModel.issues(ended).summary.components(separatedBy: ":").first, "User left frustrated")
    }

    func testThreadFromRootMessagesOnly() {
        var root = Span(id: "r", created: Timestamp(seconds: 5))
        root.input = [user("Book a flight"), ["role": "assistant", "content": nil, "tool_calls": [["function": ["name": "search_flights", "arguments": "{\"to\":\"SFO\"}"]]]],
                      ["role": "tool", "content": "Error: no flights"], assistant("Sorry, none found.")]
        let th = TraceThread(trace: Trace(spans: [root])!)
        XCTAssertEqual(th.userTurns, ["Book a flight"])
        XCTAssertEqual(th.toolCalls.count, 1)
        XCTAssertEqual(th.toolCalls.first?.failed, true)
        XCTAssertEqual(th.finalAnswer, "Sorry, none found.")
        // Failures reported in-band by the result, in messages and in tool spans with no error of their own.
        root.input = [user("Book a flight"), ["role": "assistant", "content": nil, "tool_calls": [["function": ["name": "search_flights", "arguments": "{}"]]]],
                      ["role": "tool", "content": #"{"error": {"code": 503, "message": "Service Unavailable"}}"#], assistant("Sorry.")]
        let inBand = TraceThread(trace: Trace(spans: [root])!).toolCalls
        XCTAssertEqual(inBand.first?.errorType, "503")
        XCTAssertEqual(inBand.first?.errorMessage, "Service Unavailable")
        let spans = TraceThread(trace: trace([span("t", type: "tool", name: "kb_search", at: 1_000_001, output: ["status": "error", "code": "UPSTREAM_TIMEOUT"]),
                                              span("u", type: "tool", name: "kb_search", at: 1_000_002, output: ["status": "ok"])])).toolCalls
        XCTAssertEqual(spans.map(\.failed), [true, false])
        XCTAssertEqual(spans.first?.errorType, "UPSTREAM_TIMEOUT")
        // What a transform (redaction) takes out of a result's text is gone from its structure too.
        let profile = TraceThread(trace: trace([span("p", type: "tool", name: "lookup", at: 1_000_001, output: .string(#"{"email": "jane@example.com", "plan": "basic"}"#))]))
        let redacted = profile.mapText { $0.replacingOccurrences(of: "jane@example.com", with: "<EMAIL>") }.toolCalls
        XCTAssertEqual(profile.toolCalls.first?.resultValue, ["email": "jane@example.com", "plan": "basic"])
        XCTAssertEqual(redacted.first?.resultValue, ["email": "<EMAIL>", "plan": "basic"])
    }

    func testIssuesOutputIsOneGroupPerKindWithEvidence() {
        var t = thread([.user("cancel it"), call("cancel_order", error: "ConflictError"), .assistant("Done, it has been cancelled."), .user("Useless. Forget it.")])
        t.spanIDs = ["s1", "s2", "s3", "s4"]
        let out = BuiltinFacetModel.issues(t)
        XCTAssertTrue(out.grouped)
        XCTAssertEqual(out.clusterText, "Tool error ignored: " + IssueKind.ignoredError.meaning)
        XCTAssertTrue(out.summary.hasSuffix("Also: user left frustrated."), out.summary)
        XCTAssertFalse(out.summary.contains(where: \.isNumber), out.summary)
        XCTAssertEqual(out.evidence.first?["span_id"]?.stringValue, "s2")
        XCTAssertEqual(out.evidence.first?["issue"]?.stringValue, "Tool error ignored")
        XCTAssertTrue(out.evidence.contains { $0["quote"]?.stringValue == "Useless. Forget it." })
        // Every label is short, number-free and unique.
        let heads = IssueKind.allCases.map(\.head)
        XCTAssertEqual(Set(heads).count, heads.count)
        for h in heads { XCTAssertLessThanOrEqual(h.split(separator: " ").count, 6, h); XCTAssertFalse(h.contains(where: \.isNumber), h) }
    }

    /// Arbitrary text, JSON and bytes in every part of a thread: the detectors never crash, and what
    /// they say stays within the contract (NONE, or a known head with no numbers, evidence quoted).
    func testIssuesSurviveArbitraryThreads() {
        var rng = SeededRandom(seed: 77 &+ SeededRandom.golden)
        let pieces = ["$", "1,249.50", "15%", "May 20", "2024-05-20", "A123456", "a12345", "refund", "cancel", "final_sale", "not eligible",
                      "I've refunded", "?", "!!", "WHY", "\u{0}", "é", "🙂", "\n", ".", "within 30 days", "cannot be modified", "yes", "-", "_", "#",
                      "{", "}", "[", "]", "\"", ":", "true", "false", "null", "99999999999999999999", "0.0000001", "你好"]
        func text() -> String { (0..<rng.int(0...12)).map { _ in rng.pick(pieces) }.joined(separator: rng.chance(0.5) ? " " : "") }
        for _ in 0..<400 {
            var events: [ThreadEvent] = []
            for _ in 0..<rng.int(0...10) {
                switch rng.int(0...2) {
                case 0: events.append(.user(text()))
                case 1: events.append(.assistant(text()))
                default:
                    let result: Value = rng.chance(0.5) ? .string(text()) : ["k": .string(text()), "refundable": .bool(rng.chance(0.5)), "price": .double(rng.double(0...500))]
                    events.append(.tool(ToolCall(name: rng.pick(["issue_refund", "get_order", "cancelOrder", "x", ""]), arguments: text(), result: text(),
                                                 errorType: rng.chance(0.3) ? text() : nil, errorMessage: rng.chance(0.3) ? text() : nil,
                                                 isRetrieval: rng.chance(0.3), resultValue: result)))
                }
            }
            var t = thread(events)
            t.system = rng.chance(0.5) ? [text()] : []
            let out = BuiltinFacetModel.issues(t)
            if out.summary != FacetOutput.none {
                let head = String(out.summary.prefix { $0 != ":" })
                XCTAssertTrue(IssueKind.allCases.contains { $0.head == head }, out.summary)
                XCTAssertTrue(out.grouped)
                XCTAssertFalse(out.evidence.isEmpty, out.summary)
            }
            _ = BuiltinFacetModel.sentiment(t)
            _ = BuiltinFacetModel.task(t)
        }
    }

    func testDetectorPatternsCompile() {
        XCTAssertNotNil(Facts.factPattern)
        XCTAssertNotNil(IssueFinder.windowPattern)
        XCTAssertNotNil(IssueFinder.affirmative)
        XCTAssertNotNil(IssueFinder.prohibition)
        XCTAssertNotNil(IssueFinder.claimedActionPattern)
    }

    func testSentimentPath() {
        func s(_ turns: [String]) -> FacetOutput { BuiltinFacetModel.sentiment(thread(turns.map { .user($0) }))! }
        XCTAssertEqual(s(["Where is my order?", "Perfect, thank you!"]).label, "POSITIVE")
        XCTAssertEqual(s(["Where is my order?", "Perfect, thank you!"]).summary, "NEUTRAL -> POSITIVE")
        XCTAssertEqual(s(["Ugh. Where is my order?", "Great, thanks!"]).label, "MIXED")
        XCTAssertEqual(s(["Where is my order?", "This is ridiculous.", "Forget it."]).summary, "NEUTRAL -> FRUSTRATED")
        XCTAssertEqual(s(["Where is my order?", "ok"]).label, "NEUTRAL")
        XCTAssertEqual(s(["Not great, but ok."]).label, "NEGATIVE")
        // Rising frustration without insults still reads as frustration.
        XCTAssertEqual(s(["Where is my order?", "I already told you the order number. How many times do I have to repeat it?"]).label, "FRUSTRATED")
        XCTAssertEqual(s(["Hi", "WHY IS THIS STILL NOT FIXED"]).label, "FRUSTRATED")
        XCTAssertEqual(s(["Book HAT136 and HAT039 for me"]).label, "NEUTRAL", "codes are not shouting")
        XCTAssertEqual(s(["That's not what I asked."]).label, "NEGATIVE")
        XCTAssertEqual(s(["No thanks, that's all."]).label, "NEUTRAL")
        // Typos forgiven where a turn or two decide the outcome; short words must still match.
        XCTAssertEqual(BuiltinFacetModel.tolerantTone("unbeleivable"), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tolerantTone("so this whole conversation was pintless"), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tolerantTone("you are not listeening"), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tolerantTone("froget it"), .neutral, "short words must match")
        XCTAssertEqual(BuiltinFacetModel.tolerantTone("the pointer is fine and the time is right"), .neutral)
        XCTAssertEqual(BuiltinFacetModel.tolerantTone("ok, forgot it at home"), .neutral)
        XCTAssertTrue(ByteText.withinOneEdit(Array("forget".utf8), Array("froget".utf8)))
        XCTAssertTrue(ByteText.withinOneEdit(Array("waste".utf8), Array("wate".utf8)))
        XCTAssertTrue(ByteText.withinOneEdit(Array("pointless".utf8), Array("pointlesss".utf8)))
        XCTAssertFalse(ByteText.withinOneEdit(Array("useless".utf8), Array("unless".utf8)))
        XCTAssertFalse(ByteText.withinOneEdit(Array("forget".utf8), Array("fgroet".utf8)))
        // An outcome: the tone fell and stayed down, the last word neither thanks nor accepts.
        func head(_ turns: [ThreadEvent]) -> String { BuiltinFacetModel.issues(thread(turns)).summary.components(separatedBy: ":").first! }
        XCTAssertEqual(head([.user("I want to cancel."), .assistant("How about a discount?"), .user("are you even listening? I want to cancel"),
                             .assistant("You need to call us to cancel."), .user("so this whole conversation was pintless"), .assistant("Sorry."),
                             .user("no. bye")]), "User left frustrated")
        XCTAssertEqual(head([.user("This is annoying, my internet is down."), .assistant("A technician comes tomorrow."),
                             .user("Ugh, tomorrow? Fine."), .assistant("Yes, 8 to noon."), .user("ok, bye")]), "NONE", "it ends accepting")
    }

    func testTaskSummaryLeadsWithActionsAndGeneralizesIdentifiers() {
        let out = BuiltinFacetModel.task(thread([.user("Ugh. I was charged twice for order A123456, $129.00 each."), call("lookup_order"), call("issue_refund")]))!
        XCTAssertEqual(out.summary, "Lookup order + issue refund: I was charged twice for order <id>, <amount> each.")
        XCTAssertEqual(out.clusterText, "Lookup order + issue refund")
    }

    func testCustomFacetRulesAndExclusion() throws {
        let defs = try FacetDefinition.parse(try JSONReader.parse("""
            {"name": "Refund reason", "prompt": "Why a refund?", "exclude": "password",
             "labels": [{"label": "damaged", "example": "it arrived broken", "match": ["broken|damaged|torn"]}, {"label": "late", "match": "late|never arrived"}]}
            """), source: "f.json")
        XCTAssertEqual(defs.count, 1)
        let f = defs[0]
        XCTAssertEqual(f.labels.map(\.label), ["DAMAGED", "LATE"])
        let model = BuiltinFacetModel(custom: defs)
        XCTAssertEqual(try model.summarize(thread: thread([]), text: "User: the tent arrived torn", facet: f)?.label, "DAMAGED")
        XCTAssertEqual(try model.summarize(thread: thread([]), text: "User: it never arrived", facet: f)?.label, "LATE")
        XCTAssertEqual(try model.summarize(thread: thread([]), text: "User: wrong colour", facet: f)?.summary, "no_match")
        let free = FacetDefinition(name: "Tone", prompt: "Describe the tone")
        XCTAssertThrowsError(try model.summarize(thread: thread([]), text: "x", facet: free)) { e in XCTAssertTrue("\(e)".contains("needs a model server")) }
        for bad in [#"{"prompt": "x"}"#, #"{"name": "Task", "prompt": "x"}"#, #"{"name": "X", "prompt": "x", "labels": [{"label": "A", "match": "("}]}"#] {
            XCTAssertThrowsError(try FacetDefinition.parse(try JSONReader.parse(bad), source: "f.json")) { e in XCTAssertTrue("\(e)".hasPrefix("f.json: "), "\(e)") }
        }
    }
}
