// Expressions by Pratt parsing: a prefix step (literal, name, call, parenthesis, CASE, CAST,
// INTERVAL, NOT, unary minus), then a loop that takes infix and postfix operators for as long as
// they bind at least as tightly as the caller asked for (Precedence.swift).

extension Parser {
    /// expr = ternary ;
    public mutating func parseExpression() throws -> Expr {
        try parseExpression(precedence: .lowest)
    }

    /// ternary = or_expr [ "?" expr ":" expr ] ;   (and the levels below, by precedence climbing)
    mutating func parseExpression(precedence minimum: Precedence) throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            throw Diagnostic("expression is nested too deeply (more than \(Parser.maxDepth) levels)", at: current.range)
        }
        var left = try parsePrefix()
        try checkHeight(left, at: left.range)
        while true {
            let before = position
            let at = current.range
            guard let next = try parseInfix(left, minimum: minimum) else { break }
            left = next
            try checkHeight(left, at: at)
            if position == before { break }  // progress guarantee
        }
        return left
    }

    /// Long chains are as deep as nesting for every stage that walks the tree: stop them here, at the
    /// operator that made the tree too tall.
    func checkHeight(_ e: Expr, at range: SourceRange) throws {
        guard e.height <= Parser.maxHeight else {
            throw Diagnostic("expression is too long: more than \(Parser.maxHeight) operators or path steps in a chain", at: range,
                             hint: "split it, or use IN (...) for a long list of alternatives")
        }
    }

    /// One infix or postfix step on `left`, or nil when the next token does not continue at `minimum`.
    mutating func parseInfix(_ left: Expr, minimum: Precedence) throws -> Expr? {
        let t = current
        // Postfix: .name and [index].
        if t.isSymbol(".") {
            advance()
            let nameToken = current
            switch nameToken.kind {
            case .identifier, .keyword: break
            case .quoted: break
            default: throw unexpected(expected: "a field name after '.'")
            }
            advance()
            return Expr(.field(left, nameToken.text, quoted: nameToken.kind == .quoted), left.range.union(nameToken.range))
        }
        if t.isSymbol("[") {
            advance()
            let index = try parseExpression()
            let close = try expect(symbol: "]", "']' to close the index")
            return Expr(.index(left, index), left.range.union(close.range))
        }
        // Ternary, loosest of all and right-associative.
        if t.isSymbol("?") {
            guard minimum <= .lowest else { return nil }
            advance()
            let then = try parseExpression(precedence: .lowest)
            try expect(symbol: ":", "':' in cond ? a : b")
            let otherwise = try parseExpression(precedence: .lowest)
            return Expr(.ternary(left, then, otherwise), left.range.union(otherwise.range))
        }
        // NOT before IN, LIKE, ILIKE, MATCH, BETWEEN.
        var negated = false
        var opToken = t
        if t.isKeyword(.not) {
            let n = peek()
            guard n.isKeyword(.in) || n.isKeyword(.like) || n.isKeyword(.ilike) || n.isKeyword(.match) || n.isKeyword(.between) else { return nil }
            guard minimum < .comparison else { return nil }
            advance()
            negated = true
            opToken = current
        }
        if let op = binaryOperator(opToken) {
            guard minimum < op.precedence else { return negated ? try undoNot() : nil }
            if (op == .includes || op == .contains) && form == .sql {
                throw Diagnostic("\(op.rawValue) is pipe-form only", at: opToken.range, hint: "use IN: 'x' IN tags")
            }
            advance()
            let right = try parseExpression(precedence: op.precedence)
            return Expr(.binary(op, left, right, negated: negated), left.range.union(right.range))
        }
        if opToken.isKeyword(.is) {
            guard minimum < .comparison else { return nil }
            advance()
            let not = accept(.not)
            guard current.isKeyword(.null) else {
                throw unexpected(expected: not ? "NULL after IS NOT" : "NULL or NOT NULL after IS", suggestion: "NULL")
            }
            let end = advance()
            return Expr(.isNull(left, negated: not), left.range.union(end.range))
        }
        if opToken.isKeyword(.in) {
            guard minimum < .comparison else { return negated ? try undoNot() : nil }
            advance()
            let (items, range) = try parseInList()
            return Expr(.inList(left, items, negated: negated), left.range.union(range))
        }
        if opToken.isKeyword(.between) {
            guard minimum < .comparison else { return negated ? try undoNot() : nil }
            advance()
            let low = try parseExpression(precedence: .comparison)
            try expect(.and, after: "in BETWEEN low AND high")
            let high = try parseExpression(precedence: .comparison)
            return Expr(.between(left, low, high, negated: negated), left.range.union(high.range))
        }
        if negated { return try undoNot() }
        return nil
    }

    /// A NOT that turned out not to start NOT IN/LIKE/...: step back so the caller sees it.
    private mutating func undoNot() throws -> Expr? {
        position -= 1
        return nil
    }

    func binaryOperator(_ t: Token) -> BinaryOperator? {
        switch t.kind {
        case .keyword(.and): return .and
        case .keyword(.or): return .or
        case .keyword(.like): return .like
        case .keyword(.ilike): return .ilike
        case .keyword(.match): return .match
        case .keyword(.includes): return .includes
        case .keyword(.contains): return .contains
        case .symbol:
            switch t.text {
            case "=": return .equal
            case "!=", "<>": return .notEqual
            case "<": return .less
            case "<=": return .lessOrEqual
            case ">": return .greater
            case ">=": return .greaterOrEqual
            case "<=>": return .nullSafeEqual
            case "<!=>": return .nullSafeNotEqual
            case "+": return .add
            case "-": return .subtract
            case "*": return .multiply
            case "/": return .divide
            case "%": return .modulo
            default: return nil
            }
        default: return nil
        }
    }

    /// in_list = "(" expr_list ")" | array ;
    mutating func parseInList() throws -> ([Expr], SourceRange) {
        if current.isSymbol("[") {
            let a = try parseArray()
            guard case .array(let items) = a.kind else { return ([], a.range) }
            return (items, a.range)
        }
        try expect(symbol: "(", "'(' or '[' after IN")
        if current.isSymbol(")") { throw unexpected(expected: "at least one value in IN (...)") }
        let items = try parseExpressionList()
        let close = try expect(symbol: ")", "')' to close IN (")
        return (items, close.range)
    }

    /// array = "[" [ expr_list ] "]" ;
    mutating func parseArray() throws -> Expr {
        let open = try expect(symbol: "[")
        var items: [Expr] = []
        if !current.isSymbol("]") { items = try parseExpressionList() }
        let close = try expect(symbol: "]", "']' to close the array")
        return Expr(.array(items), open.range.union(close.range))
    }

    /// primary = literal | name | call | "(" expr ")" | array | case_expr | cast_expr | interval
    ///         | "NOT" expr | "-" expr | "*" ;
    mutating func parsePrefix() throws -> Expr {
        let t = current
        switch t.kind {
        case .integer:
            advance()
            guard let v = Int64(t.text) else {
                guard let d = Double(t.text) else { throw Diagnostic("number out of range", at: t.range) }
                return Expr(.decimal(d), t.range)
            }
            return Expr(.integer(v), t.range)
        case .decimal:
            advance()
            guard let d = Double(t.text), d.isFinite else { throw Diagnostic("number out of range", at: t.range) }
            return Expr(.decimal(d), t.range)
        case .string:
            advance()
            return Expr(.string(t.text), t.range)
        case .quoted:
            advance()
            return Expr(.name(t.text, quoted: true), t.range)
        case .identifier:
            advance()
            if current.isSymbol("(") { return try parseCall(t) }
            return Expr(.name(t.text, quoted: false), t.range)
        case .keyword(.null): advance(); return Expr(.null, t.range)
        case .keyword(.true): advance(); return Expr(.bool(true), t.range)
        case .keyword(.false): advance(); return Expr(.bool(false), t.range)
        case .keyword(.not):
            advance()
            let operand = try parseExpression(precedence: .not)
            return Expr(.unary(.not, operand), t.range.union(operand.range))
        case .keyword(.case): return try parseCase()
        case .keyword(.cast): return try parseCast()
        case .keyword(.interval): return try parseInterval()
        case .keyword(.contains), .keyword(.includes), .keyword(.first), .keyword(.last):
            // Usable as function names (contains(tags, 'x')) and, for FIRST/LAST, as plain names.
            advance()
            if current.isSymbol("(") { return try parseCall(t) }
            if t.isKeyword(.first) || t.isKeyword(.last) { return Expr(.name(t.text, quoted: false), t.range) }
            throw Diagnostic("expected an expression, found \(t.display)", at: t.range)
        case .symbol:
            if t.isSymbol("(") {
                advance()
                let inner = try parseExpression()
                let close = try expect(symbol: ")", "')' to close '('")
                return Expr(inner.kind, t.range.union(close.range))
            }
            if t.isSymbol("[") { return try parseArray() }
            if t.isSymbol("-") {
                advance()
                let operand = try parseExpression(precedence: .unary)
                return Expr(.unary(.negate, operand), t.range.union(operand.range))
            }
            if t.isSymbol("+") {
                advance()
                return try parseExpression(precedence: .unary)
            }
            if t.isSymbol("*") { advance(); return Expr(.star, t.range) }
            throw unexpected(expected: "an expression")
        case .end:
            throw unexpected(expected: "an expression")
        case .keyword(let k):
            let hint = k == .from && position > 0 && tokens[position - 1].isSymbol(",") ? "remove the trailing comma" : nil
            throw Diagnostic("expected an expression, found \(t.display)", at: t.range, hint: hint)
        }
    }

    /// call = name "(" [ [ "DISTINCT" ] ( "*" | expr_list ) ] ")" ;
    mutating func parseCall(_ nameToken: Token) throws -> Expr {
        try expect(symbol: "(")
        var args: [Expr] = []
        var distinct = false
        if !current.isSymbol(")") {
            distinct = accept(.distinct)
            args = try parseExpressionList()
        }
        let close = try expect(symbol: ")", "')' to close \(nameToken.text)(")
        return Expr(.function(nameToken.text.lowercased(), args, distinct: distinct), nameToken.range.union(close.range))
    }

    /// case_expr = "CASE" [ expr ] "WHEN" expr "THEN" expr { "WHEN" expr "THEN" expr } [ "ELSE" expr ] "END" ;
    mutating func parseCase() throws -> Expr {
        let start = try expect(.case)
        var operand: Expr?
        if !current.isKeyword(.when) { operand = try parseExpression() }
        var branches: [CaseBranch] = []
        while accept(.when) {
            let cond = try parseExpression()
            try expect(.then, after: "after CASE WHEN condition")
            branches.append(CaseBranch(when: cond, then: try parseExpression()))
        }
        if branches.isEmpty { throw unexpected(expected: "WHEN after CASE") }
        var otherwise: Expr?
        if accept(.else) { otherwise = try parseExpression() }
        let end = try expect(.end, after: "to close CASE")
        return Expr(.caseWhen(operand: operand, branches: branches, otherwise: otherwise), start.range.union(end.range))
    }

    /// cast_expr = "CAST" "(" expr "AS" type_name ")" ;
    mutating func parseCast() throws -> Expr {
        let start = try expect(.cast)
        try expect(symbol: "(", "'(' after CAST")
        let value = try parseExpression()
        try expect(.as, after: "in CAST(value AS type)")
        let typeToken = current
        guard typeToken.kind == .identifier, let type = CastType(name: typeToken.text) else {
            throw Diagnostic("unknown type \(typeToken.display) in CAST", at: typeToken.range,
                             hint: "use string, integer, number, boolean, datetime or date")
        }
        advance()
        let close = try expect(symbol: ")", "')' to close CAST(")
        return Expr(.cast(value, type), start.range.union(close.range))
    }

    /// interval = "INTERVAL" ( number unit | string ) ;   string = "'" number unit "'"
    mutating func parseInterval() throws -> Expr {
        let start = try expect(.interval)
        if current.kind == .string {
            let t = advance()
            let parts = t.text.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let amount = Double(parts[0]), let unit = IntervalUnit(word: String(parts[1])) else {
                throw Diagnostic("invalid interval '\(t.text)'", at: t.range, hint: "write it as '7 days' or interval 7 day")
            }
            return Expr(.interval(amount, unit), start.range.union(t.range))
        }
        let amountToken = current
        guard amountToken.kind == .integer || amountToken.kind == .decimal, let amount = Double(amountToken.text) else {
            throw unexpected(expected: "a number after INTERVAL")
        }
        advance()
        let unitToken = current
        guard unitToken.kind == .identifier, let unit = IntervalUnit(word: unitToken.text) else {
            throw Diagnostic("expected a unit after INTERVAL \(amountToken.text), found \(unitToken.display)", at: unitToken.range,
                             hint: "units: year, month, week, day, hour, minute, second, millisecond, microsecond")
        }
        advance()
        return Expr(.interval(amount, unit), start.range.union(unitToken.range))
    }
}
