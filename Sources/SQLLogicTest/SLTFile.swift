// The sqllogictest format as Sift's saved queries use it. Records are separated by blank lines:
//
//   statement ok | statement error <message>     then the query text
//   query <types> [nosort|rowsort|valuesort]     then the query, `----`, and the expected rows
//   hash-threshold <n>                           results with more values compare by MD5
//   load <project>                               then span JSON lines: fixture data for the file
//   now <ISO-8601>                               pins now() for the queries that follow
//   # comments
//
// Types are one letter per column: T text, I integer, R real (printed with 3 decimals).

public enum SLTRecord: Equatable {
    case statement(expectError: String?, sql: String, line: Int)
    case query(types: String, sort: SortMode, sql: String, expected: [String]?, line: Int)
    case hashThreshold(Int, line: Int)
    case load(project: String, lines: [String], line: Int)
    case now(String, line: Int)
    case comment([String])

    public enum SortMode: String, Equatable { case nosort, rowsort, valuesort }
}

public struct SLTParseError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String
    public var description: String { "\(path):\(line): \(message)" }
}

public enum SLTReader {
    public static func parse(_ text: String, path: String) throws -> [SLTRecord] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingOccurrencesOfCR() }
        var records: [SLTRecord] = []
        var i = 0
        func blockEnd(from j: Int) -> Int {
            var k = j
            while k < lines.count && !lines[k].trimmed.isEmpty { k += 1 }
            return k
        }
        while i < lines.count {
            let line = lines[i]
            let t = line.trimmed
            if t.isEmpty { i += 1; continue }
            if t.hasPrefix("#") {
                var comments: [String] = []
                while i < lines.count && lines[i].trimmed.hasPrefix("#") { comments.append(lines[i]); i += 1 }
                records.append(.comment(comments))
                continue
            }
            let words = t.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let start = i + 1
            switch words[0] {
            case "statement":
                let end = blockEnd(from: i + 1)
                let sql = lines[(i + 1)..<end].joined(separator: "\n")
                if sql.trimmed.isEmpty { throw SLTParseError(path: path, line: start, message: "statement without a query") }
                if words.count >= 2 && words[1] == "ok" {
                    records.append(.statement(expectError: nil, sql: sql, line: start))
                } else if words.count >= 2 && words[1] == "error" {
                    records.append(.statement(expectError: words.dropFirst(2).joined(separator: " "), sql: sql, line: start))
                } else {
                    throw SLTParseError(path: path, line: start, message: "expected 'statement ok' or 'statement error <message>'")
                }
                i = end
            case "query":
                guard words.count >= 2, words[1].allSatisfy({ "TIR".contains($0) }) else {
                    throw SLTParseError(path: path, line: start, message: "query needs column types: T, I or R per column")
                }
                var sort = SLTRecord.SortMode.nosort
                if words.count >= 3 {
                    guard let s = SLTRecord.SortMode(rawValue: words[2]) else {
                        throw SLTParseError(path: path, line: start, message: "unknown sort mode '\(words[2])' (nosort, rowsort, valuesort)")
                    }
                    sort = s
                }
                var j = i + 1
                var sqlLines: [String] = []
                while j < lines.count && lines[j].trimmed != "----" && !lines[j].trimmed.isEmpty { sqlLines.append(lines[j]); j += 1 }
                if sqlLines.isEmpty { throw SLTParseError(path: path, line: start, message: "query without a query") }
                var expected: [String]?
                if j < lines.count && lines[j].trimmed == "----" {
                    let end = blockEnd(from: j + 1)
                    expected = Array(lines[(j + 1)..<end])
                    j = end
                }
                records.append(.query(types: words[1], sort: sort, sql: sqlLines.joined(separator: "\n"), expected: expected, line: start))
                i = j
            case "hash-threshold":
                guard words.count == 2, let n = Int(words[1]) else { throw SLTParseError(path: path, line: start, message: "hash-threshold needs a number") }
                records.append(.hashThreshold(n, line: start))
                i += 1
            case "load":
                guard words.count == 2 else { throw SLTParseError(path: path, line: start, message: "load needs a project name") }
                let end = blockEnd(from: i + 1)
                records.append(.load(project: words[1], lines: Array(lines[(i + 1)..<end]), line: start))
                i = end
            case "now":
                guard words.count == 2 else { throw SLTParseError(path: path, line: start, message: "now needs an ISO-8601 time") }
                records.append(.now(words[1], line: start))
                i += 1
            default:
                throw SLTParseError(path: path, line: start, message: "unknown record '\(words[0])'")
            }
        }
        return records
    }

    /// The records as text again (used by --complete).
    public static func write(_ records: [SLTRecord]) -> String {
        var blocks: [String] = []
        for r in records {
            switch r {
            case .comment(let lines): blocks.append(lines.joined(separator: "\n"))
            case .statement(let err, let sql, _): blocks.append((err.map { "statement error " + $0 } ?? "statement ok") + "\n" + sql)
            case .query(let types, let sort, let sql, let expected, _):
                var b = "query \(types)" + (sort == .nosort ? "" : " \(sort.rawValue)") + "\n" + sql + "\n----"
                if let expected, !expected.isEmpty { b += "\n" + expected.joined(separator: "\n") }
                blocks.append(b)
            case .hashThreshold(let n, _): blocks.append("hash-threshold \(n)")
            case .load(let p, let lines, _): blocks.append("load \(p)\n" + lines.joined(separator: "\n"))
            case .now(let t, _): blocks.append("now \(t)")
            }
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }

    func replacingOccurrencesOfCR() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}
