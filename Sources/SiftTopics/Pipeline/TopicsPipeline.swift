// `sift topics run`: traces -> thread text -> redaction -> facet summaries -> (per facet) labels, or
// embeddings -> clusters -> labels -> classifications and 2-D coordinates, written back in one
// transaction so the query engine sees facets.* and classifications.* at once. Topic ids persist
// across runs for topics whose centroid persists (TopicLifecycle); `classifyNew` (in
// TopicsPipeline+Classify) places new traces without re-clustering.

import Foundation
import SiftModel

public struct TopicsOptions {
    public var project: String
    /// Facet names to run; nil: Task, Sentiment, Issues and every custom facet defined in the store.
    public var facets: [String]?
    /// Only traces that started at or after this time.
    public var since: Int64?
    public var seed: UInt64 = 42
    public var facetModel: FacetModel = BuiltinFacetModel()
    public var embedder: EmbeddingModel = HashingEmbedder()
    public var redactor: Redactor
    public var minSummaries = 100
    public var progress: ((String) -> Void)?

    public init(project: String) throws {
        self.project = project
        redactor = try Redactor()
    }
}

public struct FacetRunReport: Sendable {
    public var facet: String
    public var summaries: Int
    public var distinct: Int
    public var topics: Int
    public var unclustered: Int
    public var noMatch: Int
    public var newTopics: Int
    public var keptTopics: Int
    public var retired: Int
    public var merged: Int
    public var labelled: Bool
    public var times: StageTimes
}

public struct TopicsRunReport: Sendable {
    public var project: String
    public var traces: Int
    public var loadSeconds: Double
    public var summarizeSeconds: Double
    public var writeSeconds: Double
    public var totalSeconds: Double
    public var facets: [FacetRunReport]
}

public final class TopicsPipeline {
    public let store: TopicStore

    public init(store: TopicStore) { self.store = store }

    /// The facet definitions to run: built-ins and custom ones, filtered by `names`.
    public func facetDefinitions(_ names: [String]?) throws -> [FacetDefinition] {
        var all = FacetDefinition.builtins
        for (name, def) in try store.facetDefinitions() {
            let json = try JSONReader.parse(def)
            all.append(contentsOf: try FacetDefinition.parse(json, source: "facet '\(name)'"))
        }
        guard let names else { return all }
        return try names.map { n in
            guard let f = all.first(where: { $0.name.lowercased() == n.lowercased() }) else {
                throw TopicsError.invalid("no facet named '\(n)' (known: \(all.map(\.name).joined(separator: ", ")); add one with sift facets add)")
            }
            return f
        }
    }

    // MARK: - Summaries

    /// Summaries for each facet of each trace: [facet index][trace index] -> output (nil: skipped).
    func summarize(_ ids: [String], pid: Int64, facets: [FacetDefinition], options: TopicsOptions) throws -> [[FacetOutput?]] {
        var out = [[FacetOutput?]](repeating: [FacetOutput?](repeating: nil, count: ids.count), count: facets.count)
        let excludes = try facets.map { f in try f.exclude.map { try NSRegularExpression(pattern: $0, options: .caseInsensitive) } }
        let chunk = 2000
        var done = 0
        var firstError: Error?
        let lock = NSLock()
        // The next chunk's traces are read from the store while this chunk is summarised, so that no
        // core waits for the reading (one reader at a time: the workers do not touch the store).
        let store = self.store
        func read(_ start: Int) -> Result<[Trace], Error> {
            Result { try store.traces(projectRow: pid, ids: Array(ids[start..<min(ids.count, start + chunk)])) }
        }
        var pending: Result<[Trace], Error> = ids.isEmpty ? .success([]) : read(0)
        while done < ids.count {
            let slice = Array(ids[done..<min(ids.count, done + chunk)])
            let traces = try pending.get()
            let next = done + slice.count
            let prefetched = PrefetchedTraces()
            let reader = next < ids.count ? JoinableThread { prefetched.result = read(next) } : nil
            reader?.start()
            let byID = Dictionary(traces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let base = done
            let workers = max(1, options.facetModel.concurrency)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for j in stride(from: w, to: slice.count, by: workers) {
                    // One failure stops the run (an unreachable server fails every trace the same way).
                    lock.lock(); let failed = firstError != nil; lock.unlock()
                    if failed { break }
                    guard let trace = byID[slice[j]] else { continue }
                    let thread = TraceThread(trace: trace).redacted(by: options.redactor)
                    for (fi, f) in facets.enumerated() {
                        do {
                            guard let text = try FacetText.text(f.preprocessor, thread: thread, trace: trace, redactor: options.redactor) else { continue }
                            let result: FacetOutput?
                            if let ex = excludes[fi], ex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil {
                                result = FacetOutput(summary: FacetOutput.noMatch, label: nil)
                            } else {
                                result = try options.facetModel.summarize(thread: thread, text: text, facet: f)
                            }
                            lock.lock(); out[fi][base + j] = result; lock.unlock()
                        } catch {
                            lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                            break
                        }
                    }
                }
            }
            reader?.join()  // nothing between start and here throws
            if let e = firstError { throw e }
            done += slice.count
            if let r = prefetched.result { pending = r }
            options.progress?("summarised \(done)/\(ids.count) traces")
        }
        return out
    }

    /// The traces a background reader fetched (read after it is joined).
    final class PrefetchedTraces: @unchecked Sendable { var result: Result<[Trace], Error>? }

    // MARK: - Run

    /// The built-in model compiles the rules of the custom facets it will run.
    func prepared(_ options: TopicsOptions, _ facets: [FacetDefinition]) -> TopicsOptions {
        var o = options
        if o.facetModel is BuiltinFacetModel { o.facetModel = BuiltinFacetModel(custom: facets.filter { $0.kind == .custom }) }
        return o
    }

    public func run(_ options: TopicsOptions) throws -> TopicsRunReport {
        let started = Date()
        let pid = try store.projectRow(named: options.project)
        let facets = try facetDefinitions(options.facets)
        let options = prepared(options, facets)
        if options.facetModel is BuiltinFacetModel, let f = facets.first(where: { !BuiltinFacetModel.canSummarize($0) }) {
            throw TopicsError.model("facet '\(f.name)' needs a model server: the built-in model can only choose among labels that have \"match\" rules. Point Sift at one with --model URL (or SIFT_MODEL_URL), or run the other facets with --facets")
        }
        var t0 = Date()
        let starts = try store.traceStarts(projectRow: pid, since: options.since)
        guard starts.count >= options.minSummaries else {
            throw TopicsError.tooFew("project '\(options.project)' has \(starts.count) trace\(starts.count == 1 ? "" : "s")\(options.since != nil ? " in that window" : ""); topics need at least \(options.minSummaries) facet summaries, so nothing was changed")
        }
        let ids = starts.map(\.id)
        let loadSeconds = Date().timeIntervalSince(t0)
        options.progress?("\(ids.count) traces in '\(options.project)'")

        t0 = Date()
        let outputs = try summarize(ids, pid: pid, facets: facets, options: options)
        let summarizeSeconds = Date().timeIntervalSince(t0)

        // Per facet: topics and classifications (computed before anything is written).
        struct Pending {
            var facet: FacetDefinition
            var run: Int64
            var facetRows: [FacetRow]
            var outcome: FacetOutcome
        }
        var pending: [Pending] = []
        let params: Value = ["seed": .int(Int64(options.seed)), "since": options.since.map { .string(Timestamp(microseconds: $0).iso8601) } ?? .null,
                             "traces": .int(Int64(ids.count)),
                             // Which process runs it: `topics status` tells a killed run from one still going.
                             "pid": .int(Int64(ProcessInfo.processInfo.processIdentifier))]
        for (fi, facet) in facets.enumerated() {
            let run = try store.beginTopicRun(projectRow: pid, facet: facet.name, facetModel: options.facetModel.name,
                                              embeddingModel: facet.hasLabelSet ? nil : options.embedder.name, params: params)
            do {
                var facetRows: [FacetRow] = []
                var items: [(trace: String, output: FacetOutput)] = []
                for (i, o) in outputs[fi].enumerated() {
                    guard let o else { continue }
                    facetRows.append(FacetRow(trace: ids[i], facet: facet.name, value: o.summary, source: options.facetModel.name))
                    items.append((ids[i], o))
                }
                let outcome = try facet.hasLabelSet
                    ? TopicLifecycle.labelTopics(facet: facet, items: items, run: run)
                    : clusterTopics(facet: facet, items: items, pid: pid, run: run, options: options)
                pending.append(Pending(facet: facet, run: run, facetRows: facetRows, outcome: outcome))
            } catch {
                try? store.finishTopicRun(run, status: .failed, counts: ["error": .string("\(error)")])
                throw error
            }
        }

        t0 = Date()
        try store.transaction {
            for p in pending {
                try store.writeFacets(projectRow: pid, rows: p.facetRows, run: p.run)
                try store.saveTopics(projectRow: pid, p.outcome.topics)
                try store.writeClassifications(projectRow: pid, facet: p.facet.name, rows: p.outcome.rows, source: options.facetModel.name, run: p.run)
                try store.refreshTopicSizes(projectRow: pid, facet: p.facet.name)
                let r = p.outcome.report
                try store.finishTopicRun(p.run, status: .done, counts: [
                    "traces": .int(Int64(ids.count)), "summaries": .int(Int64(r.summaries)), "topics": .int(Int64(r.topics)),
                    "unclustered": .int(Int64(r.unclustered)), "no_match": .int(Int64(r.noMatch)), "new": .int(Int64(r.newTopics)),
                    "kept": .int(Int64(r.keptTopics)), "retired": .int(Int64(r.retired)), "merged": .int(Int64(r.merged)),
                    "seconds": ["embed": .double(r.times.embed), "cluster": .double(r.times.cluster), "label": .double(r.times.label),
                                "classify": .double(r.times.classify), "project": .double(r.times.project)],
                ])
            }
        }
        let writeSeconds = Date().timeIntervalSince(t0)
        return TopicsRunReport(project: options.project, traces: ids.count, loadSeconds: loadSeconds, summarizeSeconds: summarizeSeconds,
                               writeSeconds: writeSeconds, totalSeconds: Date().timeIntervalSince(started), facets: pending.map(\.outcome.report))
    }

    /// Free-text facets: embed, cluster, label (by the chat model when one is configured), carry the
    /// facet's earlier topics forward, classify, project.
    func clusterTopics(facet: FacetDefinition, items: [(trace: String, output: FacetOutput)], pid: Int64, run: Int64,
                       options: TopicsOptions) throws -> FacetOutcome {
        let clusterItems = items.filter { !$0.output.isFixedAnswer }
        var discovery = Discovery(embedder: options.embedder, clusterer: AutoKMeans(seed: options.seed), cache: TopicStoreEmbeddingCache(store: store))
        discovery.progress = options.progress.map { p in { p("\(facet.name): \($0)") } }
        let exact = !clusterItems.isEmpty && clusterItems.allSatisfy { $0.output.grouped }
        let named = clusterItems.contains { $0.output.labelText != nil }
        let result = try discovery.run(texts: clusterItems.map { $0.output.clusterText ?? $0.output.summary }, exact: exact,
                                       labelTexts: named ? clusterItems.map { $0.output.labelText ?? $0.output.summary } : nil)

        // A chat model, when configured, names the topics from their most central summaries.
        var labels = result.labels
        if let chat = options.facetModel as? ChatFacetModel {
            for c in 0..<result.clustering.k {
                let central = result.uniqueTexts.indices.filter { result.clustering.assignment[$0] == c }
                    .sorted { (result.clustering.distance[$0], -result.counts[$0]) < (result.clustering.distance[$1], -result.counts[$1]) }
                    .prefix(8).map { result.uniqueTexts[$0] }
                let named = try chat.label(facet: facet.name, summaries: central, terms: labels[c].terms)
                labels[c].label = named.label
                labels[c].description = named.description
            }
            labels = Labeler.disambiguated(labels)
        }
        // Parents: named by the chat model from their topics' names, when one is configured.
        var parentLabels = result.parentLabels
        if let chat = options.facetModel as? ChatFacetModel, let parents = result.parents {
            for p in parentLabels.indices {
                let children = parents.indices.filter { parents[$0] == p }
                guard children.count > 1 else { continue }
                let named = try chat.label(facet: facet.name + " (a group of topics)", summaries: children.map { labels[$0].label + ": " + labels[$0].description },
                                           terms: parentLabels[p].terms)
                parentLabels[p].label = named.label
                parentLabels[p].description = named.description
            }
            parentLabels = TopicHierarchy.distinct(parentLabels, parents: parents, topicLabels: labels)
        }
        var sizes = [Int](repeating: 0, count: result.clustering.k)
        for (u, a) in result.assignments.enumerated() { if let t = a.topic { sizes[t] += result.counts[u] } }
        let earlier = try store.topics(projectRow: pid, facet: facet.name)
        var lifecycle = TopicLifecycle.carryForward(
            facet: facet.name, centroids: result.clustering.centroids, radius: result.clustering.radius, labels: labels, sizes: sizes,
            earlier: earlier, embedder: options.embedder.name, run: run)
        TopicLifecycle.assignParents(&lifecycle.topics, parents: result.parents, labels: parentLabels, earlier: earlier, facet: facet.name)

        var k = 0
        let placed = TopicLifecycle.classificationRows(items, facet: facet.name, spread: 0.02) {
            let u = result.uniqueIndex[k]
            k += 1
            let a = result.assignments[u]
            let (x, y) = result.coordinates[u]
            // Every trace sits where its summary was projected, unclustered ones too.
            let topic = a.topic.map { lifecycle.topics[$0] }
            return Placement(topic: topic.map { ($0.id, $0.label) }, parent: topic.flatMap { t in t.parent.map { ($0, t.parentLabel ?? "") } },
                             distance: a.distance, confidence: a.confidence,
                             point: (Double(x), Double(y)), unclusteredPoint: (Double(x), Double(y)))
        }
        lifecycle.topics += TopicLifecycle.fixedTopics(facet: facet.name, none: items.count - clusterItems.count - placed.noMatch,
                                                       unclustered: placed.unclustered, run: run)
        let report = FacetRunReport(facet: facet.name, summaries: items.count, distinct: result.uniqueTexts.count, topics: result.clustering.k,
                                    unclustered: placed.unclustered, noMatch: placed.noMatch, newTopics: lifecycle.newCount, keptTopics: lifecycle.kept,
                                    retired: lifecycle.retired, merged: lifecycle.merged, labelled: false, times: result.times)
        return FacetOutcome(topics: lifecycle.topics, rows: placed.rows, report: report)
    }
}
