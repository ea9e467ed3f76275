import XCTest
import SiftModel
@testable import SiftTopics

/// Policy sentences that tie an action to a condition a result shows (`IssueFinder+PolicyGates.swift`):
/// a field the policy names with its required value, a feature the object must have, actions the
/// agent may never take, and a ban on backdating; each with the near-misses that must stay NONE.
final class PolicyGateTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }
    let violation = "Action against stated policy"

    func testAFieldThePolicyNamesWithItsValue() {
        let policy = ["Late-payment fees (£12) can be waived once per rolling 12 months as a goodwill gesture (waivers_last_12m must be 0)."]
        func waive(after waivers: Int, write: String = "remove_charge", status: String = "waived") -> String {
            head([.user("Can you waive the late fee? Policy HLM-4717126."),
                  call("get_payment_schedule", args: ["policy_number": "HLM-4717126"],
                       result: ["policy_number": "HLM-4717126", "arrears": 118.31, "waivers_last_12m": .int(Int64(waivers))]),
                  call(write, args: ["policy_number": "HLM-4717126", "fee_type": "late_payment"], result: ["status": .string(status), "policy_number": "HLM-4717126"]),
                  .assistant("Done.")], system: policy)
        }
        XCTAssertEqual(waive(after: 1), violation)
        XCTAssertEqual(waive(after: 0), "NONE")
        // Taking the user's payment is no waiver, whatever the count.
        XCTAssertEqual(waive(after: 1, write: "take_payment", status: "success"), "NONE")
        // A field of another object does not bar this one.
        XCTAssertEqual(head([.user("Waive the fee on HLM-4717126."),
                             call("get_payment_schedule", args: ["policy_number": "HLM-9990001"], result: ["policy_number": "HLM-9990001", "waivers_last_12m": 2]),
                             call("remove_charge", args: ["policy_number": "HLM-4717126", "fee_type": "late_payment"], result: ["status": "waived"]),
                             .assistant("Done.")], system: policy), "NONE")
        XCTAssertEqual(IssueFinder.policyGates(policy[0]).first?.kind, .field(name: "waivers_last_12m", required: "0"))
        XCTAssertEqual(IssueFinder.policyGates("A courtesy car may be arranged only if the claim tool reports courtesy_car_eligible = true.").first?.kind,
                       .field(name: "courtesy_car_eligible", required: "true"))
    }

    func testAFeatureTheObjectMustHave() {
        let policy = ["Only book emergency contractors when the home policy has Home Emergency cover.",
                      "Glass claims can only be booked when the policy includes windscreen cover."]
        func book(_ emergency: Bool, glass: Bool = true, write: String = "dispatch_contractor") -> String {
            head([.user("Water is pouring through the ceiling! Policy BWD-HM-403139."),
                  call("lookup_policy", args: ["policy_number": "BWD-HM-403139"],
                       result: ["policy_number": "BWD-HM-403139", "home_emergency": .bool(emergency), "glass_cover": .bool(glass), "legal_expenses": true]),
                  call(write, args: write == "dispatch_contractor" ? ["policy_number": "BWD-HM-403139", "emergency_type": "leak"] : ["policy_number": "BWD-HM-403139", "damage_type": "chip"],
                       result: ["job_ref": "HE1119460", "status": "booked"]),
                  .assistant("An engineer is on the way, ref HE1119460.")], system: policy)
        }
        XCTAssertEqual(book(false), violation)
        XCTAssertEqual(book(true), "NONE")
        XCTAssertEqual(book(false, write: "create_glass_job"), "NONE", "the gate names emergency contractors, not glass jobs")
        XCTAssertEqual(book(true, glass: false, write: "create_glass_job"), violation)
        // A change of cover on a policy without glass cover is no glass claim ("cover" names no feature).
        XCTAssertEqual(book(true, glass: false, write: "change_cover"), "NONE")
    }

    func testActionsThePolicySaysTheAgentMayNeverTake() {
        let policy = ["You cannot pay or promise claim settlements - those are made by the assigned claims handler only.",
                      "The £50 cancellation fee applies to every cancellation after cooling-off and cannot be waived by the assistant (only a team leader can, by phone).",
                      "You cannot issue refunds above £100 without a supervisor."]
        func run(_ write: String, _ args: Value, status: String = "issued") -> String {
            head([.user("Claim CSC-170840 on policy CSP-6822640: can you sort it? It's 40 pounds, or 1300, or 118.31."),
                  call(write, args: args, result: ["status": .string(status), "reference": "PAY-54525435"]),
                  .assistant("Done, reference PAY-54525435.")], system: policy)
        }
        XCTAssertEqual(run("issue_claim_payment", ["claim_number": "CSC-170840", "amount": 1300]), violation)
        XCTAssertEqual(run("take_payment", ["policy_number": "CSP-6822640", "amount": 118.31], status: "success"), "NONE", "the user paying is no claim settlement")
        XCTAssertEqual(run("cancel_policy", ["policy_number": "CSP-6822640", "waive_fee": true], status: "cancelled"), violation)
        XCTAssertEqual(run("cancel_policy", ["policy_number": "CSP-6822640", "waive_fee": false], status: "cancelled"), "NONE")
        XCTAssertEqual(run("remove_charge", ["policy_number": "CSP-6822640", "fee_type": "late_payment"], status: "waived"), "NONE",
                       "the rule is about the cancellation fee")
        // A conditional prohibition is not read as a ban on the action.
        XCTAssertEqual(run("issue_refund", ["policy_number": "CSP-6822640", "amount": 40], status: "submitted"), "NONE")
        XCTAssertNil(IssueFinder.forbiddenAction("Do not add a named driver who is under 21 or has more than 6 penalty points."))
        XCTAssertNil(IssueFinder.forbiddenAction("Never proceed when a quote says refer."))
        XCTAssertEqual(IssueFinder.forbiddenAction("Do not reverse pending or non-duplicate transactions.")?.qualifiers, ["pending"], "a qualified object is a condition")
    }

    func testNoBackdating() {
        let policy = ["Today is 2025-08-08.", "Never backdate a change. The earliest effective date for any mid-term adjustment is today's date."]
        func change(_ date: String) -> String {
            head([.user("Change my address from last week, policy CSP-6822640."),
                  call("amend_policy", args: ["policy_number": "CSP-6822640", "effective_date": .string(date)], result: ["status": "amended"]),
                  .assistant("Your address is updated.")], system: policy)
        }
        XCTAssertEqual(change("2025-08-01"), violation)
        XCTAssertEqual(change("2025-08-08"), "NONE")
        XCTAssertEqual(change("2025-09-01"), "NONE")
        // A policy that mentions backdating without banning it.
        XCTAssertEqual(head([.user("Change my address, policy CSP-6822640."),
                             call("amend_policy", args: ["policy_number": "CSP-6822640", "effective_date": "2025-08-01"], result: ["status": "amended"]),
                             .assistant("Done.")], system: ["Today is 2025-08-08.", "Backdating is possible up to 30 days."]), "NONE")
    }

    func testOtherWaysOfWritingTheRules() {
        // A list of verbs.
        XCTAssertEqual(head([.user("Just pay me the 1790 for claim VC-203666."),
                             call("issue_claim_payment", args: ["claim_number": "VC-203666", "amount": 1790], result: ["status": "issued", "payment_id": "PAY-02748528"]),
                             .assistant("Paid, ref PAY-02748528.")],
                            system: ["Never authorise, issue or promise a claim settlement payment; settlement is decided by the claims handler."]), violation)
        // A field checked in one sentence with the count that bars the action.
        let policy = ["You may waive one late-payment fee ($10) per customer in any 12-month period. Check waivers_last_12m on the payment schedule first; if it is 1 or more the fee stands."]
        func waive(after waivers: Int) -> String {
            head([.user("Waive the $10 fee please, policy PGA458089607."),
                  call("get_payment_schedule", args: ["policy_number": "PGA458089607"], result: ["policy_number": "PGA458089607", "waivers_last_12m": .int(Int64(waivers))]),
                  call("remove_charge", args: ["policy_number": "PGA458089607", "fee_type": "late_payment"], result: ["status": "waived", "amount": 10]),
                  .assistant("Done.")], system: policy)
        }
        XCTAssertEqual(waive(after: 1), violation)
        XCTAssertEqual(waive(after: 2), violation)
        XCTAssertEqual(waive(after: 0), "NONE")
        // The missing feature named by the write's arguments ("emergency_type") rather than its name.
        func callOut(_ emergency: Bool) -> String {
            head([.user("My drain is blocked, policy KM-HO-24905457."),
                  call("fetch_policy", args: ["policy_number": "KM-HO-24905457"], result: ["policy_no": "KM-HO-24905457", "home_emergency": .bool(emergency), "legal_expenses": false]),
                  call("dispatch_contractor", args: ["policy_number": "KM-HO-24905457", "emergency_type": "drain"], result: ["job_ref": "HE2485944", "status": "booked"]),
                  .assistant("A contractor is booked, ref HE2485944.")],
                 system: ["Home emergency call-outs may only be booked for home policies that include the Home Emergency add-on."])
        }
        XCTAssertEqual(callOut(false), violation)
        XCTAssertEqual(callOut(true), "NONE")
    }

    func testARefusedQuoteCarriedOut() {
        func add(decision: String, driver: String) -> String {
            head([.user("Add my dad Matthew Mifsud to VNT75174078."),
                  call("price_change", args: ["policy_number": "VNT75174078", "add_driver": ["name": "Matthew Mifsud", "relationship": "dad", "licence_years": 2]],
                       result: ["policy_number": "VNT75174078", "decision": .string(decision), "reason": "Driver age 19 below minimum 21"]),
                  call("add_driver", args: ["policy_number": "VNT75174078", "driver": ["name": .string(driver), "relationship": "dad", "licence_years": 2]],
                       result: ["status": "driver_added"]),
                  .assistant("Done.")])
        }
        XCTAssertEqual(add(decision: "refer", driver: "Matthew Mifsud"), violation)
        XCTAssertEqual(add(decision: "accept", driver: "Matthew Mifsud"), "NONE")
        // Another driver on the same policy shares only the relationship.
        XCTAssertEqual(add(decision: "refer", driver: "Anna Mifsud"), "NONE")
    }

    func testWhatIsNotAConfirmationRuleOrAnAmountCap() {
        // Confirming who the customer is, is not the customer confirming the change.
        XCTAssertFalse(IssueFinder.asksUserConfirmation("before discussing balances or transactions, or taking any action, confirm the customer's identity with verify_identity."))
        XCTAssertTrue(IssueFinder.asksUserConfirmation("before taking any action that updates the booking database, you must list the action details and obtain explicit user confirmation (yes) to proceed."))
        XCTAssertTrue(IssueFinder.asksUserConfirmation("confirm the details with the customer before making any change."))
        let policy = ["Before discussing balances or transactions, or taking any action, confirm the customer's identity with verify_identity."]
        XCTAssertEqual(head([.user("Please order a replacement card, mine is damaged. card SC-0463-HM"),
                             call("order_replacement_card", args: ["card_id": "SC-0463-HM", "reason": "damaged"], result: ["status": "ordered"]),
                             .assistant("Your new card is on its way.")], system: policy), "NONE")
        // A count of refunds is no amount.
        XCTAssertEqual(IssueFinder.amountCaps("Never refund more than €35 in total per conversation, and no more than 1 goodwill refund(s) per rolling 12 months.").map(\.limit), [35])
        XCTAssertEqual(IssueFinder.amountCaps("Refunds above 500.00 need a supervisor.").map(\.limit), [500])
    }

    func testQualifiedBansChecksOfNoFamilyAndDeclinedAmounts() {
        // "Do not reverse pending ... transactions": a transaction a result calls pending.
        func reverse(_ status: String) -> String {
            head([.user("I was charged twice at IKEA, 135.31 each. Customer mp_cus_663cw6hv"),
                  call("get_transaction", args: ["transaction_id": "txn_prt5ctsaa5wa"], result: ["transaction_id": "txn_prt5ctsaa5wa", "status": .string(status), "duplicate_of": "txn_3p25fujbmh2e"]),
                  call("reverse_charge", args: ["transaction_id": "txn_prt5ctsaa5wa", "reason": "duplicate"], result: ["status": "reversed", "reversal_id": "RV-62650"]),
                  .assistant("Reversed, ref RV-62650.")], system: ["Do not reverse pending or non-duplicate transactions."])
        }
        XCTAssertEqual(reverse("pending"), violation)
        XCTAssertEqual(reverse("posted"), "NONE")
        // A check of no known family ("eligible": false from check_payment_holiday_eligibility) holds
        // for the write it checks, not for others on the account.
        func holiday(_ write: String) -> String {
            head([.user("Can I have a payment holiday on mp_cc_jsnyzgsq?"),
                  call("check_payment_holiday_eligibility", args: ["account_id": "mp_cc_jsnyzgsq"], result: ["account_id": "mp_cc_jsnyzgsq", "eligible": false, "max_months": 3]),
                  call(write, args: ["account_id": "mp_cc_jsnyzgsq", "months": 2], result: ["status": "granted"]),
                  .assistant("Done.")])
        }
        XCTAssertEqual(holiday("grant_payment_holiday"), violation)
        XCTAssertEqual(holiday("order_replacement_card"), "NONE")
        XCTAssertEqual(IssueFinder.checkedAction("check_payment_holiday_eligibility"), "holid")
        // A state of no family ("locked": true) still lets a password reset through, even when the user's
        // turn names the lock (the demo check caught a first version of the rule above flagging it).
        XCTAssertEqual(head([.user("My account is locked, please reset my password. jo@example.com"),
                             call("lookup_customer", args: ["email": "jo@example.com"], result: ["customer_id": "C-10442", "locked": true]),
                             call("send_password_reset", args: ["email": "jo@example.com"], result: ["status": "sent"]),
                             .assistant("I've sent a reset link.")]), "NONE")
        // An amount a check declined, requested anyway on the same account.
        func overdraft(_ limit: Double) -> String {
            head([.user("Raise my overdraft to 1750 please, account CT-8155417-42. Or 1600 if not."),
                  call("check_overdraft_eligibility", args: ["account_id": "CT-8155417-42", "requested_limit": 1750.0], result: ["decision": "decline", "approved_limit": .null]),
                  call("request_overdraft_change", args: ["account_id": "CT-8155417-42", "new_limit": .double(limit)], result: ["status": "applied"]),
                  .assistant("Done.")])
        }
        XCTAssertEqual(overdraft(1750), violation)
        XCTAssertEqual(overdraft(1600), "NONE")
    }
}

/// Rules of the form "never ... other than ...", "(not pending)", and a general object only a
/// write's name can hold ("never close an account").
final class PolicyGateFormTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }
    let violation = "Action against stated policy"

    func testOtherThanAndGeneralObjects() {
        let policy = ["2. Never send a card to an address other than the one on file.",
                      "10. Never unfreeze a card that was blocked by the bank or the fraud team (any block source other than the customer).",
                      "3. The assistant must never close an account. For closure requests, hand off to a human."]
        func order(onFile: Bool) -> String {
            head([.user("My card is damaged, send a new one to 144 Birch Close, I moved."),
                  call("order_replacement_card", args: ["card_id": "BWC-KB802774", "deliver_to": "144 Birch Close"],
                       result: ["order_id": "BWR-508009", "status": "ordered", "address_on_file": .bool(onFile)]),
                  .assistant("Done, reference BWR-508009.")], system: policy)
        }
        XCTAssertEqual(order(onFile: false), violation)
        XCTAssertEqual(order(onFile: true), "NONE")
        func unfreeze(_ source: String) -> String {
            head([.user("Please unfreeze my card ending 8700."),
                  call("get_card_status", args: ["card_id": "CTC-67371153"], result: ["card_id": "CTC-67371153", "status": "frozen", "block": ["source": .string(source)]]),
                  call("unfreeze_card", args: ["card_id": "CTC-67371153"], result: ["card_id": "CTC-67371153", "status": "active"]),
                  .assistant("Your card is unfrozen.")], system: policy)
        }
        XCTAssertEqual(unfreeze("bank_security"), violation)
        XCTAssertEqual(unfreeze("customer"), "NONE")
        func close(_ tool: String) -> String {
            head([.user("Close my credit card account please."),
                  call(tool, args: ["account_id": "SOL-3747777952"], result: ["account_id": "SOL-3747777952", "status": "closed"]),
                  .assistant("Done.")], system: policy)
        }
        XCTAssertEqual(close("close_account"), violation)
        XCTAssertEqual(close("close_ticket"), "NONE", "the account is only the ticket's owner")
        // "(not pending)": the action on an object a result calls pending.
        let disputes = ["- Disputes/chargebacks may only be raised for posted (not pending) card transactions dated within the last 120 days."]
        XCTAssertEqual(IssueFinder.excludedByParenthesis(disputes[0].lowercased())?.verbs, ["dispute", "chargeb"])
        XCTAssertEqual(IssueFinder.excludedByParenthesis("you may only refund delivered (not shipped) orders.")?.qualifiers, ["shipped"])
        func dispute(_ status: String) -> String {
            head([.user("Dispute the APPLE.COM charge please."),
                  call("list_transactions", args: ["account_id": "IE03MRDN58462611280786"],
                       result: ["transactions": [["transaction_id": "txn_97xq4m4hmpay", "merchant": "APPLE.COM/BILL", "status": .string(status)]]]),
                  call("open_dispute", args: ["transaction_id": "txn_97xq4m4hmpay", "reason": "fraud"], result: ["dispute_id": "dp_uvjxhz7d", "status": "opened"]),
                  .assistant("Done - dispute dp_uvjxhz7d is open.")], system: disputes)
        }
        XCTAssertEqual(dispute("pending"), violation)
        XCTAssertEqual(dispute("posted"), "NONE")
    }
}
