import Foundation
import XCTest
import SiftTestSupport
import SiftDemo
import SiftEngine
import SiftModel
import SiftSimulator
import SiftStore
import SiftTopics

/// The topics pipeline on the demo simulator's traffic, scored against the simulator's ground truth.
final class TopicsQualityTests: XCTestCase {
    var temp: TempDir!
    var dir: URL { temp.url }
    let end = Timestamp(iso8601: "2026-11-20T00:00:00Z")!

    override func setUpWithError() throws {
        temp = TempDir("sift-topics")
    }

    override func tearDown() { temp = nil }

    func demoStore(traces: Int, seed: UInt64 = 42) throws -> (Store, [String: SimulatedTrace]) {
        let path = dir.appendingPathComponent("demo-\(traces)-\(seed).db").path
        _ = try Demo.run(path: path, traces: traces, seed: seed, end: end)
        var config = SimulatorConfig(end: end)
        config.traces = traces
        config.seed = seed
        let sim = Simulator(config: config)
        var truth: [String: SimulatedTrace] = [:]
        for t in sim.traces() { truth[t.id] = t }
        return (try Store(path: path), truth)
    }

    /// Every planted failure pattern comes out as its own Issues topic (or a few), with precision and
    /// recall of at least 0.9 at the default prevalence of 2%.
    func testIssuesTopicsRecoverPlantedPatterns() throws {
        let (store, truth) = try demoStore(traces: 4000)
        let options = try TopicsOptions(project: "demo")
        let report = try TopicsPipeline(store: store).run(options)
        XCTAssertEqual(report.traces, 4000)
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        let cls = try store.classifications(projectRow: pid, facet: "Issues")
        XCTAssertEqual(cls.count, 4000)
        // Majority pattern per topic.
        var byTopic: [String: [String: Int]] = [:]
        for c in cls { byTopic[c.topic ?? "none", default: [:]][truth[c.trace]?.pattern?.rawValue ?? "none", default: 0] += 1 }
        var topicPattern: [String: String] = [:]
        for (t, counts) in byTopic { topicPattern[t] = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key }
        var lines: [String] = []
        for p in FailurePattern.allCases {
            let inPattern = cls.filter { truth[$0.trace]?.pattern == p }
            let inTopics = cls.filter { topicPattern[$0.topic ?? "none"] == p.rawValue }
            let hit = inTopics.filter { truth[$0.trace]?.pattern == p }.count
            let precision = Double(hit) / Double(max(inTopics.count, 1)), recall = Double(hit) / Double(max(inPattern.count, 1))
            lines.append(String(format: "%@: %d traces, precision %.3f, recall %.3f", p.rawValue, inPattern.count, precision, recall))
            XCTAssertGreaterThan(inPattern.count, 20, p.rawValue)
            XCTAssertGreaterThanOrEqual(precision, 0.9, "\(p.rawValue) precision")
            XCTAssertGreaterThanOrEqual(recall, 0.9, "\(p.rawValue) recall")
        }
        print(lines.joined(separator: "\n"))
    }

    /// Sentiment labels against the simulator's tone.
    func testSentimentLabelsMatchTheConversationTone() throws {
        let (store, truth) = try demoStore(traces: 1500)
        var options = try TopicsOptions(project: "demo")
        options.facets = ["Sentiment"]
        _ = try TopicsPipeline(store: store).run(options)
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        let cls = try store.classifications(projectRow: pid, facet: "Sentiment")
        var confusion: [String: Int] = [:]
        var right = 0
        for c in cls {
            let want = truth[c.trace]!.sentiment.rawValue
            if c.label == want { right += 1 }
            confusion["\(want)->\(c.label ?? "nil")", default: 0] += 1
        }
        print(confusion.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        XCTAssertGreaterThanOrEqual(Double(right) / Double(cls.count), 0.95)
        XCTAssertEqual(Set(cls.compactMap(\.label)), Set(FacetDefinition.sentimentLabels))
    }
}
