// Diagnostic is the one error type every stage of a query uses: a message, the byte range it is
// about, and an optional hint. Line and column are worked out only when it is rendered, as
// `LINE n: <the line>` with a caret under the offending text, the way SQL users know it.

/// A half-open range of byte offsets into the query text.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = max(start, end) }
    public static let none = SourceRange(0, 0)
    public func union(_ other: SourceRange) -> SourceRange { SourceRange(min(start, other.start), max(end, other.end)) }
    public var description: String { "\(start)..<\(end)" }
}

public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var message: String
    public var range: SourceRange
    public var hint: String?

    public init(_ message: String, at range: SourceRange, hint: String? = nil, severity: Severity = .error) {
        self.message = message; self.range = range; self.hint = hint; self.severity = severity
    }

    public var description: String { message + (hint.map { " (\($0))" } ?? "") }

    /// `ERROR: message`, `LINE n: text`, a caret line under the range, and the hint.
    public func render(in text: String) -> String {
        let bytes = Array(text.utf8)
        let start = min(range.start, bytes.count)
        var lineStart = start
        while lineStart > 0 && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        var lineEnd = start
        while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
        let lineNumber = bytes[..<lineStart].filter { $0 == 0x0A }.count + 1
        let line = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        let prefix = "LINE \(lineNumber): "
        // Columns count characters, so the caret sits under the right one in any script.
        let column = String(decoding: bytes[lineStart..<start], as: UTF8.self).count
        let width = max(1, String(decoding: bytes[start..<min(max(range.end, start), lineEnd)], as: UTF8.self).count)
        var out = "\(severity == .error ? "ERROR" : "WARNING"): \(message)\n\(prefix)\(line)\n"
        out += String(repeating: " ", count: prefix.count + column) + String(repeating: "^", count: width)
        if let hint { out += "\nHINT: \(hint)" }
        return out
    }
}
