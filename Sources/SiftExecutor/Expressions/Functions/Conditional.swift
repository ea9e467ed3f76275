// Conditional functions: coalesce, nullif, least, greatest.

import Foundation
import SiftModel
import SiftQuery

enum ConditionalFunctions {
    static let all: [String: ScalarFunction] = ["coalesce": coalesce, "nullif": nullif, "least": least, "greatest": greatest]

    static func coalesce(_ c: FunctionCall) throws -> [Datum] {
        let cols = try c.allArgs()
        return (0..<c.count).map { r in cols.first { !$0[r].isNull }?[r] ?? .null }
    }

    static func nullif(_ c: FunctionCall) throws -> [Datum] {
        let a = try c.arg(0), b = try c.arg(1)
        return (0..<c.count).map { Datum.equals(a[$0], b[$0]) == true ? .null : a[$0] }
    }

    static func least(_ c: FunctionCall) throws -> [Datum] { try extreme(c, least: true) }
    static func greatest(_ c: FunctionCall) throws -> [Datum] { try extreme(c, least: false) }

    /// The smallest (or largest) non-NULL argument per row.
    static func extreme(_ c: FunctionCall, least: Bool) throws -> [Datum] {
        let cols = try c.allArgs()
        return (0..<c.count).map { r in
            var best: Datum = .null
            for col in cols where !col[r].isNull {
                if best.isNull { best = col[r]; continue }
                if let cmp = Datum.compare(col[r], best), least ? cmp < 0 : cmp > 0 { best = col[r] }
            }
            return best
        }
    }
}
