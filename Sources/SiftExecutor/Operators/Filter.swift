// Filter: the rows where a condition is true, narrowed one AND-ed part at a time (a selection
// vector), with the commonest predicates decided per distinct value of a dictionary-encoded column or
// over typed values; and, for the traces and summary shapes, the traces with a span that matches.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    /// The rows where `cond` is true. AND-ed parts narrow the selection one after another, so each
    /// later part is evaluated only on the rows the earlier ones kept (a selection vector).
    func keep(_ cond: Expr, _ rows: Rows, _ ev: Evaluator) throws -> Rows {
        try ev.narrow(rows, by: cond)
    }

    /// Traces with at least one span satisfying `filter` (every trace without one).
    func selectTraces(_ filter: Expr?, _ ev: Evaluator) throws -> [Bool] {
        guard let filter else { return Array(repeating: true, count: ev.table.traceStructure.roots.count) }
        return try ev.anySpanHits(filter)
    }
}

extension Evaluator {
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

    /// `x [I]LIKE 'pattern'` over a column still in its kept bytes (a field or a path with a chunk, or
    /// a path below a field with chunks, such as `output.content`, not computed yet): the rows whose
    /// bytes cannot hold the pattern's longest literal are ruled out by a byte search
    /// (ColumnCodec+Search), and only the rest are decoded and tested as the general path does. Below
    /// a field, only the candidates' values of the field are read and the path taken from them, so a
    /// first query does not compute the path for every row. Row groups are searched on every core at
    /// once, each from its own bytes (a one-shot query unpacks one group at a time: see
    /// `Table.forEachPart`).
    private func likeScanKeep(_ e: Expr, _ rows: Rows) throws -> [Int]? {
        guard case .binary(let op, let x, let c, false) = e.kind, op == .like || op == .ilike, c.isConstant,
              let path = x.pathComponents, table.fieldNames.contains(path[0]), rows.extra[path[0]] == nil else { return nil }
        var name = path.count == 1 ? path[0] : "path:" + path.joined(separator: ".")
        guard case .string(let pattern) = try eval(c, Rows(base: [0]))[0] else { return nil }
        let fold = op == .ilike
        guard let needle = PatternCache.longestLiteral(pattern, caseInsensitive: fold) else { return nil }
        var below = false
        if path.count > 1, table.keptParts(name) == nil, !table.isAvailable(name) {
            name = path[0]
            below = true
        }
        // A path of member names (`output.content`) is read from each value's bytes, building only
        // what it reaches; other paths below the field are taken as the general path takes them.
        var members: [String]?
        if below, !SpanFields.caseInsensitiveChildren.contains(path[0]) { members = Self.memberNames(x).map { Array($0.dropFirst()) } }
        let field = name
        let base = rows.base
        // Each group marks its own rows' positions.
        let hits = UnsafeMutableBufferPointer<Bool>.allocate(capacity: rows.count)
        hits.initialize(repeating: false)
        defer { hits.deinitialize(); hits.deallocate() }
        let searched = table.forEachPart(name, rows: base) { bytes, start, range, index in
            guard let may = ColumnCodec.mayContain(bytes, needle: needle, caseInsensitive: fold, below: below) else { return false }
            let candidates = range.filter { may[base[$0] - start] }
            guard !candidates.isEmpty else { return true }
            let local = candidates.map { base[$0] - start }
            guard let index = index(),
                  var values = members.map({ index.gather(bytes, local, members: $0) }) ?? index.gather(bytes, local) else { return false }
            if below && members == nil {
                guard let v = try? self.eval(x, Rows(base: candidates.map { base[$0] }, extra: [field: values])) else { return false }
                values = v
            }
            let cache = PatternCache()
            for (k, v) in values.enumerated() {
                let hit = Evaluator.anyElement(v) { d in
                    guard case .string(let s) = d else { return d.isNull ? nil : false }
                    return cache.like(s, pattern, caseInsensitive: fold)
                }
                if hit == true { hits[candidates[k]] = true }
            }
            return true
        }
        guard searched else { return nil }
        return hits.indices.filter { hits[$0] }
    }

    /// The names of a path made of member accesses only (`output.content` -> ["output", "content"]);
    /// nil when it has an index.
    static func memberNames(_ e: Expr) -> [String]? {
        switch e.kind {
        case .name(let n, _): return [n]
        case .field(let base, let n, _): return memberNames(base).map { $0 + [n] }
        default: return nil
        }
    }

    /// Positions (into `rows`) where a simple predicate holds, or nil when it is not a simple one.
    private func fastKeep(_ e: Expr, _ rows: Rows) throws -> [Int]? {
        if let kept = try likeScanKeep(e, rows) { return kept }
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
