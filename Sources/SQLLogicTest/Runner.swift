// The runner: each .slt file gets a fresh store in a temporary folder, loads its fixtures, and runs
// its records in order, comparing results the sqllogictest way (values one per line, or rows with
// tab-separated columns; sorted as the record asks; MD5-hashed past the hash threshold).

import Foundation
import SiftEngine
import SiftExecutor
import SiftModel
import SiftStore

public struct SLTFailure: CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String
    public var description: String { "\(path):\(line): \(message)" }
}

public struct SLTFileResult {
    public var path: String
    public var passed = 0
    public var failures: [SLTFailure] = []
    /// The file with actual results written in (for --complete).
    public var completed: [SLTRecord] = []
}

public struct SLTRunner {
    public init() {}

    public func run(path: String) -> SLTFileResult {
        var result = SLTFileResult(path: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            result.failures.append(SLTFailure(path: path, line: 0, message: "cannot read the file"))
            return result
        }
        let records: [SLTRecord]
        do { records = try SLTReader.parse(String(decoding: data, as: UTF8.self), path: path) } catch {
            result.failures.append(SLTFailure(path: path, line: (error as? SLTParseError)?.line ?? 0, message: "\(error)"))
            return result
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-slt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let store = try Store(path: dir.appendingPathComponent("slt.db").path)
            let session = Session(store: store, caching: false)
            var options = QueryOptions()
            options.now = Timestamp(iso8601: "2026-01-01T00:00:00Z")
            var threshold = 0
            for record in records {
                var completed = record
                switch record {
                case .comment: break
                case .now(let t, let line):
                    guard let ts = Timestamp(iso8601: t) else {
                        result.failures.append(SLTFailure(path: path, line: line, message: "'\(t)' is not an ISO-8601 time"))
                        continue
                    }
                    options.now = ts
                case .hashThreshold(let n, _): threshold = n
                case .load(let project, let lines, let line):
                    let file = dir.appendingPathComponent("load-\(line).jsonl").path
                    FileManager.default.createFile(atPath: file, contents: Data(lines.joined(separator: "\n").utf8))
                    var o = IngestOptions()
                    o.project = project
                    o.rejectsPath = dir.appendingPathComponent("rejects.jsonl").path
                    var rejects: [String] = []
                    o.onReject = { rejects.append($0) }
                    _ = try Ingester(store: store, options: o).ingest(paths: [file])
                    session.invalidate()
                    if !rejects.isEmpty {
                        result.failures.append(SLTFailure(path: path, line: line, message: "fixture rejected: " + rejects.joined(separator: "; ")))
                    } else { result.passed += 1 }
                case .statement(let expectError, let sql, let line):
                    do {
                        _ = try session.run(sql, options: options)
                        if let expectError {
                            result.failures.append(SLTFailure(path: path, line: line, message: "expected an error containing '\(expectError)', but the query ran"))
                        } else { result.passed += 1 }
                    } catch {
                        let message = Self.message(of: error)
                        if let expectError, message.contains(expectError) {
                            result.passed += 1
                        } else {
                            if expectError != nil { completed = .statement(expectError: message, sql: sql, line: line) }
                            result.failures.append(SLTFailure(path: path, line: line, message: expectError == nil ? "unexpected error: \(message)" : "expected an error containing '\(expectError!)', got: \(message)"))
                        }
                    }
                case .query(let types, let sort, let sql, let expected, let line):
                    do {
                        let r = try session.run(sql, options: options)
                        if r.columns.count != types.count {
                            result.failures.append(SLTFailure(path: path, line: line, message: "the query returns \(r.columns.count) columns but the record types \(types.count)"))
                            continue
                        }
                        let actual = Self.format(r, types: Array(types), sort: sort, threshold: threshold)
                        completed = .query(types: types, sort: sort, sql: sql, expected: actual, line: line)
                        if expected == actual { result.passed += 1 } else {
                            let want = (expected ?? []).prefix(12).joined(separator: "\n    ")
                            let got = actual.prefix(12).joined(separator: "\n    ")
                            result.failures.append(SLTFailure(path: path, line: line, message: "results differ\n  expected:\n    \(want)\n  actual:\n    \(got)"))
                        }
                    } catch {
                        result.failures.append(SLTFailure(path: path, line: line, message: "unexpected error: \(Self.message(of: error))"))
                    }
                }
                result.completed.append(completed)
            }
        } catch {
            result.failures.append(SLTFailure(path: path, line: 0, message: "\(error)"))
        }
        return result
    }

    /// The first line of an error (a query error's message, without its LINE/caret rendering).
    static func message(of error: Error) -> String {
        if let q = error as? QueryError { return q.diagnostic.message }
        return "\(error)"
    }

    /// Values in sqllogictest's text form: NULL, (empty) for empty strings, R with three decimals.
    static func format(_ r: QueryResult, types: [Character], sort: SLTRecord.SortMode, threshold: Int) -> [String] {
        var rows: [[String]] = r.rows.map { row in
            zip(row, types).map { d, t in
                if d.isNull { return "NULL" }
                switch t {
                case "I":
                    if case .double(let v) = d { return String(Int64(v.rounded(.towardZero))) }
                    if case .bool(let b) = d { return b ? "1" : "0" }
                    return d.text
                case "R":
                    guard let v = d.number else { return d.text }
                    return String(format: "%.3f", v)
                default:
                    let s = d.text
                    return s.isEmpty ? "(empty)" : s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
                }
            }
        }
        switch sort {
        case .nosort: break
        case .rowsort: rows.sort { $0.joined(separator: "\t") < $1.joined(separator: "\t") }
        case .valuesort:
            let values = rows.flatMap { $0 }.sorted()
            rows = values.map { [$0] }
        }
        let valueCount = rows.reduce(0) { $0 + $1.count }
        if threshold > 0 && valueCount > threshold {
            let text = rows.flatMap { $0 }.map { $0 + "\n" }.joined()
            return ["\(valueCount) values hashing to \(MD5.hex(Array(text.utf8)))"]
        }
        return rows.map { $0.joined(separator: "\t") }
    }

    /// Every .slt file under the given paths (files, or folders searched recursively), sorted.
    public static func files(in paths: [String]) -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { out.append(p); continue }
            if !isDir.boolValue { out.append(p); continue }
            let e = FileManager.default.enumerator(atPath: p)
            while let f = e?.nextObject() as? String {
                if f.hasSuffix(".slt") { out.append((p as NSString).appendingPathComponent(f)) }
            }
        }
        return out.sorted()
    }
}
