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
    @Option(help: "Output: table or json.") var format: String = "table"
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("Force the number of topics (for comparison; default: chosen automatically).", valueName: "k")) var k: Int?
    @Option(help: "Topics to print (table format).") var show: Int = 15
    @Option(help: "Clustering: graph (kNN graph communities; the default for 50 to 20,000 distinct texts) or kmeans (silhouette-chosen k).") var method: String = "graph"
    @Option(help: "Graph resolution: higher gives more, smaller topics.") var resolution: Double = GraphClusterer().resolution
    @Option(name: .customLong("embedding-model"), help: ArgumentHelp("A sentence-transformers model directory (BERT family), or builtin (default: SIFT_EMBEDDING_MODEL, else an installed all-MiniLM-L6-v2, else builtin).", valueName: "dir"))
    var embeddingModel: String?

    func validate() throws {
        if !["table", "json"].contains(format) { throw ValidationError("--format must be table or json") }
        if let k, k < 1 { throw ValidationError("-k must be at least 1") }
        if !["graph", "kmeans"].contains(method) { throw ValidationError("--method must be graph or kmeans") }
        if resolution <= 0 { throw ValidationError("--resolution must be positive") }
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
            if method == "kmeans" || k != nil { discovery.graph = nil } else { discovery.graph?.resolution = resolution }
            discovery.progress = progressPrinter()
            let result = try discovery.run(texts: data.texts)
            clearProgress()
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
            if let enc = embedder as? SentenceEncoder {
                let tokens = data.texts.reduce(0) { $0 + enc.tokenize($1).count }
                o["avg_tokens"] = .double(Double(tokens) / Double(data.texts.count))
                o["sentences_per_second"] = .double(Double(result.uniqueTexts.count) / max(result.times.embed, 1e-9))
            }
            o["seconds"] = ["read": .double(readSeconds), "embed": .double(result.times.embed), "cluster": .double(result.times.cluster),
                            "label": .double(result.times.label), "classify": .double(result.times.classify), "project": .double(result.times.project)]
            o["candidates"] = .array(result.clustering.candidates.map { ["k": .int(Int64($0.k)), "silhouette": .double($0.score)] })
            var sizes = [Int](repeating: 0, count: result.clustering.k)
            for t in perText where t >= 0 { sizes[t] += 1 }
            o["topic_list"] = .array(result.labels.enumerated().map { i, l in ["label": .string(l.label), "size": .int(Int64(sizes[i])), "terms": .array(l.terms.map(Value.string))] })
            if format == "json" { print(JSONWriter.string(.object(o))); return }
            print("\(grouped(data.texts.count)) texts (\(grouped(result.uniqueTexts.count)) distinct), embedder \(embedder.name)")
            print("topics found: \(result.clustering.k)\(data.labels != nil ? " (true groups: \(o["true_groups"]!.intValue!))" : ""), unassigned: \(String(format: "%.1f%%", 100 * o["unassigned_share"]!.doubleValue!))")
            if data.labels != nil {
                print(String(format: "NMI %.3f   ARI %.3f", o["nmi"]!.doubleValue!, o["ari"]!.doubleValue!))
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
}


extension String {
    func clipped(_ n: Int) -> String { count > n ? String(prefix(n - 1)) + "…" : self }
}
