// Shared pieces of the CLI: the --db option, error reporting, number formatting and plain tables.

import ArgumentParser
import CMemory
import Foundation
import SiftEngine
import SiftModel

struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The Sift store (SQLite file).", valueName: "path"))
    var db: String?

    /// --db, else SIFT_DB, else ./sift.db.
    var path: String { db ?? Workspace.defaultPath }
}

/// Runs a command body, turning any error into one line on stderr and exit status 1.
/// For commands that fill million-row columns (queries): large blocks from one heap whose first GiB
/// is backed by transparent huge pages where the system allows it (about 20,000 fewer page faults
/// for a cold query over a million spans). `SIFT_HUGE_PAGES=0` turns it off.
func preferHugePages() {
    if ProcessInfo.processInfo.environment["SIFT_HUGE_PAGES"] == "0" { return }
    _ = sift_prefer_huge_pages(1 << 30)
}

func guarded(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

let stderrIsTerminal = isatty(2) != 0
let stdoutIsTerminal = isatty(1) != 0

/// Text from traces made safe for a terminal: control characters (C0 but newline and tab, DEL, C1)
/// become visible escapes such as `\x1B`, so a span's text cannot move the cursor, retitle the window
/// or clear the screen. Every table, CSV and trace rendering goes through it.
func terminalSafe(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isControl) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        if isControl(u) {
            out.append(contentsOf: String(format: "\\x%02X", u.value).unicodeScalars)
        } else {
            out.append(u)
        }
    }
    return String(out)
}

private func isControl(_ u: Unicode.Scalar) -> Bool {
    (u.value < 0x20 && u != "\n" && u != "\t") || (u.value >= 0x7F && u.value <= 0x9F)
}

/// 1234567 -> "1,234,567".
func grouped(_ n: Int) -> String {
    let s = String(abs(n))
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// A plain text table: columns padded to their widest cell; numbers right-aligned.
func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    let header = header.map(terminalSafe), rows = rows.map { $0.map(terminalSafe) }
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
            return rightAligned.contains(i) ? pad + c : (i == cells.count - 1 ? c : c + pad)
        }.joined(separator: "  ")
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
}

func parseTimestamp(_ text: String, option: String) throws -> Timestamp {
    if let t = Timestamp(iso8601: text) { return t }
    if let d = Double(text), let t = Timestamp(.double(d)) { return t }
    throw ValidationError("\(option): '\(text)' is not an ISO-8601 timestamp (e.g. 2026-11-24T12:00:00Z) or Unix seconds")
}

/// Reads a byte count such as 8M, 512K, 1G or 1000000.
func parseByteCount(_ text: String) -> Int? {
    let t = text.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    if let last = t.last, let mult = units[last], let n = Double(t.dropLast()) { return Int(n * Double(mult)) }
    return Int(t)
}
