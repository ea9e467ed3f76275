// Topics kept current while traces arrive: a few seconds after a burst of spans settles, the new
// traces of each project are summarised and classified against its existing topics (`topics classify`);
// a project with enough traces and no topics gets its first clustering; every project is re-clustered
// on a schedule (`--recluster-every`) or on demand. One background thread does all of it on its own
// connection, so ingest never waits for it.

import Foundation
import SiftEngine
import SiftModel
import SiftTopics

final class LiveTopics: @unchecked Sendable {
    struct Status: Sendable {
        var state = "idle"
        var lastClassify: Date?
        var lastClassified = 0
        var classifiedTotal = 0
        var lastRecluster: Date?
        var nextRecluster: Date?
        var pendingSpans: [String: Int] = [:]
        var errors: [(when: Date, message: String)] = []
    }

    private let workspace: Workspace
    private let classifyDelay: Double?
    private let reclusterEvery: Double?
    private let topicsOptions: @Sendable (Workspace, String) throws -> TopicsOptions
    private let cond = NSCondition()
    private var status = Status()
    private var lastArrival = Date.distantPast
    private var firstPending: Date?
    private var reclusterRequested: Set<String> = []
    private var firstRunTried: [String: Date] = [:]
    private var stopping = false
    private var finished = false
    private var thread: Thread?

    init(path: String, classifyDelay: Double?, reclusterEvery: Double?, topicsOptions: @escaping @Sendable (Workspace, String) throws -> TopicsOptions) throws {
        workspace = try Workspace(path: path, create: false)
        self.classifyDelay = classifyDelay
        self.reclusterEvery = reclusterEvery
        self.topicsOptions = topicsOptions
        if let every = reclusterEvery { status.nextRecluster = Date().addingTimeInterval(every) }
    }

    func start() {
        let t = Thread { [unowned self] in self.loop() }
        t.stackSize = 1 << 23
        t.name = "sift-live-topics"
        thread = t
        t.start()
    }

    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        while thread != nil && !finished { cond.wait() }
        cond.unlock()
    }

    /// Called after each commit with the spans it wrote per project.
    func noteArrivals(_ spans: [String: Int]) {
        cond.lock()
        for (p, n) in spans { status.pendingSpans[p, default: 0] += n }
        lastArrival = Date()
        if firstPending == nil { firstPending = lastArrival }
        cond.broadcast()
        cond.unlock()
    }

    func requestRecluster(_ project: String) {
        cond.lock()
        reclusterRequested.insert(project)
        cond.broadcast()
        cond.unlock()
    }

    var snapshot: Status {
        cond.lock()
        defer { cond.unlock() }
        return status
    }

    private func set(_ state: String) {
        cond.lock()
        status.state = state
        cond.unlock()
    }

    private func record(_ error: Error, _ what: String) {
        cond.lock()
        status.errors.append((Date(), "\(what): \(error)"))
        if status.errors.count > 20 { status.errors.removeFirst(status.errors.count - 20) }
        cond.unlock()
    }

    private func loop() {
        while true {
            cond.lock()
            if stopping {
                finished = true
                cond.broadcast()
                cond.unlock()
                return
            }
            _ = cond.wait(until: Date().addingTimeInterval(0.25))
            let now = Date()
            // Classify once arrivals settle, or every 10 s under a steady stream.
            var classify: [String] = []
            if let delay = classifyDelay, !status.pendingSpans.isEmpty,
               now.timeIntervalSince(lastArrival) >= delay || now.timeIntervalSince(firstPending ?? now) >= max(10, delay) {
                classify = status.pendingSpans.keys.sorted()
                status.pendingSpans = [:]
                firstPending = nil
            }
            var recluster = reclusterRequested.sorted()
            reclusterRequested = []
            if let every = reclusterEvery, let next = status.nextRecluster, now >= next {
                recluster = ((try? workspace.projectNames()) ?? []).sorted()
                status.nextRecluster = now.addingTimeInterval(every)
            }
            cond.unlock()

            for project in recluster where !stoppingNow() {
                cluster(project)
            }
            var classified = 0
            for project in classify where !stoppingNow() {
                classified += self.classify(project)
            }
            if !classify.isEmpty {
                cond.lock()
                status.lastClassify = Date()
                status.lastClassified = classified
                status.classifiedTotal += classified
                cond.unlock()
            }
            set("idle")
        }
    }

    private func stoppingNow() -> Bool {
        cond.lock()
        defer { cond.unlock() }
        return stopping
    }

    /// Classifies a project's new traces; a project without topics gets its first clustering once it
    /// has enough traces (tried again at most every 10 minutes).
    private func classify(_ project: String) -> Int {
        set("classifying \(project)")
        do {
            var options = try topicsOptions(workspace, project)
            let stored = try workspace.topics(project: project)
            let hasTopics = !stored.isEmpty
            // Topics made with the built-in embedder (the demo's, or before a model was installed) are
            // classified with it, until the next re-clustering uses the configured one.
            let builtin = HashingEmbedder()
            if let made = stored.first(where: { $0.embeddingModel != nil })?.embeddingModel, made != options.embedder.name, made == builtin.name {
                options.embedder = builtin
            }
            if !hasTopics {
                let traces = try workspace.projects().first { $0.name == project }?.traces ?? 0
                cond.lock()
                let tried = firstRunTried[project]
                cond.unlock()
                if traces >= options.minSummaries, tried.map({ Date().timeIntervalSince($0) > 600 }) ?? true {
                    cond.lock(); firstRunTried[project] = Date(); cond.unlock()
                    cluster(project)
                }
                return 0
            }
            return try workspace.topics.classifyNew(options).reduce(0) { $0 + $1.classified }
        } catch {
            record(error, "classifying \(project)")
            return 0
        }
    }

    private func cluster(_ project: String) {
        set("clustering \(project)")
        do {
            _ = try workspace.topics.run(try topicsOptions(workspace, project))
            cond.lock()
            status.lastRecluster = Date()
            cond.unlock()
        } catch {
            record(error, "clustering \(project)")
        }
    }
}
