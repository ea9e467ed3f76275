import XCTest
import SiftTestSupport
import SiftModel
@testable import SiftTopics

/// The sentence encoder against the reference embeddings of all-MiniLM-L6-v2.
final class EncoderTests: XCTestCase {
    static var modelDirectory: String? {
        let env = ProcessInfo.processInfo.environment["SIFT_EMBEDDING_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        let home = ModelStore.directory + "/" + ModelStore.miniLM
        return [env, home].compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0 + "/model.safetensors") }
    }

    static var golden: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/minilm-golden/golden.json").standardized.path
    }

    func testGoldenInputIdsAndEmbeddings() throws {
        guard let dir = Self.modelDirectory else {
            throw XCTSkip("all-MiniLM-L6-v2 weights not installed (sift models install minilm, or SIFT_EMBEDDING_MODEL=DIR)")
        }
        guard let data = FileManager.default.contents(atPath: Self.golden) else { throw XCTSkip("golden vectors not found at \(Self.golden)") }
        let golden = try JSONReader.parse(Array(data))
        let items = try XCTUnwrap(golden["items"]?.arrayValue)
        let encoder = try SentenceEncoder(directory: dir)
        XCTAssertEqual(encoder.dimensions, 384)
        let texts = items.map { $0["text"]!.stringValue! }
        let vectors = try encoder.embed(texts)
        var worst: Float = 1
        for (i, item) in items.enumerated() {
            let ids = item["input_ids"]!.arrayValue!.map { Int32($0.intValue!) }
            XCTAssertEqual(encoder.tokenize(texts[i]), ids, texts[i])
            let want = item["embedding"]!.arrayValue!.map { Float($0.doubleValue!) }
            let cos = Vectors.dot(vectors[i], want) / (Vectors.dot(want, want).squareRoot())
            worst = min(worst, cos)
            XCTAssertGreaterThanOrEqual(cos, 0.99999, texts[i])
        }
        print("golden: \(items.count) sentences, worst cosine \(worst)")
    }

    func testTokenizerBasics() throws {
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "!", "un", "##aff", "##able", "cafe", ","]
        let wp = try WordPiece(vocab: Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($1, Int32($0)) }))
        XCTAssertEqual(wp.basicTokens("  Héllo,\tWORLD!\u{0}  "), ["hello", ",", "world", "!"])
        XCTAssertEqual(wp.encode("Hello unaffable café xyz!"), [2, 4, 7, 8, 9, 10, 1, 6, 3])
        XCTAssertEqual(wp.encode("hello world hello world", maxLength: 4), [2, 4, 5, 3])
        XCTAssertEqual(wp.basicTokens("中文"), ["中", "文"])
    }

    func testSafeTensorsRejectsBadFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ bytes: [UInt8]) throws -> String {
            let p = dir.appendingPathComponent("\(UUID().uuidString).safetensors").path
            FileManager.default.createFile(atPath: p, contents: Data(bytes))
            return p
        }
        let header = Array(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
        var good = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        good += withUnsafeBytes(of: Float(1.5)) { Array($0) } + withUnsafeBytes(of: Float(-2)) { Array($0) }
        XCTAssertEqual(try SafeTensors(path: try file(good)).floats("a"), [1.5, -2])
        XCTAssertThrowsError(try SafeTensors(path: try file(Array(good.prefix(20)))))
        XCTAssertThrowsError(try SafeTensors(path: try file([255, 255, 255, 255, 255, 255, 255, 255, 1])))
        XCTAssertThrowsError(try SafeTensors(path: try file(good)).floats("a", shape: [3]))
        XCTAssertThrowsError(try SafeTensors(path: try file(good)).floats("b"))
    }

    /// banking77 with the installed MiniLM and no k given: the issue's targets (NMI >= 0.83, ARI >= 0.56,
    /// 54-115 topics for 77 intents, at most 10% unassigned). The graph's resolution rule (a fixed
    /// 10% edge share) was chosen across seven labelled sets, not on this split alone (BENCHMARKS.md).
    func testBanking77WithMiniLM() throws {
        guard let dir = Self.modelDirectory else { throw XCTSkip("all-MiniLM-L6-v2 weights not installed (sift models install minilm)") }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/banking77/test.csv").standardized.path
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("banking77 not found at \(file)") }
        let data = try LabelledTexts.read(path: file, textColumn: "text", labelColumn: "category")
        let encoder = try SentenceEncoder(directory: dir)
        let started = Date()
        let result = try Discovery(embedder: encoder).run(texts: data.texts)
        var ids: [String: Int] = [:]
        let truth = data.labels!.map { l -> Int in if let i = ids[l] { return i }; ids[l] = ids.count; return ids.count - 1 }
        let predicted = result.uniqueIndex.map { result.assignments[$0].topic ?? result.clustering.k }
        let nmi = Agreement.nmi(truth, predicted), ari = Agreement.ari(truth, predicted)
        print(String(format: "banking77, %@, no k: %d topics, NMI %.3f, ARI %.3f, embed %.1fs (%.0f sentences/s), total %.1fs",
                     encoder.name, result.clustering.k, nmi, ari, result.times.embed, 3080 / result.times.embed, Date().timeIntervalSince(started)))
        let unassigned = Double(predicted.filter { $0 == result.clustering.k }.count) / Double(predicted.count)
        XCTAssertGreaterThanOrEqual(nmi, 0.83)
        XCTAssertGreaterThanOrEqual(ari, 0.56)
        XCTAssertTrue((54...115).contains(result.clustering.k), "\(result.clustering.k) topics")
        XCTAssertLessThanOrEqual(unassigned, 0.10)
    }
}

/// The parsers added for topics and models, fed seeded arbitrary bytes: each gives an error or a
/// result that keeps its promises (bounded output, ids from the vocabulary), never a crash.
final class HostileInputTopicsTests: XCTestCase {
    func testArbitraryBytes() throws {
        var rng = SeededRandom(seed: 77)
        let temp = TempDir("hostile")
        let wp = try WordPiece(vocab: ["[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "##b": 4])
        var inflated = 0, csvRows = 0
        for round in 0..<3000 {
            let n = rng.below(600)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if round % 3 == 0 && !bytes.isEmpty { bytes[0] = UInt8(round % 4) << 1 | 1 }  // plausible block headers
            if let out = try? Inflate.decompress(bytes, expected: 1 << 16) {
                inflated += 1
                XCTAssertLessThanOrEqual(out.count, 1 << 16, "inflate stops at the expected size")
            }
            let tail = (0..<18).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? ZipArchive(bytes + [0x50, 0x4b, 0x05, 0x06] + tail).members.map { m in try? ZipArchive(bytes).extract(m) }
            if let rows = try? LabelledTexts.parseCSV(String(decoding: bytes, as: UTF8.self)) {
                csvRows += rows.count
                XCTAssertTrue(rows.allSatisfy { $0.line >= 1 }, "CSV rows carry their line")
            }
            let ids = wp.encode(String(decoding: bytes, as: UTF8.self), maxLength: 64)
            XCTAssertEqual(ids.first, wp.cls)
            XCTAssertEqual(ids.last, wp.sep)
            XCTAssertLessThanOrEqual(ids.count, 64)
            XCTAssertTrue(ids.allSatisfy { (0...4).contains($0) }, "ids come from the vocabulary")
            let p = temp.path("f\(round % 5)")
            FileManager.default.createFile(atPath: p, contents: Data(bytes))
            _ = try? SafeTensors(path: p).floats("a")
            var header = withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) }
            header += bytes
            FileManager.default.createFile(atPath: p, contents: Data(header))
            XCTAssertNil(try? SafeTensors(path: p).floats("a", shape: [1 << 20]), "random bytes hold no tensor of a million floats")
        }
        XCTAssertGreaterThan(csvRows, 0, "some random texts are CSV, so its checks ran")
        _ = inflated
    }
}
