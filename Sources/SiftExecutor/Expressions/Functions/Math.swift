// Math functions: round (half away from zero, optional digits) and abs.

import Foundation
import SiftModel
import SiftQuery

enum MathFunctions {
    static let all: [String: ScalarFunction] = ["round": round, "abs": abs]

    static func round(_ c: FunctionCall) throws -> [Datum] {
        let x = try c.arg(0), digits = c.args.count > 1 ? try c.arg(1) : nil
        return (0..<c.count).map { r in
            guard let v = x[r].number else { return .null }
            let d = digits.map { $0[r].number.map { Int(max(-400, min(400, $0.isNaN ? 0 : $0))) } ?? 0 } ?? 0
            if case .int = x[r], d >= 0 { return x[r] }
            let scale = pow(10.0, Double(d))
            // More digits than a double holds: the value is already rounded; fewer than none: zero.
            if !(v * scale).isFinite { return .double(v) }
            if scale == 0 { return .int(0) }
            let rounded = (v * scale).rounded(.toNearestOrAwayFromZero) / scale
            return d <= 0 && Swift.abs(rounded) < 9e18 ? .int(Int64(rounded)) : .double(rounded)
        }
    }

    static func abs(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { d in
            switch d {
            case .int(let i): return i == Int64.min ? .double(-Double(i)) : .int(Swift.abs(i))
            case .double(let v): return .double(Swift.abs(v))
            default: return .null
            }
        }
    }
}
