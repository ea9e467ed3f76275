// The SQL form: SELECT ... FROM source [UNPIVOT ...] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT] [OFFSET].

extension Parser {
    /// sql_query = "SELECT" select_list "FROM" source { unpivot } [ "WHERE" expr ]
    ///             [ "GROUP" "BY" expr_list ] [ "HAVING" expr ] [ "ORDER" "BY" order_list ]
    ///             [ "LIMIT" expr ] [ "OFFSET" expr ] [ ";" ] ;
    mutating func parseSelect() throws -> Statement {
        var s = Statement(form: .sql)
        try expect(.select)
        s.items = try parseSelectList()
        try expect(.from, after: "after the select list")
        s.source = try parseSource()
        while current.isKeyword(.unpivot) { s.unpivots.append(try parseUnpivot()) }
        if accept(.where) { s.filter = try parseExpression() }
        if accept(.group) {
            try expect(.by, after: "after GROUP")
            s.groupBy = try parseExpressionList()
        }
        if accept(.having) { s.having = try parseExpression() }
        if accept(.order) {
            try expect(.by, after: "after ORDER")
            s.orderBy = try parseOrderList()
        }
        if accept(.limit) { s.limit = try parseExpression() }
        if accept(.offset) { s.offset = try parseExpression() }
        if current.kind == .identifier, let clause = Parser.closestClause(to: current.text) {
            throw Diagnostic("unexpected \(current.display)", at: current.range, hint: "did you mean \(clause)?")
        }
        return s
    }

    static let clauseKeywords = ["FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNPIVOT"]

    static func closestClause(to word: String) -> String? {
        guard word.count >= 4 else { return nil }
        return clauseKeywords.first { editDistance(word.uppercased(), $0) <= 2 }
    }

    /// select_list = select_item { "," select_item } ;
    mutating func parseSelectList() throws -> [SelectItem] {
        var items = [try parseSelectItem()]
        while accept(symbol: ",") {
            if current.isKeyword(.from) {
                throw Diagnostic("expected an expression, found 'FROM'", at: current.range, hint: "remove the trailing comma")
            }
            items.append(try parseSelectItem())
        }
        return items
    }

    /// select_item = "*" | expr [ [ "AS" ] name ] ;
    mutating func parseSelectItem() throws -> SelectItem {
        if current.isSymbol("*") {
            let t = advance()
            return SelectItem(expr: Expr(.star, t.range))
        }
        let e = try parseExpression()
        if accept(.as) {
            return SelectItem(expr: e, alias: try parseName("an alias after AS"))
        }
        // A bare alias, unless it is the next pipe clause's name or a misspelled clause keyword.
        if (current.kind == .identifier || current.kind == .quoted) && !peek().isSymbol(":")
            && Parser.closestClause(to: current.text) == nil {
            return SelectItem(expr: e, alias: advance().text)
        }
        return SelectItem(expr: e)
    }

    /// name = identifier | quoted ;
    mutating func parseName(_ what: String) throws -> String {
        guard current.kind == .identifier || current.kind == .quoted else { throw unexpected(expected: what) }
        return advance().text
    }

    /// source = name "(" [ source_arg { "," source_arg } ] ")" [ shape ] ;
    /// source_arg = expr | name "=>" expr ;
    mutating func parseSource() throws -> SourceCall {
        let start = current.range
        guard current.kind == .identifier else {
            throw unexpected(expected: "a source such as project_logs('my-project')")
        }
        let name = advance().text
        try expect(symbol: "(", "'(' after \(name)")
        var args: [Expr] = [], named: [String: Expr] = [:]
        if !current.isSymbol(")") {
            repeat {
                if current.kind == .identifier && peek().isSymbol("=>") {
                    let key = advance().text.lowercased()
                    advance()
                    named[key] = try parseExpression()
                } else {
                    guard named.isEmpty else { throw unexpected(expected: "a named argument (name => value) after named ones") }
                    args.append(try parseExpression())
                }
            } while accept(symbol: ",")
        }
        let close = try expect(symbol: ")", "')' to close \(name)(")
        var call = SourceCall(name: name, arguments: args, named: named, range: start.union(close.range))
        // The pipe form names the shape after the call: `from: project_logs('p') traces`.
        if form == .pipe, current.kind == .identifier, ["spans", "traces", "summary"].contains(current.text.lowercased()), !peek().isSymbol(":") {
            let t = advance()
            call.named["shape"] = Expr(.string(t.text.lowercased()), t.range)
        }
        return call
    }

    /// unpivot = "UNPIVOT" "(" name "FOR" name "IN" "(" expr ")" ")" ;
    mutating func parseUnpivot() throws -> Unpivot {
        try expect(.unpivot)
        try expect(symbol: "(", "'(' after UNPIVOT")
        let value = try parseName("the name for each value")
        try expect(.for, after: "in UNPIVOT (value FOR key IN (...))")
        let key = try parseName("the name for each key (_ for arrays)")
        try expect(.in, after: "in UNPIVOT (value FOR key IN (...))")
        try expect(symbol: "(", "'(' after IN")
        let source = try parseExpression()
        try expect(symbol: ")", "')' after the unpivoted field")
        try expect(symbol: ")", "')' to close UNPIVOT (")
        return Unpivot(valueName: value, keyName: key, source: source)
    }

    /// expr_list = expr { "," expr } ;
    mutating func parseExpressionList() throws -> [Expr] {
        var list = [try parseExpression()]
        while accept(symbol: ",") { list.append(try parseExpression()) }
        return list
    }

    /// order_list = order_item { "," order_item } ;
    mutating func parseOrderList() throws -> [OrderItem] {
        var list = [try parseOrderItem()]
        while accept(symbol: ",") { list.append(try parseOrderItem()) }
        return list
    }

    /// order_item = expr [ "ASC" | "DESC" ] [ "NULLS" ( "FIRST" | "LAST" ) ] ;
    mutating func parseOrderItem() throws -> OrderItem {
        var item = OrderItem(expr: try parseExpression())
        if accept(.desc) { item.descending = true } else { _ = accept(.asc) }
        if accept(.nulls) {
            if accept(.first) { item.nullsFirst = true }
            else if accept(.last) { item.nullsFirst = false }
            else { throw unexpected(expected: "FIRST or LAST after NULLS") }
        }
        return item
    }
}
