import XCTest
import SiftModel
@testable import SiftTopics

/// A system prompt rendered from a template differs in every trace in a paragraph or two, so the
/// readers of text that go line by line are memoised paragraph by paragraph. These check that
/// reading by paragraph gives what reading the whole text gives.
final class TextMemoTests: XCTestCase {
    func testPartsJoinToTheTextAndCutOnlyAfterBlankLines() {
        var rng = SeededRandom(seed: 11)
        let pieces = ["a", "Policy:", "\n", "\n\n", "\n\n\n", " ", "é", "1. Refunds", "Jane", "\r\n", "x\n\ny"]
        for _ in 0..<2000 {
            let text = (0..<rng.int(0...12)).map { _ in rng.pick(pieces) }.joined()
            let parts = TextMemo<Int>.parts(text)
            XCTAssertEqual(parts.joined(), text)
            XCTAssertEqual(TextMemo<Int>.parts(text, minBytes: 5).joined(), text)
            XCTAssertFalse(parts.dropLast().contains(where: \.isEmpty), text.debugDescription)
            for (i, p) in parts.enumerated() {
                // A blank line only at a part's end, and every part but the last ends with one.
                var bytes = Array(p.utf8)
                if i < parts.count - 1 { XCTAssertEqual(bytes.suffix(2), [10, 10], "\(p.debugDescription) in \(text.debugDescription)") }
                while bytes.last == 10 { bytes.removeLast() }
                XCTAssertFalse(zip(bytes, bytes.dropFirst()).contains { $0 == 10 && $1 == 10 }, "\(p.debugDescription) in \(text.debugDescription)")
            }
        }
        XCTAssertEqual(TextMemo<Int>.parts("one\n\ntwo\n\n\nthree").map(String.init), ["one\n\n", "two\n\n\n", "three"])
        XCTAssertEqual(TextMemo<Int>.parts("no blank line\nhere").map(String.init), ["no blank line\nhere"])
        // Parts too short to memoise stay with the next one; a short last part with the one before.
        XCTAssertEqual(TextMemo<Int>.parts("a\n\nbbbbbbbb\n\ncc\n\nd", minBytes: 4).map(String.init), ["a\n\nbbbbbbbb\n\n", "cc\n\nd"])
        // A part kept with the next one.
        XCTAssertTrue(Redactor.mayRunOn("a pre-Jane\n\n".utf8[...]), "a name may start after a hyphen")
        XCTAssertEqual(TextMemo<Int>.parts("Regards,\n\nJane Doe\n\nsee you\n\nok", together: Redactor.mayRunOn).map(String.init),
                       ["Regards,\n\nJane Doe\n\nsee you\n\n", "ok"])
    }

    func testANameRunningOverABlankLineStaysWhole() throws {
        let r = try Redactor()
        var whole = r
        whole.prechecks = false
        let filler = String(repeating: "The agent looked up the booking and replied to the customer. ", count: 10)
        for (text, kept) in [("Best regards,\n\nAnneliese Vantongeren", "Best regards,"), ("Dear\n\nAnneliese Vantongeren", "Dear"),
                             ("my name is\n\nAnneliese Vantongeren", "my name is"), ("Thanks, Anneliese\n\nVantongeren", "Thanks,")] {
            let long = filler + "\n\n" + text + "\n\n" + filler
            let out = r.redact(long)
            XCTAssertEqual(out, whole.redact(long))
            XCTAssertFalse(out.contains("Vantongeren"), out)
            XCTAssertTrue(out.contains(kept), out)
        }
    }

    func testEvidenceReadByParagraphIsEvidenceReadWhole() {
        var rng = SeededRandom(seed: 5)
        let pieces = ["Refunds of 1,249.50 USD", "\n\n", "\n", "order 88421", "3.", "4,5", "on 2026-11-05", " ", "é", "ticket INC-6182", "0", ".", ","]
        for _ in 0..<1500 {
            let text = String(repeating: "policy text ", count: 50) + (0..<rng.int(1...14)).map { _ in rng.pick(pieces) }.joined()
            let whole = EvidencePool.TextEvidence(text), parts = EvidencePool.evidence(text)
            XCTAssertEqual(whole.alnum, parts.alnum, text)
            XCTAssertEqual(whole.numbers.map(\.key), parts.numbers.map(\.key), text)
            XCTAssertEqual(whole.digitRuns, parts.digitRuns, text)
            XCTAssertEqual(whole.hasDigit, parts.hasDigit, text)
        }
    }

    func testPolicyReadByParagraphIsPolicyReadWhole() {
        let policy = """
            You are the support agent of a shop.

            Current date: 2026-03-02. Customer: acc_81u33x.

            Policy:
            1. Refunds only for orders delivered within the last 30 days. Refunds above 500.00 need a supervisor: escalate instead.
            2. Final-sale items cannot be returned.
            3. Cancellations are free within 14 days of booking; refunds reach the card in 5-10 business days.

            Gift cards cannot be refunded.
            """
        XCTAssertEqual(IssueFinder.windowMemo.values(byParagraph: policy, IssueFinder.windows).joined().map { "\($0.days) \($0.quote)" },
                       IssueFinder.windows(policy).map { "\($0.days) \($0.quote)" })
        XCTAssertEqual(IssueFinder.prohibitionMemo.values(byParagraph: policy, IssueFinder.prohibitions).joined().map(\.quote),
                       IssueFinder.prohibitions(policy).map(\.quote))
        XCTAssertEqual(IssueFinder.capMemo.values(byParagraph: policy, IssueFinder.amountCaps).joined().map(\.limit),
                       IssueFinder.amountCaps(policy).map(\.limit))
        XCTAssertEqual(IssueFinder.windows(policy).map(\.days), [30, 14])
        XCTAssertEqual(IssueFinder.prohibitions(policy).count, 2)
        XCTAssertEqual(IssueFinder.amountCaps(policy).map(\.limit), [500])
    }
}
