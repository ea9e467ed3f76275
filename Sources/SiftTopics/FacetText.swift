// The text a facet reads: the readable thread by default, a declarative selection of events and root
// fields, or an external command's output (the trace's spans as JSON on stdin). Redaction applies
// to whatever comes out, before any model sees it.

import Foundation
import SiftModel

public enum FacetText {
    /// The facet's text for a trace, or nil when the preprocessor skips the trace.
    public static func text(_ pre: Preprocessor, thread: TraceThread, trace: Trace, redactor: Redactor) throws -> String? {
        switch pre {
        case .thread:
            return thread.render()
        case .fields(let selectors):
            var parts: [String] = []
            for sel in selectors {
                switch sel.lowercased() {
                case "user": parts.append(contentsOf: thread.userTurns.map { "User: " + $0 })
                case "assistant": parts.append(contentsOf: thread.assistantTurns.map { "Assistant: " + $0 })
                case "tools": parts.append(contentsOf: thread.toolCalls.map { "Tool \($0.name)(\($0.arguments.clipped(200))) -> " + ($0.failed ? "ERROR \($0.errorType ?? ""): \($0.errorMessage ?? "")" : $0.result.clipped(300)) })
                case "errors": parts.append(contentsOf: thread.toolCalls.filter(\.failed).map { "Error in \($0.name): \($0.errorType ?? "") \($0.errorMessage ?? "")" })
                case "retrieval": parts.append(contentsOf: thread.toolCalls.filter(\.isRetrieval).map { "Retrieved (\($0.name)): " + $0.result.clipped(400) })
                case "final_answer": if let a = thread.finalAnswer { parts.append("Final answer: " + a) }
                default:
                    // A root span path: input, output, metadata.channel, ...
                    let path = sel.split(separator: ".").map(String.init)
                    var v: Value? = trace.root.jsonValue
                    for p in path { v = v?[p] }
                    if let v, !v.isNull { parts.append(sel + ": " + (v.stringValue ?? JSONWriter.string(v))) }
                }
            }
            let text = parts.joined(separator: "\n")
            return text.isEmpty ? nil : redactor.redact(text)
        case .command(let command):
            let input = JSONWriter.string(.array(trace.spans.map(\.jsonValue)))
            let out = try runCommand(command, input: input)
            let text = out.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : redactor.redact(text)
        }
    }

    /// Runs `command` with `/bin/sh -c`, feeding `input`; its stdout, or an error naming the command.
    public static func runCommand(_ command: String, input: String, timeout: TimeInterval = 60) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stderr
        do { try p.run() } catch { throw TopicsError.invalid("preprocessor '\(command)' could not start: \(error)") }
        // Feed stdin on another thread so a command that writes before reading cannot deadlock us.
        // A command may exit without reading all of its input: a broken pipe is not an error here.
        signal(SIGPIPE, SIG_IGN)
        let bytes = Array(input.utf8)
        let writer = JoinableThread(block: {
            let fd = stdin.fileHandleForWriting.fileDescriptor
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                off += n
            }
            try? stdin.fileHandleForWriting.close()
        })
        writer.start()
        var output = Data()
        let reader = JoinableThread(block: { output = stdout.fileHandleForReading.readDataToEndOfFile() })
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(2000) }
        if p.isRunning {
            p.terminate()
            throw TopicsError.invalid("preprocessor '\(command)' took longer than \(Int(timeout))s")
        }
        reader.join()
        writer.join()
        if p.terminationStatus != 0 {
            let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw TopicsError.invalid("preprocessor '\(command)' exited with status \(p.terminationStatus)\(err.isEmpty ? "" : ": " + err.clipped(300))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A joinable thread (Foundation's TraceThread has no join).
final class JoinableThread: @unchecked Sendable {
    private let block: () -> Void
    private let done = DispatchSemaphore(value: 0)
    init(block: @escaping () -> Void) { self.block = block }
    func start() {
        let t = Foundation.Thread { [self] in block(); done.signal() }
        t.start()
    }
    func join() { done.wait() }
}
