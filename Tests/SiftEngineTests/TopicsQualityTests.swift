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

    /// A demo check, not a quality claim (third-party figures are in BENCHMARKS.md): every planted
    /// failure is flagged, healthy traffic mostly stays NONE, and each pattern lands mostly in the
    /// topic of the behaviour it plants. A pattern may carry more than one behaviour (an escalation
    /// whose handoff tool failed and was reported as done is also an ignored error), so a topic's
    /// precision counts planted traces of any pattern.
    func testIssuesTopicsRecoverPlantedPatterns() throws {
        let (store, truth) = try demoStore(traces: 4000)
        let options = try TopicsOptions(project: "demo")
        let report = try TopicsPipeline(store: store).run(options)
        XCTAssertEqual(report.traces, 4000)
        let pid = try XCTUnwrap(try store.projectID(named: "demo"))
        let cls = try store.classifications(projectRow: pid, facet: "Issues")
        XCTAssertEqual(cls.count, 4000)
        let flagged = cls.filter { $0.label != FacetOutput.none }
        let healthy = cls.filter { truth[$0.trace]?.pattern == nil }
        let healthyFlagged = healthy.filter { $0.label != FacetOutput.none }.count
        var lines = [String(format: "healthy flagged: %d of %d (%.1f%%)", healthyFlagged, healthy.count, 100 * Double(healthyFlagged) / Double(healthy.count))]
        XCTAssertLessThanOrEqual(Double(healthyFlagged) / Double(healthy.count), 0.05)
        for p in FailurePattern.allCases {
            let inPattern = cls.filter { truth[$0.trace]?.pattern == p }
            let caught = inPattern.filter { $0.label != FacetOutput.none }.count
            var topics: [String: Int] = [:]
            for c in inPattern { topics[c.label ?? "", default: 0] += 1 }
            lines.append(String(format: "%@: %d traces, %d flagged; ", p.rawValue, inPattern.count, caught) + topics.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            XCTAssertGreaterThan(inPattern.count, 20, p.rawValue)
            XCTAssertGreaterThanOrEqual(Double(caught) / Double(inPattern.count), 0.9, "\(p.rawValue) recall")
        }
        var byTopic: [String: (all: Int, planted: Int)] = [:]
        for c in flagged { byTopic[c.label ?? "", default: (0, 0)].all += 1; if truth[c.trace]?.pattern != nil { byTopic[c.label ?? ""]!.planted += 1 } }
        for (topic, n) in byTopic where n.all >= 10 {
            lines.append(String(format: "topic %@: %d traces, %.2f planted", topic, n.all, Double(n.planted) / Double(n.all)))
            XCTAssertGreaterThanOrEqual(Double(n.planted) / Double(n.all), 0.9, topic)
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
