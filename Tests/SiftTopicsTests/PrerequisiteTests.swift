import XCTest
import SiftModel
@testable import SiftTopics

/// A step the policy names by its tools and requires before an action: the action taken with none of
/// those tools called first skipped it.
final class PrerequisiteTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }

    let policy = ["""
        Policy:
        1. Identity: verify the requester (send_verification_code, then verify_identity must return verified: true) before any password reset.
        2. Never reset credentials for a user whose record has an active security_hold.
        3. Storage: quota increases are allowed up to the plan's max_quota_gb, checked before any change.
        """]

    func testAnActionWithoutTheStepThePolicyNamesIsAViolation() {
        let lookup = call("lookup_user", args: ["email": "owen@example.com"], result: ["user": ["id": "usr_srrxq", "status": "active"]])
        let reset = call("reset_password", args: ["user_id": "usr_srrxq"], result: ["status": "reset_link_sent"])
        let done = ThreadEvent.assistant("Done: a reset link is on its way.")
        XCTAssertEqual(head([.user("Please reset my password"), lookup, reset, done], system: policy), "Action against stated policy")
        let verify = call("verify_identity", args: ["user_id": "usr_srrxq", "code": "594669"], result: ["verified": true])
        XCTAssertEqual(head([.user("Please reset my password"), lookup, verify, reset, done], system: policy), "NONE")
    }

    func testFieldNamesAreNoSteps() {
        let rules = IssueFinder.prerequisites(policy[0])
        XCTAssertEqual(rules.map { $0.tools.sorted() }, [["send_verification_code", "verify_identity"]])
        let grow = call("increase_storage_quota", args: ["account_id": "acc_291167", "quota_gb": 6000], result: ["total_quota_gb": 6000, "max_quota_gb": 10240])
        XCTAssertEqual(head([.user("More storage please"), grow, .assistant("Your quota is now 6000 GB.")], system: policy), "NONE")
    }
}
