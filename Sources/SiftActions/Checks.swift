// Checks in CI: a saved check is a query plus an assertion on its answer, e.g. "the share of traces
// in Issues topic X over the last day stays under 2%" or "no trace scores 0 on scorer Y". `sift check`
// runs them, prints pass/fail with the measured value, and exits non-zero when one fails.
//
//     [{"name": "stale context under 2% of the last day",
//       "query": "SELECT avg(CASE WHEN classifications.Issues[0].label = 'Answer from outdated information' THEN 1 ELSE 0 END) AS share FROM project_logs('demo', shape => 'traces') WHERE created > now() - interval 1 day",
//       "expect": "share < 0.02"}]
//
// `expect` is `rows <op> N` (the number of result rows) or `<column> <op> <value>` on the first row,
// with <, <=, >, >=, = or !=, and a number or a 'quoted string'.

import Foundation
import SiftEngine
import SiftExecutor
import SiftModel
import SiftStore

public struct Check: Sendable, Equatable {
    public var name: String
    public var query: String
    public var expect: String
    /// Where it was read from ("checks/quality.json[2]").
    public var source: String
}

public struct CheckResult: Sendable {
    public var check: Check
    public var passed: Bool
    /// The measured value ("0.013", "rows = 3"), or the error.
    public var measured: String
    public var error: Bool
}

public enum Checks {
    public static func load(path: String) throws -> [Check] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ActionError("\(path): cannot read the file") }
        let json: Value
        do { json = try JSONReader.parse(Array(data)) } catch { throw ActionError("\(path): \(error)") }
        let items = json.arrayValue ?? [json]
        return try items.enumerated().map { i, v in
            let at = items.count > 1 || json.arrayValue != nil ? "\(path)[\(i)]" : path
            guard let name = v["name"]?.stringValue, !name.isEmpty else { throw ActionError("\(at): \"name\" is missing") }
            guard let query = v["query"]?.stringValue, !query.isEmpty else { throw ActionError("\(at): \"query\" is missing") }
            guard let expect = v["expect"]?.stringValue else { throw ActionError("\(at): \"expect\" is missing") }
            _ = try Assertion(expect, at: at)
            return Check(name: name, query: query, expect: expect, source: at)
        }
    }

    struct Assertion {
        var subject: String   // "rows" or a column name
        var op: String
        var number: Double?
        var text: String?

        init(_ s: String, at: String) throws {
            let rx = try NSRegularExpression(pattern: #"^\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|!=|=|<|>)\s*(?:'((?:[^']|'')*)'|(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?))\s*$"#)
            let ns = s as NSString
            guard let m = rx.firstMatch(in: s, range: NSRange(location: 0, length: ns.length)) else {
                throw ActionError("\(at): expect \"\(s)\" is not `rows <op> N` or `<column> <op> <number or 'text'>` (ops: < <= > >= = !=)")
            }
            var subj = ns.substring(with: m.range(at: 1))
            if subj.hasPrefix("\"") { subj = String(subj.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") }
            subject = subj
            op = ns.substring(with: m.range(at: 2))
            if m.range(at: 3).location != NSNotFound { text = ns.substring(with: m.range(at: 3)).replacingOccurrences(of: "''", with: "'") }
            if m.range(at: 4).location != NSNotFound { number = Double(ns.substring(with: m.range(at: 4))) }
        }

        func holds(_ c: Int) -> Bool {
            switch op {
            case "<": return c < 0
            case "<=": return c <= 0
            case ">": return c > 0
            case ">=": return c >= 0
            case "=": return c == 0
            default: return c != 0
            }
        }
    }

    public static func run(_ checks: [Check], store: Store, options: QueryOptions) -> [CheckResult] {
        let session = Session(store: store)
        return checks.map { c in
            do {
                let a = try Assertion(c.expect, at: c.source)
                let r = try session.run(c.query, options: options)
                if a.subject.lowercased() == "rows" && !r.columns.contains(a.subject) {
                    let n = Double(r.rows.count)
                    let target = a.number ?? 0
                    return CheckResult(check: c, passed: a.holds(n < target ? -1 : n > target ? 1 : 0), measured: "rows = \(r.rows.count)", error: false)
                }
                guard let col = r.columns.firstIndex(of: a.subject) ?? r.columns.firstIndex(where: { $0.lowercased() == a.subject.lowercased() }) else {
                    return CheckResult(check: c, passed: false, measured: "no column \(a.subject) (columns: \(r.columns.joined(separator: ", ")))", error: true)
                }
                guard let row = r.rows.first else { return CheckResult(check: c, passed: false, measured: "no rows", error: false) }
                let v = row[col]
                if v.isNull { return CheckResult(check: c, passed: false, measured: "\(a.subject) = NULL", error: false) }
                if let target = a.number {
                    guard let x = Double(v.text) else { return CheckResult(check: c, passed: false, measured: "\(a.subject) = \(v.text) (not a number)", error: false) }
                    return CheckResult(check: c, passed: a.holds(x < target ? -1 : x > target ? 1 : 0), measured: "\(a.subject) = \(v.text)", error: false)
                }
                let t = a.text ?? ""
                return CheckResult(check: c, passed: a.holds(v.text < t ? -1 : v.text > t ? 1 : 0), measured: "\(a.subject) = '\(v.text)'", error: false)
            } catch {
                return CheckResult(check: c, passed: false, measured: "\(error)", error: true)
            }
        }
    }
}
