// Reading texts (and optional true labels) from CSV or JSON lines, for `sift topics eval`. The CSV
// reader follows RFC 4180 (quoted fields, doubled quotes, newlines inside quotes); a bad row is an
// error naming its line.

import Foundation
import SiftModel

public struct LabelledTexts {
    public var texts: [String] = []
    public var labels: [String]?

    /// Reads `path`: `.jsonl`/`.json` as JSON lines, anything else as CSV with a header row.
    public static func read(path: String, textColumn: String, labelColumn: String?) throws -> LabelledTexts {
        guard let data = FileManager.default.contents(atPath: path) else { throw TopicsError.invalid("\(path): cannot read the file") }
        guard let content = String(data: data, encoding: .utf8) else { throw TopicsError.invalid("\(path): not UTF-8 text") }
        var out = LabelledTexts()
        if labelColumn != nil { out.labels = [] }
        if path.hasSuffix(".jsonl") || path.hasSuffix(".json") || path.hasSuffix(".ndjson") {
            for (n, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.isEmpty { continue }
                let v: Value
                do { v = try JSONReader.parse(String(t)) } catch { throw TopicsError.invalid("\(path):\(n + 1): \(error)") }
                guard let text = v[textColumn]?.stringValue else { throw TopicsError.invalid("\(path):\(n + 1): no string field \"\(textColumn)\"") }
                out.texts.append(text)
                if let lc = labelColumn {
                    guard let l = v[lc] else { throw TopicsError.invalid("\(path):\(n + 1): no field \"\(lc)\"") }
                    out.labels!.append(l.stringValue ?? JSONWriter.string(l))
                }
            }
            return out
        }
        let rows = try parseCSV(content, path: path)
        guard let header = rows.first?.fields else { throw TopicsError.invalid("\(path): empty file") }
        guard let ti = header.firstIndex(of: textColumn) else {
            throw TopicsError.invalid("\(path):1: no column \"\(textColumn)\" (columns: \(header.joined(separator: ", ")))")
        }
        let li = try labelColumn.map { lc -> Int in
            guard let i = header.firstIndex(of: lc) else { throw TopicsError.invalid("\(path):1: no column \"\(lc)\" (columns: \(header.joined(separator: ", ")))") }
            return i
        }
        for row in rows.dropFirst() {
            if row.fields.count == 1 && row.fields[0].isEmpty { continue }
            guard row.fields.count == header.count else {
                throw TopicsError.invalid("\(path):\(row.line): \(row.fields.count) fields, the header has \(header.count)")
            }
            out.texts.append(row.fields[ti])
            if let li { out.labels!.append(row.fields[li]) }
        }
        return out
    }

    /// RFC 4180 rows with the line each starts on.
    public static func parseCSV(_ s: String, path: String = "input") throws -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1, rowLine = 1
        var chars = s.makeIterator()
        var pending: Character? = nil
        var atFieldStart = true
        while let c = pending ?? chars.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart: inQuotes = true; atFieldStart = false
            case ",": fields.append(field); field = ""; atFieldStart = true
            case "\n", "\r\n", "\r":
                fields.append(field); field = ""
                rows.append((rowLine, fields)); fields = []
                line += 1; rowLine = line; atFieldStart = true
            default: field.append(c); atFieldStart = false
            }
        }
        if inQuotes { throw TopicsError.invalid("\(path):\(rowLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); rows.append((rowLine, fields)) }
        return rows
    }
}
