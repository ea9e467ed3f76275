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
        // Every whole number of a stated range: "a plan of 3 to 12 months" states a 6-month plan.
        XCTAssertEqual(EvidencePool.durations("a plan of 3 to 12 months at no less than $25"), (3...12).map { Double($0) * 2_592_000 } + [12 * 2_592_000])
        XCTAssertEqual(EvidencePool.durations("appointments can be booked 1 to 90 days in advance"), [86400, 90 * 86400], "a wide range states its ends")
        XCTAssertEqual(EvidencePool.durations("ships in 1–3 days, or 2-4 weeks, from 5 to 7"), [86400, 172_800, 259_200, 259_200, 1_209_600, 1_814_400, 2_419_200, 2_419_200])
    }
}

/// A time stated to the minute ("locked at 08:49") needs a time with that minute in the evidence.
final class ClockTimeClaimTests: XCTestCase {
    func testATimeToTheMinuteNeedsItsMinuteInTheEvidence() {
        func answer(_ s: String, _ result: Value) -> String {
            issues([.user("I can't sign in, please reset my password"), call("reset_password", args: ["user_id": "usr_q81"], result: result), .assistant(s)])
                .summary.components(separatedBy: ":").first!
        }
        let reset: Value = ["status": "reset_link_sent", "user_id": "usr_q81", "link_expires_at": "2025-06-24T09:41:02Z"]
        XCTAssertEqual(answer("Done. Your account was locked at 08:49 this morning.", reset), "Unsupported claim in answer")
        // Read out in another time zone, a time stamp keeps its minutes; quarter hours are left alone.
        XCTAssertEqual(answer("Done. The link expires at 11:41 your time.", reset), "NONE")
        XCTAssertEqual(answer("Done. The link expires at 15:11 IST.", reset), "NONE", "a half-hour zone")
        XCTAssertEqual(answer("Done. Our support desk is open 08:30-17:00.", reset), "NONE")
        XCTAssertEqual(answer("Done. Use it before 10:00.", reset), "NONE")
        let locked: Value = ["status": "reset_link_sent", "locked_at": "2025-06-24T06:49:12Z"]
        XCTAssertEqual(answer("Done. Your account was locked at 08:49 this morning.", locked), "NONE")
    }

    func testClockTimesAreReadAlone() {
        XCTAssertEqual(IssueFinder.clockTimes("at 8:05, 2025-06-24T10:06:33Z, 16:9, 123:45, 25:10, 1:2:3, à 14h05, 10h00x, 7h5").map { "\($0.hour):\($0.minute)" },
                       ["8:5", "10:6", "14:5"])
        XCTAssertEqual(Facts.identifiers("le jeudi 9 octobre à 14h00, dossier 9h30 ou RX12h345"), ["RX12h345"])
    }
}

/// A dotted version number in an answer ("plugin version 3.3.7") needs the same version in the evidence.
final class VersionClaimTests: XCTestCase {
    func testAVersionNeedsTheSameVersionInTheEvidence() {
        func answer(_ s: String) -> String {
            issues([.user("Please install the desktop plugin for me"),
                    call("queue_install", args: ["package": "desktop-plugin"], result: ["job": "JOB-7411", "package": "desktop-plugin", "version": "3.4.1"]), .assistant(s)])
                .summary.components(separatedBy: ":").first!
        }
        XCTAssertEqual(answer("Queued: the desktop plugin (version 3.3.7) installs at the next check-in."), "Unsupported claim in answer")
        XCTAssertEqual(answer("Queued: the desktop plugin (version 3.4.1) installs at the next check-in."), "NONE")
        XCTAssertEqual(answer("Queued as JOB-7411; it installs at the next check-in, on 24.06.2025 at the latest."), "NONE")
    }

    func testVersionsAreReadAlone() {
        XCTAssertEqual(IssueFinder.versions("v 5.6.2, 2024.002.20857 and 1.2.3.4.5, 3.14, 24.06.2025, 2025.06.24, 24.06.25, x1.2.3, 7.0.1."), ["5.6.2", "2024.002.20857", "7.0.1"])
    }
}
