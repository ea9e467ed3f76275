import XCTest
@testable import SiftQuery

final class LexerTests: XCTestCase {
    func kinds(_ text: String) throws -> [String] {
        try Lexer(text).tokenize().dropLast().map { t in
            switch t.kind {
            case .identifier: return "id:\(t.text)"
            case .quoted: return "q:\(t.text)"
            case .string: return "s:\(t.text)"
            case .integer: return "i:\(t.text)"
            case .decimal: return "d:\(t.text)"
            case .keyword(let k): return k.rawValue
            case .symbol: return t.text
            case .end: return "END"
            }
        }
    }

    func testTokenStream() throws {
        XCTAssertEqual(try kinds("SELECT metadata.\"user id\", count(*) AS n FROM project_logs('p', shape => 'traces')"),
                       ["SELECT", "id:metadata", ".", "q:user id", ",", "id:count", "(", "*", ")", "AS", "id:n", "FROM",
                        "id:project_logs", "(", "s:p", ",", "id:shape", "=>", "s:traces", ")"])
        XCTAssertEqual(try kinds("a<=>b <!=> c != d <> e >= 1.5e3 .5 'it''s' \"a\"\"b\""),
                       ["id:a", "<=>", "id:b", "<!=>", "id:c", "!=", "id:d", "<>", "id:e", ">=", "d:1.5e3", "d:.5", "s:it's", "q:a\"b"])
        XCTAssertEqual(try kinds("-- comment\nx /* multi\nline */ = 1"), ["id:x", "=", "i:1"])
        XCTAssertEqual(try kinds("where Where WHERE wHeRe"), ["WHERE", "WHERE", "WHERE", "WHERE"])
        XCTAssertEqual(try kinds("métrica = 'ü'"), ["id:métrica", "=", "s:ü"])
    }

    func testNewlinesAreRecorded() throws {
        let t = try Lexer("a\n| b\nc").tokenize()
        XCTAssertEqual(t.map(\.newlineBefore), [false, true, false, true, false])
    }

    func testRangesAreByteOffsets() throws {
        let t = try Lexer("é = 'x'").tokenize()
        XCTAssertEqual(t[0].range, SourceRange(0, 2))
        XCTAssertEqual(t[2].range, SourceRange(5, 8))
    }

    func testLexicalErrors() {
        func error(_ text: String) -> String {
            do { _ = try Lexer(text).tokenize(); return "no error" } catch let d as Diagnostic { return "\(d.message)@\(d.range.start)" + (d.hint.map { " [\($0)]" } ?? "") } catch { return "\(error)" }
        }
        XCTAssertEqual(error("x = 'abc"), "unterminated string@4 [close it with '; write '' for the quote itself]")
        XCTAssertEqual(error("x = \"abc"), "unterminated quoted name@4 [close it with \"; write \"\" for the quote itself]")
        XCTAssertEqual(error("/* x"), "unterminated comment@0")
        XCTAssertEqual(error("a && b"), "unexpected character '&'@2")
        XCTAssertEqual(error("`name`"), "unexpected character '`'@0 [quote names with double quotes: \"name\"]")
        XCTAssertEqual(error("interval 7day"), "invalid number '7day'@9 [put a space between a number and a word]")
        XCTAssertEqual(error("x = 1 # comment?"), "unexpected character '#'@6")
    }

    /// Grammar/keywords.txt and the lexer's table are the same list.
    func testKeywordsFileMatchesTheLexer() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let text = try String(contentsOf: url.appendingPathComponent("Grammar/keywords.txt"), encoding: .utf8)
        let listed = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        XCTAssertEqual(listed, Keyword.allCases.map(\.rawValue).sorted())
    }
}
