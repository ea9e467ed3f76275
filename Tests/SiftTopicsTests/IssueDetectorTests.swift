import XCTest
import SiftModel
@testable import SiftTopics

/// Threads built by hand for the Issues detectors.
extension XCTestCase {
    func thread(_ events: [ThreadEvent]) -> TraceThread { TraceThread(traceID: "t", created: Timestamp(seconds: 100 * 86400), events: events) }
    func call(_ name: String, error: String? = nil, result: Value = ["ok": true]) -> ThreadEvent {
        .tool(ToolCall(name: name, arguments: "{}", result: error == nil ? JSONWriter.string(result) : "", errorType: error, errorMessage: error.map { "\($0) happened" },
                       isRetrieval: name.contains("search"), resultValue: error == nil ? result : .null))
    }

    func call(_ name: String, args: Value, error: String? = nil, result: Value = ["ok": true], retrieval: Bool = false) -> ThreadEvent {
        .tool(ToolCall(name: name, arguments: JSONWriter.string(args), result: error == nil ? JSONWriter.string(result) : "", errorType: error,
                       errorMessage: error.map { "\($0) happened" }, isRetrieval: retrieval, resultValue: error == nil ? result : .null))
    }

    func issues(_ e: [ThreadEvent], system: [String] = []) -> FacetOutput {
        var t = thread(e)
        t.system = system
        return BuiltinFacetModel.issues(t)
    }
}

/// The built-in Issues detectors: healthy traffic stays NONE, each problem is found.
final class IssueDetectorTests: XCTestCase {
    func testHealthyTracesStayNone() {
        // A grounded answer, a dated knowledge-base article, a single transient retry, a policy refusal,
        // chit-chat, a complaint the agent resolved, arithmetic over tool amounts.
        let kb: Value = ["title": "Returns", "text": "Returns are accepted within 30 days of delivery.", "last_updated": "2020-01-01"]
        let cases: [[ThreadEvent]] = [
            [.user("hi, where is my order A123456"), call("lookup_order", args: ["order_id": "A123456"], result: ["status": "shipped", "eta": "2026-05-20"]),
             .assistant("Order A123456 has shipped and should arrive on May 20.")],
            [.user("What's your return policy?"), call("kb_search", args: ["q": "returns"], result: kb, retrieval: true),
             .assistant("Returns are accepted within 30 days of delivery.")],
            [.user("refund please"), call("issue_refund", args: ["order_id": "A1"], error: "Timeout"), call("issue_refund", args: ["order_id": "A1"]),
             .assistant("Refunded.")],
            [.user("Can I return my sale item?"), call("get_order", args: ["order_id": "B77881"], result: ["order_id": "B77881", "final_sale": true]),
             .assistant("Sorry, that item was final sale, so it can't be returned.")],
            [.user("hello"), .assistant("How can I help you today?"), .user("Tell me a joke"), .assistant("Why did the chicken cross the road?")],
            [.user("This is ridiculous, my package is late!"), call("track", args: ["order_id": "C55512"], result: ["eta": "tomorrow"]),
             .assistant("It arrives tomorrow."), .user("Great, thanks!")],
            [.user("How much for two?"), call("get_price", args: ["sku": "TENT-2P"], result: ["price": 129.5]), .assistant("Two cost $259.00 in total.")],
            [.user("Where is A123456?"), .assistant("Could you share your order number?"), .user("A123457, sorry."),
             call("lookup_order", args: ["order_id": "A123457"], result: ["status": "packed"]), .assistant("Thanks, it's packed.")],
        ]
        let more: [[ThreadEvent]] = [
            // A user who gives up on their own question and thanks the agent; a pasted log explained
            // without tools; a process time stated as a rule; a policy asking to confirm understanding.
            [.user("Where's my parcel?"), .assistant("Could you share the order number?"), .user("Never mind, I found it, thanks!")],
            [.user("My build fails:\nERROR E1234 at step 55, job 8812345 exited 137\nWhat does it mean?"), .assistant("Exit 137 means the job ran out of memory.")],
            [.user("How long do refunds take?"), .assistant("Refunds take 5 days to process once approved.")],
            [.user("Where's my parcel?"), .assistant("Could you share the order number?"), .user("Never mind, I found it, thanks!"), .assistant("Glad you found it!")],
            // A locked account takes a password reset; disappointment alone is a verdict, not frustration.
            [.user("I can't log in"), call("lookup_customer", args: ["customer_id": "C-1002003"], result: ["customer_id": "C-1002003", "locked": true]),
             call("send_password_reset", args: ["email": "a@b.c"]), .assistant("I've sent a reset link.")],
            [.user("My order is late."), .assistant("It arrives tomorrow."), .user("I expected better from you guys."),
             .assistant("Sorry about that."), .user("That's disappointing.")],
            // A user who picks an identifier the agent listed, and names it again when confirming, was not asked twice.
            [.user("I want a nonstop flight on May 19, my booking is R8XK2P."), call("search_flights", args: ["date": "2026-05-19"], result: ["flights": ["HAT266", "HAT175"]]),
             .assistant("HAT266 or HAT175 are nonstop. Which one would you like?"), .user("HAT266 please."),
             .assistant("Could you provide a payment method for the difference? Which card should I use?"), .user("Go with HAT266 and my card on file."),
             .assistant("Noted, your HAT266 request is ready.")],
            // A user who asked for a person and was handed to one was passed on, not left.
            [.user("My flight was delayed and I missed my meeting, this is unacceptable."), call("get_reservation", args: ["reservation_id": "R8XK2P"], result: ["status": "delayed"]),
             .assistant("I'm sorry. I can offer a travel certificate as a gesture."), .user("This is useless. I want to speak to a supervisor."),
             call("transfer_to_human_agents", args: ["summary": "wants more compensation"], result: ["status": "transferred"]), .assistant("I'm transferring you now.")],
        ]
        for (i, c) in (cases + more).enumerated() { XCTAssertEqual(issues(c).summary, "NONE", "case \(i)") }
        // Restrictions are about the object that states them: one line item of two, one request of two.
        let invoice: Value = ["invoice_id": "INV-2604-1111", "account_id": "KT-1234567", "total": 59.99,
                              "line_items": [["item_id": "LI-1001001", "description": "Premium SMS", "amount": 9.99, "refundable": false],
                                             ["item_id": "LI-1001002", "description": "Late fee", "amount": 50.0, "refundable": true]]]
        XCTAssertEqual(issues([.user("Credit the late fee please"), call("get_invoice", args: ["invoice_id": "INV-2604-1111"], result: invoice),
                               .assistant("I can credit the late fee of $50.00 but not the premium SMS charge. OK?"), .user("Yes"),
                               call("apply_credit", args: ["account_id": "KT-1234567", "invoice_id": "INV-2604-1111", "amount": 50.0]),
                               .assistant("Done, $50.00 is credited.")]).summary, "NONE", "the credit is for the refundable item")
        XCTAssertEqual(issues([.user("Outage credit, and move my line LN-2000222 to Unlimited"),
                               call("check_credit_eligibility", args: ["account_id": "KT-1234567", "incident_id": "INC-7700001"], result: ["eligible": false]),
                               .assistant("That outage is not eligible for a credit. Shall I change the plan?"), .user("Yes"),
                               call("change_plan", args: ["account_id": "KT-1234567", "line_id": "LN-2000222", "plan": "unlimited"]),
                               .assistant("Your plan is changed.")]).summary, "NONE", "the refusal was about the incident, the change about the line")
        // Fields of one object, or the same field of two objects, are not versions of one fact.
        let march: Value = ["invoice_id": "INV-8812-301", "subtotal": 74.99, "total": 81.36]
        let april: Value = ["invoice_id": "INV-4410-977", "subtotal": 84.99, "total": 94.86]
        XCTAssertEqual(issues([.user("Why is my bill higher?"), call("get_invoice", args: ["period": "2026-03"], result: march),
                               call("get_invoice", args: ["period": "2026-04"], result: april),
                               .assistant("Your April total is $94.86, against $81.36 in March.")]).summary, "NONE")
        XCTAssertEqual(issues([.user("Swap my SIM"), call("verify_code", args: ["account_id": "KT-1234567", "code": "595855"], result: ["verified": false]),
                               .assistant("That code did not match. Could you check it?"), .user("Sorry, 595856"),
                               call("verify_code", args: ["account_id": "KT-1234567", "code": "595856"], result: ["verified": true]),
                               call("sim_swap", args: ["line_id": "LN-2000222", "iccid": "8901142325884850893"]), .assistant("Your SIM is swapped.")]).summary,
                       "NONE", "the gate was passed before the write")
        // A window is judged at the date the conversation states as today, not when it was stored.
        let delivered: Value = ["order_id": "ORD-5550001", "device": "Pixel 9", "delivered_date": "1970-01-02"]
        XCTAssertEqual(issues([.user("Return ORD-5550001 please"), call("get_device_order", args: ["order_id": "ORD-5550001"], result: delivered),
                               .assistant("Start the return for your Pixel 9?"), .user("Yes"),
                               call("start_device_return", args: ["order_id": "ORD-5550001"]), .assistant("The return is started.")],
                              system: ["Current date: 1970-01-20.\nDevice returns: within 30 days of delivery only."]).summary, "NONE")
        XCTAssertEqual(issues([.user("Cancel R8XK2P"), call("cancel_reservation", args: ["reservation_id": "R8XK2P"]), .assistant("Cancelled.")],
                              system: ["Before answering, confirm you understood the question."]).summary, "NONE", "confirmation of understanding, not of actions")
    }

    func testIssueDetectors() {
        func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }
        XCTAssertEqual(head([.user("refund please"), call("issue_refund", error: "Timeout"), call("issue_refund", error: "HTTPError"), call("issue_refund", error: "Timeout"),
                             call("issue_refund"), .assistant("Refunded.")]), "Retry storm")
        // Two time-outs, then the service answers that the account does not exist, and the user gives
        // the right number: two retries, not a storm.
        XCTAssertEqual(head([.user("my account is AC-47249"), call("get_account", args: ["account_id": "AC-47249"], error: "Timeout"),
                             call("get_account", args: ["account_id": "AC-47249"], error: "ServiceUnavailable"),
                             call("get_account", args: ["account_id": "AC-47249"], error: "NotFound: no account matches"),
                             .assistant("I can't find AC-47249; could you check it?"), .user("sorry, it's AC-47294"),
                             call("get_account", args: ["account_id": "AC-47294"], error: "Timeout"),
                             call("get_account", args: ["account_id": "AC-47294"], result: ["account_id": "AC-47294"]), .assistant("Found it.")]), "NONE")
        XCTAssertEqual(head([.user("my account is AC-47249"), call("get_account", args: ["account_id": "AC-47249"], error: "Timeout"),
                             call("get_account", args: ["account_id": "AC-47249"], error: "ServiceUnavailable"),
                             call("get_account", args: ["account_id": "AC-47249"], error: "Timeout"),
                             call("get_account", args: ["account_id": "AC-47249"], result: ["account_id": "AC-47249"]), .assistant("Found it.")]), "Retry storm")
        // A refused write re-sent once as the error asked is ordinary; two refused guesses are trial and error.
        let dateFirst = call("book_slot", args: ["date": "12/05/2025"], error: "ValidationError")
        XCTAssertEqual(head([.user("book me on 12 May"), dateFirst, call("book_slot", args: ["date": "2025-05-12"], result: ["booking": "BK-22091"]),
                             .assistant("Booked: BK-22091.")]), "NONE")
        XCTAssertEqual(head([.user("book me on 12 May"), dateFirst, call("book_slot", args: ["date": "12 May 2025"], error: "ValidationError"),
                             call("book_slot", args: ["date": "2025-05-12"], result: ["booking": "BK-22091"]), .assistant("Booked: BK-22091.")]),
                       "Write retried by trial and error")
        // Attempts with the agent's own reasoning or a lookup between them are still one run of retries.
        XCTAssertEqual(head([.user("book it"), call("book_trip", error: "ValidationError"), call("think"), call("book_trip", error: "ValidationError"),
                             call("get_user"), call("think"), call("book_trip", error: "ValidationError"), .assistant("Sorry, I could not book it.")]), "Retry storm")
        XCTAssertEqual(head([.user("cancel it"), call("cancel_order", error: "ConflictError"), .assistant("Done, it has been cancelled.")]), "Tool error ignored")
        XCTAssertEqual(head([.user("cancel it"), call("cancel_order", error: "UpstreamTimeout"), .assistant("Anything else I can help with today?")]),
                       "Tool failure left unresolved")
        // Success claimed after a failed write, however it is said; a failure said to be one is not.
        let refused = ThreadEvent.tool(ToolCall(name: "update_preferred_pharmacy", arguments: #"{"pharmacy_id": "PH-51670"}"#,
                                                result: "ERROR 422: PHARMACY_NOT_ERX_ENABLED - Preferred pharmacy not updated",
                                                errorType: "ToolError", errorMessage: "PHARMACY_NOT_ERX_ENABLED", isRetrieval: false, resultValue: .null))
        XCTAssertEqual(head([.user("switch my pharmacy to Walgreens"), refused, .assistant("Updated to Walgreens #1183 (3920 SE Hawthorne Blvd).")]), "Tool error ignored")
        XCTAssertEqual(head([.user("changez ma pharmacie"), refused, .assistant("C'est fait, votre pharmacie est maintenant Walgreens.")]), "Tool error ignored")
        let locked = call("cancel_appointment", args: ["appointment_id": "APT-1"], error: "AppointmentLocked")
        XCTAssertEqual(head([.user("cancel it"), locked, .assistant("Your appointment has been cancelled and you were not charged.")]), "Tool error ignored")
        XCTAssertNotEqual(head([.user("book it"), call("book_appointment", args: ["slot_id": "SL-1"], error: "SlotTaken"),
                                .assistant("That slot is fully booked. Would 3:15 PM work instead?")]), "Tool error ignored")
        XCTAssertNotEqual(head([.user("switch my pharmacy to Walgreens"), refused, .assistant("Walgreens was not saved as your pharmacy; it doesn't take e-prescriptions.")]),
                          "Tool error ignored")
        // A turn that opens a new request says something else is wrong, not the answer.
        let balance: Value = ["patient_id": "PT-1", "balance": 42.5]
        XCTAssertEqual(head([.user("What do I owe?"), call("get_billing_summary", args: ["patient_id": "PT-1"], result: balance), .assistant("Your balance is $42.50."),
                             .user("ok thanks. One more thing: there's a charge on my bill for a lipid panel that's wrong, I never had it.")]), "NONE")
        XCTAssertEqual(head([.user("What do I owe?"), call("get_billing_summary", args: ["patient_id": "PT-1"], result: balance), .assistant("Your balance is $42.50."),
                             .user("That's wrong, I paid it last week.")]), "User corrected the agent")
        // An outage the agent tells the user about, in any language, was handled.
        XCTAssertEqual(head([.user("cancel it"), call("cancel_order", error: "UpstreamTimeout"), .assistant("Sorry, I couldn't cancel it right now.")]), "NONE")
        XCTAssertEqual(head([.user("cancélela"), call("cancel_order", error: "UpstreamTimeout"), .assistant("Lo siento, el sistema no responde ahora. Inténtelo más tarde.")]), "NONE")
        // Staleness needs a newer source that disagrees, never a date alone.
        let doc: Value = ["text": "The Trail Pro tent costs $199.", "last_updated": "2026-01-01"]
        let live: Value = ["name": "Trail Pro tent", "price": 229.0]
        XCTAssertEqual(head([.user("How much is the Trail Pro tent?"), call("kb_search", args: ["q": "trail pro"], result: doc, retrieval: true),
                             call("get_product", args: ["sku": "TP-1"], result: live), .assistant("The Trail Pro tent is $199.")]), "Answer from outdated information")
        XCTAssertEqual(head([.user("How much is the Trail Pro tent?"), call("kb_search", args: ["q": "trail pro"], result: doc, retrieval: true),
                             .assistant("The Trail Pro tent is $199."), .user("That's outdated, your website says $229 now.")]), "Answer from outdated information")
        XCTAssertEqual(head([.user("refund?"), .assistant("Your refund of $40 was processed today.")]), "Unsupported claim in answer")
        XCTAssertEqual(head([.user("Where is my order?"), call("lookup_order", args: ["order_id": "A123456"], result: ["status": "shipped"]),
                             .assistant("It shipped with tracking number 1Z999AA10123456784.")]), "Unsupported claim in answer")
        XCTAssertEqual(head([.user("please update my address"), .assistant("I've updated your address.")]), "Claimed action never taken")
        XCTAssertEqual(head([.user("Cancel order A123456 please"), call("cancel_order", args: ["order_id": "A123465"], error: "NotFound"),
                             .assistant("I couldn't find that order.")]), "Mistyped identifier in tool call")
        XCTAssertEqual(head([.user("Where is A123456?"), .assistant("Could you share your order number?"), .user("I already did, A123456."),
                             .assistant("Can you provide the order number?"), .user("A123456!"), call("lookup_order", args: ["order_id": "A123456"], result: ["status": "packed"]),
                             .assistant("It's packed.")]), "Asked again for given details")
        XCTAssertEqual(head([.user("Hi, I'm mia_li_3668 and I want to cancel my booking."), .assistant("Done, you're all set. Have a great day!")]),
                       "Account request with no lookup")
        XCTAssertEqual(head([.user("I need to change my return flight."), .assistant("Could you please provide your user ID and the reservation ID?"),
                             .user("I don't have the reservation ID with me."), .assistant("Unfortunately, I need the reservation ID to proceed."),
                             .user("Okay, I'll try to find it. Thanks.")]), "Account request with no lookup", "asked for an identifier, looked nothing up")
        XCTAssertEqual(issues([.user("What are your opening hours?"), .assistant("We're open nine to five on weekdays.")]).summary, "NONE")
        XCTAssertEqual(head([.user("I can't log in"), .assistant("Try resetting it."), .user("Useless. Forget it.")]), "User left frustrated")
        XCTAssertEqual(head([.user("Let me talk to a human."), .assistant("I can help here."), .user("No, I want a real person.")]), "User left frustrated")
        XCTAssertEqual(head([.user("status?"), call("get_status", args: ["id": "X1"], result: ["s": "pending"]), call("get_status", args: ["id": "X1"], result: ["s": "pending"]),
                             call("get_status", args: ["id": "X1"], result: ["s": "pending"]), .assistant("Still pending.")]), "Repeated identical tool calls")
        // Constraints: a flag on the object, a time window, a policy sentence, a missing confirmation.
        let order: Value = ["order_id": "A55501", "refundable": false]
        XCTAssertEqual(head([.user("Refund A55501"), call("get_order", args: ["order_id": "A55501"], result: order), call("issue_refund", args: ["order_id": "A55501"]),
                             .assistant("Refunded.")]), "Action against stated policy")
        let other: Value = ["orders": [["order_id": "A55501", "refundable": false], ["order_id": "A55502", "refundable": true]]]
        XCTAssertEqual(issues([.user("Refund A55502"), call("get_orders", args: ["user": "u1"], result: other), call("issue_refund", args: ["order_id": "A55502"]),
                               .assistant("Refunded.")]).summary, "NONE", "the restriction is about another order")
        let old: Value = ["order_id": "A55503", "delivered_at": .string(Timestamp(seconds: 40 * 86400).iso8601)]
        XCTAssertEqual(head([.user("Refund A55503"), call("get_order", args: ["order_id": "A55503"], result: old), call("issue_refund", args: ["order_id": "A55503"]),
                             .assistant("Refunded.")], system: ["Refunds are allowed within 30 days of delivery."]), "Action against stated policy")
        let basic: Value = ["reservation_id": "R8XK2P", "cabin": "basic_economy"]
        XCTAssertEqual(head([.user("Change R8XK2P to Friday. Yes."), call("get_reservation", args: ["reservation_id": "R8XK2P"], result: basic),
                             call("update_reservation_flights", args: ["reservation_id": "R8XK2P"]), .assistant("Changed.")],
                            system: ["Basic economy flights cannot be modified."]), "Action against stated policy")
        // The rule is about the flights: a write to another part of the same booking keeps to it, a
        // write to the flights or to the whole booking does not.
        let booking: Value = ["reservation_id": "R8XK2P", "cabin": "basic_economy", "flights": [["flight_number": "HAT005"]],
                              "passengers": [["first_name": "Anya"]], "total_baggages": 1]
        for (tool, flagged) in [("update_reservation_passengers", false), ("update_reservation_baggages", false),
                                ("update_reservation_flights", true), ("modify_reservation", true)] {
            XCTAssertEqual(head([.user("Change R8XK2P please. Yes."), call("get_reservation_details", args: ["reservation_id": "R8XK2P"], result: booking),
                                 call(tool, args: ["reservation_id": "R8XK2P"]), .assistant("Changed.")],
                                system: ["- Change flights: Basic economy flights cannot be modified."]), flagged ? "Action against stated policy" : "NONE", tool)
        }
        // Giving the booking its own flights (to change the cabin) does not change them; other flights do.
        for (flight, flagged) in [("HAT005", false), ("HAT006", true)] {
            XCTAssertEqual(head([.user("Change R8XK2P please. Yes."), call("get_reservation_details", args: ["reservation_id": "R8XK2P"], result: booking),
                                 call("update_reservation_flights", args: ["reservation_id": "R8XK2P", "cabin": "economy", "flights": [["flight_number": .string(flight)]]]),
                                 .assistant("Changed.")],
                                system: ["- Change flights: Basic economy flights cannot be modified."]), flagged ? "Action against stated policy" : "NONE", flight)
        }
        XCTAssertEqual(head([.user("Cancel R8XK2P"), call("cancel_reservation", args: ["reservation_id": "R8XK2P"]), .assistant("Cancelled.")],
                            system: ["Obtain explicit user confirmation before any action that changes a booking."]), "Action against stated policy")
        // A credit names the charge by its amount; a refusal names the object it was asked about.
        let invoice: Value = ["invoice_id": "INV-2604-1111", "account_id": "KT-1234567", "total": 59.99,
                              "line_items": [["item_id": "LI-1001001", "description": "Premium SMS", "amount": 9.99, "refundable": false],
                                             ["item_id": "LI-1001002", "description": "Late fee", "amount": 50.0, "refundable": true]]]
        XCTAssertEqual(head([.user("Refund the SMS charge"), call("get_invoice", args: ["invoice_id": "INV-2604-1111"], result: invoice),
                             call("apply_credit", args: ["account_id": "KT-1234567", "invoice_id": "INV-2604-1111", "amount": 9.99]),
                             .assistant("Done, $9.99 is credited.")]), "Action against stated policy")
        XCTAssertEqual(head([.user("Outage credit please"),
                             call("check_credit_eligibility", args: ["account_id": "KT-1234567", "incident_id": "INC-7700001"], result: ["eligible": false]),
                             call("apply_credit", args: ["account_id": "KT-1234567", "incident_id": "INC-7700001", "amount": 20.0]),
                             .assistant("Done, $20.00 is credited.")]), "Action against stated policy")
        // A failed gate holds for every write until a later result passes it; a write of no known family counts.
        XCTAssertEqual(head([.user("Swap my SIM"), call("verify_code", args: ["account_id": "KT-1234567", "code": "595855"], result: ["verified": false]),
                             call("sim_swap", args: ["line_id": "LN-2000222", "iccid": "8901142325884850893"]), .assistant("Your SIM is swapped.")]),
                       "Action against stated policy")
        XCTAssertEqual(head([.user("Waive the late fee"),
                             call("check_credit_eligibility", args: ["invoice_id": "INV-2604-1111", "line_item_id": "LI-1001002"], result: ["eligible": false, "reason": "WAIVER_LIMIT"]),
                             call("waive_fee", args: ["invoice_id": "INV-2604-1111", "line_item_id": "LI-1001002"]), .assistant("The fee is waived.")]),
                       "Action against stated policy")
        let late: Value = ["order_id": "ORD-5550001", "device": "Pixel 9", "delivered_date": "1970-01-02"]
        XCTAssertEqual(head([.user("Return ORD-5550001 please"), call("get_device_order", args: ["order_id": "ORD-5550001"], result: late),
                             .assistant("Start the return for your Pixel 9?"), .user("Yes"),
                             call("start_device_return", args: ["order_id": "ORD-5550001"]), .assistant("The return is started.")],
                            system: ["Current date: 1970-03-20.\nDevice returns: within 30 days of delivery only."]), "Action against stated policy")
        // A retrieved article's price that a live result about the same thing has since changed.
        let article: Value = ["title": "TravelPass", "last_updated": "2024-02-19",
                              "snippet": "TravelPass Day costs $10 per day and includes unlimited data, the first 2 GB high speed."]
        let options: Value = ["options": [["name": "TravelPass Day", "price_per_day": 12.0, "data": "Unlimited data, first 2 GB high speed"]]]
        XCTAssertEqual(head([.user("Roaming options for Iceland?"), call("kb_search", args: ["q": "travelpass"], result: article, retrieval: true),
                             call("list_roaming_options", args: ["country": "Iceland"], result: options),
                             .assistant("TravelPass Day is $10 per day with unlimited data, the first 2 GB at high speed.")]), "Answer from outdated information")
        XCTAssertEqual(issues([.user("Cancel R8XK2P"), .assistant("Cancel R8XK2P?"), .user("Yes, go ahead."), call("cancel_reservation", args: ["reservation_id": "R8XK2P"]),
                               .assistant("Cancelled.")], system: ["Obtain explicit user confirmation before any action that changes a booking."]).summary, "NONE")
    }
}
