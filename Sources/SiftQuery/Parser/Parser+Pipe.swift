// The pipe form: `name: value` clauses in any order, separated by `|` or line breaks.

extension Parser {
    /// pipe_query = pipe_clause { [ "|" ] pipe_clause } ;
    mutating func parsePipeQuery() throws -> Statement {
        var s = Statement(form: .pipe)
        var seen = Set<String>()
        while true {
            guard isPipeClauseStart else {
                throw unexpected(expected: "a clause such as filter: or select: (clauses are name: value)")
            }
            let nameToken = advance()
            let name = nameToken.text.lowercased()
            guard seen.insert(name).inserted else {
                throw Diagnostic("the \(name): clause appears twice", at: nameToken.range)
            }
            advance()  // ':'
            try parsePipeClause(name, into: &s)
            if accept(symbol: "|") { continue }
            _ = accept(symbol: ";")
            if current.kind == .end { return s }
            if !current.newlineBefore {
                throw unexpected(expected: "'|' or a new line before the next clause")
            }
        }
    }

    /// pipe_clause = "select:" select_list | "from:" source | "filter:" expr | "dimensions:" select_list
    ///             | "measures:" select_list | "final_filter:" expr | "sort:" order_list | "limit:" expr
    ///             | "cursor:" expr | "unpivot:" pipe_unpivot | "preview_length:" expr
    ///             | "span_filter:" expr | "trace_filter:" expr ;
    mutating func parsePipeClause(_ name: String, into s: inout Statement) throws {
        switch name {
        case "select": s.items = try parseSelectList()
        case "from": s.source = try parseSource()
        case "filter": s.filter = try parseExpression()
        case "dimensions": s.dimensions = try parseSelectList()
        case "measures": s.measures = try parseSelectList()
        case "final_filter": s.having = try parseExpression()
        case "sort": s.orderBy = try parseOrderList()
        case "limit": s.limit = try parseExpression()
        case "cursor": s.offset = try parseExpression()
        case "unpivot": s.unpivots.append(try parsePipeUnpivot())
        case "preview_length": s.previewLength = try parseExpression()
        case "span_filter": s.spanFilter = try parseExpression()
        default: s.traceFilter = try parseExpression()
        }
    }

    /// pipe_unpivot = expr "AS" ( name | "(" name "," name ")" ) ;
    /// `unpivot: classifications.Issues AS c` gives one row per element;
    /// `unpivot: scores AS (name, score)` one row per key and value.
    mutating func parsePipeUnpivot() throws -> Unpivot {
        let source = try parseExpression()
        try expect(.as, after: "in unpivot: field AS name")
        if accept(symbol: "(") {
            let key = try parseName("the name for each key")
            try expect(symbol: ",")
            let value = try parseName("the name for each value")
            try expect(symbol: ")")
            return Unpivot(valueName: value, keyName: key, source: source)
        }
        return Unpivot(valueName: try parseName("the name for each element"), keyName: "_", source: source)
    }
}
