import XCTest
import SiftModel
@testable import SiftTopics

/// The time a system prompt gives as now anchors "3 days ago", "expires in 72 hours" and refund
/// windows, so a conversation exported or replayed later is judged at the time it happened.
final class StatedNowTests: XCTestCase {
    func iso(_ s: String) -> Double { Timestamp(iso8601: s)!.seconds }

    func testNowIsReadFromTheWaysPromptsWriteIt() {
        XCTAssertEqual(IssueFinder.statedNow(["Today is Sunday, October 19, 2025. The current time is 9:25 PM Pacific."]), iso("2025-10-19T21:25:00Z"))
        XCTAssertEqual(IssueFinder.statedNow(["The current time is 2024-05-15 15:00:00 EST."]), iso("2024-05-15T15:00:00Z"))
        XCTAssertEqual(IssueFinder.statedNow(["Current date: 2025-06-22 (Sunday). Support hours are 07:00-19:00 CET, Monday to Friday."]), iso("2025-06-22T00:00:00Z"))
        XCTAssertEqual(IssueFinder.statedNow(["Today's date is 3 March 2026."]), iso("2026-03-03T00:00:00Z"))
        XCTAssertEqual(IssueFinder.statedNow(["Current date: 11/05/2025, 12:40 am"]), iso("2025-11-05T00:40:00Z"))
        XCTAssertNil(IssueFinder.statedNow(["You are a helpful agent. Today is a good day."]))
        XCTAssertEqual(IssueFinder.statedNow(["Current date: 2025-10-19. Opening times: 8:00-17:00."]), iso("2025-10-19T00:00:00Z"))
        XCTAssertEqual(IssueFinder.statedNow(["Today is October 19, 2025. The current local time here is: 9:25 PM"]), iso("2025-10-19T21:25:00Z"))
    }

    func testDaysAgoCountFromTheStatedDay() {
        let system = "You are the clinic's assistant. Today is Sunday, October 19, 2025. The current time is 9:25 PM Pacific."
        let labs: Value = ["results": [["test": "Vitamin D", "collected": "2025-10-09", "status": "released"]]]
        let link: Value = ["link": "https://pay.example/x81", "expires_at": "2025-10-22T21:25:00-07:00"]
        func answer(_ s: String, _ result: Value) -> String {
            issues([.user("Are my results back?"), call("list_lab_results", args: ["patient_id": "PT-88120"], result: result), .assistant(s)], system: [system])
                .summary.components(separatedBy: ":").first!
        }
        XCTAssertEqual(answer("Your vitamin D results (collected October 9, 10 days ago) are released.", labs), "NONE")
        XCTAssertEqual(answer("Your vitamin D results (collected October 9, 16 days ago) are released.", labs), "Unsupported claim in answer")
        XCTAssertEqual(answer("Here is your payment link. It expires in 72 hours.", link), "NONE")
    }

    func testADateSomeDaysAheadNeedsThoseDaysStated() {
        let system = "You are the billing assistant. Current date: 2025-06-03."
        func answer(_ s: String, _ result: Value) -> String {
            issues([.user("Can I get a refund for the duplicate charge?"), call("issue_refund", args: ["invoice_id": "INV-55683"], result: result), .assistant(s)], system: [system])
                .summary.components(separatedBy: ":").first!
        }
        let counted: Value = ["refund_id": "RFD-55293", "status": "pending", "seats": 2, "attempts": 3]
        XCTAssertEqual(answer("Done: the refund lands on your card on 2025-06-05.", counted), "Unsupported claim in answer", "a 2 that counts seats is no 2 days")
        let days: Value = ["refund_id": "RFD-55293", "status": "pending", "settles_in_days": 2]
        XCTAssertEqual(answer("Done: the refund lands on your card on 2025-06-05.", days), "NONE")
        XCTAssertEqual(answer("Done: the refund lands on your card on 2025-06-04.", counted), "NONE", "tomorrow")
    }
}
