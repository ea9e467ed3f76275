// Paths into JSON values: `a.b` (mapped over an array's elements), `a[i]` (negative from the end),
// `a['key']`, and any-element tests for comparisons with arrays.

import Foundation
import SiftModel
import SiftQuery

extension Evaluator {
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
}
