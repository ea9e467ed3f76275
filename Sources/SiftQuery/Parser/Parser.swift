// Parser turns tokens into a Statement: recursive descent for clauses, Pratt parsing for
// expressions (Parser+Expression.swift). It does no semantic checks (names and types are the
// binder's), stops at the first error with one Diagnostic, bounds its recursion, and every loop
// consumes a token or ends, so no input can hang or crash it. Each parse function is named after
// its production in Grammar/dialect.ebnf and repeats it in its doc comment.

public struct Parser {
    var tokens: [Token]
    var position = 0
    var depth = 0
    var form: SurfaceForm = .sql
    let text: String

    public static let maxDepth = 200
    /// The most levels an expression tree may have, however it is built: nesting (maxDepth) and long
    /// chains alike (`1+1+...`, `a AND b AND ...`, `a.b.c...`, `x[0][0]...`). Lists (`IN (...)`,
    /// function arguments) are flat and may be longer.
    public static let maxHeight = 1000

    public init(_ text: String) throws {
        self.text = text
        tokens = try Lexer(text).tokenize()
    }

    /// Parses a query in whichever form it is written: text starting with SELECT or WITH is SQL, text
    /// starting with `name:` is the pipe form, anything else is a bare filter expression.
    public static func parse(_ text: String) throws -> Statement {
        var p = try Parser(text)
        return try p.parseQuery()
    }

    /// Parses a bare filter expression (scorers, dataset rules, `sift query --where`).
    public static func parseFilter(_ text: String) throws -> Expr {
        var p = try Parser(text)
        p.form = .filter
        if p.current.kind == .end { throw Diagnostic("the filter is empty", at: p.current.range) }
        let e = try p.parseExpression()
        try p.expectEnd()
        return e
    }

    // MARK: - Tokens

    var current: Token { tokens[position] }
    func peek(_ offset: Int = 1) -> Token { tokens[min(position + offset, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    mutating func accept(_ k: Keyword) -> Bool {
        if current.isKeyword(k) { advance(); return true }
        return false
    }

    mutating func accept(symbol s: String) -> Bool {
        if current.isSymbol(s) { advance(); return true }
        return false
    }

    @discardableResult
    mutating func expect(_ k: Keyword, after context: String? = nil) throws -> Token {
        guard current.isKeyword(k) else {
            throw unexpected(expected: k.rawValue + (context.map { " \($0)" } ?? ""), suggestion: k.rawValue)
        }
        return advance()
    }

    @discardableResult
    mutating func expect(symbol s: String, _ what: String? = nil) throws -> Token {
        guard current.isSymbol(s) else { throw unexpected(expected: what ?? "'\(s)'") }
        return advance()
    }

    mutating func expectEnd() throws {
        _ = accept(symbol: ";")
        guard current.kind == .end else { throw unexpected(expected: "the end of the query") }
    }

    /// `expected X, found Y`, with a hint when the found token is close to what was expected.
    func unexpected(expected: String, suggestion: String? = nil) -> Diagnostic {
        let t = current
        var hint: String?
        if let suggestion, t.kind == .identifier, t.text.count >= 3,
           Parser.editDistance(t.text.uppercased(), suggestion.uppercased()) <= 2 {
            hint = "did you mean \(suggestion)?"
        } else if t.isSymbol("=") && position > 0 && tokens[position - 1].isSymbol("=") {
            hint = "use = for equality"
        } else if t.isSymbol("|") && form != .pipe {
            hint = "use OR (or concat() to join strings)"
        }
        return Diagnostic("expected \(expected), found \(t.display)", at: t.range, hint: hint)
    }

    /// Levenshtein distance, for "did you mean" hints.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }

    // MARK: - Query

    /// query = sql_query | pipe_query | filter ;
    mutating func parseQuery() throws -> Statement {
        if current.isKeyword(.with) {
            throw Diagnostic("WITH (common table expressions) is not supported", at: current.range,
                             hint: "write the query as a single SELECT")
        }
        // `select:` is the pipe form's clause, not SQL's SELECT.
        if isPipeClauseStart {
            form = .pipe
            return try parsePipeQuery()
        }
        if current.isKeyword(.select) {
            form = .sql
            let s = try parseSelect()
            try expectEnd()
            return s
        }
        form = .filter
        if current.kind == .end { throw Diagnostic("the query is empty", at: current.range) }
        var s = Statement(form: .filter)
        s.filter = try parseExpression()
        try expectEnd()
        return s
    }

    /// A pipe clause starts with one of its names and a colon.
    var isPipeClauseStart: Bool {
        (current.kind == .identifier || current.kind.isKeyword) && peek().isSymbol(":")
            && Parser.pipeClauses.contains(current.text.lowercased())
    }

    static let pipeClauses: Set<String> = [
        "select", "from", "filter", "dimensions", "measures", "final_filter", "sort", "limit", "cursor",
        "unpivot", "preview_length", "span_filter", "trace_filter",
    ]
}

extension Token.Kind {
    /// `select:`, `from:`, `limit:` and `unpivot:` are pipe clause names although they are keywords.
    var isKeyword: Bool {
        if case .keyword = self { return true }
        return false
    }
}
