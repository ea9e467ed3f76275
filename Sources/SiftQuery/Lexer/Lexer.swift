// Lexer turns query text into tokens in one pass over its UTF-8 bytes. Comments (`-- ...` and
// `/* ... */`) and whitespace are skipped, noting line breaks for the pipe form. Any byte sequence
// either lexes or gives one Diagnostic at its position; the lexer always makes progress.

public struct Lexer {
    let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }

    static let symbols3: Set<String> = ["<=>"]
    static let symbols4: Set<String> = ["<!=>"]
    static let symbols2: Set<String> = ["!=", "<>", "<=", ">=", "=>"]
    static let symbols1: Set<UInt8> = Set("()[],.:?|;+-*/%=<>".utf8)

    /// All tokens, ending with an `.end` token.
    public func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        var i = 0
        var newline = false
        let n = bytes.count
        func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }
        while true {
            // Whitespace and comments.
            while i < n {
                let c = bytes[i]
                if c == 0x0A { newline = true; i += 1 }
                else if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0C { i += 1 }
                else if c == UInt8(ascii: "-"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "-") {
                    while i < n && bytes[i] != 0x0A { i += 1 }
                } else if c == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                    let open = i
                    i += 2
                    while i + 1 < n && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) {
                        if bytes[i] == 0x0A { newline = true }
                        i += 1
                    }
                    guard i + 1 < n else { throw Diagnostic("unterminated comment", at: SourceRange(open, open + 2)) }
                    i += 2
                } else { break }
            }
            guard i < n else {
                tokens.append(Token(kind: .end, range: SourceRange(n, n), text: "", newlineBefore: newline))
                return tokens
            }
            let start = i
            let c = bytes[i]
            var kind: Token.Kind
            var value: String
            if isIdentifierStart(c) {
                while i < n && isIdentifierPart(bytes[i]) { i += 1 }
                value = text(start, i)
                kind = Keyword(word: value).map { .keyword($0) } ?? .identifier
            } else if c >= 0x30 && c <= 0x39 || (c == UInt8(ascii: ".") && i + 1 < n && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39) {
                (kind, value, i) = try number(at: i)
            } else if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                (value, i) = try quoted(at: i, quote: c)
                kind = c == UInt8(ascii: "'") ? .string : .quoted
            } else if i + 4 <= n, Lexer.symbols4.contains(text(i, i + 4)) {
                kind = .symbol; value = text(i, i + 4); i += 4
            } else if i + 3 <= n, Lexer.symbols3.contains(text(i, i + 3)) {
                kind = .symbol; value = text(i, i + 3); i += 3
            } else if i + 2 <= n, Lexer.symbols2.contains(text(i, i + 2)) {
                kind = .symbol; value = text(i, i + 2); i += 2
            } else if Lexer.symbols1.contains(c) {
                kind = .symbol; value = text(i, i + 1); i += 1
            } else {
                // One whole character (not a lone byte) for the message.
                var e = i + 1
                while e < n && bytes[e] & 0xC0 == 0x80 { e += 1 }
                let ch = text(i, e)
                let hint: String? = c == UInt8(ascii: "`") ? "quote names with double quotes: \"name\"" : (c == UInt8(ascii: "!") ? "use != or NOT" : nil)
                throw Diagnostic("unexpected character '\(ch)'", at: SourceRange(i, e), hint: hint)
            }
            tokens.append(Token(kind: kind, range: SourceRange(start, i), text: value, newlineBefore: newline))
            newline = false
        }
    }

    private func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || c >= 0x80
    }

    private func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || (c >= 0x30 && c <= 0x39) }

    /// Integers, decimals and exponents: `12`, `0.5`, `.5`, `1e3`, `2.5E-4`.
    private func number(at start: Int) throws -> (Token.Kind, String, Int) {
        var i = start
        let n = bytes.count
        var isDecimal = false
        func digits() { while i < n && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 } }
        digits()
        if i < n && bytes[i] == UInt8(ascii: ".") && !(i + 1 < n && bytes[i + 1] == UInt8(ascii: ".")) {
            isDecimal = true
            i += 1
            digits()
        }
        if i < n && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            var j = i + 1
            if j < n && (bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-")) { j += 1 }
            if j < n && bytes[j] >= 0x30 && bytes[j] <= 0x39 {
                isDecimal = true
                i = j
                digits()
            }
        }
        if i < n && isIdentifierStart(bytes[i]) {
            var e = i
            while e < n && isIdentifierPart(bytes[e]) { e += 1 }
            throw Diagnostic("invalid number '\(String(decoding: bytes[start..<e], as: UTF8.self))'", at: SourceRange(start, e),
                             hint: "put a space between a number and a word")
        }
        return (isDecimal ? .decimal : .integer, String(decoding: bytes[start..<i], as: UTF8.self), i)
    }

    /// A quoted string or name; the quote character doubled stands for itself.
    private func quoted(at start: Int, quote: UInt8) throws -> (String, Int) {
        var i = start + 1
        var out: [UInt8] = []
        let n = bytes.count
        while true {
            guard i < n else {
                let what = quote == UInt8(ascii: "'") ? "string" : "quoted name"
                throw Diagnostic("unterminated \(what)", at: SourceRange(start, start + 1),
                                 hint: "close it with \(quote == UInt8(ascii: "'") ? "'" : "\""); write \(quote == UInt8(ascii: "'") ? "''" : "\"\"") for the quote itself")
            }
            let c = bytes[i]
            if c == quote {
                if i + 1 < n && bytes[i + 1] == quote { out.append(quote); i += 2; continue }
                return (String(decoding: out, as: UTF8.self), i + 1)
            }
            out.append(c)
            i += 1
        }
    }
}
