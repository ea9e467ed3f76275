import XCTest
import SiftModel
@testable import SiftTopics

/// A duration needs a duration as evidence: a number with its unit, a field named for one, or two
/// time stamps that far apart; the same number of something else supports nothing.
final class DurationClaimTests: XCTestCase {
    func answer(_ s: String, _ result: Value) -> String {
        issues([.user("When will my new laptop be ready?"), call("enroll_device", args: ["serial": "C02JHMMNTUF1"], result: result), .assistant(s)])
            .summary.components(separatedBy: ":").first!
    }

    func testADurationNeedsADuration() {
        let counts: Value = ["device_id": "DEV-9MWNT", "status": "pending_enrollment", "devices_enrolled": 3, "checks": 12]
        XCTAssertEqual(answer("It is registered; compliance is checked 3 hours after enrolment.", counts), "Unsupported claim in answer")
        let timed: Value = ["device_id": "DEV-9MWNT", "status": "pending_enrollment", "compliance_eta_seconds": 10800]
        XCTAssertEqual(answer("It is registered; compliance is checked 3 hours after enrolment.", timed), "NONE")
        let stated: Value = ["device_id": "DEV-9MWNT", "note": "Compliance checks complete within 3 business hours of enrolment."]
        XCTAssertEqual(answer("It is registered; compliance is checked 3 hours after enrolment.", stated), "NONE")
        let stamps: Value = ["device_id": "DEV-9MWNT", "enrolled_at": "2025-06-10T09:00:00Z", "compliant_by": "2025-06-10T12:00:00Z"]
        XCTAssertEqual(answer("It is registered; compliance is checked 3 hours after enrolment.", stamps), "NONE")
    }

    func testDurationsAreReadWithTheirUnits() {
        XCTAssertEqual(EvidencePool.durations(#"{"expires_in_seconds": 600, "grace_period_hours": 24, "count": 3}"#), [600, 86400])
        XCTAssertEqual(EvidencePool.durations("valid for 7 days; P2 4 business hours; 12 users"), [604_800, 14_400])
        XCTAssertEqual(EvidencePool.durations(#"{"hourly_rate": 3, "monthly_fee": 12, "duration_ms": 500, "expires_in_s": 30}"#), [0.5, 30])
    }
}
