// Binary operators: AND/OR in three-valued logic, comparisons (true when any element of an array
// satisfies them), [I]LIKE, MATCH, INCLUDES/CONTAINS and arithmetic on numbers, timestamps and intervals.

import Foundation
import SiftModel
import SiftQuery

extension Evaluator {
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

    /// A timestamp from interval arithmetic, or NULL when it leaves the years 0001-9999 (in either
    /// direction alike, rather than wrapping to year -290,251).
    static func calendar(_ t: Int64?) -> Datum {
        guard let t, Timestamp.calendarRange.contains(t) else { return .null }
        return .timestamp(t)
    }

    static func arithmetic(_ op: BinaryOperator, _ a: Datum, _ b: Datum, range: SourceRange) throws -> Datum {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case (.timestamp(let t), .interval(let m, let u)) where op == .add || op == .subtract:
            let sign: Int64 = op == .add ? 1 : -1
            return calendar(saturating(addMonths(t, sign * m), sign == 1 ? u : (u == Int64.min ? Int64.max : -u)))
        case (.interval(let m, let u), .timestamp(let t)) where op == .add:
            return calendar(saturating(addMonths(t, m), u))
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
}
