// Workspace is the one API the CLI uses: a store opened by path, with ingest, the topics pipeline and
// listing. Queries hang off it through Session; the demo lives in SiftDemo.

import Foundation
import SiftModel
import SiftStore
import SiftTopics

public final class Workspace {
    public let store: Store

    /// Opens the workspace store; `create: false` fails with a clear message when there is none.
    public init(path: String, create: Bool = true) throws {
        store = try Store(path: path, create: create)
    }

    /// The topics pipeline over this store: `topics.run`, `topics.classifyNew`, facet definitions.
    public var topics: TopicsPipeline { TopicsPipeline(store: store) }

    public func ingest(paths: [String], options: IngestOptions) throws -> IngestSummary {
        try Ingester(store: store, options: options).ingest(paths: paths)
    }

    /// Removes a store file and its WAL companions (for `sift demo`, which writes a fresh store).
    public static func removeStore(at path: String) throws {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let p = path + suffix
            if FileManager.default.fileExists(atPath: p) { try FileManager.default.removeItem(atPath: p) }
        }
    }
}
