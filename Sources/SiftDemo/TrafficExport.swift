// Simulated traffic written as a Braintrust span file, for `sift simulate`, tests and benchmarks.

import Foundation
import SiftModel
import SiftSimulator
import SiftStore

/// Writes simulated traffic as a file in one of the ingest formats.
public enum TrafficExport {
    /// Braintrust-style span JSON lines, conversations in the order they started; returns (traces, spans, bytes).
    @discardableResult
    /// `includeTruth` writes the simulator's ground truth into root metadata; `withFacets` writes it as
    /// `facets` and `classifications` on root spans (Task, Sentiment, Issues), standing in for a topics
    /// run when testing and benchmarking queries.
    public static func writeSpans(_ simulator: Simulator, to path: String, includeTruth: Bool = false, withFacets: Bool = false) throws -> (Int, Int, Int) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw StoreError.invalid("cannot write \(path)")
        }
        defer { try? h.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 << 20)
        var spans = 0, bytes = 0
        for i in simulator.chronologicalOrder() {
            let t = simulator.trace(i)
            for var s in t.spans {
                if includeTruth && s.isRoot {
                    s.metadata["sim_task"] = .string(t.task.rawValue)
                    s.metadata["sim_pattern"] = t.pattern.map { .string($0.rawValue) } ?? .null
                    s.metadata["sim_sentiment"] = .string(t.sentiment.rawValue)
                }
                if withFacets && s.isRoot {
                    let issue = t.pattern?.rawValue ?? "NONE"
                    s.facets = ["Task": .string(t.task.rawValue.replacingOccurrences(of: "_", with: " ")),
                                "Sentiment": .string(t.sentiment.rawValue), "Issues": .string(issue)]
                    func topic(_ id: String, _ label: String) -> Value {
                        ["id": .string(id), "label": .string(label), "confidence": 1.0, "metadata": ["distance": 0.0], "source": "simulator"]
                    }
                    s.classifications = ["Task": [topic(t.task.rawValue, t.task.rawValue.replacingOccurrences(of: "_", with: " "))],
                                         "Sentiment": [topic(t.sentiment.rawValue, t.sentiment.rawValue)],
                                         "Issues": [topic(issue, issue)]]
                }
                JSONWriter.write(s.jsonValue, into: &buffer)
                buffer.append(0x0A)
                spans += 1
            }
            if buffer.count > 4 << 20 {
                bytes += buffer.count
                h.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        bytes += buffer.count
        h.write(Data(buffer))
        return (simulator.config.traces, spans, bytes)
    }
}
