import XCTest
@testable import sift

final class CompleterTests: XCTestCase {
    let paths = ["facets.Sentiment", "facets.Task", "metadata.model", "metadata.channel", "id"]

    func testCompletesKeywordsFunctionsFieldsAndCommands() {
        XCTAssertEqual(Completer.complete("SEL", paths: paths), ["ECT"])
        XCTAssertEqual(Completer.complete("sel", paths: paths), ["ect"], "keeps lower case")
        XCTAssertEqual(Completer.complete("SELECT percen", paths: paths), ["tile("])
        XCTAssertEqual(Completer.complete("SELECT facets.S", paths: paths), ["entiment"])
        XCTAssertEqual(Set(Completer.complete("SELECT metadata.", paths: paths)), ["model", "channel"])
        XCTAssertEqual(Completer.complete(".sch", paths: paths), ["ema "])
        XCTAssertEqual(Completer.complete("SELECT id FROM project_l", paths: paths), ["ogs("])
        XCTAssertEqual(Completer.complete("SELECT ", paths: paths), [])
    }
}
