import XCTest
@testable import SiftModel

final class JSONReaderTests: XCTestCase {
    func testParsesEveryKind() throws {
        let v = try JSONReader.parse(#"{"a":1,"b":-2.5,"c":"x\ny\u00e9\ud83d\ude00","d":[true,false,null],"e":{}}"#)
        XCTAssertEqual(v["a"], .int(1))
        XCTAssertEqual(v["b"], .double(-2.5))
        XCTAssertEqual(v["c"], .string("x\nyé😀"))
        XCTAssertEqual(v["d"], .array([.bool(true), .bool(false), .null]))
        XCTAssertEqual(v["e"], .object(JSONObject()))
    }

    func testKeepsKeyOrderAndLastDuplicateWins() throws {
        let v = try JSONReader.parse(#"{"z":1,"a":2,"z":3}"#)
        XCTAssertEqual(v.objectValue?.keys, ["z", "a"])
        XCTAssertEqual(v["z"], .int(3))
        // Past a dozen keys the duplicates are found by a set rather than pair by pair: same rule.
        let keys = (0..<20).map { "k\($0)" }
        let text = "{" + (keys + ["k3", "k19"]).enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}"
        let w = try JSONReader.parse(text)
        XCTAssertEqual(w.objectValue?.keys, keys)
        XCTAssertEqual(w["k3"], .int(20))
        XCTAssertEqual(w["k19"], .int(21))
        XCTAssertEqual(w["k4"], .int(4))
        XCTAssertEqual(try JSONReader.parse(#"{"a":1,"b":2,"c":3}"#).objectValue?.count, 3)
        XCTAssertEqual(try JSONReader.parse(#"{"a":1,"b":2,"c":3,"b":4}"#)["b"], .int(4))
    }

    /// A member path read from the bytes: only what it reaches is built; arrays (which a path maps
    /// over) give nil with the value consumed, whitespace or not; the last repeated key wins.
    func testValueAtMembers() throws {
        func at(_ path: [String], _ text: String) throws -> Value? {
            var t = text
            return try t.withUTF8 { try JSONReader.value(atMembers: path, in: $0) }
        }
        XCTAssertEqual(try at(["content"], #"{"role": "assistant", "content": "hi"}"#), .string("hi"))
        XCTAssertEqual(try at(["content", "text"], #"{"content": {"text": "a"}, "content": {"text": "b"}}"#), .string("b"))
        XCTAssertEqual(try at(["content", "text"], #"{"content" : [ {"type": "text", "text": "refund"} ], "x": 1}"#), nil)
        XCTAssertEqual(try at(["content", "text"], #"{"content":[{"text":"refund"}]}"#), nil)
        XCTAssertEqual(try at(["content"], #"{"other": 1}"#), .null)
        XCTAssertEqual(try at(["content"], #""a string""#), .null)
        XCTAssertEqual(try at(["content", "text"], #"{"content": "a string"}"#), .null)
        XCTAssertEqual(try at(["content"], #"  [1, 2]  "#), nil)
        XCTAssertThrowsError(try at(["content"], #"{"content": "hi"} x"#))
        XCTAssertThrowsError(try at(["content"], #"{"other": [1, 2}"#))
    }

    func testNumbers() throws {
        XCTAssertEqual(try JSONReader.parse("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(try JSONReader.parse("-9223372036854775808"), .int(Int64.min))
        XCTAssertEqual(try JSONReader.parse("9223372036854775808"), .double(9223372036854775808))
        XCTAssertEqual(try JSONReader.parse("0.1"), .double(0.1))
        XCTAssertEqual(try JSONReader.parse("1e3"), .double(1000))
        XCTAssertEqual(try JSONReader.parse("1.7976931348623157e308"), .double(1.7976931348623157e308))
        XCTAssertEqual(try JSONReader.parse("123456789.123456789"), .double(123456789.123456789))
        XCTAssertThrowsError(try JSONReader.parse("01"))
        XCTAssertThrowsError(try JSONReader.parse("1."))
        XCTAssertThrowsError(try JSONReader.parse("-"))
        XCTAssertThrowsError(try JSONReader.parse("1e"))
    }

    func testErrorsCarryOffsets() {
        XCTAssertThrowsError(try JSONReader.parse(#"{"a": tru}"#)) { e in
            XCTAssertEqual((e as? JSONError)?.offset, 6)
        }
        XCTAssertThrowsError(try JSONReader.parse(#"{"a": 1"#)) { e in
            XCTAssertEqual((e as? JSONError)?.message, "unexpected end of input inside an object")
        }
        XCTAssertThrowsError(try JSONReader.parse(#"{"a": 1} x"#)) { e in
            XCTAssertEqual((e as? JSONError)?.offset, 9)
        }
    }

    func testRejectsInvalidUTF8AndControlCharacters() {
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xC3, 0x28, 0x22])) { e in
            XCTAssertTrue("\(e)".contains("invalid UTF-8"), "\(e)")
        }
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xED, 0xA0, 0x80, 0x22]))  // encoded surrogate
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xC0, 0xAF, 0x22]))  // overlong
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0x01, 0x22]))
        XCTAssertEqual(try JSONReader.parse([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]), .string("😀"))
    }

    /// Strings with escapes among runs of plain text decode as Foundation's parser decodes them.
    func testEscapedStringsMatchFoundation() throws {
        var rng = SeededRandom(seed: 19)
        let pieces = [#"\n"#, #"\""#, #"\\"#, #"\/"#, #"\t"#, #"\u00e9"#, #"\ud83d\ude00"#, "plain", "é", "日本", " ", "x", #"{\"k\": 1}"#, "a longer run of text"]
        for _ in 0..<2000 {
            let body = (0..<rng.int(0...10)).map { _ in rng.pick(pieces) }.joined()
            let json = "[\"" + body + "\"]"
            let ours = try JSONReader.parse(json)
            let theirs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
            XCTAssertEqual(ours, .array([.string(theirs[0])]), json)
        }
    }

    func testLoneSurrogateEscapeBecomesReplacementCharacter() throws {
        XCTAssertEqual(try JSONReader.parse(#""a\ud800b""#), .string("a\u{FFFD}b"))
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONReader.parse(deep)) { e in
            XCTAssertEqual((e as? JSONError)?.message, "nesting deeper than 256 levels")
        }
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertNoThrow(try JSONReader.parse(ok))
    }

    func testArbitraryBytesNeverCrash() {
        var rng = SeededRandom(seed: 7)
        let alphabet = Array(#"{}[]",:0123456789-+.eEtrufalsn\ "#.utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 40)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            _ = try? JSONReader.parse(bytes)
            var r = JSONReader(UnsafeBufferPointer(start: nil, count: 0))
            _ = try? r.skipValue()
        }
    }

    func testSkipValueMatchesParse() throws {
        let text = #"  {"a":[1,{"b":"c\"d"}],"e":null}  tail"#
        var copy = text
        try copy.withUTF8 { buf in
            var r = JSONReader(buf)
            let range = try r.skipValue()
            XCTAssertEqual(String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self), #"{"a":[1,{"b":"c\"d"}],"e":null}"#)
        }
    }

    func testWriterRoundTrips() throws {
        let v: Value = ["s": "quote\" backslash\\ tab\t nl\n \u{1}", "n": 1.5, "i": -3, "a": [nil, true], "o": ["k": "v"]]
        let text = JSONWriter.string(v)
        XCTAssertEqual(try JSONReader.parse(text), v)
        XCTAssertEqual(JSONWriter.string(.double(.nan)), "null")
        XCTAssertEqual(JSONWriter.string(.double(3)), "3.0")
    }
}
