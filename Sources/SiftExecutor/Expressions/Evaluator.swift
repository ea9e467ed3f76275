// Expression evaluation, a column at a time: each node is evaluated once over the rows it is given
// (a batch of at most `Evaluator.batchSize`, or all of them for a bare column), giving one Datum per
// row, so per-node dispatch is paid once per batch rather than once per value.
// NULL follows SQL's three-valued logic; comparing an array with a scalar is true when any element
// satisfies it (DIALECT.md sections 4 and 8).

import Foundation
import SiftModel
import SiftQuery

public struct ExecutionError: Error, CustomStringConvertible {
    public var message: String
    public var range: SourceRange
    public init(_ message: String, at range: SourceRange = .none) { self.message = message; self.range = range }
    public var description: String { message }
    public var diagnostic: Diagnostic { Diagnostic(message, at: range) }
}

/// The rows an expression is evaluated over: indexes into the table (a selection vector), plus
/// columns that exist only for these rows (unpivoted values).
struct Rows {
    var base: [Int]
    var extra: [String: [Datum]] = [:]
    /// The columns an expression reads, already gathered for exactly these rows (see
    /// `Evaluator.bind`), so that a batch of rows slices them instead of reading the table again.
    var bound: [Expr: [Datum]] = [:]
    var count: Int { base.count }

    init(base: [Int], extra: [String: [Datum]] = [:]) {
        self.base = base
        self.extra = extra
    }

    func select(_ keep: [Int]) -> Rows {
        // From rows 0..<n (every query starts there), positions are row numbers already.
        if extra.isEmpty, !base.isEmpty, base[0] == 0, base[base.count - 1] == base.count - 1 { return Rows(base: keep) }
        return Rows(base: keep.map { base[$0] })
            .with(extra: extra.mapValues { col in keep.map { col[$0] } })
    }

    private func with(extra: [String: [Datum]]) -> Rows {
        var r = self
        r.extra = extra
        return r
    }

    /// Positions `range` of these rows, with their unpivoted and bound columns.
    func slice(_ range: Range<Int>) -> Rows {
        var r = Rows(base: Array(base[range]), extra: extra.mapValues { Array($0[range]) })
        r.bound = bound.mapValues { Array($0[range]) }
        return r
    }
}

final class Evaluator {
    let table: Table
    let now: Int64
    let tzOffsetMinutes: Int
    /// Results of aggregate calls per group, when evaluating over one representative row per group.
    var aggregates: [Expr: [Datum]] = [:]
    /// ANY_SPAN(cond) per trace, computed once per condition.
    var anySpan: [Expr: [Bool]] = [:]

    init(table: Table, now: Int64, tzOffsetMinutes: Int) {
        self.table = table
        self.now = now
        self.tzOffsetMinutes = tzOffsetMinutes
    }

    /// Whether `rows` are all the table's rows in order (then a whole column can be returned as is).
    func isWholeTable(_ rows: Rows) -> Bool {
        rows.count == table.count && (rows.count == 0 || (rows.base[0] == 0 && rows.base[rows.count - 1] == rows.count - 1))
    }

    func eval(_ e: Expr, _ rows: Rows) throws -> [Datum] {
        if !aggregates.isEmpty, let agg = aggregates[e] { return agg }
        if !rows.bound.isEmpty, let c = rows.bound[e] { return c }
        // A path into a span field (`metadata.model`, `classifications.Task[0].label`) is extracted once
        // for the whole table and kept: JSON objects are walked once, later reads gather scalars.
        switch e.kind {
        case .field, .index:
            if let path = e.pathComponents, table.fieldNames.contains(path[0]), rows.extra[path[0]] == nil {
                if !isWholeTable(rows), let few = table.gather("path:" + path.joined(separator: "."), rows.base) { return few }
                let all = Rows(base: Array(0..<table.count))
                let column = try table.derived(path.joined(separator: ".")) { try evalDirect(e, all) }
                return isWholeTable(rows) ? column : rows.base.map { column[$0] }
            }
        case .name(let name, _) where rows.extra[name] == nil && table.fieldNames.contains(name):
            if !isWholeTable(rows), let few = table.gather(name, rows.base) { return few }
            let column = try table.column(name)
            return isWholeTable(rows) ? column : rows.base.map { column[$0] }
        default: break
        }
        return try evalDirect(e, rows)
    }

    /// The table's name for the column `e` reads (a field, or "path:" + a path into one), making sure
    /// it is at hand; nil when `e` is not such a column.
    func columnName(_ e: Expr, _ rows: Rows) throws -> String? {
        switch e.kind {
        case .field, .index:
            guard let path = e.pathComponents, table.fieldNames.contains(path[0]), rows.extra[path[0]] == nil else { return nil }
            let key = path.joined(separator: ".")
            if !table.isAvailable("path:" + key) { _ = try table.derived(key) { try evalDirect(e, Rows(base: Array(0..<table.count))) } }
            return "path:" + key
        case .name(let name, _):
            guard rows.extra[name] == nil, table.fieldNames.contains(name) else { return nil }
            if !table.isAvailable(name) { _ = try table.column(name) }
            return name
        default:
            return nil
        }
    }

    /// Per table row, whether column `e` is NULL (nil when `e` is not a column).
    func nullMask(_ e: Expr, _ rows: Rows) throws -> [Bool]? {
        guard let name = try columnName(e, rows) else { return nil }
        return table.nullMask(of: name)
    }

    /// The dictionary encoding of a span field or a path into one (whole table), when `e` is such a
    /// column and it has few enough distinct values.
    func encoded(_ e: Expr, _ rows: Rows) throws -> Table.Encoding? {
        try columnName(e, rows).flatMap { table.encoding(of: $0) }
    }

    /// `v IN candidates` in three-valued logic: true when one equals it, NULL when none does but a
    /// comparison was unknown, else false.
    static func isIn(_ v: Datum, _ candidates: [Datum]) -> Bool? {
        var sawNull = false
        for c in candidates {
            switch Datum.equals(v, c) {
            case true?: return true
            case nil: sawNull = true
            default: break
            }
        }
        return sawNull ? nil : false
    }

    private func evalDirect(_ e: Expr, _ rows: Rows) throws -> [Datum] {
        let n = rows.count
        switch e.kind {
        case .null: return Array(repeating: .null, count: n)
        case .bool(let b): return Array(repeating: .bool(b), count: n)
        case .integer(let i): return Array(repeating: .int(i), count: n)
        case .decimal(let d): return Array(repeating: .double(d), count: n)
        case .string(let s): return Array(repeating: .string(s), count: n)
        case .interval(let amount, let unit): return Array(repeating: Evaluator.interval(amount, unit), count: n)
        case .star: return Array(repeating: .int(1), count: n)
        case .name(let name, let quoted):
            if let extra = rows.extra[name] { return extra }
            if table.fieldNames.contains(name) {
                let col = try table.column(name)
                return rows.base.map { col[$0] }
            }
            if quoted { return Array(repeating: .string(name), count: n) }  // a double-quoted string
            throw ExecutionError("unknown field '\(name)'", at: e.range)
        case .field(let base, let name, _):
            let values = try eval(base, rows)
            let insensitive = e.pathComponents.map { SpanFields.caseInsensitiveChildren.contains($0[0]) } ?? false
            return values.map { Evaluator.member($0, name, caseInsensitive: insensitive) }
        case .index(let base, let index):
            let values = try eval(base, rows), idx = try eval(index, rows)
            return zip(values, idx).map { Evaluator.element($0, $1) }
        case .unary(.not, let x):
            return try eval(x, rows).map { d in
                guard case .bool(let b) = d else { return .null }
                return .bool(!b)
            }
        case .unary(.negate, let x):
            return try eval(x, rows).map { d in
                switch d {
                case .int(let i): return i == Int64.min ? .double(-Double(i)) : .int(-i)
                case .double(let v): return .double(-v)
                case .interval(let m, let u): return u == Int64.min ? .null : .interval(months: -m, micros: -u)
                default: return .null
                }
            }
        case .binary(let op, let a, let b, let negated):
            return try binary(op, a, b, negated: negated, rows, range: e.range)
        case .isNull(let x, let negated):
            return try eval(x, rows).map { .bool($0.isNull != negated) }
        case .inList(let x, let items, let negated) where items.allSatisfy(\.isConstant):
            // A list of constants (the usual IN): evaluated once, not once per row, and text values
            // found by hashing their bytes (code-point equality, as Datum.equals), so a list of 50,000
            // values costs one lookup per row.
            let values = try eval(x, rows)
            var candidates = try items.map { try eval($0, Rows(base: [0]))[0] }
            if items.count == 1, let el = candidates[0].elements { candidates = el }
            let allText = candidates.allSatisfy { if case .string = $0 { return true }; return false }
            let textSet: Set<[UInt8]> = allText ? Set(candidates.map { Array($0.text.utf8) }) : []
            return (0..<n).map { r in
                let result = Evaluator.anyElement(values[r]) { v in
                    if allText, case .string(let s) = v { return textSet.contains(Array(s.utf8)) }
                    return Evaluator.isIn(v, candidates)
                }
                guard let result else { return .null }
                return .bool(result != negated)
            }
        case .inList(let x, let items, let negated):
            let values = try eval(x, rows)
            let lists = try items.map { try eval($0, rows) }
            return (0..<n).map { r in
                // A list item that is an array (IN ["a", "b"] from a single array value) counts as its elements.
                var candidates: [Datum] = []
                for l in lists { if let el = l[r].elements, items.count == 1 { candidates += el } else { candidates.append(l[r]) } }
                let result = Evaluator.anyElement(values[r]) { v in Evaluator.isIn(v, candidates) }
                guard let result else { return .null }
                return .bool(result != negated)
            }
        case .between(let x, let lo, let hi, let negated):
            let v = try eval(x, rows), l = try eval(lo, rows), h = try eval(hi, rows)
            return (0..<n).map { r in
                let result = Evaluator.anyElement(v[r]) { d in
                    guard let c1 = Datum.compare(d, l[r]), let c2 = Datum.compare(d, h[r]) else { return nil }
                    return c1 >= 0 && c2 <= 0
                }
                guard let result else { return .null }
                return .bool(result != negated)
            }
        case .caseWhen(let operand, let branches, let otherwise):
            var out = try otherwise.map { try eval($0, rows) } ?? Array(repeating: .null, count: n)
            var decided = [Bool](repeating: false, count: n)
            let subject = try operand.map { try eval($0, rows) }
            for b in branches {
                let cond = try eval(b.when, rows)
                let then = try eval(b.then, rows)
                for r in 0..<n where !decided[r] {
                    let hit: Bool
                    if let subject { hit = Datum.equals(subject[r], cond[r]) == true } else { hit = cond[r] == .bool(true) }
                    if hit { out[r] = then[r]; decided[r] = true }
                }
            }
            return out
        case .ternary(let c, let a, let b):
            let cond = try eval(c, rows), x = try eval(a, rows), y = try eval(b, rows)
            return (0..<n).map { cond[$0] == .bool(true) ? x[$0] : y[$0] }
        case .cast(let x, let type):
            return try eval(x, rows).map { try Evaluator.cast($0, to: type, strict: true, range: e.range) }
        case .array(let items):
            let cols = try items.map { try eval($0, rows) }
            return (0..<n).map { r in .json(.array(cols.map { $0[r].value })) }
        case .call(let f, let args, let distinct, let function):
            return try call(f, args, distinct: distinct, function: function, rows, range: e.range)
        }
    }
}
