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

/// An e-mail address typed into a call a letter off the one the user gave: redaction writes both as
/// <EMAIL>, so the difference is noted before it.
final class AddressTypoTests: XCTestCase {
    func testAnAddressMistypedIntoACallIsFoundThroughRedaction() throws {
        let redactor = try Redactor()
        func found(_ e: [ThreadEvent]) -> FacetOutput { BuiltinFacetModel.issues(thread(e).redacted(by: redactor)) }
        let ask = ThreadEvent.user("Please add a Files seat for me, my address is oksana.ivanenko@brightwell.io")
        func lookup(_ a: String, found: Bool) -> ThreadEvent {
            found ? call("lookup_user", args: ["email": .string(a)], result: ["user": ["id": "usr_4412", "email": .string(a)]])
                : call("lookup_user", args: ["email": .string(a)], result: ["error": "not_found", "message": "no user with that address"])
        }
        let sorry = ThreadEvent.assistant("I couldn't find an account with that address. Could you check it?")
        let typo = found([ask, lookup("oksana.ivanenko@brigthwell.io", found: false), sorry])
        XCTAssertEqual(typo.summary.components(separatedBy: ":").first, "Mistyped identifier in tool call", typo.summary)
        XCTAssertFalse(typo.summary.contains("brigthwell") || typo.evidence.description.contains("brigthwell"), "the address stays redacted")
        XCTAssertEqual(found([ask, lookup("oksana.ivanenko@brightwell.io", found: true), .assistant("Done: the seat is yours.")]).summary, "NONE")
        // Case is no typo; an address nothing near was given is not reported; nor is one given before.
        XCTAssertEqual(found([ask, lookup("Oksana.Ivanenko@Brightwell.io", found: true), .assistant("Done.")]).summary, "NONE")
        XCTAssertEqual(found([ask, lookup("it-admin@brightwell.io", found: false), sorry]).summary, "NONE")
        let corrected = ThreadEvent.user("sorry, typo: oksana.ivanenko@brightwell.io not brigthwell")
        XCTAssertEqual(found([.user("my address is oksana.ivanenko@brigthwell.io"), corrected, lookup("oksana.ivanenko@brightwell.io", found: true), .assistant("Done.")]).summary, "NONE")
        XCTAssertEqual(TraceThread.addresses("mail a.b-c@x.co.uk, or <x@y> or me@host."), ["a.b-c@x.co.uk"])
    }
}

/// An id one digit from another is no typo when the call found whom the user named, or names a place.
final class ConfirmedIdentifierTests: XCTestCase {
    func testACallThatFoundTheNamedEntityIsNoTypo() {
        func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }
        let orders = call("get_orders", args: ["patient_id": "PT-724127"], result: ["orders": [["order_id": "ORD-2866061", "ordering_provider_id": "PRV-212", "ordering_provider": "Dr. Kwame Asante"]]])
        let ask = ThreadEvent.user("Please send my question to Dr. Victor Haddad, not my regular doctor.")
        let found = call("send_provider_message", args: ["provider_id": "PRV-202", "body": "question"], result: ["message_id": "MSG-7733373", "routed_to": "Dr. Victor Haddad care team"])
        let other = call("send_provider_message", args: ["provider_id": "PRV-202", "body": "question"], result: ["message_id": "MSG-7733373", "routed_to": "Dr. Lena Park care team"])
        let sent = ThreadEvent.assistant("Sent.")
        XCTAssertEqual(head([.user("What imaging is ordered for me?"), orders, ask, found, sent]), "NONE")
        XCTAssertEqual(head([.user("What imaging is ordered for me?"), orders, ask, other, sent]), "Mistyped identifier in tool call")
        let zip = call("search_pharmacies", args: ["near_zip": "97222"], result: ["pharmacies": [["name": "Eastlake"]]])
        XCTAssertEqual(head([.user("I live at 97223, which pharmacy is near?"), zip, .assistant("Eastlake is close.")]), "NONE")
        XCTAssertEqual(IssueFinder.properNames("routed to Dr. Victor Haddad care team at Harbor Point Clinic; The Plan"), ["Victor Haddad", "Harbor Point Clinic"])
    }
}
