// Unpivot (`UNPIVOT x AS (key, value)` / `unnest`): one row per element of an array or entry of an
// object, the element and its key as columns that exist only for these rows.

import Foundation
import SiftModel
import SiftQuery

extension Executor {
    func unpivot(_ u: Unpivot, _ rows: Rows, _ ev: Evaluator) throws -> Rows {
        let source = try ev.evalBatched(u.source, rows)
        var keep: [Int] = [], values: [Datum] = [], keys: [Datum] = []
        for (i, d) in source.enumerated() {
            switch d {
            case .json(.array(let a)):
                for (j, v) in a.enumerated() { keep.append(i); values.append(Datum(v)); keys.append(.int(Int64(j))) }
            case .json(.object(let o)):
                for (k, v) in o { keep.append(i); values.append(Datum(v)); keys.append(.string(k)) }
            default: break  // NULL, empty or a scalar: no rows
            }
        }
        var out = rows.select(keep)
        out.extra[u.valueName] = values
        if u.keyName != "_" { out.extra[u.keyName] = keys }
        return out
    }
}
