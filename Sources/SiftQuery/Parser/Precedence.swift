// Precedence lists how tightly operators bind, loosest first (DIALECT.md section 4, standard SQL
// order). The Pratt loop in Parser+Expression.swift reads this table and nothing else.

public enum Precedence: Int, Comparable, Sendable {
    case lowest = 0
    case ternary = 1
    case or = 2
    case and = 3
    case not = 4
    case comparison = 5
    case additive = 6
    case multiplicative = 7
    case unary = 8
    case postfix = 9

    public static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
}
