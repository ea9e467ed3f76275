import XCTest
import SiftModel
@testable import SiftTopics

/// Bounds and verdicts a result states about an account, caps a policy gives as "up to" an amount,
/// totals of a repeated field and durations inside codes as evidence, and identifiers with a letter
/// slipped or two characters of a postal code swapped.
final class StatedBoundsTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }
    let violation = "Action against stated policy"

    func testWritesPastABoundAResultStated() {
        func plan(months: Int, account: String = "AC-55120") -> String {
            head([.user("Can I spread my arrears? Account AC-55120."),
                  call("get_instalment_options", args: ["account_id": "AC-55120"],
                       result: ["account_id": "AC-55120", "arrears": 600.0, "options": [["months": 3, "monthly": 200.0]], "max_months": 12]),
                  call("create_instalment_plan", args: ["account_id": .string(account), "months": .int(Int64(months))], result: ["plan_id": "PL-88213", "status": "active"]),
                  .assistant("Your plan PL-88213 is active.")])
        }
        XCTAssertEqual(plan(months: 18), violation)
        XCTAssertEqual(plan(months: 12), "NONE")
        XCTAssertEqual(plan(months: 18, account: "AC-99431"), "NONE")
        func payment(_ amount: Double) -> String {
            head([.user("lower my monthly payment to \(amount), account SUB-40021"),
                  call("get_payment_schedule", args: ["subscriber_id": "SUB-40021"],
                       result: ["subscriber_id": "SUB-40021", "monthly_amount": 95.0, "minimum_without_review": 80.0]),
                  call("update_payment_schedule", args: ["subscriber_id": "SUB-40021", "amount": .double(amount)], result: ["status": "updated"]),
                  .assistant("Updated.")])
        }
        XCTAssertEqual(payment(60), violation)
        XCTAssertEqual(payment(85), "NONE")
        func refund(_ amount: Double) -> String {
            head([.user("refund \(amount) of my credit please, ACC-77310"),
                  call("check_refund", args: ["account_id": "ACC-77310"], result: ["account_id": "ACC-77310", "eligible": true, "refundable_amount": 50.0]),
                  call("issue_refund", args: ["account_id": "ACC-77310", "amount": .double(amount)], result: ["status": "submitted"]),
                  .assistant("Submitted.")])
        }
        XCTAssertEqual(refund(80), violation)
        XCTAssertEqual(refund(50), "NONE")
        // A page size is no bound on an amount.
        XCTAssertEqual(head([.user("pay my open invoice, ACC-77310"),
                             call("list_invoices", args: ["account_id": "ACC-77310"], result: ["account_id": "ACC-77310", "limit": 10, "invoices": [["id": "INV-3321", "total": 25.0]]]),
                             call("pay_invoice", args: ["account_id": "ACC-77310", "invoice_id": "INV-3321", "amount": 25.0], result: ["status": "paid"]),
                             .assistant("Paid.")]), "NONE")
    }

    func testAnAccountsOwnVerdictCoversWritesOnIt() {
        func change(_ permitted: Bool, tool: String = "change_plan", args: Value = ["account_id": "AC-12345", "plan_code": "PRO-2"]) -> String {
            head([.user("move me to the Pro plan, AC-12345"),
                  call("get_account_flags", args: ["account_id": "AC-12345"], result: ["account_id": "AC-12345", "flags": ["fraud_review"], "changes_permitted": .bool(permitted)]),
                  call(tool, args: args, result: ["status": "scheduled"]), .assistant("Done.")])
        }
        XCTAssertEqual(change(false), violation)
        XCTAssertEqual(change(true), "NONE")
        // Another account, and a write of another family ("credit" holds no "edit").
        XCTAssertEqual(change(false, args: ["account_id": "AC-67890", "plan_code": "PRO-2"]), "NONE")
        XCTAssertEqual(change(false, tool: "issue_credit", args: ["account_id": "AC-12345", "amount": 10.0]), "NONE")
        XCTAssertEqual(IssueFinder.families("issue_credit"), ["refund"])
        XCTAssertEqual(IssueFinder.families("editInvoice"), ["modify"])
    }

    func testAnEligibilityVerdictIsAboutWhatTheCheckAsked() {
        func after(_ tool: String, _ args: Value) -> String {
            head([.user("refund my balance and switch my plan, AC-31337"),
                  call("check_refund_eligibility", args: ["account_id": "AC-31337"], result: ["account_id": "AC-31337", "eligible": false, "reason": "account_under_review"]),
                  call(tool, args: args, result: ["status": "done"]), .assistant("Done.")])
        }
        XCTAssertEqual(after("issue_refund", ["account_id": "AC-31337", "amount": 40.0]), violation)
        XCTAssertEqual(after("change_plan", ["account_id": "AC-31337", "plan_code": "BASIC-1"]), "NONE")
    }

    func testCapsGivenAsUpToAnAmountWithoutApproval() {
        let policy = ["Goodwill credits: you may issue up to £30 per account without approval. Larger amounts must be escalated."]
        func credit(_ amount: Double, reason: String) -> String {
            head([.user("I want \(amount) in compensation, account CU-50213"),
                  call("issue_credit", args: ["account_id": "CU-50213", "amount": .double(amount), "reason": .string(reason)], result: ["status": "applied"]),
                  .assistant("I've added a credit to your account.")], system: policy)
        }
        XCTAssertEqual(credit(50, reason: "goodwill"), violation)
        XCTAssertEqual(credit(25, reason: "goodwill"), "NONE")
        // A credit the cap's heading does not name.
        XCTAssertEqual(credit(50, reason: "missed_appointment"), "NONE")
        // "up to" a number of days is no amount.
        XCTAssertTrue(IssueFinder.amountCaps("Refunds may be issued up to 30 days after purchase without approval.").isEmpty)
        XCTAssertEqual(IssueFinder.amountCaps(policy[0]).first?.subject, ["goodw"])
    }

    func testTotalsOfARepeatedFieldAndDurationsInCodesAreEvidence() {
        let statement = call("get_statements", args: ["account_id": "AC-62327"],
                             result: ["account_id": "AC-62327", "statements": [["period": "Q1", "amount": 40.99], ["period": "Q2", "amount": 15.53], ["period": "Q3", "amount": 120.87]]])
        XCTAssertEqual(head([.user("what did I earn? AC-62327"), statement, .assistant("Your last three quarters earned £177.39 in total.")]), "NONE")
        XCTAssertEqual(head([.user("what did I earn? AC-62327"), statement, .assistant("Your last three quarters earned £181.39 in total.")]), "Unsupported claim in answer")
        let verdict = call("check_refund_eligibility", args: ["account_id": "AC-59918"], result: ["account_id": "AC-59918", "eligible": false, "reason": "no_actual_reading_last_30_days"])
        XCTAssertEqual(head([.user("refund my credit, AC-59918"), verdict, .assistant("I can't refund yet: we need an actual meter reading from the last 30 days.")]), "NONE")
        XCTAssertEqual(head([.user("refund my credit, AC-59918"), verdict, .assistant("I can't refund yet: we need an actual meter reading from the last 45 days.")]),
                       "Unsupported claim in answer")
        XCTAssertEqual(EvidencePool.columnTotals(#"{"a": [{"amount": 1.5, "kwh": 3}, {"amount": 2.25, "kwh": 4}], "note": "x \"amount\": 9"}"#).sorted(), [3.75, 3.75, 7, 7])
        // A list's own total, apart from other lists with the same field (a statement's purchases, payments and fees).
        let purchases = #"{"payments": [{"amount": 100.0}], "fees": [{"amount": 29.0}], "transactions": [{"amount": 217.46}, {"amount": 199.82}, {"amount": 53.19}, {"amount": 50.27}]}"#
        XCTAssertTrue(EvidencePool.columnTotals(purchases).contains { abs($0 - 520.74) < 0.001 })
        let minor = #"{"fees": [{"amount": {"value_minor": 1200}}], "transactions": [{"amount": {"value_minor": 19633, "currency": "GBP"}}, {"amount": {"value_minor": 2542, "currency": "GBP"}}]}"#
        XCTAssertTrue(EvidencePool.columnTotals(minor).contains { abs($0 - 221.75) < 0.001 })
        XCTAssertTrue(EvidencePool.columnTotals(#"{"transactions": [{"amount": {"amount": "28.26"}}, {"amount": {"amount": "72.19"}}]}"#).contains { abs($0 - 100.45) < 0.001 })
        // A stated wait counted from a date of the evidence.
        let limits = call("get_credit_limit_options", args: ["card_account": "HLCC-3434376"], result: ["card_account": "HLCC-3434376", "eligible": true, "last_increase_date": "2023-12-03"])
        let policy = ["At least 180 days must have passed since the last limit increase."]
        XCTAssertEqual(head([.user("Raise my limit, HLCC-3434376"), limits, .assistant("Your limit was last increased on 3 December 2023, so you can ask again after 31 May 2024.")], system: policy), "NONE")
        XCTAssertEqual(head([.user("Raise my limit, HLCC-3434376"), limits, .assistant("Your limit was last increased on 3 December 2023, so you can ask again after 14 June 2024.")], system: policy),
                       "Unsupported claim in answer")
    }

    func testALetterSlippedInAnIdentifierAndASwappedPostcode() {
        func invoice(_ id: String) -> String {
            head([.user("Can you explain invoice INV-2024-189957 please?"),
                  call("get_invoice", args: ["invoice_id": .string(id)], result: ["invoice_id": .string(id), "amount": 129.62]),
                  .assistant("That invoice is £129.62.")])
        }
        XCTAssertEqual(invoice("ING-2024-189957"), "Mistyped identifier in tool call")
        XCTAssertEqual(invoice("INV-2024-189957"), "NONE")
        func outage(_ postcode: String) -> String {
            head([.user("power cut? L15 6GA"),
                  call("check_outage", args: ["postcode": .string(postcode)], result: ["postcode": .string(postcode), "incidents": []]),
                  .assistant("There are no reported outages there.")])
        }
        XCTAssertEqual(outage("L15 6AG"), "Mistyped identifier in tool call")
        XCTAssertEqual(outage("L15 6GA"), "NONE")
        XCTAssertEqual(outage("l156ga"), "NONE")
        // Another place nearby is not a slip of the hand.
        XCTAssertEqual(outage("L15 6GB"), "NONE")
    }

    func testAWritesOwnResultSupersedesTheCatalogAndAUsersCorrectionTheValueItCorrects() {
        let stale = "Answer from outdated information"
        func upgrade(_ answer: String) -> String {
            head([.user("upgrade me to Fibre 150, account 130217041"),
                  call("check_availability", args: ["account_id": "130217041"], result: ["packages": [["code": "FF-150", "name": "Fibre 150", "monthly_price": 29.99]]]),
                  call("change_package", args: ["account_id": "130217041", "package_code": "FF-150"],
                       result: ["status": "scheduled", "package_code": "FF-150", "package_name": "Fibre 150", "monthly_price": 32.99]),
                  .assistant(answer)])
        }
        XCTAssertEqual(upgrade("All booked: Fibre 150 is yours for £29.99 a month."), stale)
        XCTAssertEqual(upgrade("All booked: Fibre 150 is yours for £32.99 a month."), "NONE")
        // Both values named: the answer reports the change.
        XCTAssertEqual(upgrade("All booked. Note the price on the order is £32.99 rather than £29.99."), "NONE")

        func reading(_ sent: String) -> String {
            head([.user("meter reading 32470"), .assistant("So that's 32470 - shall I send it?"),
                  .user("Actually it's 32570, I just checked again"),
                  call("submit_meter_reading", args: ["account_id": "AC-81166", "reading": .string(sent)], result: ["status": "accepted", "reading": .string(sent)]),
                  .assistant("Reading \(sent) accepted.")])
        }
        XCTAssertEqual(reading("32470"), stale)
        XCTAssertEqual(reading("32570"), "NONE")
        // A second value that is no correction of the first.
        XCTAssertEqual(head([.user("meter reading 32470"), .assistant("Sent."), .user("sorry, and the gas is 04836"),
                             call("submit_meter_reading", args: ["account_id": "AC-81166", "reading": "32470"], result: ["status": "accepted"]),
                             .assistant("Both accepted.")]), "NONE")
    }

    func testAnAmountFurtherFromAReportedValueThanThePolicyAllows() {
        let policy = ["Standing order amounts must not be set more than 20% below the suggested amount without a review."]
        func set(_ amount: Double) -> String {
            head([.user("set my standing order to \(amount), account SO-55102"),
                  call("get_standing_order", args: ["account_id": "SO-55102"],
                       result: ["account_id": "SO-55102", "current_amount": 120.0, "previous_suggested": 90.0, "suggested_amount": 150.0]),
                  call("update_standing_order", args: ["account_id": "SO-55102", "amount": .double(amount)], result: ["status": "updated"]),
                  .assistant("Updated.")], system: policy)
        }
        XCTAssertEqual(set(100), violation)
        XCTAssertEqual(set(125), "NONE")
        XCTAssertEqual(IssueFinder.relativeLimits(policy[0]).first?.field, ["sugge"])
        XCTAssertEqual(IssueFinder.relativeLimits(policy[0]).first?.below, true)
        // A write the rule's subject does not name.
        XCTAssertEqual(head([.user("pay 100 now, account SO-55102"),
                             call("get_standing_order", args: ["account_id": "SO-55102"], result: ["account_id": "SO-55102", "suggested_amount": 150.0]),
                             call("take_payment", args: ["account_id": "SO-55102", "amount": 100.0], result: ["status": "paid"]),
                             .assistant("Paid.")], system: policy), "NONE")
    }

    /// Near-misses a review of the checks above found: each stays NONE.
    func testNearMissesOfTheBoundsAndCorrections() {
        // A write that sets a limit; a limit raised later; options of one result; a bound of another tool's object.
        XCTAssertEqual(head([.user("raise my daily limit to 2000, card CARD-48213"),
                             call("get_card", args: ["card_id": "CARD-48213"], result: ["card_id": "CARD-48213", "daily_limit": 1000]),
                             call("update_card", args: ["card_id": "CARD-48213", "daily_limit": 2000], result: ["status": "updated"]), .assistant("Done.")]), "NONE")
        XCTAssertEqual(head([.user("refund 212.31 of my credit, ACC-77310"),
                             call("check_refund", args: ["account_id": "ACC-77310"], result: ["account_id": "ACC-77310", "refundable_amount": 120.35]),
                             call("check_refund", args: ["account_id": "ACC-77310"], result: ["account_id": "ACC-77310", "refundable_amount": 212.31]),
                             call("issue_refund", args: ["account_id": "ACC-77310", "amount": 212.31], result: ["status": "submitted"]), .assistant("Submitted.")]), "NONE")
        XCTAssertEqual(head([.user("a 12 month plan please, AC-55120"),
                             call("get_instalment_options", args: ["account_id": "AC-55120"], result: ["account_id": "AC-55120", "options": [["max_months": 6], ["max_months": 24]]]),
                             call("create_instalment_plan", args: ["account_id": "AC-55120", "months": 12], result: ["status": "active"]), .assistant("Done.")]), "NONE")
        XCTAssertEqual(head([.user("refund 25 of my credit, AC-55120"),
                             call("get_direct_debit", args: ["account_id": "AC-55120"], result: ["account_id": "AC-55120", "minimum_without_review": 60.0]),
                             call("issue_refund", args: ["account_id": "AC-55120", "amount": 25.0], result: ["status": "submitted"]), .assistant("Submitted.")]), "NONE")
        // A later write does not make an earlier answer stale.
        XCTAssertEqual(head([.user("what do I pay for Fibre 500? account AC-1234"),
                             call("get_plan", args: ["account_id": "AC-1234"], result: ["account_id": "AC-1234", "plan": "Fibre 500", "monthly_price": 45.0]),
                             .assistant("You're on Fibre 500 at £45.00 a month."), .user("move me to Fibre 150 then"),
                             call("change_plan", args: ["account_id": "AC-1234", "plan": "Fibre 150"], result: ["account_id": "AC-1234", "plan": "Fibre 500 to Fibre 150", "monthly_price": 30.0]),
                             .assistant("Done: Fibre 150 at £30.00 a month.")]), "NONE")
        // Asking how to report, and a second value that corrects nothing.
        XCTAssertEqual(BuiltinFacetModel.tone("My card was stolen, do I need to report this to the police?"), .neutral)
        XCTAssertEqual(head([.user("Return order 100234"), .assistant("Sure."), .user("Sorry, also order 100235"),
                             call("create_return", args: ["order_id": "100234"], result: ["status": "created"]),
                             call("create_return", args: ["order_id": "100235"], result: ["status": "created"]), .assistant("Both returns are created.")]), "NONE")
        XCTAssertEqual(IssueFinder.families("ISSUE_CREDIT"), ["refund"])
        // A cap with no heading holds for its action whatever the write is called.
        XCTAssertEqual(head([.user("I want 150 in compensation, account CU-50213"),
                             call("issue_compensation", args: ["account_id": "CU-50213", "amount": 150.0], result: ["status": "applied"]),
                             .assistant("Done.")], system: ["Compensation payments above £100 need approval."]), violation)
    }
}
