// Aggregate functions, computed per group in one pass over the rows: count, count(DISTINCT),
// count_distinct, sum, avg, min, max, any_value and percentile (linear interpolation between the
// two nearest ranks, as DuckDB's quantile_cont).

import SiftQuery

enum Aggregates {
    static func compute(_ call: Expr, _ rows: Rows, groupOf: [Int], groups: Int, _ ev: Evaluator) throws -> [Datum] {
        guard case .call(let f, let args, let distinct, _) = call.kind else { return [] }
        // count(1) and the like count rows, as count(*) does.
        let isStar = args.isEmpty || (args.count == 1 && (args[0].kind == .star
            || (f == "count" && !distinct && args[0].isConstant && ev.constantIsNotNull(args[0]))))
        // count(column) over a dictionary-encoded column: non-NULL codes, no values gathered.
        if f == "count" && !isStar && !distinct, let mask = try ev.nullMask(args[0], rows) {
            var counts = [Int64](repeating: 0, count: groups)
            mask.withUnsafeBufferPointer { isNull in
                for (i, r) in rows.base.enumerated() where !isNull[r] { counts[groupOf[i]] += 1 }
            }
            return counts.map(Datum.int)
        }
        // sum, avg, min and max of a column of integers or doubles: machine values, no Datum per row.
        if ["sum", "avg", "min", "max"].contains(f) && !distinct && !isStar, let typed = try ev.typedColumn(args[0], rows) {
            switch typed.values {
            case .ints(let v): return typedAggregate(f, v, typed.isNull, rows, groupOf: groupOf, groups: groups)
            case .doubles(let v): return typedAggregate(f, v, typed.isNull, rows, groupOf: groupOf, groups: groups)
            default: break
            }
        }
        // The argument's values a batch at a time: `r` is the position in `rows`.
        func eachValue(_ body: (Int, Datum) -> Void) throws {
            try ev.forEachBatch(args[0], rows) { start, values in
                for (i, v) in values.enumerated() { body(start + i, v) }
            }
        }
        switch f {
        case "count" where isStar:
            var counts = [Int64](repeating: 0, count: groups)
            for g in groupOf.prefix(rows.count) { counts[g] += 1 }
            return counts.map(Datum.int)
        case "count" where distinct, "count_distinct":
            var sets = [Set<Datum>](repeating: [], count: groups)
            try eachValue { r, v in if !v.isNull { sets[groupOf[r]].insert(normalize(v)) } }
            return sets.map { .int(Int64($0.count)) }
        case "count":
            var counts = [Int64](repeating: 0, count: groups)
            try eachValue { r, v in if !v.isNull { counts[groupOf[r]] += 1 } }
            return counts.map(Datum.int)
        case "sum", "avg":
            var sums = [Double](repeating: 0, count: groups), ints = [Int64](repeating: 0, count: groups)
            var counts = [Int](repeating: 0, count: groups), allInt = [Bool](repeating: true, count: groups)
            try eachValue { r, v in
                guard let x = v.number else { return }
                let g = groupOf[r]
                sums[g] += x
                counts[g] += 1
                if case .int(let i) = v, allInt[g] { let (s, o) = ints[g].addingReportingOverflow(i); if o { allInt[g] = false } else { ints[g] = s } } else { allInt[g] = false }
            }
            return (0..<groups).map { g in
                guard counts[g] > 0 else { return .null }
                if f == "avg" { return .double(sums[g] / Double(counts[g])) }
                return allInt[g] ? .int(ints[g]) : .double(sums[g])
            }
        case "min", "max":
            var best = [Datum](repeating: .null, count: groups)
            try eachValue { r, v in
                guard !v.isNull else { return }
                let g = groupOf[r]
                if best[g].isNull { best[g] = v; return }
                let c = Datum.sortCompare(v, best[g])
                if f == "min" ? c < 0 : c > 0 { best[g] = v }
            }
            return best
        case "any_value":
            var first = [Datum](repeating: .null, count: groups)
            try eachValue { r, v in if !v.isNull && first[groupOf[r]].isNull { first[groupOf[r]] = v } }
            return first
        case "percentile":
            let ps = try ev.evalBatched(args[1], rows)
            var lists = [[Double]](repeating: [], count: groups)
            var p = [Double?](repeating: nil, count: groups)
            try eachValue { r, v in
                if p[groupOf[r]] == nil { p[groupOf[r]] = ps[r].number }
                if let x = v.number { lists[groupOf[r]].append(x) }
            }
            return try (0..<groups).map { g in
                guard !lists[g].isEmpty else { return .null }
                guard let q = p[g], q >= 0 && q <= 1 else {
                    throw ExecutionError("percentile() needs p between 0 and 1", at: call.range)
                }
                let sorted = lists[g].sorted()
                let pos = q * Double(sorted.count - 1)
                let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
                return .double(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo)))
            }
        default:
            throw ExecutionError("unknown aggregate \(f)()", at: call.range)
        }
    }

    /// sum, avg, min or max per group over a typed numeric column; the same values (and the same
    /// order of additions) as the general path: integer sums stay integers unless they overflow.
    static func typedAggregate<T: TypedNumber>(_ f: String, _ values: [T], _ isNull: [Bool], _ rows: Rows,
                                               groupOf: [Int], groups: Int) -> [Datum] {
        var counts = [Int](repeating: 0, count: groups)
        var doubleSums = [Double](repeating: 0, count: groups)
        var intSums = [Int64](repeating: 0, count: groups), overflowed = [Bool](repeating: false, count: groups)
        var best = [T](repeating: T.zero, count: groups)
        values.withUnsafeBufferPointer { v in
            isNull.withUnsafeBufferPointer { null in
                for (i, r) in rows.base.enumerated() where !null[r] {
                    let g = groupOf[i], x = v[r]
                    switch f {
                    case "min": if counts[g] == 0 || x < best[g] { best[g] = x }
                    case "max": if counts[g] == 0 || x > best[g] { best[g] = x }
                    default:
                        doubleSums[g] += x.doubleValue
                        if T.isInteger && !overflowed[g] {
                            let (sum, o) = intSums[g].addingReportingOverflow(x.integerValue)
                            if o { overflowed[g] = true } else { intSums[g] = sum }
                        }
                    }
                    counts[g] += 1
                }
            }
        }
        return (0..<groups).map { g in
            guard counts[g] > 0 else { return .null }
            switch f {
            case "min", "max": return best[g].datum
            case "avg": return .double(doubleSums[g] / Double(counts[g]))
            default: return T.isInteger && !overflowed[g] ? .int(intSums[g]) : .double(doubleSums[g])
            }
        }
    }

    /// 1 and 1.0 count as one distinct value.
    static func normalize(_ d: Datum) -> Datum {
        if case .double(let v) = d, v == v.rounded(), abs(v) < 9e18 { return .int(Int64(v)) }
        return d
    }
}

/// The element types of typed numeric columns.
protocol TypedNumber: Comparable {
    static var zero: Self { get }
    static var isInteger: Bool { get }
    var doubleValue: Double { get }
    /// The value as an integer (only read when `isInteger`).
    var integerValue: Int64 { get }
    var datum: Datum { get }
}

extension Int64: TypedNumber {
    static var isInteger: Bool { true }
    var doubleValue: Double { Double(self) }
    var integerValue: Int64 { self }
    var datum: Datum { .int(self) }
}

extension Double: TypedNumber {
    static var isInteger: Bool { false }
    var doubleValue: Double { self }
    var integerValue: Int64 { 0 }
    var datum: Datum { .double(self) }
}
