// `sift topics eval`: the embed -> cluster -> label stages on any labelled set of texts, scored
// against its labels (NMI, ARI, topic count).

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftTopics
import SiftReport

struct TopicsEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run embed -> cluster -> label on a CSV or JSONL of texts; with true labels, print NMI, ARI, topic count and unassigned share.",
        discussion: "Example: sift topics eval ../shared/data/banking77/test.csv --text-column text --label-column category"
    )

    @Argument(help: "CSV (with a header row) or JSONL file.") var file: String
    @Option(name: .customLong("text-column"), help: "Column (or JSON field) holding the text.") var textColumn: String = "text"
    @Option(name: .customLong("label-column"), help: "Column holding the true label, to score against.") var labelColumn: String?
    @Option(name: .customLong("parent-label-column"), help: "Column holding a coarser true label (a scenario or domain), to score the parent topics against.") var parentLabelColumn: String?
    @Option(help: "Output: table or json.") var format: String = "table"
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("Force the number of topics (for comparison; default: chosen automatically).", valueName: "k")) var k: Int?
    @Option(help: "Topics to print (table format).") var show: Int = 15
    @Option(help: "Clustering: graph (kNN graph communities on a seeded sample of up to 3,000 distinct texts; the default from 50 distinct texts) or kmeans (silhouette-chosen k).") var method: String = "graph"
    @Option(help: "Graph resolution: higher gives more, smaller topics (default: the most stable across seeded subsamples).") var resolution: Double?
    @Option(name: .customLong("embedding-model"), help: ArgumentHelp("A sentence-transformers model directory (BERT family), or builtin (default: SIFT_EMBEDDING_MODEL, else an installed all-MiniLM-L6-v2, else builtin).", valueName: "dir"))
    var embeddingModel: String?
    @Option(help: ArgumentHelp("Graph: the share of a group's edges to another above which the two are one topic (default \(GraphClusterer().share)).", valueName: "share"))
    var share: Double?
    @Option(name: .customLong("vector-cache"), help: ArgumentHelp("Keep the vectors in this file between runs, so a repeated evaluation embeds only texts it has not seen.", valueName: "path"))
    var vectorCache: String?
    @Option(name: .customLong("save-vectors"), help: ArgumentHelp("Also write the distinct texts' vectors to PATH.f32 (float32 rows, little-endian) and PATH.jsonl (one {\"text\", \"count\"} per row, with \"label\" when labelled), for analysis in other tools.", valueName: "path"))
    var saveVectors: String?

    func validate() throws {
        if !["table", "json"].contains(format) { throw ValidationError("--format must be table or json") }
        if let k, k < 1 { throw ValidationError("-k must be at least 1") }
        if !["graph", "kmeans"].contains(method) { throw ValidationError("--method must be graph or kmeans") }
        if let resolution, resolution <= 0 { throw ValidationError("--resolution must be positive") }
    }

    func run() throws {
        try guarded {
            let t0 = Date()
            let data = try LabelledTexts.read(path: file, textColumn: textColumn, labelColumn: labelColumn)
            let readSeconds = Date().timeIntervalSince(t0)
            guard data.texts.count >= 2 else { throw TopicsError.tooFew("\(file): need at least 2 texts, found \(data.texts.count)") }
            let (embedder, note) = try ModelStore.embedder(explicit: embeddingModel)
            if let note { printError(note) }
            var clusterer = AutoKMeans(seed: seed)
            clusterer.fixedK = k
            var discovery = Discovery(embedder: embedder, clusterer: clusterer)
            if method == "kmeans" || k != nil { discovery.graph = nil } else { discovery.graph?.resolution = resolution; discovery.graph?.seed = seed; if let share { discovery.graph?.share = share } }
            if let vectorCache { discovery.cache = try FileVectorCache(path: vectorCache) }
            discovery.progress = progressPrinter()
            let result = try discovery.run(texts: data.texts)
            clearProgress()
            if let saveVectors { try save(result, labels: data.labels, to: saveVectors) }
            let perText = result.uniqueIndex.map { result.assignments[$0].topic ?? -1 }
            let unassigned = perText.filter { $0 < 0 }.count
            var o: JSONObject = ["file": .string(file), "texts": .int(Int64(data.texts.count)), "distinct": .int(Int64(result.uniqueTexts.count)),
                                 "embedder": .string(embedder.name), "topics": .int(Int64(result.clustering.k)),
                                 "unassigned_share": .double(Double(unassigned) / Double(data.texts.count))]
            if let labels = data.labels {
                var ids: [String: Int] = [:]
                let truth = labels.map { l -> Int in if let i = ids[l] { return i }; ids[l] = ids.count; return ids.count - 1 }
                // Unassigned points count as one more group (they are not silently dropped).
                let predicted = perText.map { $0 < 0 ? result.clustering.k : $0 }
                o["true_groups"] = .int(Int64(ids.count))
                o["nmi"] = .double(Agreement.nmi(truth, predicted))
                o["ari"] = .double(Agreement.ari(truth, predicted))
            }
            if let parents = result.parents {
                o["parent_topics"] = .int(Int64(result.parentLabels.count))
                if let parentLabelColumn, let coarse = try LabelledTexts.read(path: file, textColumn: textColumn, labelColumn: parentLabelColumn).labels {
                    var ids: [String: Int] = [:]
                    let truth = coarse.map { l -> Int in if let i = ids[l] { return i }; ids[l] = ids.count; return ids.count - 1 }
                    let predicted = perText.map { $0 < 0 ? result.parentLabels.count : parents[$0] }
                    o["parent_true_groups"] = .int(Int64(ids.count))
                    o["parent_nmi"] = .double(Agreement.nmi(truth, predicted))
                    o["parent_ari"] = .double(Agreement.ari(truth, predicted))
                }
            }
            if let enc = embedder as? SentenceEncoder {
                let tokens = data.texts.reduce(0) { $0 + enc.tokenize($1).count }
                o["avg_tokens"] = .double(Double(tokens) / Double(data.texts.count))
                o["sentences_per_second"] = .double(Double(result.uniqueTexts.count) / max(result.times.embed, 1e-9))
            }
            o["seconds"] = ["read": .double(readSeconds), "embed": .double(result.times.embed), "cluster": .double(result.times.cluster),
                            "label": .double(result.times.label), "classify": .double(result.times.classify), "project": .double(result.times.project)]
            // k-means: (k, silhouette) per candidate k; graph: (mean topic count, stability) per candidate resolution.
            o["candidates"] = .array(result.clustering.candidates.map { ["k": .int(Int64($0.k)), "score": .double($0.score)] })
            var sizes = [Int](repeating: 0, count: result.clustering.k)
            for t in perText where t >= 0 { sizes[t] += 1 }
            o["topic_list"] = .array(result.labels.enumerated().map { i, l in
                var t: JSONObject = ["label": .string(l.label), "size": .int(Int64(sizes[i])), "terms": .array(l.terms.map(Value.string))]
                if let p = result.parents?[i] { t["parent"] = .string(result.parentLabels[p].label) }
                return .object(t)
            })
            if format == "json" { print(JSONWriter.string(.object(o))); return }
            print("\(grouped(data.texts.count)) texts (\(grouped(result.uniqueTexts.count)) distinct), embedder \(embedder.name)")
            print("topics found: \(result.clustering.k)\(data.labels != nil ? " (true groups: \(o["true_groups"]!.intValue!))" : ""), unassigned: \(String(format: "%.1f%%", 100 * o["unassigned_share"]!.doubleValue!))")
            if data.labels != nil {
                print(String(format: "NMI %.3f   ARI %.3f", o["nmi"]!.doubleValue!, o["ari"]!.doubleValue!))
            }
            if let n = o["parent_topics"]?.intValue {
                print("parent topics: \(n)" + (o["parent_nmi"].map { String(format: " (true groups: %d), NMI %.3f   ARI %.3f", o["parent_true_groups"]!.intValue!, $0.doubleValue!, o["parent_ari"]!.doubleValue!) } ?? ""))
            }
            print(String(format: "time: read %.2fs, embed %.2fs, cluster %.2fs, label %.2fs, project %.2fs", readSeconds, result.times.embed, result.times.cluster, result.times.label, result.times.project))
            if let t = o["avg_tokens"]?.doubleValue, let r = o["sentences_per_second"]?.doubleValue {
                print(String(format: "encoder: %.1f tokens per text on average, %.0f sentences/s", t, r))
            }
            print("")
            let order = sizes.indices.sorted { sizes[$0] > sizes[$1] }
            print(table(["topic", "texts", "distinctive terms"], order.prefix(show).map { i in
                [result.labels[i].label.clipped(50), grouped(sizes[i]), result.labels[i].terms.prefix(5).joined(separator: ", ")]
            }, rightAligned: [1]))
            if order.count > show { print("... and \(order.count - show) more (--show N, or --format json)") }
        }
    }

    /// The distinct texts' vectors as raw float32 rows and their texts (with the label of each
    /// text's first occurrence) as JSON lines, row for row.
    func save(_ result: DiscoveryResult, labels: [String]?, to path: String) throws {
        var firstLabel = [String?](repeating: nil, count: result.uniqueTexts.count)
        if let labels { for (i, u) in result.uniqueIndex.enumerated() where firstLabel[u] == nil { firstLabel[u] = labels[i] } }
        let raw = result.vectors.data.withUnsafeBufferPointer { Data(buffer: $0) }
        try raw.write(to: URL(fileURLWithPath: path + ".f32"))
        var lines = ""
        for (i, t) in result.uniqueTexts.enumerated() {
            var o: JSONObject = ["text": .string(t), "count": .int(Int64(result.counts[i]))]
            if let l = firstLabel[i] { o["label"] = .string(l) }
            lines += JSONWriter.string(.object(o)) + "\n"
        }
        try lines.write(toFile: path + ".jsonl", atomically: true, encoding: .utf8)
        printError("wrote \(result.vectors.rows) vectors of \(result.vectors.cols) dimensions to \(path).f32 and their texts to \(path).jsonl")
    }
}

extension String {
    func clipped(_ n: Int) -> String { count > n ? String(prefix(n - 1)) + "…" : self }
}

/// Vectors by model and text key in one append-only file: records of (key length, key, count, floats),
/// little-endian. A record cut short by a killed run ends the file's useful part; it is ignored.
final class FileVectorCache: EmbeddingCache {
    let path: String
    var vectors: [String: [Float]] = [:]

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var at = 0
        func u32() -> Int? {
            guard at + 4 <= data.count else { return nil }
            defer { at += 4 }
            return Int(data[at..<at + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        }
        while let klen = u32(), at + klen <= data.count, let key = String(data: data[at..<at + klen], encoding: .utf8) {
            at += klen
            guard let dims = u32(), at + dims * 4 <= data.count else { break }
            vectors[key] = data[at..<at + dims * 4].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            at += dims * 4
        }
    }

    func cached(model: String, keys: [String]) throws -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for k in keys { if let v = vectors[model + "\u{1}" + k] { out[k] = v } }
        return out
    }

    func store(model: String, _ items: [(key: String, vector: [Float])]) throws {
        var out = Data()
        for (k, v) in items {
            let key = Data((model + "\u{1}" + k).utf8)
            withUnsafeBytes(of: UInt32(key.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(key)
            withUnsafeBytes(of: UInt32(v.count).littleEndian) { out.append(contentsOf: $0) }
            v.withUnsafeBytes { out.append(contentsOf: $0) }
            vectors[model + "\u{1}" + k] = v
        }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TopicsError.invalid("cannot write the vector cache \(path)") }
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: out)
    }
}
