// The report renderer on hand-built data: hostile text from traces is escaped everywhere it lands,
// the page needs nothing from the network, and every topic and point is on it.

import XCTest
@testable import SiftReport

final class ReportHTMLTests: XCTestCase {
    func data(label: String, text: String) -> ReportData {
        let sample = ReportSample(trace: "t1", created: "2026-11-19T10:00:00Z", summary: text, lines: [(kind: "user", text: text), (kind: "assistant", text: "ok")])
        let topics = [
            ReportTopic(id: "issues-1", label: label, description: text, terms: ["refund", text], count: 3, daily: [1, 0, 2],
                        growing: "doubling", samples: [sample], sentiment: [1, 1, 0, 1, 0]),
            ReportTopic(id: "issues-2", label: "Plain topic", description: "d", terms: [], count: 1, daily: [0, 1, 0],
                        growing: nil, samples: [], sentiment: [0, 1, 0, 0, 0]),
        ]
        let points = [ReportPoint(x: 0.1, y: 0.2, topic: 0, trace: "t1", summary: text), ReportPoint(x: -0.5, y: 0.9, topic: 1, trace: "t2", summary: "s")]
        return ReportData(project: "p<1>", facet: "Issues", generated: "2026-11-20T00:00:00Z", window: "all traces", traces: 4,
                          days: ["2026-11-17", "2026-11-18", "2026-11-19"], topics: topics, points: points, pointsOmitted: 0,
                          sentimentLabels: ["POSITIVE", "NEUTRAL", "MIXED", "NEGATIVE", "FRUSTRATED"])
    }

    func testHostileTextIsEscapedEverywhere() {
        let payload = #"</script><script>alert(1)</script><img src=x onerror="alert(2)">&'"#
        let html = Report.html(data(label: payload, text: payload))
        XCTAssertFalse(html.contains("<script>alert(1)"), "a label or summary closed the page's script")
        XCTAssertFalse(html.contains("<img src=x"))
        XCTAssertFalse(html.contains(#"onerror="alert(2)""#))
        XCTAssertTrue(html.contains("Plain topic"))
        XCTAssertTrue(html.contains("issues-1") && html.contains("issues-2"))
    }

    func testTheReportIsSelfContained() {
        let html = Report.html(data(label: "Refund loop", text: "asked twice"))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>") || html.hasPrefix("<!doctype html>"), String(html.prefix(40)))
        for remote in ["src=\"http", "href=\"http", "src='http", "@import", "url(http"] {
            XCTAssertFalse(html.contains(remote), "the report loads \(remote)")
        }
        XCTAssertEqual(Report.escape(#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }
}
