// Facts and the byte-level text helpers of the Issues detectors: the fact pattern (ICU and the
// hand-compiled scanner), the search windows, the evidence pools, and the primitives they rest on,
// each held to a plain definition on seeded texts and on the tau-bench turns.

import XCTest
import SiftModel
@testable import SiftTopics

final class FactsTests: XCTestCase {
    /// Number and day keys are written as "%.2f" and "%02d-%02d" would write them.
    func testFactKeysMatchFormatStrings() {
        var rng = SeededRandom(seed: 3)
        for _ in 0..<5000 {
            let v: Double
            switch rng.int(0...2) {
            case 0: v = Double(rng.int(-100_000...10_000_000))
            case 1: v = Double(rng.int(-100_000...10_000_000)) / 100
            default: v = rng.double(-1e6...1e9)
            }
            XCTAssertEqual(Facts.numberKey(v), String(format: "%.2f", v), "\(v)")
        }
        for m in 1...12 { for d in 1...31 { XCTAssertEqual(Facts.dayKey(m, d), String(format: "%02d-%02d", m, d)) } }
    }

    /// A date needs a month's name: words that only start like one ("mardi 25", "martes 2", "13
    /// marketing emails", "6 decisions") are not months; month names in other languages are.
    func testDatesNeedAMonthsName() {
        func dates(_ s: String) -> [String] { Facts.extract(s).filter { $0.kind == .date }.map(\.key) }
        XCTAssertEqual(dates("le mardi 25 novembre à 10h00"), ["11-25"])
        XCTAssertEqual(dates("el martes 2 de diciembre, we sent 13 marketing emails and made 6 decisions"), [])
        XCTAssertEqual(dates("on March 3, the 3rd of sept., 5 marzo, Dec. 24 and 12 mayo"), ["03-03", "09-03", "03-05", "12-24", "05-12"])
    }

    /// Facts read only around the words with digits are the facts of a search of the whole text.
    func testFactWindowsFindEveryFact() throws {
        var rng = SeededRandom(seed: 11)
        let pieces = ["$", "$ ", "€", "1,249.50", "42", "5", "12", "2026-11-05", "05/11/2026", "September", "Sept.", "5th", "of", "March", "3rd",
                      "dollars", "usd", "percent", "%", "GB", "kg", "inches", "days", "hours", "-", "–", "within", "up to", "order", "A12-7",
                      "refund", "the", "and", ".", ",", "\n", "  ", "\t", "é", "日本", "ID#88421", "3-5", "24/7", "10am",
                      "USD", "Euros", "PERCENT", "Bucks", "pounds", "GBP", "eur"]
        func same(_ text: String) {
            let a = Facts.extractOnce(text), b = Facts.extractOnce(text, whole: true)
            XCTAssertEqual(a.map(\.text), b.map(\.text), text)
            XCTAssertEqual(a.map(\.key), b.map(\.key), text)
            // Text the amount-and-percentage precheck passes over holds neither.
            if b.contains(where: { $0.kind == .money || $0.kind == .percent }) { XCTAssertTrue(Facts.mayHoldMoneyOrPercent(text), text) }
        }
        for _ in 0..<4000 {
            same((0..<rng.int(1...16)).map { _ in rng.pick(pieces) }.joined(separator: rng.pick([" ", " ", "", "\n", "  "])))
        }
        let tau = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/tau-bench/gpt-4o-airline.json").standardized
        guard let data = try? Data(contentsOf: tau), let runs = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            print("tau-bench runs not found at \(tau.path): the real-traffic half of this check is skipped")
            return
        }
        for run in runs.prefix(60) {
            for m in run["traj"] as? [[String: Any]] ?? [] { if let text = m["content"] as? String { same(text) } }
        }
    }

    /// The hand-compiled scanner finds what the ICU expression finds in ASCII text: the same facts
    /// with the same text and keys, on seeded texts built to reach every alternative's edges (greedy
    /// runs, boundaries, ordinals, "of", units glued to numbers) and on every tau-bench turn.
    func testFactScannerAgreesWithTheExpression() throws {
        var rng = SeededRandom(seed: 23)
        let pieces = ["$", "$ ", "5", "12", "123", "0", "1,249.50", "5,", "5.", ".5", "2026-11-05", "2026-11-050", "12024-05-15", "2026-1-05",
                      "05/11/2026", "5/1/24", "5/1/20245", "1/2/3", "12/31/99", "September", "Sept.", "sept", "May", "mayday", "Mar", "march",
                      "DEC", "5th", "5the", "1st", "22nd", "3RD", "of", "Of", "%", "percent", "Percent", "percentage", "usd", "USD", "Dollars",
                      "euros", "eur", "GBP", "bucks", "kg", "KG", "lbs", "lb", "inch", "inches", "w", "watts", "mph", "mp", "mah", "kwh",
                      "days", "day", "Hours", "years", "weeks", "month", "_", "-", ".", ",", "/", "\n", "\t", "\u{0C}", "\u{0B}", "\r", "\u{1C}", "\u{1F}", "\u{7F}", "\u{0}",
                      " ", "  ", "x", "A12-7", "3-5", "10am", "5kg2", "within", "up to", "take", "order", "(", ")", ":", "\"", "'", "#"]
        func same(_ text: String) {
            let a = Facts.extractOnce(text), b = Facts.extractOnce(text, whole: true, icu: true)
            XCTAssertEqual(a.map(\.text), b.map(\.text), text)
            XCTAssertEqual(a.map(\.key), b.map(\.key), text)
            XCTAssertEqual(a.map(\.kind), b.map(\.kind), text)
        }
        for _ in 0..<20000 {
            same((0..<rng.int(1...12)).map { _ in rng.pick(pieces) }.joined(separator: rng.pick(["", " ", " ", "", "\n", "  ", "-", "/"])))
        }
        XCTAssertNotNil(FactScanner.scan("May 5th, $12 and 3 days"))
        XCTAssertNil(FactScanner.scan("le 5 mai, 12 €"), "text outside ASCII is left to ICU")
        let tau = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/tau-bench/gpt-4o-airline.json").standardized
        guard let data = try? Data(contentsOf: tau), let runs = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            print("tau-bench runs not found at \(tau.path): the real-traffic half of this check is skipped")
            return
        }
        for run in runs {
            for m in run["traj"] as? [[String: Any]] ?? [] { if let text = m["content"] as? String { same(text) } }
        }
    }

    /// The byte-level text primitives against plain definitions, on seeded texts.
    func testByteTextPrimitives() {
        var rng = SeededRandom(seed: 5)
        let alphabet: [UInt8] = Array("aAbB zZ09-_!é".utf8)
        func naiveContains(_ h: [UInt8], _ n: [UInt8]) -> Bool {
            n.isEmpty || (n.count <= h.count && (0...(h.count - n.count)).contains { Array(h[$0..<($0 + n.count)]) == n })
        }
        func naiveCue(_ s: [UInt8], _ cue: [UInt8]) -> Bool {
            guard !cue.isEmpty, cue.count <= s.count else { return false }
            return (0...(s.count - cue.count)).contains { i in
                guard Array(s[i..<(i + cue.count)]) == cue else { return false }
                let left = i == 0 || !ByteText.isWordByte(s[i - 1]) || !ByteText.isLetter(cue[0])
                let e = i + cue.count
                return left && (cue.count > 4 || e == s.count || !ByteText.isWordByte(s[e]) || !ByteText.isLetter(cue[cue.count - 1]))
            }
        }
        for _ in 0..<3000 {
            let h = (0..<rng.int(0...30)).map { _ in rng.pick(alphabet) }
            let n = (0..<rng.int(0...4)).map { _ in rng.pick(alphabet) }
            XCTAssertEqual(ByteText.contains(h, n), naiveContains(h, n), "\(h) \(n)")
            XCTAssertEqual(ByteText.hasCue(h, n), naiveCue(h, n), "\(h) \(n)")
            let text = String(decoding: h, as: UTF8.self)
            XCTAssertEqual(ByteText.lower(text), Array(text.utf8).map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 })
            XCTAssertEqual(ByteText.alnum(text), Array(text.utf8).compactMap { b in
                b >= 0x41 && b <= 0x5a ? b | 0x20 : (ByteText.isDigit(b) || (b >= 0x61 && b <= 0x7a) || b >= 0x80 ? b : nil)
            })
        }
    }

    /// A pool grown text by text (as the identifier checks grow it before each write call) equals one
    /// made of all the texts at once.
    func testEvidencePoolGrownEqualsOneMadeAtOnce() {
        var rng = SeededRandom(seed: 31)
        let pieces = ["$49.99", "15%", "order A123456", "May 20", "2026-05-21", "3 days", "1,249.50", "7334", "42", "12", "refund", "the", "\n",
                      "card ending 7334", "Jun 3rd", "flight UA1234", "90", "2", "0.5", "400", "{\"price\": 129.5}", "1000000"]
        let created = Timestamp(seconds: 1_780_000_000)
        for _ in 0..<300 {
            let texts = (0..<rng.int(1...12)).map { _ in (0..<rng.int(1...30)).map { _ in rng.pick(pieces) }.joined(separator: " ") }
            let once = EvidencePool(texts: texts, created: created)
            var grown: EvidencePool?
            var rest = texts[...]
            while !rest.isEmpty {
                let k = rng.int(0...rest.count)
                if let grown { grown.add(Array(rest.prefix(k))) } else { grown = EvidencePool(texts: Array(rest.prefix(k)), created: created) }
                rest = rest.dropFirst(k)
            }
            let g = grown ?? EvidencePool(texts: [], created: created)
            XCTAssertEqual(g.numbers, once.numbers)
            XCTAssertEqual(g.numberKeys, once.numberKeys)
            XCTAssertEqual(g.digitRuns, once.digitRuns)
            XCTAssertEqual(g.offsetDates, once.offsetDates)
            XCTAssertEqual(g.text, once.text)
            for f in Facts.extract((0..<8).map { _ in rng.pick(pieces) }.joined(separator: " ") + " on May 21, Jun 3") {
                XCTAssertEqual(g.supports(f), once.supports(f), f.text)
            }
        }
    }

    func testFactsAndEvidence() {
        let facts = Facts.extract("Your refund of $1,249.50 (15% off) ships May 20th; order A123456, 256 GB, a 2-year warranty, 3-5 days.")
        XCTAssertEqual(facts.filter { $0.kind == .money }.map(\.key), ["1249.50"])
        XCTAssertEqual(facts.filter { $0.kind == .percent }.map(\.key), ["15.00"])
        XCTAssertEqual(facts.filter { $0.kind == .date }.map(\.key), ["05-20"])
        XCTAssertEqual(facts.filter { $0.kind == .identifier }.map(\.key), ["a123456"])
        XCTAssertEqual(facts.filter { $0.kind == .quantity }.map(\.key), ["256.00"])
        XCTAssertEqual(facts.filter { $0.kind == .duration }.map(\.key), ["2.00"], "ranges are estimates, not claims")
        let pool = EvidencePool(texts: [#"{"price": 129.5, "discount_pct": 20, "eta": "2026-05-20T10:00:00Z"}"#], created: Timestamp(seconds: 0))
        for (v, ok) in [(129.5, true), (259.0, true), (103.6, true), (25.9, true), (99.0, false)] {
            XCTAssertEqual(pool.supports(Fact(kind: .money, key: Facts.numberKey(v), number: v, text: "")), ok, "\(v)")
        }
        XCTAssertTrue(pool.supports(Facts.extract("on May 20")[0]))
        XCTAssertFalse(pool.supports(Facts.extract("on May 21")[0]))
        // A quantity or duration in another unit or scale, rounded as written, is the same fact.
        let usage = EvidencePool(texts: [#"{"data_used_mb": 793, "allowance_mb": 10240, "expires_in_s": 7200, "hotspot_mb": 46592, "kg": 2.04}"#],
                                 created: Timestamp(seconds: 0))
        for (text, ok) in [("0.8 GB", true), ("10 GB", true), ("45.5 GB", true), ("2 hours", true), ("2 kg", true), ("0.9 GB", false), ("12 GB", false),
                           ("0.78 GB", false), ("3 hours", false), ("8 kg", false), ("10 days", false)] {
            let f = Facts.extract("You've used " + text + " so far.").first { $0.kind == .quantity || $0.kind == .duration }
            XCTAssertNotNil(f, text)
            if let f { XCTAssertEqual(usage.supports(f), ok, text) }
        }
        // Compound adjectives and pieces of times of day are not identifiers.
        XCTAssertEqual(Facts.identifiers("a 6-digit code, a 30-day window, Tue Jan 27, 8:00 AM-12:00 PM or 10am-2pm"), [])
        XCTAssertEqual(Facts.identifiers("order KT-4655519 and 100-ABC1"), ["KT-4655519", "100-ABC1"])
        XCTAssertEqual(Facts.identifiers("the periods 2026-03 and 2026-04, code 2026-13, ref 0000-01"), ["2026-13", "0000-01"], "a year and month is a period")
        XCTAssertTrue(IssueFinder.isNearMiss("a123465", "a123456"))
        XCTAssertFalse(IssueFinder.isNearMiss("a123456", "b987654"))
        // The same number written with and without leading zeros is the same identifier, not a typo.
        XCTAssertFalse(IssueFinder.isNearMiss("caramelsauce15", "caramelsauce015"))
        XCTAssertFalse(IssueFinder.isNearMiss("order0042", "order42"))
        XCTAssertTrue(IssueFinder.isNearMiss("order0042", "order0043"))
        XCTAssertTrue(IssueFinder.isNearMiss("sku1005", "sku105"), "a dropped digit inside a number is still a typo")
        XCTAssertEqual(IssueFinder.withoutLeadingZeros("a007b000c10"), "a7b0c10")
        XCTAssertTrue(IssueFinder.isWrite("issue_refund"))
        XCTAssertTrue(IssueFinder.isWrite("cancelOrder"))
        XCTAssertFalse(IssueFinder.isWrite("get_refund_status"))
    }

    func testAConditionIsNoHedge() {
        // A figure stated under a condition is still stated; a hedge ("might", "approximately") is not.
        XCTAssertTrue(Facts.isAssertion("If they try to collect again you're covered by the Direct Debit Guarantee up to €89.68."))
        XCTAssertTrue(Facts.isAssertion("Express delivery is available for £11.80 if you need it sooner."))
        XCTAssertFalse(Facts.isAssertion("It might cost about £11.80."))
        XCTAssertFalse(Facts.isAssertion("Could you provide your account number?"))
    }

    func testABoundIsAClaimAndARangeAnEstimate() {
        // "within 7 working days" promises a time; "3-5 business days" and "takes 5 days" estimate one.
        for text in ["You should receive a settlement within 7 working days.", "Your card arrives within 4 business days."] {
            XCTAssertEqual(Facts.extract(text).filter { $0.kind == .duration }.count, 1, text)
            XCTAssertEqual(Facts.extractOnce(text, whole: true, icu: true).filter { $0.kind == .duration }.count, 1, "ICU agrees: " + text)
        }
        XCTAssertTrue(Facts.extract("It will reach you in 3-5 business days.").filter { $0.kind == .duration }.isEmpty)
        XCTAssertTrue(Facts.extract("Refunds take 5 working days to process.").filter { $0.kind == .duration }.isEmpty)
    }
}
