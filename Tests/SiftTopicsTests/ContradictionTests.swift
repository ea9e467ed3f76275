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
        let denied: Value = ["auth_id": "PA-176823", "status": "denied", "reason": "not medically necessary"]
        XCTAssertEqual(head(denied, "Good news: your prior authorization was approved."), "Answer contradicts tool result")
        XCTAssertEqual(head(denied, "¡Buenas noticias! Su autorización fue aprobada."), "Answer contradicts tool result")
        XCTAssertEqual(head(denied, "Your prior authorization was denied; you can appeal within 30 days."), "NONE")
        XCTAssertEqual(head(denied, "I'm sorry, it was not approved."), "NONE")
        let waiting: Value = ["approval_id": "APR-1", "status": "pending"]
        XCTAssertEqual(head(waiting, "I've asked your admin. As soon as it's approved I can grant the role."), "NONE")
        XCTAssertEqual(head(waiting, "Is it approved yet? Let me check."), "NONE")
        let pending: Value = ["result_id": "LAB-1", "status": "pending_review"]
        XCTAssertEqual(head(pending, "Your results are still pending review by your doctor."), "NONE")
        XCTAssertEqual(head(pending, "Your results were approved and released."), "Answer contradicts tool result")
        let expired: Value = ["referral_id": "REF-1", "status": "expired", "valid_to": "2025-09-01"]
        XCTAssertEqual(head(expired, "Your referral is active, so you can book."), "Answer contradicts tool result")
        XCTAssertEqual(head(expired, "Your referral expired, so you need a new one."), "NONE")
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
