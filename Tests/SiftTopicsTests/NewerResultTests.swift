import XCTest
import SiftModel
@testable import SiftTopics

/// Answers from an older result when another tool has since reported the same object anew
/// (`IssueFinder+NewerResults.swift`), and a rate in percent re-quoted by the same tool; with the
/// near-misses that must stay NONE.
final class NewerResultTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }
    let stale = "Answer from outdated information"

    func testAStateAnotherLookupReplaced() {
        func dispute(_ answer: String, second: String = "get_dispute_status", disputeID: String = "HD-688908") -> String {
            head([.user("What's happening with my dispute HD-688908?"),
                  call("list_disputes", args: ["customer_id": "HL5143504"],
                       result: ["disputes": [["dispute_id": "HD-688908", "status": "under_review", "amount_pence": 14553]]]),
                  call(second, args: ["dispute_id": .string(disputeID)], result: ["dispute_id": .string(disputeID), "status": "resolved"]),
                  .assistant(answer)])
        }
        XCTAssertEqual(dispute("As it stands, the dispute is still under review while we wait for the merchant."), stale)
        XCTAssertEqual(dispute("Good news: the dispute is resolved in your favour."), "NONE")
        XCTAssertEqual(dispute("It was under review, and it is now resolved."), "NONE", "both said: the change reported")
        XCTAssertEqual(dispute("As it stands, the dispute is still under review.", disputeID: "HD-111111"), "NONE", "another dispute's state")
        // A write's status is its operation's, not the object's.
        XCTAssertEqual(dispute("As it stands, the dispute is still under review.", second: "update_dispute"), "NONE")
    }

    func testADateAndAnAmountGivenAnew() {
        func delivery(_ answer: String) -> String {
            head([.user("My contactless stopped working, I need a new card."),
                  call("order_replacement_card", args: ["card_id": "HLC-4272-8926"],
                       result: ["order_id": "RC-504948", "status": "ordered", "estimated_delivery": "2024-09-18"]),
                  .assistant("Ordered, reference RC-504948, arriving by 2024-09-18."),
                  .user("I got a text about a delay?"),
                  call("get_replacement_status", args: ["order_id": "RC-504948"], result: ["order_id": "RC-504948", "status": "delayed", "estimated_delivery": "2024-09-24"]),
                  .assistant(answer)])
        }
        XCTAssertEqual(delivery("It should reach you by 2024-09-18, before you travel."), stale)
        XCTAssertEqual(delivery("It's delayed: the new estimate is 24 September 2024."), "NONE")
        func points(_ answer: String, key: String = "remaining_points") -> String {
            head([.user("How many points do I have? Customer mp_cus_kwbgjkfx."),
                  call("get_loyalty_points", args: ["customer_id": "mp_cus_kwbgjkfx"], result: ["customer_id": "mp_cus_kwbgjkfx", "points": 17173]),
                  .assistant("You have 17,173 points."), .user("Cash out 2500 of them."),
                  call("redeem_points", args: ["customer_id": "mp_cus_kwbgjkfx", "points": 2500],
                       result: ["redemption_id": "RD-95656", "points_redeemed": 2500, .init(stringLiteral: key): 14673]),
                  .assistant(answer)])
        }
        XCTAssertEqual(points("Done. You still have 17,173 points left for next time."), stale)
        XCTAssertEqual(points("Done. You have 14,673 points left."), "NONE")
        // A field that names another quantity ("previous_points") is no newer value of it.
        XCTAssertEqual(points("Done. You still have 17,173 points left for next time.", key: "previous_points"), "NONE")
        // A bare amount names something different in every tool.
        XCTAssertTrue(IssueFinder.sameQuantity("minimum_payment_pence", "minimum_payment_remaining_pence"))
        XCTAssertFalse(IssueFinder.sameQuantity("amount", "amount"))
        XCTAssertFalse(IssueFinder.sameQuantity("points", "points_redeemed"))
    }

    func testARateInPercentQuotedAgain() {
        func rates(_ answer: String) -> String {
            head([.user("What rate do you pay on easy access savings?"),
                  call("get_rate_table", args: ["product": "savings"], result: ["product": "savings", "version": 8,
                       "rates": [["type": "easy_access_aer", "rate_pct": 3.05], ["type": "fixed_1y_aer", "rate_pct": 3.65]]]),
                  .assistant("The easy access AER is 3.05%."),
                  .user("I got a letter saying rates change, is it still right?"),
                  call("get_rate_table", args: ["product": "savings", "as_of": "2024-08-23"], result: ["product": "savings", "version": 9,
                       "rates": [["type": "easy_access_aer", "rate_pct": 2.55], ["type": "fixed_1y_aer", "rate_pct": 3.15]]]),
                  .assistant(answer)])
        }
        XCTAssertEqual(rates("I've re-checked: the easy access AER is 3.05%, so the letter doesn't change that."), stale)
        XCTAssertEqual(rates("The letter is right: the easy access AER is now 2.55%."), "NONE")
    }
}
