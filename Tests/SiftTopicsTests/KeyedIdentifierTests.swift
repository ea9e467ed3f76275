import XCTest
import SiftModel
@testable import SiftTopics

/// Identifiers without a digit, named so only by their key ("user_id": "usr_obrei"), are compared
/// like any other: one letter dropped in a call is a mistyped identifier.
final class KeyedIdentifierTests: XCTestCase {
    func testADigitlessIdMistypedInACall() {
        func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }
        let lookup = call("lookup_user", args: ["email": "katrin@example.de"], result: ["user": ["id": "usr_obrei", "status": "active"]])
        let typo = call("reset_password", args: ["user_id": "usr_orei"], result: ["status": "reset_link_sent", "user_id": "usr_orei"])
        let right = call("reset_password", args: ["user_id": "usr_obrei"], result: ["status": "reset_link_sent", "user_id": "usr_obrei"])
        let done = ThreadEvent.assistant("Done: the reset link is on its way.")
        XCTAssertEqual(head([.user("Reset my password please"), lookup, typo, done]), "Mistyped identifier in tool call")
        XCTAssertEqual(head([.user("Reset my password please"), lookup, right, done]), "NONE")
    }
}
