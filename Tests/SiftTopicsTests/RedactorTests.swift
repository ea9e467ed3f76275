import XCTest
import SiftModel
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
        // A rejected candidate ("Street Chlo": no given name) does not hide the name that starts inside it.
        XCTAssertEqual(r.redact("Main Street Chloé Martin called"), "Main Street <NAME> called")
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

    /// The cheap pre-checks (runs of digits, IBAN and IPv6 shapes) never skip a match: seeded texts
    /// built from PII in many formats, separators and words give the same result with and without them.
    func testPrechecksNeverSkipAMatch() throws {
        let fast = try Redactor()
        var full = fast
        full.prechecks = false
        var rng = SeededRandom(seed: 7)
        let pieces = ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "+1 (555) 123-4567", "+44 20 7946 0958", "(555) 123-4567",
                      "call me on 5551234567", "020 7946 0958", "123-45-6789", "ssn: 123 45 6789", "QQ 12 34 56 C", "AB123456C", "192.168.0.17",
                      "fe80::1ff:fe23:4567:890a", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "GB82 WEST 1234 5698 7654 32", "de89370400440532013000",
                      "12 Baker Street", "Hauptstraße 5", "7 rue de la Paix", "Jane Doe", "my name is Priya Sharma", "sk-proj-abcdefghijklmnop1234",
                      "jane@example.com", "order 88421", "$1,249.50", "2026-11-05", "12:30", "ab12", "::", "1.2.3", "(", ")", "-", "+", ".", "/",
                      " ", " ", "\n", "flight", "UA123", "€40", "1", "22", "333", "4444", "x", "Dear", "Mr.", "Hi,", "hi", "Regards,",
                      "Customer:", "Maria", "Smith", "O'Brien", "DOE", "—", "«", "this is", "I'm", "Thanks", "10.0.0.1", "GB82", "WEST", "1234",
                      "(Jane Doe)", "Jürgen Müller", "Chloé Martin", "Jane\u{a0}Doe", "Priya", "Sharma", "St.", "Ave,", "Apt 4B", "Baker", "Street",
                      "rue", "de la", "Paix", "Lindenweg", "Stanford", "12", "221B", "Rd", "Hi\u{a0}", "Dear\u{2003}", "\u{a0}", "\u{0B}", "Mr\u{a0}",
                      "history", "Drive", "profile", "customer_id", "best", "AB 12 34 56 C", "JG 10 33 44 D",
                      // Paragraphs (redacted one by one) and compact JSON (windows end at quotes).
                      "\n\n", "\n\n\n", "Best regards,\n\n", "\"", "\":\"", "{\"email\":\"", "\"password\": \"", "\",\"phone\":\"",
                      "hunter2hunter2", "{\"api_key\":\"", "name:\n\n", "is\n\n"]
        for _ in 0..<3000 {
            let text = (0..<rng.int(1...14)).map { _ in rng.pick(pieces) }.joined(separator: rng.chance(0.5) ? " " : "")
            XCTAssertEqual(fast.redact(text), full.redact(text), text)
        }
        // In long text, where only the windows are searched (short texts are often searched whole).
        let filler = String(repeating: "the agent looked up the booking and replied to the customer; ", count: 12)
        for _ in 0..<1500 {
            let text = filler + (0..<rng.int(1...6)).map { _ in rng.pick(pieces) }.joined(separator: " ") + " " + filler
            XCTAssertEqual(fast.redact(text), full.redact(text), text)
        }
        // And on third-party agent traffic: every turn and tool result of the tau-bench runs.
        let tau = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/tau-bench/gpt-4o-airline.json").standardized
        guard let data = try? Data(contentsOf: tau), let runs = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            print("tau-bench runs not found at \(tau.path): the real-traffic half of this check is skipped")
            return
        }
        for run in runs.prefix(60) {
            for m in run["traj"] as? [[String: Any]] ?? [] {
                guard let text = m["content"] as? String else { continue }
                XCTAssertEqual(fast.redact(text), full.redact(text))
            }
        }
    }

    func testLuhn() {
        XCTAssertTrue(Redactor.luhn("4539 1488 0343 6467"))
        XCTAssertFalse(Redactor.luhn("4539 1488 0343 6468"))
        XCTAssertFalse(Redactor.luhn("123"))
    }
}
