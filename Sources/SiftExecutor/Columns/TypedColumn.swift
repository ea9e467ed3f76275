// Typed columns: a column whose rows are all of one scalar kind (or NULL) as a plain array with a NULL
// flag per row, so filters and aggregates over it compare and add machine values instead of tagged
// `Datum`s. Strings have their own typed form (dictionary codes, `Table.Encoding`); what fits
// neither (JSON, mixed kinds) stays a column of `Datum`s.

import SiftModel
import SiftQuery

public struct TypedColumn {
    public enum Values {
        case ints([Int64])
        case doubles([Double])
        case bools([Bool])
        case timestamps([Int64])     // microseconds since the epoch, UTC
    }

    public var values: Values
    /// Per table row: the row is NULL (its slot in `values` is 0 or false).
    public var isNull: [Bool]

    /// From decoded values: nil unless every non-NULL value is of the same kind (integers and doubles
    /// mixed stay `Datum`s, so integer comparisons remain exact).
    init?(_ column: [Datum]) {
        guard let first = column.first(where: { !$0.isNull }) else { return nil }
        switch first {
        case .int, .double, .bool, .timestamp: break
        default: return nil   // strings, JSON, intervals: not a typed column
        }
        let n = column.count
        var isNull = BigArrays.repeating(false, count: n)
        func fill<T>(_ zero: T, _ value: (Datum) -> T?) -> [T]? {
            var ok = true
            let out: [T] = BigArrays.make(n) { out in
                for r in 0..<n {
                    if column[r].isNull { isNull[r] = true; out[r] = zero; continue }
                    if let v = value(column[r]) { out[r] = v } else { ok = false; out[r] = zero }
                }
            }
            return ok ? out : nil
        }
        switch first {
        case .int:
            guard let v = fill(Int64(0), { if case .int(let x) = $0 { return x }; return nil }) else { return nil }
            values = .ints(v)
        case .double:
            guard let v = fill(0.0, { if case .double(let x) = $0 { return x }; return nil }) else { return nil }
            values = .doubles(v)
        case .bool:
            guard let v = fill(false, { if case .bool(let x) = $0 { return x }; return nil }) else { return nil }
            values = .bools(v)
        case .timestamp:
            guard let v = fill(Int64(0), { if case .timestamp(let x) = $0 { return x }; return nil }) else { return nil }
            values = .timestamps(v)
        default:
            return nil
        }
        self.isNull = isNull
    }

    init(values: Values, isNull: [Bool]) {
        self.values = values
        self.isNull = isNull
    }
}

extension Evaluator {
    /// Positions in `rows` where typed column `t` compared with `constant` by `op` holds; nil when the
    /// kinds do not pair up simply (then the general path decides, with the same rules).
    func typedKeep(_ op: BinaryOperator, _ t: TypedColumn, _ constant: Datum, _ rows: Rows) -> [Int]? {
        let comparisons: [BinaryOperator] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]
        guard comparisons.contains(op) else { return nil }
        func keep<T, K: Comparable>(_ values: [T], _ k: K, _ convert: (T) -> K) -> [Int] {
            values.withUnsafeBufferPointer { v in
                t.isNull.withUnsafeBufferPointer { null in
                    switch op {
                    case .equal: return rows.positions { !null[$0] && convert(v[$0]) == k }
                    case .notEqual: return rows.positions { !null[$0] && convert(v[$0]) != k }
                    case .less: return rows.positions { !null[$0] && convert(v[$0]) < k }
                    case .lessOrEqual: return rows.positions { !null[$0] && convert(v[$0]) <= k }
                    case .greater: return rows.positions { !null[$0] && convert(v[$0]) > k }
                    default: return rows.positions { !null[$0] && convert(v[$0]) >= k }
                    }
                }
            }
        }
        // As Datum.compare: integers with integers exactly, other numbers as doubles.
        switch (t.values, constant) {
        case (.timestamps(let v), .timestamp(let k)): return keep(v, k) { $0 }
        case (.ints(let v), .int(let k)): return keep(v, k) { $0 }
        case (.ints(let v), .double(let k)): return keep(v, k) { Double($0) }
        case (.doubles(let v), .double(let k)): return keep(v, k) { $0 }
        case (.doubles(let v), .int(let k)): return keep(v, Double(k)) { $0 }
        case (.bools(let v), .bool(let k)) where op == .equal || op == .notEqual:
            return keep(v, k ? 1 : 0) { $0 ? 1 : 0 }
        default: return nil
        }
    }

    /// The typed form of column `e` (a span field or a path into one), when it has one.
    func typedColumn(_ e: Expr, _ rows: Rows) throws -> TypedColumn? {
        guard let name = try columnName(e, rows) else { return nil }
        return table.typed(of: name)
    }
}
