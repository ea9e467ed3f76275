import XCTest
import SiftModel
@testable import SiftTopics

/// An answer that states the opposite of the state a tool result reported.
final class ContradictionTests: XCTestCase {
    func head(_ result: Value, _ answer: String) -> String {
        issues([.user("What's the status?"), call("check_status", args: ["id": "PA-176823"], result: result), .assistant(answer)])
            .summary.components(separatedBy: ":").first!
    }

    func testAnAnswerStatingTheOppositeStateIsFound() {
        let denied: Value = ["auth_id": "PA-176823", "status": "denied", "reason": "not medically necessary", "appeal_window_days": 30]
        XCTAssertEqual(head(denied, "Good news: your prior authorization was approved."), "Answer contradicts tool result")
        XCTAssertEqual(head(denied, "¡Buenas noticias! Su autorización fue aprobada."), "Answer contradicts tool result")
        XCTAssertEqual(head(denied, "Your prior authorization was denied; you can appeal within 30 days."), "NONE")
        XCTAssertEqual(head(denied, "I'm sorry, it was not approved."), "NONE")
        XCTAssertEqual(head(["auth_id": "PA-1", "status": "pending"], "Your authorization is not yet approved."), "NONE")
        XCTAssertEqual(head(["auth_id": "PA-1", "status": "pending"], "It hasn't been approved so far."), "NONE")
        // Ordinary words that only look like states.
        XCTAssertEqual(head(["ticket_id": "T-1", "status": "closed"], "You can open a new ticket from the portal."), "NONE")
        XCTAssertEqual(head(["statement_id": "ST-1", "status": "paid"], "The charge is due to a lab fee."), "NONE")
        XCTAssertEqual(head(["referral_id": "REF-1", "status": "expired"], "Please ask your doctor to send a valid referral."), "NONE")
        XCTAssertEqual(head(["location_id": "LOC-1", "status": "closed"], "The clinic is open on Saturday."), "Answer contradicts tool result")
        let waiting: Value = ["approval_id": "APR-1", "status": "pending"]
        XCTAssertEqual(head(waiting, "I've asked your admin. As soon as it's approved I can grant the role."), "NONE")
        XCTAssertEqual(head(waiting, "Is it approved yet? Let me check."), "NONE")
        let pending: Value = ["result_id": "LAB-1", "status": "pending_review"]
        XCTAssertEqual(head(pending, "Your results are still pending review by your doctor."), "NONE")
        XCTAssertEqual(head(pending, "Your results were approved and released."), "Answer contradicts tool result")
        let expired: Value = ["referral_id": "REF-1", "status": "expired", "valid_to": "2025-09-01"]
        XCTAssertEqual(head(expired, "Your referral is active, so you can book."), "Answer contradicts tool result")
        XCTAssertEqual(head(expired, "Your referral expired, so you need a new one."), "NONE")
        // Validity said without "active".
        XCTAssertEqual(head(expired, "It remains valid - REF-1 covers 2 more visits."), "Answer contradicts tool result")
        XCTAssertEqual(head(expired, "It was valid until September 1, so it can't be used now."), "NONE")
        let network: Value = ["provider_id": "PRV-1", "in_network": false]
        XCTAssertEqual(head(network, "Dr. Moreno is in network for your plan."), "Answer contradicts tool result")
        XCTAssertEqual(head(network, "Dr. Moreno is out of network for your plan."), "NONE")
    }

    func testAStateOfAnotherEntityContradictsNothing() {
        // Two referrals: the answer's "active" is the other one's.
        let two: Value = ["referrals": [["referral_id": "REF-1", "status": "expired"], ["referral_id": "REF-2", "status": "active"]]]
        XCTAssertEqual(head(two, "Your cardiology referral is active; the dermatology one expired."), "NONE")
        XCTAssertEqual(IssueFinder.says(" your account is inactive ", "active"), false)
        XCTAssertEqual(IssueFinder.says(" the claims were approved ", "approved"), true)
    }
}

/// A request the agent passed over: the user raises it again, or the agent admits missing it.
final class DroppedRequestTests: XCTestCase {
    func testARequestRaisedAgainIsFound() {
        func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }
        let two = ThreadEvent.user("Can you set up a payment plan for my bill? And can you cancel my Tuesday appointment?")
        let plan = call("create_payment_plan", args: ["months": 6], result: ["plan_id": "PP-300653", "status": "active"])
        let done = ThreadEvent.assistant("Done! Plan PP-300653 is active.")
        XCTAssertEqual(head([two, plan, done, .user("And the cancellation??"), .assistant("Everything above is all set.")]), "User had to repeat a request")
        XCTAssertEqual(head([two, plan, done, .user("You didn't answer my other question."), .assistant("Anything else?")]), "User had to repeat a request")
        XCTAssertEqual(head([.user("Et aussi, annulez mon rendez-vous"), plan, .assistant("Désolé, j'ai oublié ce point."), .assistant("C'est fait.")]),
                       "User had to repeat a request")
        // A first question about something new, an answer to the agent's question, a forgotten password.
        XCTAssertEqual(head([.user("A latte please"), .assistant("One latte."), .user("And the total?"), .assistant("It is shown at checkout.")]), "NONE")
        XCTAssertEqual(head([two, .assistant("Which appointment, the Tuesday or the Friday one?"), .user("And the Tuesday one?"), plan, done]), "NONE")
        XCTAssertEqual(head([.user("Ho dimenticato la password, potete aiutarmi?"), .assistant("Certo, ecco il link.")]), "NONE")
        XCTAssertEqual(head([.user("The pharmacy didn't answer when I called. Can you check my refill?"), .assistant("It is ready.")]), "NONE")
        XCTAssertEqual(head([.user("When is my appointment?"), .assistant("Tuesday at 3:15 PM."), .user("And the appointment after that?"),
                             .assistant("There is none.")]), "NONE")
        XCTAssertEqual(head([.user("Any appointments?"), .assistant("It looks like you missed your appointment last week. Want to rebook?")]), "NONE")
    }
}
