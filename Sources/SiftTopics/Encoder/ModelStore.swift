// Where embedding models live and which embedder a run uses: --embedding-model DIR, else
// SIFT_EMBEDDING_MODEL, else an installed all-MiniLM-L6-v2 (~/.sift/models, or SIFT_MODELS_DIR),
// else the built-in hashing embedder, with a note saying how to install the better one.

import Foundation

public enum ModelStore {
    public static let miniLM = "all-MiniLM-L6-v2"

    /// The directory models are installed into.
    public static var directory: String {
        if let d = ProcessInfo.processInfo.environment["SIFT_MODELS_DIR"], !d.isEmpty { return d }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".sift/models").path
    }

    /// Installed model directories (those with a model.safetensors).
    public static func installed() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { directory + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0 + "/model.safetensors") }
    }

    /// The embedder for a run, and a note when it fell back to the built-in one.
    public static func embedder(explicit: String?) throws -> (EmbeddingModel, note: String?) {
        let env = ProcessInfo.processInfo.environment["SIFT_EMBEDDING_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        if let dir = explicit ?? env {
            if dir == "builtin" { return (HashingEmbedder(), nil) }
            return (try SentenceEncoder(directory: dir), nil)
        }
        let installed = directory + "/" + miniLM
        if FileManager.default.fileExists(atPath: installed + "/model.safetensors") { return (try SentenceEncoder(directory: installed), nil) }
        return (HashingEmbedder(), "note: embedding with the built-in hashing embedder; for better topics on free text, install all-MiniLM-L6-v2 with `sift models install minilm`")
    }
}
