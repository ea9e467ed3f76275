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
        case .inList(let x, let items, let negated):
            let values = try eval(x, rows)
            let lists = try items.map { try eval($0, rows) }
            return (0..<n).map { r in
                // A list item that is an array (IN ["a", "b"] from a single array value) counts as its elements.
                var candidates: [Datum] = []
                for l in lists { if let el = l[r].elements, items.count == 1 { candidates += el } else { candidates.append(l[r]) } }
                let result = Evaluator.anyElement(values[r]) { v in
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
        case .call(let f, let args, let distinct):
            return try call(f, args, distinct: distinct, rows, range: e.range)
        }
    }

    // MARK: - Paths

    static func member(_ d: Datum, _ name: String, caseInsensitive: Bool) -> Datum {
        switch d {
        case .json(.object(let o)):
            if let v = o[name] { return Datum(v) }
            if caseInsensitive, let k = o.keys.first(where: { $0.lowercased() == name.lowercased() }) { return Datum(o[k]!) }
            return .null
        case .json(.array(let a)):
            // A path through an array without an index maps over its elements.
            let mapped = a.map { member(Datum($0), name, caseInsensitive: caseInsensitive).value }
            return .json(.array(mapped))
        default: return .null
        }
    }

    static func element(_ d: Datum, _ index: Datum) -> Datum {
        switch (d, index) {
        case (.json(.array(let a)), .int(let i)):
            let k = i < 0 ? a.count + Int(i) : Int(i)
            return a.indices.contains(k) ? Datum(a[k]) : .null
        case (.json(.object), .string(let key)): return member(d, key, caseInsensitive: false)
        default: return .null
        }
    }

    /// Applies a test to a value, or to each element of an array (true if any is).
    static func anyElement(_ d: Datum, _ test: (Datum) -> Bool?) -> Bool? {
        guard let elements = d.elements else { return test(d) }
        var sawNull = false
        for e in elements {
            switch test(e) {
            case true?: return true
            case nil: sawNull = true
            default: break
            }
        }
        return elements.isEmpty ? false : (sawNull ? nil : false)
    }

    // MARK: - Operators

    func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr, negated: Bool, _ rows: Rows, range: SourceRange) throws -> [Datum] {
        let x = try eval(a, rows)
        let y = try eval(b, rows)
        let n = rows.count
        func logic(_ f: (Bool?, Bool?) -> Bool?) -> [Datum] {
            (0..<n).map { r in
                func b(_ d: Datum) -> Bool? { if case .bool(let v) = d { return v }; return nil }
                return f(b(x[r]), b(y[r])).map(Datum.bool) ?? .null
            }
        }
        func predicate(_ test: (Datum, Datum) -> Bool?) -> [Datum] {
            (0..<n).map { r in
                let right = y[r]
                guard let result = Evaluator.anyElement(x[r], { test($0, right) }) else { return .null }
                return .bool(result != negated)
            }
        }
        switch op {
        case .and: return logic { p, q in p == false || q == false ? false : (p == true && q == true ? true : nil) }
        case .or: return logic { p, q in p == true || q == true ? true : (p == false && q == false ? false : nil) }
        case .equal: return predicate { Datum.equals($0, $1) }
        case .notEqual: return predicate { Datum.equals($0, $1).map { !$0 } }
        case .less: return predicate { Datum.compare($0, $1).map { $0 < 0 } }
        case .lessOrEqual: return predicate { Datum.compare($0, $1).map { $0 <= 0 } }
        case .greater: return predicate { Datum.compare($0, $1).map { $0 > 0 } }
        case .greaterOrEqual: return predicate { Datum.compare($0, $1).map { $0 >= 0 } }
        case .nullSafeEqual, .nullSafeNotEqual:
            return (0..<n).map { r in
                let same = (x[r].isNull && y[r].isNull) || Datum.equals(x[r], y[r]) == true
                return .bool(op == .nullSafeEqual ? same : !same)
            }
        case .like, .ilike:
            let cache = PatternCache()
            return predicate { v, p in
                guard case .string(let s) = v, case .string(let pattern) = p else { return v.isNull || p.isNull ? nil : false }
                return cache.like(s, pattern, caseInsensitive: op == .ilike)
            }
        case .match:
            return predicate { v, q in
                guard case .string(let query) = q else { return nil }
                guard !v.isNull else { return nil }
                return Evaluator.matchWords(v.text, query)
            }
        case .includes, .contains:
            return (0..<n).map { r in
                let result: Bool?
                switch x[r] {
                case .null: result = nil
                case .string(let s): if case .string(let t) = y[r] { result = s.contains(t) } else { result = nil }
                default:
                    if let el = x[r].elements { result = el.contains { Datum.equals($0, y[r]) == true } } else { result = Datum.equals(x[r], y[r]) }
                }
                return result.map { .bool($0 != negated) } ?? .null
            }
        case .add, .subtract, .multiply, .divide, .modulo:
            return try (0..<n).map { try Evaluator.arithmetic(op, x[$0], y[$0], range: range) }
        }
    }

    static func arithmetic(_ op: BinaryOperator, _ a: Datum, _ b: Datum, range: SourceRange) throws -> Datum {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.timestamp(let t), .interval(let m, let u)) where op == .add || op == .subtract:
            let sign: Int64 = op == .add ? 1 : -1
            return saturating(addMonths(t, sign * m), sign == 1 ? u : (u == Int64.min ? Int64.max : -u)).map(Datum.timestamp) ?? .null
        case (.interval(let m, let u), .timestamp(let t)) where op == .add:
            return saturating(addMonths(t, m), u).map(Datum.timestamp) ?? .null
        case (.timestamp(let t1), .timestamp(let t2)) where op == .subtract:
            let (d, o) = t1.subtractingReportingOverflow(t2)
            return o ? .null : .interval(months: 0, micros: d)
        case (.interval(let m1, let u1), .interval(let m2, let u2)) where op == .add || op == .subtract:
            let (m, o1) = op == .add ? m1.addingReportingOverflow(m2) : m1.subtractingReportingOverflow(m2)
            let (u, o2) = op == .add ? u1.addingReportingOverflow(u2) : u1.subtractingReportingOverflow(u2)
            return o1 || o2 ? .null : .interval(months: m, micros: u)
        case (.int(let x), .int(let y)) where op != .divide:
            switch op {
            case .add: let (r, o) = x.addingReportingOverflow(y); return o ? .double(Double(x) + Double(y)) : .int(r)
            case .subtract: let (r, o) = x.subtractingReportingOverflow(y); return o ? .double(Double(x) - Double(y)) : .int(r)
            case .multiply: let (r, o) = x.multipliedReportingOverflow(by: y); return o ? .double(Double(x) * Double(y)) : .int(r)
            default: return y == 0 ? .null : .int(x % y)
            }
        default:
            guard let x = a.number, let y = b.number else { return .null }
            switch op {
            case .add: return .double(x + y)
            case .subtract: return .double(x - y)
            case .multiply: return .double(x * y)
            case .divide: return y == 0 ? .null : .double(x / y)
            default: return y == 0 ? .null : .double(x.truncatingRemainder(dividingBy: y))
            }
        }
    }

    /// An interval; amounts beyond about ±290,000 years saturate rather than trap.
    static func interval(_ amount: Double, _ unit: IntervalUnit) -> Datum {
        let c = Timestamp.clamped
        switch unit {
        case .year: return .interval(months: max(-3_500_000, min(3_500_000, c(amount * 12))), micros: 0)
        case .month: return .interval(months: max(-3_500_000, min(3_500_000, c(amount))), micros: 0)
        case .week: return .interval(months: 0, micros: c(amount * 7 * 86_400_000_000))
        case .day: return .interval(months: 0, micros: c(amount * 86_400_000_000))
        case .hour: return .interval(months: 0, micros: c(amount * 3_600_000_000))
        case .minute: return .interval(months: 0, micros: c(amount * 60_000_000))
        case .second: return .interval(months: 0, micros: c(amount * 1_000_000))
        case .millisecond: return .interval(months: 0, micros: c(amount * 1000))
        case .microsecond: return .interval(months: 0, micros: c(amount))
        }
    }

    /// `t + u`, or nil when it leaves the range a timestamp can hold.
    static func saturating(_ t: Int64?, _ u: Int64) -> Int64? {
        guard let t else { return nil }
        let (r, o) = t.addingReportingOverflow(u)
        return o ? nil : r
    }

    /// Calendar months: the day of the month is kept, clamped to the target month's length; nil when
    /// the result is beyond the years a timestamp can hold.
    static func addMonths(_ t: Int64, _ months: Int64) -> Int64? {
        guard months != 0 else { return t }
        guard abs(months) <= 3_500_000 else { return nil }
        let day = Int64(86_400_000_000)
        let days = t >= 0 ? t / day : (t - day + 1) / day
        let within = t - days * day
        let (y, m, d) = Timestamp.civil(fromDays: Int(days))
        let total = Int64(y) * 12 + Int64(m - 1) + months
        let ny = Int(total >= 0 ? total / 12 : (total - 11) / 12), nm = Int(total - Int64(ny) * 12) + 1
        let next = Timestamp.daysFromCivil(year: nm == 12 ? ny + 1 : ny, month: nm == 12 ? 1 : nm + 1, day: 1)
        let length = next - Timestamp.daysFromCivil(year: ny, month: nm, day: 1)
        let (scaled, o1) = Int64(Timestamp.daysFromCivil(year: ny, month: nm, day: min(d, length))).multipliedReportingOverflow(by: day)
        let (r, o2) = scaled.addingReportingOverflow(within)
        return o1 || o2 ? nil : r
    }

    /// MATCH: every word of the query appears as a whole word of the text, case-insensitively.
    static func matchWords(_ text: String, _ query: String) -> Bool {
        let want = words(query)
        guard !want.isEmpty else { return false }
        let have = Set(words(text))
        return want.allSatisfy { have.contains($0) }
    }

    static func words(_ s: String) -> [String] {
        var out: [String] = [], cur = ""
        for ch in s.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "_" { cur.append(ch) } else if !cur.isEmpty { out.append(cur); cur = "" }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }
}

/// LIKE patterns compiled once per distinct pattern.
final class PatternCache {
    /// `%text%`, `text%` and `%text` with ASCII text: the bytes to find and where.
    struct Simple { var needle: [UInt8]; var leading: Bool; var trailing: Bool }

    static func simple(_ tokens: [LikeToken]) -> Simple? {
        let leading = tokens.first == .any, trailing = tokens.last == .any && tokens.count > 1
        let middle = tokens.dropFirst(leading ? 1 : 0).dropLast(trailing ? 1 : 0)
        var needle: [UInt8] = []
        for t in middle {
            guard case .literal(let ch) = t, ch.isASCII, let b = ch.asciiValue else { return nil }
            needle.append(b)
        }
        guard leading || trailing, !needle.isEmpty else { return nil }
        return Simple(needle: needle, leading: leading, trailing: trailing)
    }

    /// Matches on UTF-8 bytes (folding ASCII case for ILIKE) without building characters; nil when the
    /// text is not ASCII and case must fold (Unicode case folding takes the general path).
    static func simpleMatch(_ s: String, _ p: Simple, caseInsensitive: Bool) -> Bool? {
        var str = s
        return str.withUTF8 { hay -> Bool? in
            let n = p.needle.count
            if caseInsensitive {
                for b in hay where b >= 0x80 { return nil }
            }
            guard hay.count >= n else { return false }
            return p.needle.withUnsafeBufferPointer { needle -> Bool in
                @inline(__always) func fold(_ b: UInt8) -> UInt8 { caseInsensitive && b >= 65 && b <= 90 ? b | 0x20 : b }
                @inline(__always) func matches(at i: Int) -> Bool {
                    var j = 0
                    while j < n { if fold(hay[i + j]) != needle[j] { return false }; j += 1 }
                    return true
                }
                switch (p.leading, p.trailing) {
                case (false, true): return matches(at: 0)
                case (true, false): return matches(at: hay.count - n)
                default:
                    let first = needle[0]
                    // A letter's other case: ILIKE compares folded bytes.
                    let firstUpper: UInt8 = caseInsensitive && first >= 97 && first <= 122 ? first - 32 : first
                    var i = 0
                    let last = hay.count - n
                    while i <= last {
                        let b = hay[i]
                        if (b == first || b == firstUpper) && matches(at: i) { return true }
                        i += 1
                    }
                    return false
                }
            }
        }
    }

    private var compiled: [String: ([LikeToken], Simple?)] = [:]
    private var lastKey = "", lastTokens: [LikeToken] = [], lastSimple: Simple?
    enum LikeToken: Equatable { case literal(Character), one, any }

    func like(_ s: String, _ pattern: String, caseInsensitive: Bool) -> Bool {
        let key = (caseInsensitive ? "i:" : "s:") + pattern
        let tokens: [LikeToken]
        if key == lastKey { tokens = lastTokens } else if let t = compiled[key] {
            tokens = t.0; lastKey = key; lastTokens = t.0; lastSimple = t.1
        } else {
            var t: [LikeToken] = []
            var escape = false
            for ch in caseInsensitive ? pattern.lowercased() : pattern {
                if escape { t.append(.literal(ch)); escape = false; continue }
                switch ch {
                case "\\": escape = true
                case "%": if t.last != .any { t.append(.any) }
                case "_": t.append(.one)
                default: t.append(.literal(ch))
                }
            }
            if escape { t.append(.literal("\\")) }
            let simple = PatternCache.simple(t)
            compiled[key] = (t, simple)
            tokens = t
            lastKey = key; lastTokens = t; lastSimple = simple
        }
        if let simple = lastSimple, let fast = PatternCache.simpleMatch(s, simple, caseInsensitive: caseInsensitive) { return fast }
        let text = Array(caseInsensitive ? s.lowercased() : s)
        // Greedy matching with backtracking to the last %.
        var ti = 0, pi = 0, starP = -1, starT = 0
        while ti < text.count {
            if pi < tokens.count, tokens[pi] == .one || tokens[pi] == .literal(text[ti]) { ti += 1; pi += 1 }
            else if pi < tokens.count, tokens[pi] == .any { starP = pi; starT = ti; pi += 1 }
            else if starP >= 0 { pi = starP + 1; starT += 1; ti = starT }
            else { return false }
        }
        while pi < tokens.count, tokens[pi] == .any { pi += 1 }
        return pi == tokens.count
    }
}
