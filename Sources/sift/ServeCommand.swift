// `sift serve`: OTLP/HTTP ingest, live topics and the web app in one process.

import ArgumentParser
import Foundation
import SiftEngine
import SiftServer
import SiftTopics

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive OpenTelemetry traces over HTTP, keep topics current, and serve the web app.",
        discussion: """
            Point any OTLP/HTTP exporter at http://HOST:PORT (traces go to /v1/traces; protobuf or JSON, gzip \
            or not), e.g. OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318. A request is answered 200 only once \
            its spans are committed. New traces are classified against the existing topics a few seconds after \
            they arrive; a project's first topics are found once it has 100 traces. The web app is at the same \
            address. Listening on anything but loopback needs SIFT_TOKEN (clients send `Authorization: Bearer`).
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on (loopback by default; any other needs SIFT_TOKEN).") var host = "127.0.0.1"
    @Option(help: "Port (4318 is OTLP/HTTP's; 0 picks a free one).") var port = 4318
    @Option(name: .customLong("recluster-every"), help: ArgumentHelp("Re-cluster every project on this period (30m, 24h, 7d); default: on demand only.", valueName: "period"))
    var reclusterEvery: String?
    @Option(name: .customLong("classify-after"), help: ArgumentHelp("Classify new traces this long after arrivals settle (2s default; 'off' turns live topics off).", valueName: "delay"))
    var classifyAfter = "2s"
    @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body in MiB, before or after gzip.", valueName: "MiB")) var maxBody = 32
    @Flag(name: .customLong("no-fsync"), help: "Acknowledge once committed to the OS (survives a killed process, not a power loss); faster.")
    var noFsync = false
    @OptionGroup var modelOptions: TopicsModelOptions

    func run() throws {
        try guarded {
            var options = ServeOptions(path: store.path)
            options.host = host
            options.port = port
            options.token = ProcessInfo.processInfo.environment["SIFT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            options.maxBodyBytes = max(1, maxBody) << 20
            options.durable = !noFsync
            options.reclusterEvery = try reclusterEvery.map { try parseDuration($0, option: "--recluster-every") }
            options.classifyDelay = classifyAfter.lowercased() == "off" ? nil : try parseDuration(classifyAfter, option: "--classify-after")
            let models = modelOptions
            let server = try SiftServer(options: options) { ws, project in
                var o = try models.options(ws, project: project, facets: nil, since: nil)
                o.progress = nil
                return o
            }
            let bound = try server.start()
            let shown = host.contains(":") ? "[\(host)]" : host
            print("sift serve: listening on http://\(shown):\(bound)")
            print("  OTLP/HTTP traces: POST http://\(shown):\(bound)/v1/traces (OTEL_EXPORTER_OTLP_ENDPOINT=http://\(shown):\(bound))")
            print("  web app:          http://\(shown):\(bound)/")
            print("  store:            \(store.path)\(options.token != nil ? "  (token required)" : "")")
            fflush(stdout)
            // Ctrl-C or SIGTERM: stop taking requests, commit what was queued, then exit.
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let queue = DispatchQueue(label: "sift-serve-signals")
            let stopped = DispatchSemaphore(value: 0)
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGINT, SIGTERM] {
                let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                s.setEventHandler {
                    FileHandle.standardError.write(Data("sift serve: stopping\n".utf8))
                    server.stop()
                    stopped.signal()
                }
                s.resume()
                sources.append(s)
            }
            // The listener closes first; the process ends once stop() has committed what was queued,
            // closed the ingest run and stopped the topics pipeline.
            server.wait()
            stopped.wait()
            _ = sources
        }
    }
}

/// "90s", "30m", "24h", "7d", "1w" as seconds.
func parseDuration(_ text: String, option: String) throws -> Double {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
    if let u = t.last, let mult = units[u], let n = Double(t.dropLast()), n >= 0, n.isFinite { return n * mult }
    if let n = Double(t), n >= 0, n.isFinite { return n }
    throw ValidationError("\(option): '\(text)' is not a duration (90s, 30m, 24h, 7d)")
}
