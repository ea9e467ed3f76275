// Keyword is the lexer's table of reserved words. Grammar/keywords.txt lists the same words, one a
// line, and a test keeps the two equal. Words such as `day`, `shape` or the pipe clause names are
// not reserved: the parser recognises them where they mean something, so they stay usable as names.

public enum Keyword: String, CaseIterable, Sendable {
    case and = "AND", `as` = "AS", asc = "ASC", between = "BETWEEN", by = "BY", `case` = "CASE", cast = "CAST"
    case contains = "CONTAINS", desc = "DESC", distinct = "DISTINCT", `else` = "ELSE", end = "END"
    case `false` = "FALSE", first = "FIRST", `for` = "FOR", from = "FROM", group = "GROUP", having = "HAVING"
    case ilike = "ILIKE", `in` = "IN", includes = "INCLUDES", interval = "INTERVAL", `is` = "IS", last = "LAST"
    case like = "LIKE", limit = "LIMIT", match = "MATCH", not = "NOT", null = "NULL", nulls = "NULLS"
    case offset = "OFFSET", or = "OR", order = "ORDER", select = "SELECT", then = "THEN", `true` = "TRUE"
    case unpivot = "UNPIVOT", when = "WHEN", `where` = "WHERE", with = "WITH"

    private static let table: [String: Keyword] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// The keyword spelled by `word`, in any case.
    public init?(word: String) {
        guard word.utf8.count <= 8, let k = Keyword.table[word.uppercased()] else { return nil }
        self = k
    }
}
