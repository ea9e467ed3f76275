// `sift topics run` and `sift topics classify`: traces -> thread text -> redaction -> facet summaries
// -> (per facet) labels, or embeddings -> clusters -> labels -> classifications and 2-D coordinates,
// written back in one transaction so the query engine sees facets.* and classifications.* at once.
// Topic ids persist across runs for topics whose centroid persists.

import Foundation
import SiftModel
import SiftStore
import SiftTopics

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

public final class TopicsRunner {
    public let store: Store

    public init(store: Store) { self.store = store }

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

    func projectRow(_ name: String) throws -> Int64 {
        guard let pid = try store.projectID(named: name) else {
            let known = try store.projectNames()
            throw StoreError.notFound("no project named '\(name)'" + (known.isEmpty ? " (the store is empty: ingest traces first)" : " (projects: \(known.joined(separator: ", ")))"))
        }
        return pid
    }

    // MARK: - Summaries

    /// Summaries for each facet of each trace: [facet index][trace index] -> output (nil: skipped).
    func summarize(_ ids: [String], pid: Int64, facets: [FacetDefinition], options: TopicsOptions,
                   onTrace: ((TraceThread, Int) -> Void)? = nil) throws -> [[FacetOutput?]] {
        var out = [[FacetOutput?]](repeating: [FacetOutput?](repeating: nil, count: ids.count), count: facets.count)
        let excludes = try facets.map { f in try f.exclude.map { try NSRegularExpression(pattern: $0, options: .caseInsensitive) } }
        let chunk = 2000
        var done = 0
        var firstError: Error?
        let lock = NSLock()
        while done < ids.count {
            let slice = Array(ids[done..<min(ids.count, done + chunk)])
            let traces = try store.traces(projectRow: pid, ids: slice)
            let byID = Dictionary(traces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let base = done
            let workers = max(1, options.facetModel.concurrency)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for j in stride(from: w, to: slice.count, by: workers) {
                    // One failure stops the run (an unreachable server fails every trace the same way).
                    lock.lock(); let failed = firstError != nil; lock.unlock()
                    if failed { break }
                    guard let trace = byID[slice[j]] else { continue }
                    let thread = TraceThread(trace: trace).mapText(options.redactor.redact)
                    for (fi, f) in facets.enumerated() {
                        do {
                            guard let text = try FacetText.text(f.preprocessor, thread: thread, trace: trace, redactor: options.redactor) else { continue }
                            let result: FacetOutput?
                            if let ex = excludes[fi], ex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil {
                                result = FacetOutput(summary: "no_match", label: nil)
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
            if let e = firstError { throw e }
            done += slice.count
            options.progress?("summarised \(done)/\(ids.count) traces")
        }
        return out
    }

    // MARK: - Run

    /// The built-in model compiles the rules of the custom facets it will run.
    func prepared(_ options: TopicsOptions, _ facets: [FacetDefinition]) -> TopicsOptions {
        var o = options
        if o.facetModel is BuiltinFacetModel { o.facetModel = BuiltinFacetModel(custom: facets.filter { $0.kind == .custom }) }
        return o
    }

    public func run(_ options: TopicsOptions) throws -> TopicsRunReport {
        let started = Date()
        let pid = try projectRow(options.project)
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
        let summarizeSeconds = Date().timeIntervalSince(t0) + 0

        // Per facet: topics and classifications (computed before anything is written).
        struct Pending {
            var facet: FacetDefinition
            var run: Int64
            var facetRows: [FacetRow]
            var topics: [StoredTopic]
            var rows: [ClassificationRow]
            var report: FacetRunReport
        }
        var pending: [Pending] = []
        let params: Value = ["seed": .int(Int64(options.seed)), "since": options.since.map { .string(Timestamp(microseconds: $0).iso8601) } ?? .null,
                             "traces": .int(Int64(ids.count))]
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
                let (topics, rows, report) = try facet.hasLabelSet
                    ? labelTopics(facet: facet, items: items, pid: pid, run: run)
                    : clusterTopics(facet: facet, items: items, pid: pid, run: run, options: options)
                pending.append(Pending(facet: facet, run: run, facetRows: facetRows, topics: topics, rows: rows, report: report))
            } catch {
                try? store.finishTopicRun(run, status: "failed", counts: ["error": .string("\(error)")])
                throw error
            }
        }

        t0 = Date()
        try store.db.transaction {
            for p in pending {
                try store.writeFacets(projectRow: pid, rows: p.facetRows, run: p.run)
                try store.saveTopics(projectRow: pid, p.topics)
                try store.writeClassifications(projectRow: pid, facet: p.facet.name, rows: p.rows, source: options.facetModel.name, run: p.run)
                try store.refreshTopicSizes(projectRow: pid, facet: p.facet.name)
                let r = p.report
                try store.finishTopicRun(p.run, status: "done", counts: [
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
                               writeSeconds: writeSeconds, totalSeconds: Date().timeIntervalSince(started), facets: pending.map(\.report))
    }

    // MARK: - Classify new traces

    public struct ClassifyReport: Sendable {
        public var facet: String
        public var classified: Int
        public var noMatch: Int
        public var seconds: Double
    }

    /// Classifies traces that have no classification yet for each facet that has topics, against
    /// the existing topics, without re-clustering.
    public func classifyNew(_ options: TopicsOptions) throws -> [ClassifyReport] {
        let pid = try projectRow(options.project)
        let facets = try facetDefinitions(options.facets)
        let options = prepared(options, facets)
        let starts = try store.traceStarts(projectRow: pid, since: options.since)
        var reports: [ClassifyReport] = []
        var writes: [(FacetDefinition, [FacetRow], [ClassificationRow])] = []
        // Which traces each facet still lacks; all facets are summarised in one pass over the union.
        var todo: [(facet: FacetDefinition, topics: [StoredTopic], missing: Set<String>)] = []
        for facet in facets {
            let stored = try store.topics(projectRow: pid, facet: facet.name)
            guard !stored.isEmpty else { continue }
            let existing = Set(try store.classifications(projectRow: pid, facet: facet.name).map(\.trace))
            todo.append((facet, stored, Set(starts.map(\.id).filter { !existing.contains($0) })))
        }
        let union = starts.map(\.id).filter { id in todo.contains { $0.missing.contains(id) } }
        let t00 = Date()
        let summaries = union.isEmpty ? [] : try summarize(union, pid: pid, facets: todo.map(\.facet), options: options)
        let summarizeShare = Date().timeIntervalSince(t00) / Double(max(todo.count, 1))
        for (fi, (facet, stored, missing)) in todo.enumerated() {
            let t0 = Date()
            guard !missing.isEmpty else { reports.append(ClassifyReport(facet: facet.name, classified: 0, noMatch: 0, seconds: 0)); continue }
            var facetRows: [FacetRow] = [], rows: [ClassificationRow] = []
            var items: [(String, FacetOutput)] = []
            for (i, o) in summaries[fi].enumerated() where missing.contains(union[i]) {
                guard let o else { continue }
                facetRows.append(FacetRow(trace: union[i], facet: facet.name, value: o.summary, source: options.facetModel.name))
                items.append((union[i], o))
            }
            var noMatch = 0
            let slug = Self.slug(facet.name)
            if facet.hasLabelSet {
                for (trace, o) in items {
                    if o.label == nil { noMatch += 1 }
                    rows.append(Self.labelRow(trace: trace, output: o, slug: slug))
                }
            } else {
                let live = stored.filter { !$0.centroid.isEmpty && ($0.status == "active" || $0.status == "new") }
                if let model = live.first?.embeddingModel, model != options.embedder.name {
                    throw TopicsError.model("the \(facet.name) topics were made with the embedder \(model), not \(options.embedder.name): classify with the same embedder, or run sift topics run again")
                }
                let infos = live.map { TopicInfo(id: $0.id, label: $0.label, description: $0.description ?? "", terms: $0.terms, centroid: $0.centroid,
                                                 radius: Float($0.radius ?? 0.5), size: $0.size) }
                // Where each topic sits on the scatterplot: the mean of its traces' coordinates.
                var centres: [String: (Double, Double, Double)] = [:]
                for c in try store.classifications(projectRow: pid, facet: facet.name) {
                    guard let t = c.topic, let x = c.x, let y = c.y else { continue }
                    let p = centres[t] ?? (0, 0, 0)
                    centres[t] = (p.0 + x, p.1 + y, p.2 + 1)
                }
                let fixed: Set<String> = ["NONE", "no_match"]
                let toEmbed = items.filter { !fixed.contains($0.1.summary) }
                let discovery = Discovery(embedder: options.embedder, cache: StoreEmbeddingCache(store: store))
                let (matrix, _) = try discovery.embed(toEmbed.map { $0.1.clusterText ?? $0.1.summary })
                let assigned = Classifier.classify(matrix, topics: infos)
                var k = 0
                for (trace, o) in items {
                    if fixed.contains(o.summary) {
                        if o.summary == "no_match" { noMatch += 1 }
                        rows.append(Self.fixedRow(trace: trace, answer: o.summary, slug: slug))
                        continue
                    }
                    let a = assigned[k]
                    k += 1
                    let h = Hash64.of(trace)
                    let jx = Double(h & 0xffff) / 65535 - 0.5, jy = Double((h >> 16) & 0xffff) / 65535 - 0.5
                    let meta = JSONWriter.string(["distance": .double(Double(a.distance))])
                    if let t = a.topic {
                        let c = centres[infos[t].id].map { ($0.0 / $0.2, $0.1 / $0.2) }
                        rows.append(ClassificationRow(trace: trace, topicID: infos[t].id, label: infos[t].label, confidence: Double(a.confidence),
                                                      distance: Double(a.distance), metadata: meta, x: c.map { $0.0 + jx * 0.05 }, y: c.map { $0.1 + jy * 0.05 }))
                    } else {
                        noMatch += 1
                        rows.append(ClassificationRow(trace: trace, topicID: "\(slug)-unclustered", label: "no_match", confidence: 0, distance: Double(a.distance), metadata: meta))
                    }
                }
            }
            writes.append((facet, facetRows, rows))
            reports.append(ClassifyReport(facet: facet.name, classified: rows.count, noMatch: noMatch, seconds: Date().timeIntervalSince(t0) + summarizeShare))
        }
        try store.db.transaction {
            for (facet, facetRows, rows) in writes {
                try store.writeFacets(projectRow: pid, rows: facetRows, run: nil)
                try store.writeClassifications(projectRow: pid, facet: facet.name, rows: rows, source: options.facetModel.name, run: nil)
                if rows.contains(where: { $0.topicID == "\(Self.slug(facet.name))-unclustered" }),
                   try store.topics(projectRow: pid, facet: facet.name).first(where: { $0.id == "\(Self.slug(facet.name))-unclustered" }) == nil {
                    try store.saveTopics(projectRow: pid, [StoredTopic(id: "\(Self.slug(facet.name))-unclustered", facet: facet.name, label: "no_match",
                        description: "Traces far from every topic (kept aside, not forced into one).", terms: [], centroid: [], radius: nil, size: 0, status: "active")])
                }
                try store.refreshTopicSizes(projectRow: pid, facet: facet.name)
            }
        }
        return reports
    }

    /// A trace of a label-set facet: its label's topic, or no_match.
    static func labelRow(trace: String, output o: FacetOutput, slug: String) -> ClassificationRow {
        guard let l = o.label else {
            return ClassificationRow(trace: trace, topicID: nil, label: "no_match", confidence: nil, distance: nil, metadata: JSONWriter.string(["summary": .string(o.summary)]))
        }
        return ClassificationRow(trace: trace, topicID: "\(slug)-\(Self.slug(l))", label: l, confidence: 1, distance: 0,
                                 metadata: JSONWriter.string(["distance": 0.0, "summary": .string(o.summary)]))
    }

    /// A trace of a clustered facet whose answer is fixed (NONE, no_match) rather than text to cluster.
    static func fixedRow(trace: String, answer: String, slug: String) -> ClassificationRow {
        ClassificationRow(trace: trace, topicID: answer == "NONE" ? "\(slug)-none" : nil, label: answer, confidence: 1, distance: 0,
                          metadata: JSONWriter.string(["distance": 0.0]))
    }

    static func slug(_ s: String) -> String {
        String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Facets with a fixed label set: each label is a topic; traces are classified by their label.
    func labelTopics(facet: FacetDefinition, items: [(trace: String, output: FacetOutput)], pid: Int64, run: Int64) throws -> ([StoredTopic], [ClassificationRow], FacetRunReport) {
        var counts: [String: Int] = [:]
        var rows: [ClassificationRow] = []
        var noMatch = 0
        for (trace, o) in items {
            if let label = o.label { counts[label, default: 0] += 1 } else { noMatch += 1 }
            rows.append(Self.labelRow(trace: trace, output: o, slug: Self.slug(facet.name)))
        }
        let known = facet.labels.map(\.label)
        let labels = known + counts.keys.filter { !known.contains($0) }.sorted()
        let topics = labels.map { l in
            StoredTopic(id: "\(Self.slug(facet.name))-\(Self.slug(l))", facet: facet.name, label: l,
                        description: facet.labels.first { $0.label == l }?.example ?? "\(facet.name) is \(l)", terms: [], centroid: [], radius: nil,
                        size: counts[l] ?? 0, status: "active", firstRun: run, lastRun: run)
        }
        let report = FacetRunReport(facet: facet.name, summaries: items.count, distinct: counts.count, topics: counts.count, unclustered: 0, noMatch: noMatch,
                                    newTopics: 0, keptTopics: counts.count, retired: 0, merged: 0, labelled: true, times: StageTimes())
        return (topics, rows, report)
    }

    /// Free-text facets: embed, cluster, label, match to previous topics, classify, project.
    func clusterTopics(facet: FacetDefinition, items: [(trace: String, output: FacetOutput)], pid: Int64, run: Int64,
                       options: TopicsOptions) throws -> ([StoredTopic], [ClassificationRow], FacetRunReport) {
        let slug = Self.slug(facet.name)
        // Fixed answers are labels, not text to cluster: NONE (nothing went wrong) and no_match.
        let fixed: Set<String> = ["NONE", "no_match"]
        let clusterItems = items.filter { !fixed.contains($0.output.summary) }
        var discovery = Discovery(embedder: options.embedder, clusterer: AutoKMeans(seed: options.seed), cache: StoreEmbeddingCache(store: store))
        discovery.progress = options.progress.map { p in { p("\(facet.name): \($0)") } }
        let result = try discovery.run(texts: clusterItems.map { $0.output.clusterText ?? $0.output.summary })

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
        }
        // Stable ids: continue previous topics whose centroid matches.
        let previous = try store.topics(projectRow: pid, facet: facet.name).filter { !$0.centroid.isEmpty && $0.embeddingModel == options.embedder.name && ($0.status == "active" || $0.status == "new") }
        let (continues, mergedInto) = Classifier.match(new: result.clustering.centroids, previous: previous.map(\.centroid))
        let allPrevious = try store.topics(projectRow: pid, facet: facet.name)
        var nextNumber = (allPrevious.compactMap { t -> Int? in
            guard t.id.hasPrefix(slug + "-") else { return nil }
            return Int(t.id.dropFirst(slug.count + 1))
        }.max() ?? 0) + 1
        var ids: [String] = []
        var topics: [StoredTopic] = []
        var sizes = [Int](repeating: 0, count: result.clustering.k)
        for (u, a) in result.assignments.enumerated() { if let t = a.topic { sizes[t] += result.counts[u] } }
        var newCount = 0
        for c in 0..<result.clustering.k {
            let id: String, status: String
            if let p = continues[c] { id = previous[p].id; status = "active" } else { id = "\(slug)-\(nextNumber)"; nextNumber += 1; status = "new"; newCount += 1 }
            ids.append(id)
            let l = labels[c]
            topics.append(StoredTopic(id: id, facet: facet.name, label: l.label, description: l.description, terms: l.terms,
                                      centroid: result.clustering.centroids[c], radius: Double(result.clustering.radius[c]), size: sizes[c],
                                      status: status, embeddingModel: options.embedder.name, firstRun: run, lastRun: run))
        }
        var retired = 0, merged = 0
        // Topics made with another embedder cannot be matched (their centroids live in another space):
        // this run replaces them.
        for p in allPrevious where !p.centroid.isEmpty && p.embeddingModel != options.embedder.name && (p.status == "active" || p.status == "new") {
            var t = p
            t.status = "retired"; t.size = 0; t.lastRun = run
            topics.append(t)
            retired += 1
        }
        for (j, p) in previous.enumerated() where !continues.contains(j) {
            var t = p
            if let into = mergedInto[j] { t.status = "merged"; t.mergedInto = ids[into]; merged += 1 } else { t.status = "retired"; retired += 1 }
            t.size = 0
            t.lastRun = run
            topics.append(t)
        }
        // A first run has no "new" topics: everything is new, which says nothing.
        if previous.isEmpty { for i in topics.indices where topics[i].status == "new" { topics[i].status = "active" }; newCount = 0 }

        var rows: [ClassificationRow] = []
        rows.reserveCapacity(items.count)
        var k = 0
        var unclustered = 0, noMatch = 0
        for (trace, o) in items {
            if fixed.contains(o.summary) {
                if o.summary == "no_match" { noMatch += 1 }
                rows.append(Self.fixedRow(trace: trace, answer: o.summary, slug: slug))
                continue
            }
            let u = result.uniqueIndex[k]
            k += 1
            let a = result.assignments[u]
            let (x, y) = result.coordinates[u]
            let h = Hash64.of(trace)
            let jx = Double(h & 0xffff) / 65535 - 0.5, jy = Double((h >> 16) & 0xffff) / 65535 - 0.5
            let meta: Value = ["distance": .double(Double(a.distance))]
            if let t = a.topic {
                rows.append(ClassificationRow(trace: trace, topicID: ids[t], label: topics[t].label, confidence: Double(a.confidence), distance: Double(a.distance),
                                              metadata: JSONWriter.string(meta), x: Double(x) + jx * 0.02, y: Double(y) + jy * 0.02))
            } else {
                unclustered += 1
                rows.append(ClassificationRow(trace: trace, topicID: "\(slug)-unclustered", label: "no_match", confidence: 0, distance: Double(a.distance),
                                              metadata: JSONWriter.string(meta), x: Double(x) + jx * 0.02, y: Double(y) + jy * 0.02))
            }
        }
        let noneCount = items.count - clusterItems.count - noMatch
        if noneCount > 0 {
            topics.append(StoredTopic(id: "\(slug)-none", facet: facet.name, label: "NONE", description: "Nothing went wrong in these traces.", terms: [],
                                      centroid: [], radius: nil, size: noneCount, status: "active", firstRun: run, lastRun: run))
        }
        if unclustered > 0 {
            topics.append(StoredTopic(id: "\(slug)-unclustered", facet: facet.name, label: "no_match", description: "Traces far from every topic (kept aside, not forced into one).",
                                      terms: [], centroid: [], radius: nil, size: unclustered, status: "active", firstRun: run, lastRun: run))
        }
        let report = FacetRunReport(facet: facet.name, summaries: items.count, distinct: result.uniqueTexts.count, topics: result.clustering.k,
                                    unclustered: unclustered, noMatch: noMatch, newTopics: newCount, keptTopics: continues.compactMap { $0 }.count,
                                    retired: retired, merged: merged, labelled: false, times: result.times)
        return (topics, rows, report)
    }
}

enum Hash64 {
    static func of(_ s: String) -> UInt64 { Hash.fnv(s, seed: 0) }
}

struct StoreEmbeddingCache: EmbeddingCache {
    let store: Store
    func cached(model: String, keys: [String]) throws -> [String: [Float]] { try store.cachedEmbeddings(model: model, keys: keys) }
    func store(model: String, _ items: [(key: String, vector: [Float])]) throws {
        try store.db.transaction { try store.cacheEmbeddings(model: model, items) }
    }
}
