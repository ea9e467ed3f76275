import XCTest
import SiftModel
@testable import SiftTopics

/// Permissions a policy grants only under a condition (`IssueFinder+Permissions.swift`): "X can be
/// V-ed only if C", scoped to the kinds of object it names, with the exceptions of the sentence
/// before an "Otherwise"; and the near-misses that must stay NONE.
final class PermissionTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }
    let violation = "Action against stated policy"

    let airline = ["The current time is 2024-05-15 15:00:00 EST.",
                   "- All reservations can be cancelled within 24 hours of booking, or if the airline cancelled the flight. Otherwise, basic economy or economy flights can be cancelled only if travel insurance is bought and the condition is met, and business flights can always be cancelled."]

    func cancel(cabin: String = "economy", insurance: String = "no", created: String = "2024-05-02T06:02:56", flightStatus: String? = nil,
                write: String = "cancel_reservation", system: [String]? = nil) -> String {
        var events: [ThreadEvent] = [
            .user("I booked this 10 hours ago and want to cancel it, reservation 3RK2T9. Change of plans."),
            call("get_reservation_details", args: ["reservation_id": "3RK2T9"],
                 result: ["reservation_id": "3RK2T9", "user_id": "anya_garcia_5901", "cabin": .string(cabin), "insurance": .string(insurance),
                          "created_at": .string(created), "flights": [["flight_number": "HAT214", "date": "2024-05-19", "price": 57]]]),
        ]
        if let flightStatus {
            events.append(call("get_flight_status", args: ["flight_number": "HAT214", "date": "2024-05-19"], result: ["status": .string(flightStatus)]))
        }
        events += [.assistant("You are eligible. Shall I cancel it?"), .user("Yes, please go ahead."),
                   call(write, args: ["reservation_id": "3RK2T9"], result: ["reservation_id": "3RK2T9", "status": write.contains("cancel") ? "cancelled" : "updated"]),
                   .assistant("Your reservation 3RK2T9 is cancelled; the refund takes 5 to 7 business days.")]
        return head(events, system: system ?? airline)
    }

    func testACancellationNoConditionAllowed() {
        // Economy, no insurance, booked 13 days before the conversation: no condition held.
        XCTAssertEqual(cancel(), violation)
        XCTAssertEqual(cancel(cabin: "basic_economy"), violation)
        // Each exception, shown by a result, lets it stand.
        XCTAssertEqual(cancel(insurance: "yes"), "NONE", "the condition the rule names is met")
        XCTAssertEqual(cancel(cabin: "business"), "NONE", "the rule is about (basic) economy bookings")
        XCTAssertEqual(cancel(created: "2024-05-15T04:00:00"), "NONE", "booked within the 24 hours")
        XCTAssertEqual(cancel(flightStatus: "cancelled"), "NONE", "the airline cancelled the flight")
        // Another action on the same booking is not a cancellation.
        XCTAssertEqual(cancel(write: "update_reservation_baggages"), "NONE")
    }

    func testARuleIsReadOnlyWhenEveryExceptionCanBeChecked() {
        // An exception the trace cannot show ("if a manager agrees") leaves the rule unread.
        let unchecked = ["The current time is 2024-05-15 15:00:00 EST.",
                         "Reservations can be cancelled within 24 hours of booking, or with a manager's approval. Otherwise, economy reservations can be cancelled only if travel insurance is bought."]
        XCTAssertEqual(cancel(system: unchecked), "NONE")
        XCTAssertTrue(IssueFinder.permissions(unchecked[1]).isEmpty)
        // Without a date to count from, the window might hold.
        XCTAssertEqual(cancel(created: "recently"), "NONE")
        // A rule with no exceptions stands alone; a plain subject is every object.
        let plain = ["Orders can be refunded only if refund protection was purchased."]
        func refund(_ protection: Value) -> String {
            head([.user("Refund order 88412, please."),
                  call("get_order", args: ["order_id": "88412"], result: ["order_id": "88412", "refund_protection": protection, "total": 120]),
                  call("issue_refund", args: ["order_id": "88412", "amount": 120], result: ["status": "refunded"]),
                  .assistant("Refunded.")], system: plain)
        }
        XCTAssertEqual(refund(false), violation)
        XCTAssertEqual(refund(true), "NONE")
        XCTAssertEqual(refund("n/a"), "NONE", "a value that is neither on nor off says nothing")
    }

    func testWhatTheSentencesSay() {
        let p = IssueFinder.permissions(airline[1])
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p.first?.verb, "cance")
        XCTAssertEqual(p.first?.scope, ["basic economy", "economy"])
        XCTAssertEqual(p.first?.windows.first?.seconds, 86400)
        XCTAssertEqual(p.first?.events, ["cance"])
        XCTAssertEqual(p.first?.requirements.count, 2, "travel insurance is bought; the condition is met")
        // A choice or a negation as the condition is not read; nor is a subject that is a clause.
        XCTAssertTrue(IssueFinder.permissions("Orders can be refunded only if unopened or faulty.").isEmpty)
        XCTAssertTrue(IssueFinder.permissions("Orders can be refunded only if the seal is not broken.").isEmpty)
        XCTAssertTrue(IssueFinder.permissions("If the user is gold, orders can be refunded only if protection was purchased.").isEmpty)
        // "Otherwise" with no grant before it to read: nothing.
        XCTAssertTrue(IssueFinder.permissions("Otherwise, orders can be refunded only if protection was purchased.").isEmpty)
        XCTAssertEqual(IssueFinder.permissions("Tickets can only be exchanged if flex fare is included.").first?.verb, "excha")
    }

    func testADisputeWindowForTransactionsDatedWithinIt() {
        func dispute(_ date: String, policy: String = "- Disputes/chargebacks may only be raised for posted (not pending) card transactions dated within the last 120 days.",
                     write: String = "open_dispute") -> String {
            head([.user("There's a payment to MOTO PAYMENT 0331 for 218.05 that I didn't make."),
                  call("list_transactions", args: ["account_id": "56702393"],
                       result: ["account_id": "56702393", "transactions": [["transaction_id": "TX161226585", "date": .string(date), "merchant": "MOTO PAYMENT 0331",
                                                                            "amount_pence": 21805, "status": "posted"]]]),
                  .assistant("Found it. Shall I raise a dispute?"), .user("Yes."),
                  call(write, args: ["transaction_id": "TX161226585", "reason": "fraud"], result: ["dispute_id": "HD-018881", "status": "opened"]),
                  .assistant("I've opened dispute HD-018881.")], system: ["Current date: 2024-10-13", policy])
        }
        XCTAssertEqual(dispute("2024-06-01"), violation, "134 days before today")
        XCTAssertEqual(dispute("2024-09-01"), "NONE")
        // A window that does not say the objects are dated by it does not read their plain "date".
        XCTAssertEqual(dispute("2024-06-01", policy: "- Customers may raise a dispute within 14 days of the statement."), "NONE")
        XCTAssertTrue(IssueFinder.isWrite("open_dispute"))
        XCTAssertTrue(IssueFinder.isWrite("unfreeze_card"))
        XCTAssertFalse(IssueFinder.isWrite("open_url"), "opening a page reads it")
    }
}
