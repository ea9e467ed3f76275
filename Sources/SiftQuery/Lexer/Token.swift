// Token is one lexical unit: its kind, where it is (byte offsets into the query), and its text.

public struct Token: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case identifier
        /// A double-quoted name or string: the parser decides which (DIALECT.md section 4).
        case quoted
        case string
        case integer
        case decimal
        case keyword(Keyword)
        /// Punctuation and operators: ( ) [ ] , . : ? | ; + - * / % = != <> < <= > >= <=> <!=> =>
        case symbol
        case end
    }

    public var kind: Kind
    public var range: SourceRange
    /// The token's value: a name, a string's content with escapes resolved, a number's digits, a symbol.
    public var text: String
    /// Whether a line break comes between this token and the previous one (the pipe form's separator).
    public var newlineBefore: Bool

    public func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
    public func isKeyword(_ k: Keyword) -> Bool { kind == .keyword(k) }

    /// How the token reads in a message: `'FROM'`, `the end of the query`, ...
    public var display: String {
        switch kind {
        case .end: return "the end of the query"
        case .string: return "'\(text)'"
        case .quoted: return "\"\(text)\""
        default: return "'\(text)'"
        }
    }
}
