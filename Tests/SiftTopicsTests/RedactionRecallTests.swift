import XCTest
@testable import SiftTopics

/// Redaction recall per kind and format on a labelled set of our own (each value in a sentence), and
/// ordinary support-chat text that must come through untouched. The figures are printed as the table
/// BENCHMARKS.md records.
final class RedactionRecallTests: XCTestCase {
    /// kind -> (format, values). Every value must be gone from its sentence after redaction.
    static let labelled: [(kind: String, format: String, values: [String])] = [
        ("EMAIL", "plain", ["jane.doe@example.com", "a.b-c+tag@mail.co.uk", "USER_42@Example.ORG", "x@y.io", "first.last@sub.domain.example"]),
        ("CARD", "grouped", ["4111 1111 1111 1111", "5500-0000-0000-0004", "3400 000000 00009", "6011 0009 9013 9424"]),
        ("CARD", "plain", ["4012888888881881", "5105105105105100", "378282246310005", "4222222222222"]),
        ("IP", "v4", ["192.168.0.17", "10.0.0.1", "172.16.254.3", "8.8.8.8", "255.255.255.0"]),
        ("IP", "v6 full", ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80:0000:0000:0000:0202:b3ff:fe1e:8329"]),
        ("IP", "v6 compressed", ["2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a", "2001:db8:85a3::8a2e:370:7334", "::ffff:192.0.2.128"]),
        ("API_KEY", "OpenAI / Anthropic", ["sk-proj-abcdefghijklmnop1234", "sk-ant-api03-abcdefghij1234567890", "sk-abcdefghijklmnopqrstuvwx"]),
        ("API_KEY", "Stripe", ["sk_live_51HabcDEFghiJKLmno", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "rk_live_abcdefghijklmnop12", "whsec_abcdefghijklmnopqrstu"]),
        ("API_KEY", "GitHub / GitLab", ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_11ABCDEFG0abcdefghijklmn", "glpat-abcdefghij1234567890"]),
        ("API_KEY", "cloud / chat", ["AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", "AIzaSyA1234567890abcdefghijklmnopqrstu", "xoxb-123456789012-abcdefghij", "SG.abcdefghijklmnopqr.abcdefghijklmnopqrst", "hf_abcdefghijklmnopqrstuvwxyz", "npm_abcdefghijklmnopqrstuvwxyz0123456789"]),
        ("API_KEY", "bearer / JWT", ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"]),
        ("API_KEY", "after a cue", ["Tr0ub4dor&3x", "s3cr3tP4ssw0rd", "a1b2c3d4e5f6g7h8"]),
        ("IBAN", "upper", ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300"]),
        ("IBAN", "lower / mixed", ["gb82 west 1234 5698 7654 32", "de89370400440532013000", "Nl91Abna0417164300"]),
        ("PHONE", "US formatted", ["(555) 123-4567", "555-123-4567", "555.123.4567", "+1 555 123 4567", "1-800-555-0199"]),
        ("PHONE", "US digits after a cue", ["5551234567", "18005550199"]),
        ("PHONE", "international", ["+44 20 7946 0958", "+49 30 1234567", "+81 3-1234-5678", "+33 1 23 45 67 89", "+91 98765 43210", "+61 2 9876 5432"]),
        ("PHONE", "national (trunk 0)", ["020 7946 0958", "030 1234 5678", "0161 496 0000"]),
        ("SSN", "US", ["123-45-6789", "123 45 6789", "123456789"]),
        ("NATIONAL_ID", "UK NINO", ["JG 10 37 65 A", "AB123456D", "ce 12 34 56 b"]),
        ("NAME", "after a cue", ["Jane Doe", "Zelda Fitzgerald", "Okonkwo", "Nguyen Van An", "Smith"]),
        ("NAME", "given name + surname", ["Priya Sharma", "Carlos Mendoza", "Emily Clarke", "Mohammed Al-Farsi", "Lukas Becker", "Hiroshi Tanaka", "Olga Petrova", "Kwame Mensah"]),
        ("ADDRESS", "street", ["221B Baker Street", "1600 Pennsylvania Avenue", "742 Evergreen Terrace", "350 Fifth Ave", "12 Oak Lane, Apt 4B", "4 Privet Drive"]),
        ("ADDRESS", "European", ["Hauptstraße 5", "Lindenweg 12a", "10 rue de la Paix", "25 avenue des Champs"]),
    ]

    /// Sentences that carry a value of the kind; `{}` is where it goes.
    static func sentences(_ kind: String, _ format: String) -> [String] {
        switch (kind, format) {
        case ("API_KEY", "after a cue"): return ["my password: {} please reset", "api_key={} in the config", "Set API key: {} and retry"]
        case ("API_KEY", "bearer / JWT"): return ["Authorization: Bearer {}", "the token {} expired"]
        case ("PHONE", "US digits after a cue"): return ["call me at {} tomorrow", "my phone number is {}", "mobile: {}"]
        case ("SSN", _): return ["my SSN is {} thanks", "social security number: {}", "SSN {}"]
        case ("NAME", "after a cue"): return ["Hi, my name is {} and my order is late", "Dear {}, your refund is on its way", "Thanks, {}", "This is {} from accounts", "Mr. {} called again"]
        case ("NAME", _): return ["{} asked about a refund", "Please ship it to {} at the office", "the account belongs to {}"]
        case ("ADDRESS", _): return ["ship to {} please", "I moved to {}, update it", "the address on file is {}"]
        default: return ["my {} is below", "here it is: {}.", "({}) was used", "use {} from now on"]
        }
    }

    func testRecallPerKindAndFormat() throws {
        let r = try Redactor()
        var perKind: [String: (found: Int, total: Int)] = [:]
        var misses: [String] = []
        print("| kind | format | found | recall |")
        print("| --- | --- | ---: | ---: |")
        for (kind, format, values) in Self.labelled {
            var found = 0, total = 0
            for v in values {
                for s in Self.sentences(kind, format) {
                    let text = s.replacingOccurrences(of: "{}", with: v)
                    let out = r.redact(text)
                    total += 1
                    // Found: the value is gone, and a placeholder of some kind stands in.
                    if !out.contains(v) && out.contains("<") { found += 1 } else { misses.append("\(kind)/\(format): \(text) -> \(out)") }
                }
            }
            perKind[kind, default: (0, 0)].found += found
            perKind[kind, default: (0, 0)].total += total
            print("| \(kind) | \(format) | \(found)/\(total) | \(String(format: "%.2f", Double(found) / Double(total))) |")
        }
        for m in misses { print("missed: \(m)") }
        for (kind, c) in perKind.sorted(by: { $0.key < $1.key }) {
            let recall = Double(c.found) / Double(c.total)
            print("\(kind): recall \(String(format: "%.3f", recall)) (\(c.found)/\(c.total))")
            XCTAssertGreaterThanOrEqual(recall, ["NAME", "ADDRESS"].contains(kind) ? 0.9 : 0.99, kind)
        }
    }

    /// Support-chat text with no personal data: identifiers, dates, times, prices, versions, products
    /// and sentences that open with capitalised words. Nothing may be redacted.
    func testOrdinaryTextStaysWhole() throws {
        let r = try Redactor()
        let ordinary = [
            "order A123456 ships 2026-11-20", "tracking 1Z999AA10123456784", "price $129.00, 5-7 business days", "SKU TR3-001 size 10",
            "The meeting is at 12:30 or 14:45:10", "ratio 3:1, version v1.2.3, build 2024.11.05", "Price check on the Rain pants please",
            "Can I still buy the Trekking sandals", "Is shipping free over a certain amount", "Thanks, that fixed it", "Dear team, the app crashed",
            "Hi, I need help with order 4821", "My name is on the account", "This is taking too long", "Regards from the support bot",
            "Room 101 on floor 3", "The code is ABC-1234-XYZ", "The error was E_TIMEOUT after 30000 ms", "refund of 49.99 EUR issued on 2026-03-01",
            "call the store tomorrow", "reservation ZFA04Y for 2 passengers", "flight HAT170 departs 08:00", "user_id 5b7c9e", "step 2 of 10",
            "Premium Support Team", "I am Happy with it", "Best, Support", "password reset link sent",
        ]
        for s in ordinary { XCTAssertEqual(r.redact(s), s) }
    }

    /// Third-party text with (almost) no personal data: banking77's 3,080 customer queries. Prints what
    /// is redacted; at most 1% of queries may lose anything.
    func testBanking77QueriesMostlyUntouched() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/banking77/test.csv").standardized.path
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("banking77 not found at \(file)") }
        let texts = try LabelledTexts.read(path: file, textColumn: "text", labelColumn: nil).texts
        let r = try Redactor()
        let started = Date()
        var changed: [String] = []
        for t in texts { let out = r.redact(t); if out != t { changed.append(out) } }
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "banking77: %d of %d queries redacted, %.0f texts/s", changed.count, texts.count, Double(texts.count) / max(seconds, 1e-9)))
        for c in changed { print("redacted: \(c)") }
        XCTAssertLessThanOrEqual(Double(changed.count) / Double(texts.count), 0.01)
    }
}
