import XCTest
import SiftModel
import SiftSimulator
@testable import SiftTopics

final class ClusteringTests: XCTestCase {
    /// Points around `k` random unit directions.
    func blobs(k: Int, per: Int, dims: Int = 32, noise: Float = 0.1, seed: UInt64 = 1) -> (Matrix, [Int]) {
        var rng = SeededRandom(seed: seed &+ SeededRandom.golden)
        func gauss() -> Float { Float((rng.unit() + rng.unit() + rng.unit() - 1.5) * 2) }
        let centres = (0..<k).map { _ -> [Float] in var v = (0..<dims).map { _ in gauss() }; Vectors.normalize(&v); return v }
        var rows: [[Float]] = [], truth: [Int] = []
        for c in 0..<k { for _ in 0..<per { var v = centres[c].map { $0 + noise * gauss() / Float(dims).squareRoot() * 4 }; Vectors.normalize(&v); rows.append(v); truth.append(c) } }
        return (Matrix(rows, cols: dims), truth)
    }

    func testFindsTheNumberOfWellSeparatedGroups() {
        for k in [3, 7, 12] {
            let (x, truth) = blobs(k: k, per: 40, seed: UInt64(k))
            let c = AutoKMeans(seed: 9).fit(x, weights: [Double](repeating: 1, count: x.rows))
            XCTAssertEqual(c.k, k, "k=\(k): candidates \(c.candidates)")
            XCTAssertGreaterThan(Agreement.nmi(truth, c.assignment), 0.95)
        }
    }

    /// The graph's resolution follows the number of groups: 8 and 60 well-separated groups both come
    /// out near their count (a fixed resolution merges many groups: modularity's resolution limit),
    /// and a sample of 1,800 of 6,000 points (the rest placed by their neighbours) finds the same.
    func testGraphFindsFewAndManyGroups() {
        for (k, per) in [(8, 40), (60, 25)] {
            let (x, truth) = blobs(k: k, per: per, dims: 48, noise: 0.25, seed: UInt64(k))
            let c = GraphClusterer().fit(x, weights: [Double](repeating: 1, count: x.rows))
            XCTAssertTrue(Double(c.k) >= 0.8 * Double(k) && Double(c.k) <= 1.25 * Double(k), "k=\(k): \(c.k) topics, tried \(c.candidates)")
            XCTAssertGreaterThan(Agreement.nmi(truth, c.assignment), 0.9)
        }
        let (x, truth) = blobs(k: 30, per: 200, dims: 48, noise: 0.25, seed: 5)
        var g = GraphClusterer()
        g.sampleSize = 1_800
        let c = g.fit(x, weights: [Double](repeating: 1, count: x.rows))
        XCTAssertTrue((24...38).contains(c.k), "\(c.k) topics")
        XCTAssertGreaterThan(Agreement.nmi(truth, c.assignment), 0.9)
        XCTAssertEqual(g.fit(x, weights: [Double](repeating: 1, count: x.rows)).assignment, c.assignment, "seeded")
    }

    /// Parents group near topics: 12 topics in 3 families of 4 make 3 parents (the square root of 12,
    /// rounded), each holding one family; fewer than 6 topics are not grouped.
    func testHierarchyGroupsNearTopics() {
        var rng = SeededRandom(seed: 11)
        var centroids: [[Float]] = [], family: [Int] = []
        for f in 0..<3 {
            var base = (0..<24).map { _ in Float(rng.unit() - 0.5) }
            Vectors.normalize(&base)
            for _ in 0..<4 {
                var v = base.map { $0 + Float(rng.unit() - 0.5) * 0.15 }
                Vectors.normalize(&v)
                centroids.append(v); family.append(f)
            }
        }
        let parents = try! XCTUnwrap(TopicHierarchy.group(centroids, weights: (0..<12).map { Double(12 - $0) }))
        XCTAssertEqual(Set(parents).count, 3)
        XCTAssertEqual(Agreement.ari(family, parents), 1)
        XCTAssertEqual(parents[0], 0, "the heaviest parent first")
        XCTAssertNil(TopicHierarchy.group(Array(centroids.prefix(5)), weights: [1, 1, 1, 1, 1]))
        XCTAssertEqual(TopicHierarchy.parentCount(100), 10)
        // Parent labels come from the texts and never repeat a topic's label.
        let members: [[(text: String, weight: Double, distance: Float)]] = (0..<12).map { t in
            [(text: ["refund card payment", "flight seat booking", "password reset login"][family[t]] + " case \(t)", weight: 1, distance: 0)]
        }
        let topicLabels = Labeler.label(members)
        let labels = TopicHierarchy.labels(parents: parents, members: members, topicLabels: topicLabels, phrases: false)
        XCTAssertEqual(labels.count, 3)
        XCTAssertTrue(labels[parents[0]].label.lowercased().contains("refund") || labels[parents[0]].label.lowercased().contains("card"), labels[parents[0]].label)
        XCTAssertTrue(Set(labels.map(\.label)).isDisjoint(with: topicLabels.map(\.label)))
        // Names a chat model gives can repeat: parents never share a label with each other or a topic.
        let repeated = TopicHierarchy.distinct([TopicLabel(label: "Orders", description: "", terms: ["refund"]), TopicLabel(label: "Orders", description: "", terms: ["seat"]),
                                                TopicLabel(label: topicLabels[8].label, description: "", terms: ["login"])],
                                               parents: parents.map { [0, 1, 2][$0] }, topicLabels: topicLabels)
        XCTAssertEqual(Set(repeated.map(\.label)).count, 3, "\(repeated.map(\.label))")
        XCTAssertTrue(Set(repeated.map(\.label)).isDisjoint(with: topicLabels.map(\.label)), "\(repeated.map(\.label))")
        // A parent of one topic is named like it.
        let single = TopicHierarchy.labels(parents: [0, 1, 1], members: Array(members.prefix(3)), topicLabels: Array(topicLabels.prefix(3)), phrases: false)
        XCTAssertEqual(single[0].label, topicLabels[0].label)
    }

    func testRequestLabelsLeaveOutFiguresPlaceholdersAndPictographs() {
        XCTAssertEqual(Labeler.labelReady("Forgot my password again 🙈 email is <EMAIL>, thanks"), "Forgot my password again")
        XCTAssertEqual(Labeler.labelReady("Reset my password please, email is <EMAIL>"), "Reset my password please")
        XCTAssertEqual(Labeler.labelReady("Hi, <NAME> here"), "Hi, here")
        XCTAssertEqual(Labeler.labelReady("Good morning, this is <NAME>, I can't log in"), "Good morning, this is, I can't log in")
        XCTAssertEqual(Labeler.labelReady("Give <EMAIL> a seat ❤️ please"), "Give a seat please")
        XCTAssertEqual(Labeler.labelReady("Schöne Grüße, ça va ¿qué?"), "Schöne Grüße, ça va ¿qué?")
        // A topic of one request worded many ways: a member whose wording carries no figure, and lost no
        // redacted text, names it, though the members with figures are as many.
        let refund: [(text: String, weight: Double, distance: Float)] = [
            (text: "16 people left right after the invoice, can we get a refund for those seats", weight: 1, distance: 0.1),
            (text: "2 people left right after the invoice, refund those seats please", weight: 1, distance: 0.1),
            (text: "<NAME> left right after the invoice, refund the seat", weight: 1, distance: 0.1),
            (text: "people left right after the invoice, can we get a refund for those seats", weight: 1, distance: 0.2),
        ]
        let other: [(text: String, weight: Double, distance: Float)] = [(text: "how do I add a shared mailbox", weight: 1, distance: 0), (text: "add a shared mailbox in outlook", weight: 1, distance: 0)]
        let labels = Labeler.label([refund, other], phrases: true)
        XCTAssertEqual(labels[0].label, "People left right after the invoice, can we…")
        XCTAssertFalse(labels.contains { $0.label.contains("<") })
    }

    func testSeededAndReproducible() {
        let (x, _) = blobs(k: 5, per: 50)
        let w = [Double](repeating: 1, count: x.rows)
        let a = AutoKMeans(seed: 3).fit(x, weights: w), b = AutoKMeans(seed: 3).fit(x, weights: w)
        XCTAssertEqual(a.assignment, b.assignment)
        XCTAssertEqual(a.centroids, b.centroids)
    }

    func testIdenticalPointsMakeOneTopic() {
        let x = Matrix([[Float]](repeating: [1, 0, 0, 0], count: 10), cols: 4)
        let c = AutoKMeans().fit(x, weights: [Double](repeating: 1, count: 10))
        XCTAssertEqual(c.k, 1)
        XCTAssertEqual(Set(c.assignment), [0])
    }

    func testClassifierKeepsFarPointsAsNoMatchAndMatchesCentroids() {
        let topics = [TopicInfo(id: "a", label: "A", description: "", terms: [], centroid: [1, 0, 0], radius: 0.2, size: 1),
                      TopicInfo(id: "b", label: "B", description: "", terms: [], centroid: [0, 1, 0], radius: 0.2, size: 1)]
        let x = Matrix(([[0.99, 0.14, 0], [0, 0, 1]] as [[Float]]).map { v -> [Float] in var v = v; Vectors.normalize(&v); return v }, cols: 3)
        let a = Classifier.classify(x, topics: topics)
        XCTAssertEqual(a[0].topic, 0)
        XCTAssertGreaterThan(a[0].confidence, 0.8)
        XCTAssertNil(a[1].topic)
        let m = Classifier.match(new: [[0, 1, 0], [0, 0, 1]], previous: [[1, 0, 0], [0, 0.99, 0.14]])
        XCTAssertEqual(m.continues, [1, nil])
        XCTAssertEqual(m.mergedInto, [nil, nil])
    }

    func testAgreementMeasures() {
        XCTAssertEqual(Agreement.nmi([0, 0, 1, 1], [5, 5, 7, 7]), 1, accuracy: 1e-9)
        XCTAssertEqual(Agreement.ari([0, 0, 1, 1], [1, 1, 0, 0]), 1, accuracy: 1e-9)
        XCTAssertEqual(Agreement.ari([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]), -1.2 / 3.3, accuracy: 1e-9)
        XCTAssertEqual(Agreement.nmi([0, 0, 1, 1], [0, 1, 0, 1]), 0, accuracy: 1e-9)
    }

    func testEmbedderIsDeterministicAndSimilarForRelatedTexts() throws {
        let e = HashingEmbedder()
        let a = e.vector("refund my order please"), b = e.vector("I want a refund for my order"), c = e.vector("reset my password")
        XCTAssertEqual(a, e.vector("refund my order please"))
        XCTAssertGreaterThan(Vectors.dot(a, b), Vectors.dot(a, c) + 0.2)
        XCTAssertEqual(Vectors.dot(a, a), 1, accuracy: 1e-5)
        XCTAssertEqual(try e.embed(["x", "y"]).count, 2)
    }

    func testCSVReader() throws {
        let rows = try LabelledTexts.parseCSV("text,label\n\"a, \"\"quoted\"\"\nline\",x\nplain,y\n")
        XCTAssertEqual(rows.map(\.fields), [["text", "label"], ["a, \"quoted\"\nline", "x"], ["plain", "y"]])
        XCTAssertEqual(rows.map(\.line), [1, 2, 4])
        XCTAssertThrowsError(try LabelledTexts.parseCSV("a\n\"open", path: "f.csv")) { e in XCTAssertEqual("\(e)", "f.csv:2: a quoted field is not closed") }
    }
}

final class Banking77Tests: XCTestCase {
    /// Quality report on banking77 with no k given (the targets live in the embeddings issue; this is
    /// the floor for the built-in hashing embedder, and the figures are printed for BENCHMARKS.md).
    func testBanking77WithoutK() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/banking77/test.csv").standardized.path
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("banking77 not found at \(file)") }
        let data = try LabelledTexts.read(path: file, textColumn: "text", labelColumn: "category")
        XCTAssertEqual(data.texts.count, 3080)
        let result = try Discovery(embedder: HashingEmbedder()).run(texts: data.texts)
        var ids: [String: Int] = [:]
        let truth = data.labels!.map { l -> Int in if let i = ids[l] { return i }; ids[l] = ids.count; return ids.count - 1 }
        let predicted = result.uniqueIndex.map { result.assignments[$0].topic ?? result.clustering.k }
        let nmi = Agreement.nmi(truth, predicted), ari = Agreement.ari(truth, predicted)
        let unassigned = Double(predicted.filter { $0 == result.clustering.k }.count) / 3080
        print(String(format: "banking77, builtin-hash-384-v1, no k: %d topics, NMI %.3f, ARI %.3f, unassigned %.1f%%", result.clustering.k, nmi, ari, 100 * unassigned))
        XCTAssertEqual(ids.count, 77)
        XCTAssertGreaterThan(nmi, 0.5)
        XCTAssertLessThan(unassigned, 0.1)
        XCTAssertGreaterThanOrEqual(result.clustering.k, 20)
    }
}
