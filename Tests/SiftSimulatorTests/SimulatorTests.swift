import XCTest
@testable import SiftModel
@testable import SiftSimulator

final class SimulatorTests: XCTestCase {
    let end = Timestamp(iso8601: "2026-11-20T00:00:00Z")!

    func config(_ n: Int, seed: UInt64 = 42) -> SimulatorConfig {
        var c = SimulatorConfig(end: end)
        c.traces = n
        c.seed = seed
        return c
    }

    func testSameSeedSameTraffic() {
        let a = Simulator(config: config(200)).traces()
        let b = Simulator(config: config(200)).traces()
        XCTAssertEqual(a.map(\.spans), b.map(\.spans))
        let c = Simulator(config: config(200, seed: 7)).traces()
        XCTAssertNotEqual(a.map(\.id), c.map(\.id))
        // A trace depends only on (seed, index), not on how many are generated.
        XCTAssertEqual(Simulator(config: config(50)).trace(17).spans, a[17].spans)
    }

    func testTracesAreWellFormed() throws {
        for t in Simulator(config: config(500)).traces() {
            let roots = t.spans.filter(\.isRoot)
            XCTAssertEqual(roots.count, 1)
            XCTAssertEqual(roots[0].id, t.id)
            let ids = Set(t.spans.map(\.spanID))
            XCTAssertEqual(ids.count, t.spans.count, "span ids are unique")
            for s in t.spans {
                XCTAssertEqual(s.rootSpanID, t.id)
                for p in s.spanParents { XCTAssertTrue(ids.contains(p)) }
                XCTAssertLessThanOrEqual(s.created, end)
                XCTAssertGreaterThanOrEqual(s.created, Timestamp(microseconds: end.microseconds - 14 * 86_400_000_000))
                if s.type == "llm" { XCTAssertNotNil(s.totalTokens) }
            }
            XCTAssertNotNil(Trace(spans: t.spans))
            XCTAssertFalse(roots[0].output.stringValue?.isEmpty ?? true, "every conversation ends with an answer")
        }
    }

    func testPatternsArePlantedAtTheirPrevalenceAndShowInTheSpans() {
        var c = config(20_000)
        c.growth = false
        let traces = Simulator(config: c).traces()
        for p in FailurePattern.allCases {
            let share = Double(traces.filter { $0.pattern == p }.count) / Double(traces.count)
            XCTAssertEqual(share, 0.02, accuracy: 0.005, p.rawValue)
        }
        // Each pattern leaves its mark in the trace, which is what topics must find.
        for t in traces.prefix(5000) {
            let tools = t.spans.filter { $0.type == "tool" }
            let failedTools = tools.filter { !$0.error.isNull }.count
            switch t.pattern {
            case .retryStorm?: XCTAssertGreaterThanOrEqual(failedTools, 4)
            case .unsupportedAnswer?: XCTAssertEqual(tools.count, 0)
            case .toolErrorIgnored?: XCTAssertEqual(failedTools, 1)
            case .staleContext?:
                let dates = tools.compactMap { $0.output["index_updated_at"]?.stringValue ?? $0.output["documents"]?[0]?["last_updated"]?.stringValue }
                XCTAssertEqual(dates.count, 1)
                XCTAssertLessThan(Timestamp(iso8601: dates[0])!, Timestamp(microseconds: t.created.microseconds - 20 * 86_400_000_000))
            case .unresolvedEscalation?: XCTAssertEqual(t.sentiment, .frustrated)
            case nil: XCTAssertLessThanOrEqual(failedTools, 2, "healthy traffic has the odd blip, never a storm")
            default: break
            }
        }
    }

    func testStaleContextGrowsOverTheLastDays() {
        let traces = Simulator(config: config(30_000)).traces()
        func share(_ days: ClosedRange<Double>) -> Double {
            let inWindow = traces.filter { days.contains((end.seconds - $0.created.seconds) / 86400) }
            return Double(inWindow.filter { $0.pattern == .staleContext }.count) / Double(inWindow.count)
        }
        XCTAssertGreaterThan(share(0...2), 3 * share(7...14))
    }

    func testManyPhrasingsPerTask() {
        let traces = Simulator(config: config(3000)).traces()
        for task in SupportTask.allCases {
            let openings = Set(traces.filter { $0.task == task }.compactMap { $0.spans[0].input.stringValue })
            XCTAssertGreaterThan(openings.count, 20, task.rawValue)
        }
    }
}
