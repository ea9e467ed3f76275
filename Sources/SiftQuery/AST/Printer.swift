// Printer writes a Statement or Expr back as query text in its own surface form. Parsing what it
// prints gives the same tree (the parser tests check this on every query in DIALECT.md), so it
// serves EXPLAIN, saved-query normalisation and error messages. Subexpressions of operators are
// parenthesised unless they are atoms, which keeps it obviously right rather than minimal.

public enum Printer {
    public static func print(_ s: Statement) -> String {
        switch s.form {
        case .sql: return printSQL(s)
        case .pipe: return printPipe(s)
        case .filter: return s.filter.map(print) ?? ""
        }
    }

    static func items(_ list: [SelectItem]) -> String {
        list.map { item in print(item.expr) + (item.alias.map { " AS " + name($0) } ?? "") }.joined(separator: ", ")
    }

    static func order(_ list: [OrderItem]) -> String {
        list.map { o in
            print(o.expr) + (o.descending ? " DESC" : " ASC") + (o.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
        }.joined(separator: ", ")
    }

    static func source(_ c: SourceCall, pipe: Bool) -> String {
        var args = c.arguments.map(print)
        for key in c.named.keys.sorted() { args.append("\(key) => \(print(c.named[key]!))") }
        return "\(c.name)(\(args.joined(separator: ", ")))"
    }

    static func printSQL(_ s: Statement) -> String {
        var parts = ["SELECT " + items(s.items)]
        if let src = s.source { parts.append("FROM " + source(src, pipe: false)) }
        for u in s.unpivots { parts.append("UNPIVOT (\(name(u.valueName)) FOR \(name(u.keyName)) IN (\(print(u.source))))") }
        if let f = s.filter { parts.append("WHERE " + print(f)) }
        if !s.groupBy.isEmpty { parts.append("GROUP BY " + s.groupBy.map(print).joined(separator: ", ")) }
        if let h = s.having { parts.append("HAVING " + print(h)) }
        if !s.orderBy.isEmpty { parts.append("ORDER BY " + order(s.orderBy)) }
        if let l = s.limit { parts.append("LIMIT " + print(l)) }
        if let o = s.offset { parts.append("OFFSET " + print(o)) }
        return parts.joined(separator: "\n")
    }

    static func printPipe(_ s: Statement) -> String {
        var parts: [String] = []
        if !s.items.isEmpty { parts.append("select: " + items(s.items)) }
        if let src = s.source { parts.append("from: " + source(src, pipe: true)) }
        for u in s.unpivots {
            parts.append("unpivot: \(print(u.source)) AS " + (u.keyName == "_" ? name(u.valueName) : "(\(name(u.keyName)), \(name(u.valueName)))"))
        }
        if let f = s.filter { parts.append("filter: " + print(f)) }
        if !s.dimensions.isEmpty { parts.append("dimensions: " + items(s.dimensions)) }
        if !s.measures.isEmpty { parts.append("measures: " + items(s.measures)) }
        if let h = s.having { parts.append("final_filter: " + print(h)) }
        if !s.orderBy.isEmpty { parts.append("sort: " + order(s.orderBy)) }
        if let l = s.limit { parts.append("limit: " + print(l)) }
        if let o = s.offset { parts.append("cursor: " + print(o)) }
        if let p = s.previewLength { parts.append("preview_length: " + print(p)) }
        if let f = s.spanFilter { parts.append("span_filter: " + print(f)) }
        if let f = s.traceFilter { parts.append("trace_filter: " + print(f)) }
        return parts.joined(separator: "\n| ")
    }

    /// A name, double-quoted when it is not a plain identifier or is a keyword.
    static func name(_ n: String) -> String {
        isPlainIdentifier(n) && Keyword(word: n) == nil ? n : quoted(n, "\"")
    }

    /// Whether the lexer reads `n` as one identifier: letters, `_`, `$` and any non-ASCII byte, then
    /// digits too (the same rule as Lexer.isIdentifierStart/Part, so a printed name parses back as
    /// the same name, quoted or not).
    static func isPlainIdentifier(_ n: String) -> Bool {
        !n.isEmpty && n.utf8.enumerated().allSatisfy { i, c in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || c >= 0x80
                || (i > 0 && c >= 0x30 && c <= 0x39)
        }
    }

    /// `text` in `quote`s, each quote inside doubled.
    static func quoted(_ text: String, _ quote: Character) -> String {
        var out = String(quote)
        for c in text {
            if c == quote { out.append(quote) }
            out.append(c)
        }
        out.append(quote)
        return out
    }

    static func string(_ s: String) -> String { quoted(s, "'") }

    static func isAtom(_ e: Expr) -> Bool {
        switch e.kind {
        case .null, .bool, .integer, .decimal, .string, .name, .field, .index, .star, .call, .cast, .caseWhen, .array, .interval: return true
        default: return false
        }
    }

    static func operand(_ e: Expr) -> String { isAtom(e) ? print(e) : "(" + print(e) + ")" }

    public static func print(_ e: Expr) -> String {
        switch e.kind {
        case .null: return "NULL"
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .integer(let i): return String(i)
        case .decimal(let d):
            let text = "\(d)"
            return text.contains("e") || text.contains("E") ? "\(d)" : text
        case .string(let s): return string(s)
        case .name(let n, let quoted): return quoted ? Printer.quoted(n, "\"") : name(n)
        case .field(let base, let n, let quoted):
            return operand(base) + "." + (quoted ? Printer.quoted(n, "\"") : fieldName(n))
        case .index(let base, let i): return operand(base) + "[" + print(i) + "]"
        case .star: return "*"
        case .call(let f, let args, let distinct, _): return f + "(" + (distinct ? "DISTINCT " : "") + args.map(print).joined(separator: ", ") + ")"
        case .unary(.not, let x): return "NOT " + operand(x)
        case .unary(.negate, let x): return "-" + operand(x)
        case .binary(let op, let a, let b, let negated):
            return operand(a) + " " + (negated ? "NOT " : "") + op.rawValue + " " + operand(b)
        case .isNull(let x, let negated): return operand(x) + (negated ? " IS NOT NULL" : " IS NULL")
        case .inList(let x, let items, let negated):
            return operand(x) + (negated ? " NOT IN (" : " IN (") + items.map(print).joined(separator: ", ") + ")"
        case .between(let x, let lo, let hi, let negated):
            return operand(x) + (negated ? " NOT BETWEEN " : " BETWEEN ") + operand(lo) + " AND " + operand(hi)
        case .caseWhen(let operandExpr, let branches, let otherwise):
            var s = "CASE"
            if let o = operandExpr { s += " " + print(o) }
            for b in branches { s += " WHEN " + print(b.when) + " THEN " + print(b.then) }
            if let o = otherwise { s += " ELSE " + print(o) }
            return s + " END"
        case .cast(let x, let type): return "CAST(" + print(x) + " AS " + type.rawValue + ")"
        case .interval(let amount, let unit):
            let n = amount.rounded() == amount && abs(amount) < 1e15 ? String(Int64(amount)) : "\(amount)"
            return "INTERVAL \(n) \(unit.rawValue.uppercased())"
        case .ternary(let c, let a, let b): return operand(c) + " ? " + operand(a) + " : " + operand(b)
        case .array(let items): return "[" + items.map(print).joined(separator: ", ") + "]"
        }
    }

    /// After a dot any word is a field name, keywords included.
    static func fieldName(_ n: String) -> String { isPlainIdentifier(n) ? n : quoted(n, "\"") }
}
