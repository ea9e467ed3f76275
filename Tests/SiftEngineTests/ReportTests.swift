import Foundation
import XCTest
import SiftTestSupport
import SiftDemo
import SiftEngine
import SiftModel
import SiftReport
import SiftStore
import SiftTopics

final class ReportTests: XCTestCase {
    var temp: TempDir!
    var dir: URL { temp.url }

    override func setUpWithError() throws {
        temp = TempDir("sift-report")
    }

    override func tearDown() { temp = nil }

    func demoWithTopics(_ traces: Int) throws -> Store {
        let path = dir.appendingPathComponent("r.db").path
        _ = try Demo.run(path: path, traces: traces, end: Timestamp(iso8601: "2026-11-20T00:00:00Z")!)
        let store = try Store(path: path)
        _ = try TopicsPipeline(store: store).run(try TopicsOptions(project: "demo"))
        return store
    }

    func testReportContentAndEscaping() throws {
        let store = try demoWithTopics(1200)
        let data = try ReportBuilder.build(store: store, project: "demo", facet: "issues")
        XCTAssertEqual(data.facet, "Issues")
        XCTAssertEqual(data.traces, 1200)
        XCTAssertEqual(data.points.count, 1200)
        XCTAssertEqual(data.topics.first?.label, "NONE")
        XCTAssertTrue(data.topics.contains { $0.label == "Asked again for given details" && !$0.samples.isEmpty })
        // Flagged samples carry their evidence (quote and span); NONE samples have none.
        for t in data.topics { for s in t.samples { XCTAssertEqual(s.evidence.isEmpty, t.label == "NONE", "\(t.label): \(s.evidence)") } }
        XCTAssertTrue(Report.html(data).contains("<div class=\"line evidence\">why: "))
        XCTAssertEqual(data.topics.reduce(0) { $0 + $1.count }, 1200 - data.points.filter { $0.topic < 0 }.count)
        let html = Report.html(data)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.contains("<script src") || html.contains("<link ") || html.contains("url(http") || html.contains("<img"), "the report must not load anything")
        XCTAssertEqual(html.components(separatedBy: "<circle ").count - 1, 1200)
        XCTAssertTrue(html.contains("<h2>User sentiment by topic</h2>"))
        XCTAssertEqual(Report.escape("<b>\"x\" & 'y'</b>"), "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;")
        XCTAssertThrowsError(try ReportBuilder.build(store: store, project: "demo", facet: "Nope")) { e in
            XCTAssertTrue("\(e)".hasPrefix("no Nope topics in 'demo' (facets with topics: Issues, Sentiment, Task)"), "\(e)")
        }
        // Trends: the stale context that grows over the last days is flagged; nothing at the noise floor is.
        let trends = try TopicTrends.compute(store: store, project: "demo", facet: "Issues")
        XCTAssertEqual(trends.days.count, 14)
        for t in trends.topics where !t.flags.isEmpty { XCTAssertGreaterThanOrEqual(t.total, 5, t.label) }
    }

    /// Renders the report in headless Chromium: no script errors, the expected topic and point counts, a screenshot.
    func testReportInABrowser() throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("no Chromium installed (apt-get install chromium); the browser check of the report is skipped")
        }
        let store = try demoWithTopics(600)
        let data = try ReportBuilder.build(store: store, project: "demo")
        let file = dir.appendingPathComponent("report.html")
        try Report.html(data).write(to: file, atomically: true, encoding: .utf8)
        func run(_ args: [String]) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: chromium)
            p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir.appendingPathComponent("profile").path)"] + args + [file.absoluteString]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return text
        }
        let dom = try run(["--dump-dom"])
        let body = try XCTUnwrap(dom.range(of: #"<body[^>]*>"#, options: .regularExpression).map { String(dom[$0]) }, dom.prefix(300).description)
        XCTAssertFalse(body.contains("data-errors"), body)
        XCTAssertTrue(body.contains("data-status=\"ok\""), body)
        XCTAssertTrue(body.contains("data-topics=\"\(data.topics.count)\""), body)
        XCTAssertTrue(body.contains("data-points=\"600\""), body)
        let shot = dir.appendingPathComponent("shot.png")
        _ = try run(["--window-size=1300,1600", "--screenshot=\(shot.path)"])
        let png = try Data(contentsOf: shot)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertGreaterThan(png.count, 20_000)
    }

    /// Flags need evidence: a topic going from 3 to 6 traces does not "double"; 10 to 40 does.
    func testTrendTestsAreNoiseAware() {
        XCTAssertLessThan(TopicTrends.zTwoProportions(6, 800, 3, 800), 3)
        XCTAssertGreaterThan(TopicTrends.zTwoProportions(40, 800, 10, 800), 3)
        // A share rising a little every day, with 400 traces a day, is steady growth; noise around a flat share is not.
        let rising = (0..<14).map { 0.01 + 0.002 * Double($0) }
        XCTAssertGreaterThan(TopicTrends.slopeT(rising.enumerated().map { $1 + ($0 % 2 == 0 ? 0.0005 : -0.0005) }, weights: [Int](repeating: 400, count: 14)).1, 3)
        let flat = (0..<14).map { 0.02 + ($0 % 3 == 0 ? 0.004 : -0.002) }
        XCTAssertLessThan(TopicTrends.slopeT(flat, weights: [Int](repeating: 400, count: 14)).1, 3)
    }
}
