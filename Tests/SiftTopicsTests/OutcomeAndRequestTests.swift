import XCTest
import SiftModel
@testable import SiftTopics

/// How a conversation ends and what a turn asks for: users who leave unhelped, however they say it;
/// requests for details that claim nothing; a reply that brings a new identifier; a setting's value
/// that is no identifier.
final class OutcomeAndRequestTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }

    func testLeavingUnhelpedSaidOtherWays() {
        func left(_ turns: [String]) -> String {
            var e: [ThreadEvent] = [.user("Can you price-match a quote of £228 from another insurer?"), .assistant("I'm afraid we can't price-match other insurers.")]
            for u in turns { e += [.user(u), .assistant("I'm sorry, that isn't something I can do.")] }
            return issues(e).summary.components(separatedBy: ":").first!
        }
        let frustrated = "User left frustrated"
        XCTAssertEqual(left(["that doesnt help me at all", "Right, I'm making a formal complaint. Goodbye."]), frustrated)
        XCTAssertEqual(left(["Why can't you just do it? That's literally what you're here for.", "This is a waste of my time."]), frustrated)
        XCTAssertEqual(left(["i was told last week this would be sorted.", "ill be taking my business elsewhere at renewal. bye"]), frustrated)
        XCTAssertEqual(left(["why is it so high?? can you reduce it", "Fine. I'll ring and complain instead."]), frustrated)
        XCTAssertEqual(left(["Brilliant. Really helpful.", "Not good enough. I'm off."]), frustrated)
        XCTAssertEqual(left(["I pay you every month and this is the service I get?", "I'm not repeating myself again. Goodbye."]), frustrated)
        XCTAssertEqual(left(["i dont have time for this, im at work", "dont bother, ill sort it myself"]), frustrated)
        XCTAssertEqual(left(["Same answer again... Is there anyone who can actually do something?", "I'm not doing this again. Cancel everything, I'm leaving."]), frustrated)
        XCTAssertEqual(left(["That's not fair at all, your system broke, not me.", "I've had enough of this bank honestly. goodbye"]), frustrated)
        XCTAssertEqual(left(["That's what I was told last time too.", "I'll just cancel the card and go elsewhere."]), frustrated)
        XCTAssertEqual(left(["it's definitely there, I can see it in the app right now!!", "Great, so nobody can help me. Brilliant."]), frustrated)
        XCTAssertEqual(left(["I missed ONE payment because I lost my job. And now you won't help?", "Incredible. I'll remember this when I move my accounts."]), frustrated)
        // Near-misses: a calm goodbye, and thanks after a refusal.
        XCTAssertEqual(left(["ok, I'm off to work now. Thanks anyway!"]), "NONE")
        XCTAssertEqual(left(["Fair enough, I'll think about it. Thanks."]), "NONE")
    }

    func testRequestsSettingsAndNewDetails() {
        // A timeout raised on each retry is a setting, not an identifier typed wrong.
        XCTAssertEqual(head([.user("What limits can I get? card HLCC-3434376"),
                             call("get_credit_limit_options", args: ["card_account": "HLCC-3434376", "timeout_ms": 15000], error: "Timeout"),
                             call("get_credit_limit_options", args: ["card_account": "HLCC-3434376", "timeout_ms": 25000], result: ["eligible": true]),
                             .assistant("You're eligible for an increase.")]), "NONE")
        // A second policy's number with the ZIP code that secures it answers a request for the new number.
        XCTAssertEqual(issues([.user("My policy is PGA977387751, ZIP 53780."), call("policy_details", args: ["policy_number": "PGA977387751"], result: ["status": "active"]),
                               .assistant("It's active. Anything else?"), .user("Is my bike covered away from home?"),
                               .assistant("Could you give me that policy's number, plus your ZIP code?"), .user("Policy PGH945029537 and ZIP code 53780"),
                               call("policy_details", args: ["policy_number": "PGH945029537"], result: ["status": "active", "cycles_away": true]),
                               .assistant("Yes, your bike is covered away from home.")]).summary, "NONE")
        // A request for details claims nothing ("in the last 5 years" is what it asks about); "4+ years" states four years.
        XCTAssertEqual(issues([.user("Add my wife to policy NV59005031."), call("get_policy", args: ["policy_number": "NV59005031"], result: ["status": "active", "ncd_years": 1]),
                               .assistant("I'll need her full name, date of birth, and any points or convictions in the last 5 years."),
                               .user("Can I protect my no-claims discount too?"),
                               .assistant("You have 1 years' no-claims discount. Protection is only available once you have 4 years, so I can't add it yet.")],
                              system: ["Protected no-claims discount requires 4+ years of NCD."]).summary, "NONE")
        XCTAssertEqual(head([.user("Add my wife to policy NV59005031."), call("get_policy", args: ["policy_number": "NV59005031"], result: ["status": "active"]),
                             .assistant("We'll need the £250 excess paid before she is added.")]), "Unsupported claim in answer", "a request naming an amount states it")
    }

    func testSarcasmWaitingAndAWowGoodbye() {
        XCTAssertEqual(BuiltinFacetModel.tone("so when I actually need help, you won't give it. Great."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("wow. ok. goodbye"), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("so i just wait forever? no. bye"), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("WHEN?? nobody has contacted me in a week"), .frustrated)
        // Praise after a plain statement, a "wow" of delight, and a doubled question mark are not.
        XCTAssertNotEqual(BuiltinFacetModel.tone("It arrived today. Great."), .frustrated)
        XCTAssertNotEqual(BuiltinFacetModel.tone("Wow, that was quick, thank you!"), .frustrated)
        XCTAssertNotEqual(BuiltinFacetModel.tone("bill way too high??"), .frustrated)
    }
}
