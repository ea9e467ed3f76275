// The scalar functions of DIALECT.md section 5, and ANY_SPAN. Aggregates are in Aggregate.swift.

import Foundation
import SiftModel
import SiftQuery

extension Evaluator {
    func call(_ f: String, _ args: [Expr], distinct: Bool, _ rows: Rows, range: SourceRange) throws -> [Datum] {
        let n = rows.count
        func arg(_ i: Int) throws -> [Datum] { try eval(args[i], rows) }
        func map1(_ body: (Datum) throws -> Datum) throws -> [Datum] { try arg(0).map(body) }
        switch f {
        case "now", "current_timestamp": return Array(repeating: .timestamp(now), count: n)
        case "current_date": return Array(repeating: .timestamp(truncate(now, to: "day")), count: n)
        case "second", "minute", "hour", "day", "week", "month", "year":
            return try map1 { d in d.asTimestamp.map { .timestamp(truncate($0, to: f)) } ?? .null }
        case "date_trunc":
            let units = try arg(0), times = try arg(1)
            return try (0..<n).map { r in
                guard case .string(let u) = units[r], let t = times[r].asTimestamp else { return .null }
                return try dateTrunc(u, t, range: range)
            }
        case "lower": return try map1 { if case .string(let s) = $0 { return .string(s.lowercased()) }; return $0.isNull ? .null : .string($0.text.lowercased()) }
        case "upper": return try map1 { if case .string(let s) = $0 { return .string(s.uppercased()) }; return $0.isNull ? .null : .string($0.text.uppercased()) }
        case "trim": return try map1 { $0.isNull ? .null : .string($0.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        case "length":
            return try map1 { d in
                switch d {
                case .null: return .null
                case .string(let s): return .int(Int64(s.count))
                default: return d.elements.map { .int(Int64($0.count)) } ?? .int(Int64(d.text.count))
                }
            }
        case "len":
            return try map1 { d in
                switch d {
                case .null: return .null
                case .json(.object(let o)): return .int(Int64(o.count))
                case .string(let s): return .int(Int64(s.count))
                default: return d.elements.map { .int(Int64($0.count)) } ?? .null
                }
            }
        case "concat":
            let cols = try args.map { try eval($0, rows) }
            return (0..<n).map { r in .string(cols.map { $0[r].isNull ? "" : $0[r].text }.joined()) }
        case "substr", "substring":
            let s = try arg(0), start = try arg(1), len = args.count > 2 ? try arg(2) : nil
            return (0..<n).map { r in
                guard !s[r].isNull, let stNumber = start[r].number else { return .null }
                let chars = Array(s[r].text)
                // Clamp before converting: a start or length of 1e300 must not trap.
                let st = Int(max(-1e15, min(1e15, stNumber.isNaN ? 1 : stNumber)))
                var from = st - 1
                if st <= 0 { from = max(0, chars.count + st) }
                from = min(max(0, from), chars.count)
                var to = chars.count
                if let len {
                    guard let l = len[r].number, !l.isNaN else { return .null }
                    to = min(chars.count, from + Int(max(0, min(1e15, l))))
                }
                return .string(String(chars[from..<max(from, to)]))
            }
        case "contains", "includes":
            let hay = try arg(0), needle = try arg(1)
            return (0..<n).map { r in
                switch hay[r] {
                case .null: return .null
                case .string(let s): return needle[r].isNull ? .null : .bool(s.contains(needle[r].text))
                default:
                    if let el = hay[r].elements { return .bool(el.contains { Datum.equals($0, needle[r]) == true }) }
                    return .bool(Datum.equals(hay[r], needle[r]) == true)
                }
            }
        case "coalesce":
            let cols = try args.map { try eval($0, rows) }
            return (0..<n).map { r in cols.first { !$0[r].isNull }?[r] ?? .null }
        case "nullif":
            let a = try arg(0), b = try arg(1)
            return (0..<n).map { Datum.equals(a[$0], b[$0]) == true ? .null : a[$0] }
        case "least", "greatest":
            let cols = try args.map { try eval($0, rows) }
            return (0..<n).map { r in
                var best: Datum = .null
                for c in cols where !c[r].isNull {
                    if best.isNull { best = c[r]; continue }
                    if let cmp = Datum.compare(c[r], best), f == "least" ? cmp < 0 : cmp > 0 { best = c[r] }
                }
                return best
            }
        case "round":
            let x = try arg(0), digits = args.count > 1 ? try arg(1) : nil
            return (0..<n).map { r in
                guard let v = x[r].number else { return .null }
                let d = digits.map { $0[r].number.map { Int(max(-400, min(400, $0.isNaN ? 0 : $0))) } ?? 0 } ?? 0
                if case .int = x[r], d >= 0 { return x[r] }
                let scale = pow(10.0, Double(d))
                let rounded = (v * scale).rounded(.toNearestOrAwayFromZero) / scale
                return d <= 0 && abs(rounded) < 9e18 ? .int(Int64(rounded)) : .double(rounded)
            }
        case "abs":
            return try map1 { d in
                switch d {
                case .int(let i): return i == Int64.min ? .double(-Double(i)) : .int(abs(i))
                case .double(let v): return .double(abs(v))
                default: return .null
                }
            }
        case "to_string": return try map1 { $0.isNull ? .null : .string($0.text) }
        case "to_number": return try map1 { try Evaluator.cast($0, to: .number, strict: false, range: range) }
        case "to_integer": return try map1 { try Evaluator.cast($0, to: .integer, strict: false, range: range) }
        case "to_boolean": return try map1 { try Evaluator.cast($0, to: .boolean, strict: false, range: range) }
        case "to_datetime": return try map1 { try Evaluator.cast($0, to: .datetime, strict: false, range: range) }
        case "to_date": return try map1 { try Evaluator.cast($0, to: .date, strict: false, range: range) }
        case "json_extract":
            let text = try arg(0), key = try arg(1)
            return (0..<n).map { r in
                guard case .string(let s) = key[r] else { return .null }
                let doc: Value
                switch text[r] {
                case .string(let t): guard let v = try? JSONReader.parse(t) else { return .null }; doc = v
                case .json(let v): doc = v
                default: return .null
                }
                var cur: Value? = doc
                let path = s.hasPrefix("$.") ? String(s.dropFirst(2)) : (s == "$" ? "" : s)
                for part in path.split(separator: ".") where !part.isEmpty { cur = cur?[String(part)] }
                return cur.map(Datum.init) ?? .null
            }
        case "search":
            let q = try arg(0)
            let fields = try ["input", "output", "expected", "metadata", "span_attributes"].map { name -> [Datum] in
                let col = try table.column(name)
                return rows.base.map { col[$0] }
            }
            return (0..<n).map { r in
                guard case .string(let query) = q[r] else { return .null }
                let text = fields.map { $0[r].isNull ? "" : $0[r].text }.joined(separator: " ")
                return .bool(Evaluator.matchWords(text, query))
            }
        case "any_span":
            let hits = try anySpanHits(args[0])
            let traces = table.traceStructure.ofRow
            return rows.base.map { .bool(hits[traces[$0]]) }
        case "filter_spans":
            throw ExecutionError("FILTER_SPANS() must stand alone in WHERE", at: range)
        default:
            if Functions.info(f)?.isAggregate == true {
                throw ExecutionError("aggregate \(f)() is not allowed here", at: range)
            }
            throw ExecutionError("unknown function \(f)()", at: range)
        }
    }

    /// For each trace, whether any of its spans satisfies `cond` (computed over the whole table once).
    func anySpanHits(_ cond: Expr) throws -> [Bool] {
        if let h = anySpan[cond] { return h }
        let rows = try narrow(Rows(base: table.allRows), by: cond)
        var hits = [Bool](repeating: false, count: table.traceStructure.roots.count)
        let of = table.traceStructure.ofRow
        for r in rows.base { hits[of[r]] = true }
        anySpan[cond] = hits
        return hits
    }

    // MARK: - Time

    /// Truncates to the start of a bucket in the query's time zone (UTC unless --tz-offset); weeks start on Monday.
    func truncate(_ t: Int64, to unit: String) -> Int64 {
        let offset = Int64(tzOffsetMinutes) * 60_000_000
        // Keep clear of the ends of the range so bucket arithmetic cannot overflow.
        let t = max(Int64.min / 2, min(Int64.max / 2, t))
        let local = t + offset
        let day = Int64(86_400_000_000)
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
        var out: Int64
        switch unit {
        case "second": out = floorDiv(local, 1_000_000) * 1_000_000
        case "minute": out = floorDiv(local, 60_000_000) * 60_000_000
        case "hour": out = floorDiv(local, 3_600_000_000) * 3_600_000_000
        case "day": out = floorDiv(local, day) * day
        case "week":
            let days = floorDiv(local, day)
            let weekday = ((days % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday: Monday = 0
            out = (days - weekday) * day
        case "month", "year":
            let (y, m, _) = Timestamp.civil(fromDays: Int(floorDiv(local, day)))
            out = Int64(Timestamp.daysFromCivil(year: y, month: unit == "month" ? m : 1, day: 1)) * day
        default: out = local
        }
        return out - offset
    }

    func dateTrunc(_ spec: String, _ t: Int64, range: SourceRange) throws -> Datum {
        let parts = spec.lowercased().split(separator: " ")
        var amount = 1.0
        var unitWord = spec.lowercased()
        if parts.count == 2, let a = Double(parts[0]) { amount = a; unitWord = String(parts[1]) }
        guard let unit = IntervalUnit(word: unitWord) else {
            throw ExecutionError("date_trunc: unknown unit '\(spec)'", at: range)
        }
        if amount == 1 || unit == .month || unit == .year || unit == .week {
            return .timestamp(truncate(t, to: unit.rawValue))
        }
        guard case .interval(_, let width) = Evaluator.interval(amount, unit), width > 0 else {
            throw ExecutionError("date_trunc: invalid bucket '\(spec)'", at: range)
        }
        let offset = Int64(tzOffsetMinutes) * 60_000_000
        let local = max(Int64.min / 2, min(Int64.max / 2, t)) + offset
        let b = local >= 0 ? local / width : (local - width + 1) / width
        return .timestamp(b * width - offset)
    }

    // MARK: - Casts

    /// CAST raises an error naming a value it cannot convert; the to_* functions give NULL instead.
    static func cast(_ d: Datum, to type: CastType, strict: Bool, range: SourceRange) throws -> Datum {
        if d.isNull { return .null }
        func fail() throws -> Datum {
            if strict { throw ExecutionError("cannot cast \(d.value) to \(type.rawValue)", at: range) }
            return .null
        }
        switch type {
        case .string: return .string(d.text)
        case .number:
            switch d {
            case .int, .double: return d
            case .bool(let b): return .double(b ? 1 : 0)
            case .string(let s): if let v = Double(s.trimmingCharacters(in: .whitespaces)) { return .double(v) }; return try fail()
            default: return try fail()
            }
        case .integer:
            switch d {
            case .int: return d
            case .double(let v):
                guard v.isFinite, abs(v) < 9.2e18 else { return try fail() }
                return .int(Int64(v.rounded(.toNearestOrAwayFromZero)))
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int64(t) { return .int(i) }
                if let v = Double(t), v.isFinite, abs(v) < 9.2e18 { return .int(Int64(v.rounded(.toNearestOrAwayFromZero))) }
                return try fail()
            default: return try fail()
            }
        case .boolean:
            switch d {
            case .bool: return d
            case .int(let i): return .bool(i != 0)
            case .double(let v): return .bool(v != 0)
            case .string(let s):
                switch s.lowercased() {
                case "true", "t", "yes", "1": return .bool(true)
                case "false", "f", "no", "0": return .bool(false)
                default: return try fail()
                }
            default: return try fail()
            }
        case .datetime, .date:
            var t: Int64?
            switch d {
            case .timestamp(let v): t = v
            case .string(let s): t = Timestamp(iso8601: s)?.microseconds
            case .int, .double: t = Timestamp(d.value).map(\.microseconds)
            default: t = nil
            }
            guard var v = t else { return try fail() }
            if type == .date {
                let day = Int64(86_400_000_000)
                v = max(Int64.min / 2, min(Int64.max / 2, v))
                v = (v >= 0 ? v / day : (v - day + 1) / day) * day
            }
            return .timestamp(v)
        }
    }

    // MARK: - Filtering

    /// The rows where `cond` is true. AND-ed parts narrow the selection one after another, so each
    /// later part is evaluated only on the rows the earlier ones kept (a selection vector); the
    /// commonest predicates (IS [NOT] NULL, a comparison with a constant) go straight to row numbers.
    func narrow(_ rows: Rows, by cond: Expr) throws -> Rows {
        var rows = rows
        for part in cond.conjuncts {
            if rows.count == 0 { break }
            if let kept = try fastKeep(part, rows) {
                rows = rows.select(kept)
                continue
            }
            rows = rows.select(try positionsWhereTrue(part, rows))
        }
        return rows
    }

    /// A simple predicate over a dictionary-encoded column (IS [NOT] NULL, a comparison with a
    /// constant, [I]LIKE a constant pattern): decided once per distinct value, then read per row from
    /// the codes. Nil when the predicate or the column does not qualify.
    private func encodedKeep(_ e: Expr, _ rows: Rows) throws -> [Int]? {
        let column: Expr
        var verdict: (Datum) -> Bool?
        switch e.kind {
        case .isNull(let x, let negated):
            guard let mask = try nullMask(x, rows) else { return nil }
            return mask.withUnsafeBufferPointer { m in rows.positions { m[$0] != negated } }
        case .binary(let op, let x, let c, false) where c.isConstant:
            let constant = try eval(c, Rows(base: [0]))[0]
            if case .json = constant { return nil }
            // A column of one scalar kind against a constant of that kind: compared as machine
            // values (integers, doubles, booleans, timestamps), no Datum per row.
            if let typed = try typedColumn(x, rows), let kept = typedKeep(op, typed, constant, rows) { return kept }
            column = x
            switch op {
            case .equal: verdict = { d in if case .json = d { return nil }; return Datum.equals(d, constant) == true }
            case .notEqual: verdict = { d in if case .json = d { return nil }; return Datum.equals(d, constant) == false }
            case .less, .lessOrEqual, .greater, .greaterOrEqual:
                verdict = { d in
                    if case .json = d { return nil }
                    guard let c = Datum.compare(d, constant) else { return false }
                    switch op {
                    case .less: return c < 0
                    case .lessOrEqual: return c <= 0
                    case .greater: return c > 0
                    default: return c >= 0
                    }
                }
            case .like, .ilike:
                guard case .string(let pattern) = constant else { return nil }
                let cache = PatternCache()
                verdict = { d in
                    guard case .string(let s) = d else { return false }
                    return cache.like(s, pattern, caseInsensitive: op == .ilike)
                }
            default: return nil
            }
        default: return nil
        }
        guard let enc = try encoded(column, rows) else { return nil }
        var keepValue = [Bool](repeating: false, count: enc.values.count)
        for (i, v) in enc.values.enumerated() {
            guard let k = verdict(v) else { return nil }   // arrays compare element-wise: the general path
            keepValue[i] = k
        }
        return enc.codes.withUnsafeBufferPointer { codes in
            keepValue.withUnsafeBufferPointer { keep in rows.positions { keep[Int(codes[$0])] } }
        }
    }

    /// Positions (into `rows`) where a simple predicate holds, or nil when it is not a simple one.
    private func fastKeep(_ e: Expr, _ rows: Rows) throws -> [Int]? {
        if let kept = try encodedKeep(e, rows) { return kept }
        switch e.kind {
        case .isNull(let x, let negated):
            let v = try eval(x, rows)
            var out: [Int] = []
            out.reserveCapacity(v.count / 4)
            for i in v.indices where v[i].isNull != negated { out.append(i) }
            return out
        case .binary(let op, let x, let c, false) where c.isConstant && [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(op):
            let constant = try eval(c, Rows(base: [0]))[0]
            if case .json = constant { return nil }
            let v = try eval(x, rows)
            var out: [Int] = []
            for i in v.indices {
                let d = v[i]
                if case .json = d { return nil }  // arrays compare element-wise: the general path
                let keep: Bool
                switch op {
                case .equal: keep = Datum.equals(d, constant) == true
                case .notEqual: keep = Datum.equals(d, constant) == false
                default:
                    guard let c = Datum.compare(d, constant) else { continue }
                    switch op {
                    case .less: keep = c < 0
                    case .lessOrEqual: keep = c <= 0
                    case .greater: keep = c > 0
                    default: keep = c >= 0
                    }
                }
                if keep { out.append(i) }
            }
            return out
        default:
            return nil
        }
    }
}
