// swift-tools-version:6.0
import PackageDescription

// Module split follows ../shared/docs/ARCHITECTURE.md (each module folder's README.md says what it
// owns and must not import). Dependencies point one way: SiftModel <- SiftStore / SiftTopics /
// SiftSimulator; SiftQuery <- SiftExecutor; all of them <- SiftEngine <- SiftActions / SiftDemo <- sift.
// SiftQuery (text -> plan) depends on nothing; SiftTopics reaches storage only through its TopicStore role.
let package = Package(
    name: "Sift",
    products: [
        .executable(name: "sift", targets: ["sift"]),
        .library(name: "SiftEngine", targets: ["SiftEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `sift serve`'s HTTP/1.1 server (the event loops and the HTTP codec; no framework above them).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "SiftModel", exclude: ["README.md"]),
        .target(name: "SiftQuery", exclude: ["README.md"]),
        .target(name: "SiftExecutor", dependencies: ["SiftModel", "SiftQuery", "CKernels"], exclude: ["README.md"]),
        .target(name: "SiftStore", dependencies: ["CSQLite", "CZlib", "CZstd", "SiftModel"], exclude: ["README.md"]),
        .target(name: "SiftSimulator", dependencies: ["SiftModel"], exclude: ["README.md"]),
        // Clustering and embedding are numeric loops that run 50-100x slower unoptimised: the debug
        // build (what `swift test` uses) compiles this module optimised too.
        // The encoder's matrix kernels in C (an AVX2/FMA path chosen at run time, a portable
        // fallback) and the executor's substring search (SSE2).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // HTTP(S) through the system's libcurl, loaded with dlopen when first needed (not at start-up).
        .target(name: "CHTTP", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // Zstandard through the system's libzstd, loaded with dlopen (packed column chunks in the store).
        .target(name: "CZstd", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "SiftTopics", dependencies: ["SiftModel", "CKernels", "CHTTP"], exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "SiftReport", exclude: ["README.md"]),
        .target(name: "SiftEngine", dependencies: ["SiftModel", "SiftQuery", "SiftExecutor", "SiftStore", "SiftTopics", "SiftReport"], exclude: ["README.md"]),
        // The demo: simulated traffic into a fresh store, topics, the cross-slice. Not a dependency of the engine.
        .target(name: "SiftDemo", dependencies: ["SiftEngine", "SiftModel", "SiftSimulator", "SiftStore"], exclude: ["README.md"]),
        .target(name: "SiftActions", dependencies: ["SiftEngine", "SiftExecutor", "SiftModel", "SiftStore", "SiftTopics"], exclude: ["README.md"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // `sift serve`: OTLP/HTTP receiver, live classification and the web app, over SwiftNIO.
        .target(name: "SiftServer", dependencies: [
            "SiftEngine", "SiftExecutor", "SiftQuery", "SiftModel", "SiftStore", "SiftTopics", "SiftReport", "SiftActions", "CZlib",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], exclude: ["README.md"]),
        // Fuzz targets (libFuzzer with -sanitize=fuzzer -DFUZZING; otherwise a replayer of inputs).
        .executableTarget(name: "sift-fuzz", dependencies: ["SiftModel", "SiftQuery", "SiftExecutor", "SiftStore"], path: "Fuzz",
                          exclude: ["README.md", "corpus"]),
        .target(name: "SQLLogicTest", dependencies: ["SiftEngine", "SiftExecutor", "SiftModel", "SiftStore"], exclude: ["README.md"]),
        // Huge pages for the columns a query fills (malloc settings and madvise; see memory.c).
        .target(name: "CMemory"),
        .executableTarget(name: "sift", dependencies: [
            "CMemory", "SiftEngine", "SiftDemo", "SQLLogicTest", "SiftServer", "SiftTopics", "SiftReport", "SiftActions",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))],
        linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]),
        .testTarget(name: "SiftModelTests", dependencies: ["SiftModel", "SiftTestSupport"]),
        .testTarget(name: "SiftExecutorTests", dependencies: ["SiftExecutor", "SiftQuery", "SiftModel", "SiftTestSupport"]),
        .testTarget(name: "SiftReportTests", dependencies: ["SiftReport"]),
        .testTarget(name: "SiftQueryTests", dependencies: ["SiftQuery", "SiftModel", "SiftTestSupport"]),
        .testTarget(name: "SiftStoreTests", dependencies: ["SiftStore", "SiftSimulator", "CSQLite", "SiftTestSupport"]),
        .testTarget(name: "SiftSimulatorTests", dependencies: ["SiftSimulator"]),
        // A local OpenAI-compatible test server shared by the model-server and judge tests.
        .target(name: "SiftTestSupport", dependencies: ["SiftModel"], path: "Tests/SiftTestSupport"),
        .testTarget(name: "SiftTopicsTests", dependencies: ["SiftTopics", "SiftModel", "SiftSimulator", "SiftEngine", "SiftStore", "SiftTestSupport", "SiftDemo"]),
        .testTarget(name: "SiftCLITests", dependencies: ["sift", "SiftStore", "SiftModel", "SiftTestSupport"]),
        .testTarget(name: "SiftEngineTests", dependencies: ["SiftEngine", "SiftExecutor", "SiftQuery", "SiftSimulator", "SiftStore", "SiftTopics", "CSQLite", "SiftDemo", "SiftTestSupport"]),
        .testTarget(name: "SiftActionsTests", dependencies: ["SiftActions", "SiftEngine", "SiftModel", "SiftStore", "SiftTopics", "SiftTestSupport", "SiftDemo"]),
        .testTarget(name: "QueriesTests", dependencies: ["SQLLogicTest"]),
        .testTarget(name: "SiftServerTests", dependencies: ["SiftServer", "SiftStore", "SiftModel", "SiftEngine", "SiftTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
