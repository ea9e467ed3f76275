import XCTest
@testable import SiftTopics

final class RedactorTests: XCTestCase {
    func testBuiltinKinds() throws {
        let r = try Redactor()
        XCTAssertEqual(r.redact("mail jane.doe42@example.com now"), "mail <EMAIL> now")
        XCTAssertEqual(r.redact("call (555) 123-4567 or +1 555.987.6543"), "call <PHONE> or <PHONE>")
        XCTAssertEqual(r.redact("card 4111 1111 1111 1111 ok"), "card <CARD> ok")
        // Fails the Luhn check: an order number, not a card.
        XCTAssertEqual(r.redact("order 4111 1111 1111 1112"), "order 4111 1111 1111 1112")
        XCTAssertEqual(r.redact("key sk-proj-abcdefghijklmnop1234 and AKIAABCDEFGHIJKLMNOP"), "key <API_KEY> and <API_KEY>")
        XCTAssertEqual(r.redact("Authorization: Bearer abcdefghijklmnopqrstu.vw"), "Authorization: Bearer <API_KEY>")
        XCTAssertEqual(r.redact("from 192.168.0.17, not 999.1.1.1"), "from <IP>, not 999.1.1.1")
        XCTAssertEqual(r.redact("ssn 123-45-6789"), "ssn <SSN>")
        XCTAssertEqual(r.redact("IBAN GB82 WEST 1234 5698 7654 32"), "IBAN <IBAN>")
    }

    func testLeavesOrdinaryTextAlone() throws {
        let r = try Redactor()
        for s in ["order A123456 ships 2026-11-20", "tracking 1Z123456789", "price $129.00, 5-7 business days", "SKU TR3-001 size 10", ""] {
            XCTAssertEqual(r.redact(s), s)
        }
    }

    func testExtraPatterns() throws {
        let r = try Redactor(extra: [("customer id", #"CUST-\d{6}"#)])
        XCTAssertEqual(r.redact("ref CUST-123456"), "ref <CUSTOMER_ID>")
        XCTAssertThrowsError(try Redactor(extra: [("bad", "(")])) { e in
            XCTAssertTrue("\(e)".contains("not a valid regular expression"))
        }
    }

    func testLuhn() {
        XCTAssertTrue(Redactor.luhn("4539 1488 0343 6467"))
        XCTAssertFalse(Redactor.luhn("4539 1488 0343 6468"))
        XCTAssertFalse(Redactor.luhn("123"))
    }
}
