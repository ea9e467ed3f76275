import XCTest
import SiftModel
@testable import SiftTopics

/// Claims an agent works out from what it saw are grounded; the same shapes with a number nothing
/// supports are not. And the constraint readers' limits: amounts, what is left, dated windows.
final class DerivedClaimTests: XCTestCase {
    func head(_ e: [ThreadEvent], system: [String] = []) -> String { issues(e, system: system).summary.components(separatedBy: ":").first! }

    let usage: Value = ["quota": ["included_gb": 1024, "add_on_gb": 500, "total_quota_gb": 1524],
                        "usage": ["total_used_mb": 1_425_715, "by_service_mb": ["mail": 444_313, "files": 812_851]]]

    func testQuantitiesPercentagesAndTheirUnits() {
        func answer(_ s: String) -> String {
            head([.user("How close are we to our storage limit?"), call("get_storage_usage", args: ["account_id": "acc_m05z2v"], result: usage), .assistant(s)])
        }
        // Thousands separators, a percentage of two stated figures, binary units.
        XCTAssertEqual(answer("You're using 1,392 GB of your 1,524 GB quota (91%): mail 434 GB and files 794 GB."), "NONE")
        XCTAssertEqual(answer("Your quota is 1,524 GB, of which 500 GB are add-ons."), "NONE")
        // Written the way most of Europe writes numbers.
        XCTAssertEqual(answer("Estáis usando 1.392 GB de vuestros 1.524 GB (91%)."), "NONE")
        XCTAssertEqual(answer("Der Mail-Dienst belegt 433,9 GB."), "NONE")
        // Figures nothing supports.
        XCTAssertEqual(answer("You're using 1,392 GB of your 1,524 GB quota (47%)."), "Unsupported claim in answer")
        XCTAssertEqual(answer("You're using 1,392 GB of your 1,824 GB quota."), "Unsupported claim in answer")
        XCTAssertEqual(answer("Estáis usando 1.392 GB de vuestros 1.824 GB."), "Unsupported claim in answer")
    }

    func testIdentifiersAreNotDigitsInsideAnotherId() {
        let status: Value = ["incidents": [["id": "INC-6182", "status": "investigating"]], "request_id": "req_59175618290"]
        func answer(_ s: String) -> String {
            head([.user("Is there an outage?"), call("get_service_status", args: ["region": "eu"], result: status), .assistant(s)])
        }
        XCTAssertEqual(answer("Yes, incident INC 6182 is being investigated."), "NONE")
        XCTAssertEqual(answer("Yes, incident INC-7561 is being investigated."), "Unsupported claim in answer", "7561 is only inside the request id")
    }

    func testAmountsWorkedOutInSteps() {
        let price: Value = ["plan": "Business", "price_per_seat_month": 6.8, "currency": "GBP"]
        let system = ["Annual billing is 15% off the monthly price."]
        func answer(_ s: String) -> String {
            head([.user("What would 20 users cost on Business?"), call("get_price_list", args: ["plan": "business"], result: price), .assistant(s)], system: system)
        }
        // 20 x 6.80, then 15% off, then twelve months: each from what came before, in any order.
        XCTAssertEqual(answer("For 20 users that's £136.00 per month, or £1,387.20 per year on annual billing (15% off, i.e. £115.60 per month)."), "NONE")
        XCTAssertEqual(answer("For 20 users that's £136.00 per month, or £1,500.00 per year on annual billing."), "Unsupported claim in answer")
    }

    func testArithmeticShownAndDaysBetweenDates() {
        let sub: Value = ["seat_price_year": 163.2, "period": ["start": "2025-05-03", "end": "2026-05-02"]]
        let system = ["Current date: 2025-06-21."]
        func answer(_ s: String) -> String {
            head([.user("Add 3 seats please"), call("get_subscription", args: ["account_id": "acc_x1y2z3"], result: sub), .assistant(s)], system: system)
        }
        XCTAssertEqual(answer("With 315 days left in the period, the charge is about 3 × £163.20 × 315/365 = £422.53."), "NONE")
        XCTAssertEqual(answer("With 315 days left in the period, the charge is about 3 × £163.20 × 315/365 = £450.00."), "Unsupported claim in answer")
        let invoice: Value = ["invoice": ["id": "INV-51350", "issue_date": "2025-03-05", "total": 240.0]]
        func aged(_ s: String) -> String {
            head([.user("Can I get a refund for INV-51350?"), call("get_invoice", args: ["invoice_id": "INV-51350"], result: invoice), .assistant(s)],
                 system: ["Current date: 2025-06-28."])
        }
        XCTAssertEqual(aged("Invoice INV-51350 was issued on 2025-03-05, which is 115 days ago, so it can't be refunded."), "NONE")
        XCTAssertEqual(aged("Invoice INV-51350 was issued on 2025-03-05, which is 190 days ago, so it can't be refunded."), "Unsupported claim in answer")
    }

    func testWriteAmountsWithARate() {
        let invoice: Value = ["invoice": ["id": "INV-69931", "line_items": [["quantity": 338, "unit_price": 24.0, "amount": 8112.0]], "tax_rate_percent": 23]]
        func refund(_ amount: Double) -> String {
            head([.user("16 people left right after INV-69931. Can you refund their seats?"), call("get_invoice", args: ["invoice_id": "INV-69931"], result: invoice),
                  call("issue_refund", args: ["invoice_id": "INV-69931", "amount": .double(amount)], result: ["refund_id": "RFD-84521", "amount": .double(amount)]),
                  .assistant("Done.")])
        }
        XCTAssertEqual(refund(472.32), "NONE", "16 seats at 24.00 with 23% VAT")
        XCTAssertEqual(refund(517.77), "Unsourced amount in tool call")
    }

    func testAnswersThatAreNotStale() {
        // A refund of part of an invoice is not a newer version of the invoice's line amount.
        let invoice: Value = ["invoice": ["id": "INV-70246", "line_items": [["description": "Starter, 80 seats", "quantity": 80, "unit_price": 8.0, "amount": 640.0]]]]
        XCTAssertEqual(head([.user("5 people left after INV-70246, refund please"), call("get_invoice", args: ["invoice_id": "INV-70246"], result: invoice),
                             call("issue_refund", args: ["invoice_id": "INV-70246", "amount": 2.67], result: ["refund_id": "RFD-34940", "invoice_id": "INV-70246", "amount": 2.67]),
                             .assistant("I've pro-rated it: 5 seats × $8.00 × 2/30 = $2.67, and refunded $2.67.")],
                            system: ["Current date: 2025-06-09."]), "NONE")
        // A question naming other figures starts a new request; it corrects nothing.
        XCTAssertEqual(head([.user("How much is INV-70246?"), call("get_invoice", args: ["invoice_id": "INV-70246"], result: ["invoice": ["id": "INV-70246", "total": 640.0]]),
                             .assistant("INV-70246 is $640.00."), .user("Thanks. Our latest invoice INV-70311 went up to $700.00 compared to that one, what changed?")]), "NONE")
    }

    /// A price list that names its currency once writes its amounts bare ("- Starter: 7.00"); an answer
    /// quoting one after a fresher price list changed it is stale, unless it calls the price old.
    func testPricesFromABareAmountPriceListALaterListChanged() {
        let kb: Value = ["article": ["id": "KB-2015", "last_updated": "2024-10-14",
                                    "body": "Plans (price per user per month, billed monthly)\n- Starter: 7.00 - 250 GB pooled storage, email support.\n- Business: 14.00 - 1 TB pooled storage.\n\nPrices are in USD, excluding tax. Version 2.10.25 of the app is 1.5 GB."]]
        let prices: Value = ["price_list": "PL-2025-04", "effective_from": "2025-04-01",
                             "plans": [["plan": "Starter", "price_per_seat_month": 8.0, "support": "email"], ["plan": "Business", "price_per_seat_month": 15.0, "support": "chat"]]]
        func answer(_ s: String) -> String {
            head([.user("Starter for 29 seats, how much?"), call("get_kb_article", args: ["article_id": "KB-2015"], result: kb, retrieval: true),
                  call("get_plan_pricing", args: ["currency": "USD"], result: prices), .assistant(s)])
        }
        XCTAssertEqual(answer("Starter is $7.00 per user per month."), "Answer from outdated information")
        XCTAssertEqual(answer("Starter is $8.00 per user per month."), "NONE")
        XCTAssertEqual(answer("Starter is $8.00 per user per month; the help article still shows the old price of $7.00."), "NONE")
        XCTAssertEqual(IssueFinder.bareAmounts("- Starter: 7.00 - Business: 14.50; $9.00, v2.10, 1.90.25, 3.5 GB, 12.345"), [7.0, 14.5])
    }

    func testAnswersFromAResultALaterCallReplaced() {
        let before: Value = ["account_id": "acc_cwm31k", "usage": ["total_used_mb": 10_046_873], "request_id": "req_1a2b3c"]
        let after: Value = ["account_id": "acc_cwm31k", "usage": ["total_used_mb": 7_919_718], "request_id": "req_9z8y7x"]
        func refreshed(_ answer: String) -> String {
            head([.user("How much storage do we use?"), call("get_storage_usage", args: ["account_id": "acc_cwm31k"], result: before),
                  .assistant("You're using 9,811 GB."), .user("We deleted 2 TB of backups this morning, can you re-check?"),
                  call("get_storage_usage", args: ["account_id": "acc_cwm31k", "refresh": true], result: after), .assistant(answer)])
        }
        XCTAssertEqual(refreshed("I've refreshed it: you're still at 9,811 GB."), "Answer from outdated information")
        XCTAssertEqual(refreshed("I've refreshed it: you're now at 7,734 GB."), "NONE")
        XCTAssertEqual(refreshed("I've refreshed it: you went from 9,811 GB to 7,734 GB."), "NONE")
        let compliance = { (state: String) -> Value in ["device_id": "DEV-9MWNT", "checks": [["name": "os_version", "status": .string(state)]]] }
        XCTAssertEqual(head([.user("VPN for my laptop DEV-9MWNT please"), call("get_device_compliance", args: ["device_id": "DEV-9MWNT"], result: compliance("failing")),
                             .assistant("Your OS is out of date."), .user("Updated it, check again?"),
                             call("get_device_compliance", args: ["device_id": "DEV-9MWNT"], result: compliance("passing")),
                             .assistant("The check is still failing, please update again.")]), "Answer from outdated information")
        // Two people looked up by addresses redaction replaced are not one lookup made twice.
        XCTAssertEqual(head([.user("Make Grace an admin, and check Emily too"),
                             call("lookup_user", args: ["email": "<EMAIL>"], result: ["user": ["role": "admin"]]),
                             call("lookup_user", args: ["email": "<EMAIL>"], result: ["user": ["role": "member"]]),
                             .assistant("Done: Grace is an admin now; open the Admin console to check.")]), "NONE")
        // The same tool about another object is another fact.
        XCTAssertEqual(head([.user("Why did INV-35142 go up from INV-32914?"),
                             call("get_invoice", args: ["invoice_id": "INV-35142"], result: ["invoice": ["id": "INV-35142", "amount_due": 7804.8]]),
                             call("get_invoice", args: ["invoice_id": "INV-32914"], result: ["invoice": ["id": "INV-32914", "amount_due": 0.0]]),
                             .assistant("INV-35142 is £7,804.80; INV-32914 is paid.")]), "NONE")
    }

    func testAStatusReplacedAndAQuoteReplacedBeforeAWrite() {
        // A status description longer than a word or two, repeated after a refresh changed it.
        let claim = { (state: String) -> Value in ["claim_number": "CSC-912181", "status_description": .string(state), "handler": "Priya Hughes"] }
        func recheck(_ answer: String) -> String {
            head([.user("What's happening with claim CSC-912181?"), call("lookup_claim", args: ["claim_number": "CSC-912181"], result: claim("with a loss adjuster")),
                  .assistant("It's with a loss adjuster."), .user("I got an email saying it was updated, what does it say now?"),
                  call("lookup_claim", args: ["claim_number": "CSC-912181"], result: claim("with a contractor, who has been instructed to carry out repairs")),
                  .assistant(answer)])
        }
        XCTAssertEqual(recheck("Nothing new, I'm afraid: your claim is currently with a loss adjuster."), "Answer from outdated information")
        XCTAssertEqual(recheck("It's moved on: it's with a contractor, who has been instructed to carry out repairs."), "NONE")
        // A re-quote, the write, and an answer after the write with the first quote's amount (in minor units).
        func cancel(pick second: Bool, answer: String) -> String {
            let chosen = second ? 6575 : 1129
            return head([.user("Cancel NV18300138 from tomorrow."),
                         call("cancellation_quote", args: ["policy_number": "NV18300138", "effective_date": "2025-07-17"], result: ["refund_due_minor": 1129, "fee_minor": 3500]),
                         .assistant("You'd get £11.29 back after a £35 fee."), .user("Make it 2 August instead?"),
                         call("cancellation_quote", args: ["policy_number": "NV18300138", "effective_date": "2025-08-02"], result: ["refund_due_minor": 6575, "fee_minor": 3500]),
                         .assistant("Then you'd get £65.75 back. Shall I go ahead?"), .user(second ? "Yes please" : "No, the first date after all."),
                         call("cancel_policy", args: ["policy_number": "NV18300138"], result: ["status": "cancelled", "refund_amount_minor": .int(Int64(chosen))]),
                         .assistant(answer)])
        }
        XCTAssertEqual(cancel(pick: true, answer: "Cancelled. A refund of £11.29 will go back to your card."), "Answer from outdated information")
        XCTAssertEqual(cancel(pick: true, answer: "Cancelled. A refund of £65.75 will go back to your card."), "NONE")
        // The user chose the first quote: the write's result gives its amount again.
        XCTAssertEqual(cancel(pick: false, answer: "Cancelled. A refund of £11.29 will go back to your card."), "NONE")
        // The answer right after a write gives the amount an earlier result of another tool gave the field.
        func renew(_ answer: String) -> String {
            head([.user("What's my renewal price? NVH1741939"),
                  call("renewal_quote", args: ["policy_number": "NVH1741939"], result: ["renewal_premium_minor": 59791, "current_premium_minor": 49331]),
                  .assistant("Your renewal comes to £597.91 against £493.31 this year."), .user("What if I raise the excess to £400?"),
                  call("price_change", args: ["policy_number": "NVH1741939", "changes": ["excess": 400]], result: ["renewal_premium_minor": 54886, "quote_id": "Q-70683151"]),
                  .assistant("Then it would be £548.86."), .user("Fine, do it."),
                  call("update_renewal", args: ["policy_number": "NVH1741939", "quote_id": "Q-70683151"], result: ["status": "renewal_updated", "renewal_premium_minor": 54886]),
                  .assistant(answer)])
        }
        XCTAssertEqual(renew("Done! Your new premium is £597.91."), "Answer from outdated information")
        XCTAssertEqual(renew("Done! Your new premium is £548.86."), "NONE")
        XCTAssertEqual(renew("Done! Your premium is now £548.86, down from £597.91."), "NONE")
        // Two quotes shown together are options: the user choosing the first is no outdated answer.
        XCTAssertEqual(head([.user("Send 200 EUR to my sister in PLN, what rate?"),
                             call("get_fx_quote", args: ["amount": 200.0, "speed": "standard"], result: ["to": ["amount": 835.25], "fee": 4.99]),
                             call("get_fx_quote", args: ["amount": 200.0, "speed": "express"], result: ["to": ["amount": 803.12], "fee": 12.49]),
                             .assistant("Standard (fee €4.99) gets 835.25 PLN there; express (fee €12.49) gets 803.12 PLN today."), .user("standard is fine"),
                             call("execute_fx_transfer", args: ["quote_id": "qt_3uvbwupt"], result: ["status": "submitted"]),
                             .assistant("Done - €200.00 is on its way as 835.25 PLN.")]), "NONE")
        // A time of day is no figure to work a count out from, and an age before a verb counts nothing.
        XCTAssertEqual(head([.user("Book the engineer for BB9542877"), call("book_appointment", args: ["service_id": "BB9542877"], result: ["window": "08:00-13:00", "status": "booked"]),
                             .assistant("Booked between 08:00 and 13:00. Someone over 18 needs to be home.")]), "NONE")
        XCTAssertEqual(IssueFinder.numbersIn("on 17/06/2025 at 12:40, £30.88").map(\.value), [30.88])
    }

    func testDocumentsThatReplaceOthersAndWhatIsARetrieval() {
        let old: Value = ["article": ["id": "KB-1904", "title": "Attachment limits", "body": "Mail attachments can be up to 25 MB each."]]
        let new: Value = ["article": ["id": "KB-3412", "title": "Attachment limits (updated)", "body": "Mail attachments can be up to 50 MB each. This article supersedes KB-1904."]]
        func answer(_ s: String) -> String {
            head([.user("How big can attachments be?"), call("get_kb_article", args: ["article_id": "KB-1904"], result: old),
                  call("get_kb_article", args: ["article_id": "KB-3412"], result: new), .assistant(s)])
        }
        XCTAssertEqual(answer("Attachments can be up to 25 MB each."), "Answer from outdated information")
        XCTAssertEqual(answer("Attachments can be up to 50 MB each."), "NONE")
        XCTAssertEqual(answer("The limit was raised from 25 MB to 50 MB per attachment."), "NONE")
        // "rag" inside a word names no retrieval.
        XCTAssertFalse(TraceThread.isRetrievalName("get_storage_usage"))
        XCTAssertFalse(TraceThread.isRetrievalName("average_price"))
        XCTAssertTrue(TraceThread.isRetrievalName("search_kb"))
        XCTAssertTrue(TraceThread.isRetrievalName("kb_lookup"))
        XCTAssertTrue(TraceThread.isRetrievalName("rag_query"))
    }

    func testToneOfPastedLogsAndWhoIsAskedFor() {
        let log = "Our SSO is broken since this morning. Here's the log:\n```\n2025-06-14T09:14:52Z ERROR [auth-gateway] SAML RESPONSE REJECTED FOR USER\n" +
            "com.corvid.auth.SamlValidationException: SIGNATURE INVALID\n```\nCan you check?"
        XCTAssertEqual(BuiltinFacetModel.tone(log), .neutral)
        XCTAssertEqual(BuiltinFacetModel.tone("THIS IS RIDICULOUS, NOTHING WORKS AT ALL"), .frustrated)
        XCTAssertFalse(BuiltinFacetModel.asksForPerson("hi! could I get Slack? my manager said it's fine"))
        XCTAssertFalse(BuiltinFacetModel.asksForPerson("are you a real person or a bot?"))
        XCTAssertTrue(BuiltinFacetModel.asksForPerson("Is there anyone else I can talk to, perhaps a supervisor?"))
        XCTAssertTrue(BuiltinFacetModel.asksForPerson("I want a human now."))
        XCTAssertFalse(BuiltinFacetModel.asksForPerson("can you assign a licence to our new operations manager?"))
        // A user who drops a refused request calmly, with a way on, is not left frustrated; one who walks away is.
        let refused: [ThreadEvent] = [.user("Please reset Anna's password"), .assistant("I can't reset it until the identity check passes.")]
        XCTAssertEqual(head(refused + [.user("ok never mind, I'll ask our IT admin to do it")]), "NONE")
        XCTAssertEqual(head(refused + [.user("forget it, I'll take my business elsewhere")]), "User left frustrated")
        XCTAssertEqual(head([.user("my manager approved remote work for me, how do I get VPN access?"), .assistant("Install the VPN profile from the portal."),
                             .user("ok"), .user("works 👍")]), "NONE")
    }

    func testLimitsWindowsAndWhatIsLeft() {
        let policy = ["Current date: 2025-06-18.\nRefunds and credits: only for invoices issued within the last 30 days. Credits or refunds above 500.00 need a supervisor: escalate instead.\n" +
                      "Facts you may share: support hours are 07:00-19:00; refunds reach the original payment method in 5-10 business days; trials last 14 days."]
        func refund(_ issued: String, due: String, amount: Double) -> String {
            let invoice: Value = ["invoice": ["id": "INV-25001", "issue_date": .string(issued), "due_date": .string(due), "total": 2040.0]]
            return head([.user("Please refund INV-25001"), call("get_invoice", args: ["invoice_id": "INV-25001"], result: invoice), .assistant("Shall I refund it?"), .user("yes"),
                         call("issue_refund", args: ["invoice_id": "INV-25001", "amount": .double(amount)], result: ["refund_id": "RFD-58024", "amount": .double(amount)]),
                         .assistant("Refunded.")], system: policy)
        }
        XCTAssertEqual(refund("2025-06-01", due: "2025-06-15", amount: 204.0), "NONE", "issued 17 days ago, within the window; processing times are no window")
        XCTAssertEqual(refund("2025-04-20", due: "2025-05-20", amount: 204.0), "Action against stated policy", "issued 59 days ago, due 29 days ago")
        XCTAssertEqual(refund("2025-06-01", due: "2025-06-15", amount: 1404.0), "Action against stated policy", "above the amount the policy caps")
        let licences: Value = ["products": [["sku": "CDP-01", "purchased": 8, "assigned": 8, "available": 0], ["sku": "CAN-02", "purchased": 9, "assigned": 7, "available": 2]]]
        func assign(_ sku: String) -> String {
            head([.user("Give Sarah a licence"), call("list_licenses", args: ["account_id": "acc_kmjm5t"], result: licences),
                  call("assign_license", args: ["user_id": "usr_q5ben", "sku": .string(sku)], result: ["status": "assigned"]), .assistant("Done.")])
        }
        XCTAssertEqual(assign("CDP-01"), "Action against stated policy")
        XCTAssertEqual(assign("CAN-02"), "NONE")
        // A permission naming an action of its own holds for that action only.
        let sub: Value = ["subscription": ["id": "SUB-88120", "term": "annual", "early_downgrade_allowed": false, "seats": 250]]
        XCTAssertEqual(head([.user("Add 12 seats"), call("get_subscription", args: ["account_id": "acc_ye4ikv"], result: sub),
                             call("update_seat_count", args: ["account_id": "acc_ye4ikv", "seats": 262]), .assistant("Done.")]), "NONE")
        XCTAssertEqual(head([.user("Downgrade us to Starter"), call("get_subscription", args: ["account_id": "acc_ye4ikv"], result: sub),
                             call("update_plan", args: ["account_id": "acc_ye4ikv", "plan": "starter", "change": "downgrade"]), .assistant("Done.")]),
                       "Action against stated policy")
        // An id its key names is an id without a digit: the locked user is not the account.
        XCTAssertEqual(head([.user("Add 200 GB"), call("lookup_user", args: ["email": "a@b.c"], result: ["user": ["user_id": "usr_pbjqq", "account_id": "acc_sbqvwq", "locked": true]]),
                             call("update_storage_quota", args: ["account_id": "acc_sbqvwq", "add_on_gb": 200]), .assistant("Done.")]), "NONE")
        // A state of one object bars changing that object until a later result lifts it.
        let held: Value = ["user": ["id": "usr_yb6v0", "legal_hold": true]]
        XCTAssertEqual(head([.user("Delete usr_yb6v0"), call("lookup_user", args: ["email": "j@c.studio"], result: held),
                             call("delete_account", args: ["user_id": "usr_yb6v0"]), .assistant("Deleted.")]), "Action against stated policy")
        XCTAssertEqual(head([.user("Delete usr_zz6v1"), call("lookup_user", args: ["email": "j@c.studio"], result: held),
                             call("delete_account", args: ["user_id": "usr_zz6v1"]), .assistant("Deleted.")]), "NONE")
        let check = { (ok: Bool) -> Value in ["device_id": "DEV-YGZE0", "compliant": .bool(ok)] }
        let grant = call("grant_vpn_access", args: ["user_id": "usr_vbb8z", "device_id": "DEV-YGZE0"])
        XCTAssertEqual(head([.user("VPN please"), call("get_device_compliance", args: ["device_id": "DEV-YGZE0"], result: check(false)), grant, .assistant("Done.")]),
                       "Action against stated policy")
        XCTAssertEqual(head([.user("VPN please"), call("get_device_compliance", args: ["device_id": "DEV-YGZE0"], result: check(false)), .assistant("Please update."),
                             .user("Done, check again"), call("get_device_compliance", args: ["device_id": "DEV-YGZE0"], result: check(true)), grant, .assistant("Done.")]), "NONE")
        // A write whose own result shows a value above the maximum beside it.
        func quota(_ total: Int) -> String {
            head([.user("More storage please"), call("update_storage_quota", args: ["account_id": "acc_ila4om", "add_on_gb": .int(Int64(total - 10240))],
                                                     result: ["quota": ["total_quota_gb": .int(Int64(total)), "max_quota_gb": 51200]]), .assistant("Raised.")])
        }
        XCTAssertEqual(quota(52224), "Action against stated policy")
        XCTAssertEqual(quota(51200), "NONE")
        // A locked user is no restriction on the account's own settings.
        XCTAssertEqual(head([.user("Add 200 GB"), call("lookup_user", args: ["email": "a@b.c"], result: ["user": ["user_id": "usr_pbj71", "account_id": "acc_sb4vwq", "locked": true]]),
                             call("update_storage_quota", args: ["account_id": "acc_sb4vwq", "add_on_gb": 200]), .assistant("Done.")]), "NONE")
    }
}
