import XCTest
import SiftModel
@testable import SiftTopics

/// An answer that retells an older entry of a dated list (a ticket's comments, an incident's
/// updates) which a later entry has overtaken is stale; the latest news or the whole history is not.
final class DatedEntryTests: XCTestCase {
    func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }

    let ticket: Value = ["ticket": ["id": "TCK-68089", "status": "pending_customer", "comments": [
        ["at": "2025-06-07T19:04:31Z", "author": "Liam Walsh", "body": "Emails to the partner domain are bouncing with 550 5.7.1 for fourteen users."],
        ["at": "2025-06-08T19:53:06Z", "author": "Tier 1 Support", "body": "Thanks, we could reproduce this and have passed it to our engineering team. Waiting for a fix from the product team."],
        ["at": "2025-06-13T19:04:04Z", "author": "Tier 2 Support", "body": "A patch was released in Desktop 5.3.2 and deployed server-side today. Please update and confirm whether the bounce is gone."],
    ]]]

    func answer(_ s: String) -> String {
        head([.user("What's the status of TCK-68089?"), call("get_ticket", args: ["ticket_id": "TCK-68089"], result: ticket), .assistant(s)])
    }

    func testAnAnswerFromAnOvertakenEntryIsStale() {
        XCTAssertEqual(answer("It's still being worked on: our team could reproduce it and passed it to engineering; we're waiting for a fix from the product team."),
                       "Answer from outdated information")
    }

    func testTheLatestNewsOrTheHistoryIsNot() {
        XCTAssertEqual(answer("A patch was released in Desktop 5.3.2 and deployed server-side today: please update and confirm the bounce is gone."), "NONE")
        XCTAssertEqual(answer("Engineering reproduced it and waited for a fix from the product team; a patch has now been released and deployed, so please update and confirm."),
                       "NONE")
    }

    func testAListOfDocumentsIsNoHistory() {
        let search: Value = ["results": [
            ["id": "KB-1733", "last_updated": "2023-11-30", "snippet": "Error 809 means a firewall or router is blocking UDP 500 and 4500; try another network."],
            ["id": "KB-1188", "last_updated": "2025-02-01", "snippet": "Shared mailboxes are added in Outlook under Account Settings, More Settings, Advanced."],
        ]]
        let e: [ThreadEvent] = [.user("VPN error 809?"), call("search_kb", args: ["query": "809"], result: search),
                                .assistant("Error 809 means a firewall or router is blocking UDP 500 and 4500; please try another network such as a hotspot.")]
        XCTAssertEqual(head(e), "NONE")
    }
}
