import XCTest
import SiftModel
@testable import SiftTopics

/// A write whose own result warns against it, reported as plain success, is flagged; a warning the
/// answer passes on is not.
final class WarningTests: XCTestCase {
    func testAWarningTheAnswerLeftOut() {
        func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }
        let shrink = call("update_seat_count", args: ["account_id": "acc_c059u4", "seats": 9],
                          result: ["seats": 9, "previous_seats": 20, "status": "scheduled",
                                   "warnings": ["8 users with assigned licences will lose access at the effective date"]])
        let ask = ThreadEvent.user("Please go down to 9 seats")
        XCTAssertEqual(head([ask, shrink, .assistant("Done. Your subscription will go from 20 to 9 seats at the next renewal.")]),
                       "Action against stated policy")
        XCTAssertEqual(head([ask, shrink, .assistant("Done, 9 seats from the renewal; note that 8 users with assigned licences will lose access then.")]), "NONE")
        XCTAssertEqual(IssueFinder.warnings(["a": ["warning": "x"], "warnings": []]), ["x"])
    }
}
