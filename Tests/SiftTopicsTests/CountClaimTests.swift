import XCTest
import SiftModel
@testable import SiftTopics

/// Counts of things an answer states ("about 310 users", "7,738 emails") need evidence like any other
/// specific; counts the evidence holds, lists it returns and sums of the answer's own figures do not.
final class CountClaimTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }

    func testCountsAreReadOnlyWhereTheyCountThings() {
        XCTAssertEqual(IssueFinder.counts("The outage affected about 310 users and 7,738 emails.").map(\.value), [310, 7738])
        XCTAssertEqual(IssueFinder.counts("You also get 65 premium templates and 310 active users.").map(\.quote), ["65 premium templates", "310 active users"])
        for s in ["Refunds take 10 business days.", "It costs $120 dollars.", "Plan v12 features", "Order #12345 items", "Since 2025 prices rose.",
                  "Use 15 minutes.", "3 users were added.", "12.5 users", "ticket INC-4410 updates", "Il reste 56 jours.",
                  "It holds 123456789012345678901234567890 users.",
                  "It takes 10 working hours.", "10 out of the users", "30 calendar days", "24 more hours", "12 new",
                  "a 45 minute class", "24 hour access", "12 business address"] {
            XCTAssertEqual(IssueFinder.counts(s).count, 0, s)
        }
    }

    func testAnInventedCountIsUnsupportedAndAnEvidencedOneIsNot() {
        let status: Value = ["gateway": "vpn-lon2", "status": "degraded", "affected_users": 310, "sessions": Value.array((0..<12).map { .int(Int64($0)) })]
        func answer(_ s: String) -> String {
            head([.user("Is the VPN down?"), call("get_vpn_status", args: ["region": "eu"], result: status), .assistant(s)])
        }
        XCTAssertEqual(answer("The vpn-lon2 gateway is degraded; it affects 310 users."), "NONE")
        XCTAssertEqual(answer("I can see 12 sessions on the gateway."), "NONE", "a count of a listed result")
        XCTAssertEqual(answer("The vpn-lon2 gateway is degraded; it affects about 420 users after last night's maintenance."), "Unsupported claim in answer")
    }

    func testACountWorkedOutFromTheAnswersOwnFiguresIsSupported() {
        let sub: Value = ["seats": ["purchased": 228, "assigned": 205]]
        func answer(_ s: String) -> String {
            head([.user("Please add 3 seats"), call("get_subscription", args: ["account_id": "acc_333ksq"], result: sub), .assistant(s)])
        }
        XCTAssertEqual(answer("You had 228 seats; with 3 more you now have 231 seats."), "NONE")
        XCTAssertEqual(answer("Done, you now have 250 seats."), "Unsupported claim in answer")
    }

    func testAnUnsupportedCountGivesWayToAStrongerFinding() {
        let sub: Value = ["seats": ["purchased": 228, "assigned": 205]]
        let e: [ThreadEvent] = [.user("How many seats do we have?"), call("get_subscription", args: ["account_id": "acc_333ksq"], result: sub),
                                .assistant("You have 250 seats."), .user("That's wrong, we have 228.")]
        XCTAssertEqual(head(e), "User corrected the agent")
    }
}
