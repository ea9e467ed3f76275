// Expr is the expression tree shared by both surface forms and the bare filter form. Every node
// carries the source range it was parsed from, for diagnostics; equality ignores ranges, so a
// parse -> print -> parse round trip compares the trees alone.

public enum BinaryOperator: String, Sendable, CaseIterable {
    case or = "OR", and = "AND"
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case nullSafeEqual = "<=>", nullSafeNotEqual = "<!=>"
    case like = "LIKE", ilike = "ILIKE", match = "MATCH", includes = "INCLUDES", contains = "CONTAINS"
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"

    /// How tightly the operator binds (Precedence.swift).
    public var precedence: Precedence {
        switch self {
        case .or: return .or
        case .and: return .and
        case .add, .subtract: return .additive
        case .multiply, .divide, .modulo: return .multiplicative
        default: return .comparison
        }
    }
}

public enum UnaryOperator: String, Sendable { case not = "NOT", negate = "-" }

public enum IntervalUnit: String, Sendable, CaseIterable {
    case year, month, week, day, hour, minute, second, millisecond, microsecond

    /// `day`, `days`, `DAY`, ... as a unit.
    public init?(word: String) {
        var w = word.lowercased()
        if w.hasSuffix("s") && IntervalUnit(rawValue: String(w.dropLast())) != nil { w.removeLast() }
        guard let u = IntervalUnit(rawValue: w) else { return nil }
        self = u
    }
}

/// The type names CAST accepts (DIALECT.md section 8).
public enum CastType: String, Sendable, CaseIterable {
    case string, integer, number, boolean, datetime, date

    public init?(name: String) {
        switch name.lowercased() {
        case "string", "text", "varchar": self = .string
        case "integer", "int", "bigint": self = .integer
        case "number", "double", "float", "real", "decimal": self = .number
        case "boolean", "bool": self = .boolean
        case "datetime", "timestamp": self = .datetime
        case "date": self = .date
        default: return nil
        }
    }
}

public indirect enum ExprKind: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(Double)
    case string(String)
    /// A bare name; `quoted` when written in double quotes (a name or, standalone, maybe a string).
    case name(String, quoted: Bool)
    /// `base.name`
    case field(Expr, String, quoted: Bool)
    /// `base[index]`
    case index(Expr, Expr)
    /// `*` in `count(*)` or `SELECT *`.
    case star
    /// A function call, with the function it names resolved once (`ExprKind.function`); nil for a
    /// name the dialect does not know, which the binder rejects with a hint.
    case call(String, [Expr], distinct: Bool, function: FunctionID? = nil)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr, negated: Bool)
    case isNull(Expr, negated: Bool)
    case inList(Expr, [Expr], negated: Bool)
    case between(Expr, Expr, Expr, negated: Bool)
    case caseWhen(operand: Expr?, branches: [CaseBranch], otherwise: Expr?)
    case cast(Expr, CastType)
    case interval(Double, IntervalUnit)
    case ternary(Expr, Expr, Expr)
    case array([Expr])
}

extension ExprKind {
    /// A call of `name`, resolved to its FunctionID here, once, so that no later stage looks the name up.
    public static func function(_ name: String, _ args: [Expr], distinct: Bool = false) -> ExprKind {
        .call(name, args, distinct: distinct, function: Functions.info(name)?.id)
    }
}

public struct CaseBranch: Hashable, Sendable {
    public var when: Expr
    public var then: Expr
    public init(when: Expr, then: Expr) { self.when = when; self.then = then }
}

public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    public var range: SourceRange

    /// Levels in the tree, 1 for a leaf. The parser bounds it (Parser.maxHeight), so every stage that
    /// walks a tree recursively (binder, printer, executor, ==, hashing) works within a bounded stack.
    public let height: Int

    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
        height = 1 + (kind.children.lazy.map(\.height).max() ?? 0)
    }

    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
    public func hash(into h: inout Hasher) { h.combine(kind) }

    /// The dotted path this expression spells, if it is one: `classifications.Task[0].label`
    /// -> ["classifications", "Task", "[0]", "label"]. Used for implicit aliases and hints.
    public var pathComponents: [String]? {
        switch kind {
        case .name(let n, _): return [n]
        case .field(let base, let n, _): return base.pathComponents.map { $0 + [n] }
        case .index(let base, let i):
            guard case .integer(let v) = i.kind else {
                if case .unary(.negate, let inner) = i.kind, case .integer(let v) = inner.kind { return base.pathComponents.map { $0 + ["[-\(v)]"] } }
                return nil
            }
            return base.pathComponents.map { $0 + ["[\(v)]"] }
        default: return nil
        }
    }

    /// The implicit alias of a SELECT item: the last name of a path (DIALECT.md section 8).
    public var implicitAlias: String? {
        switch kind {
        case .name(let n, _), .field(_, let n, _): return n
        case .index(let base, _): return base.implicitAlias
        default: return nil
        }
    }
}
