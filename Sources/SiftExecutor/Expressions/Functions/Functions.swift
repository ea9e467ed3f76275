// Scalar functions (DIALECT.md section 5) by family, one file each: Time, String, Math, Conditional,
// Conversion, JSON, Search and Traces; aggregates are in Aggregates.swift. Each family lists its
// functions by name in `all`; the registry joins them once into an array indexed by FunctionID, and
// a resolved call (every call the parser built) finds its implementation by that index. A new
// function is its signature in SiftQuery's Binder/Functions.swift plus its body and its name in its
// family here.

import Foundation
import SiftModel
import SiftQuery

/// One call of a scalar function over some rows; arguments are evaluated when the body asks.
struct FunctionCall {
    let name: String
    let args: [Expr]
    let rows: Rows
    let range: SourceRange
    let ev: Evaluator

    /// How many rows the call is evaluated over (one result per row).
    var count: Int { rows.count }
    func arg(_ i: Int) throws -> [Datum] { try ev.eval(args[i], rows) }
    func allArgs() throws -> [[Datum]] { try args.map { try ev.eval($0, rows) } }
    /// The first argument, mapped value by value.
    func map1(_ body: (Datum) throws -> Datum) throws -> [Datum] { try arg(0).map(body) }
}

typealias ScalarFunction = (FunctionCall) throws -> [Datum]

enum ScalarFunctions {
    static let registry: [String: ScalarFunction] = {
        var all: [String: ScalarFunction] = [:]
        for family in [TimeFunctions.all, StringFunctions.all, MathFunctions.all, ConditionalFunctions.all, ConversionFunctions.all,
                       JSONFunctions.all, SearchFunctions.all, TraceFunctions.all] {
            all.merge(family) { first, _ in first }
        }
        return all
    }()

    /// The implementations by `FunctionID.index` (nil for aggregates, which HashAggregate computes).
    static let byID: [ScalarFunction?] = Functions.all.map { registry[$0.name] }
}

extension Evaluator {
    func call(_ f: String, _ args: [Expr], distinct: Bool, function: FunctionID?, _ rows: Rows, range: SourceRange) throws -> [Datum] {
        // A parsed call is resolved; only a node built by hand with `.call` and no id is looked up by name.
        let body: ScalarFunction?
        if let function { body = ScalarFunctions.byID[function.index] } else { body = ScalarFunctions.registry[f] }
        if let body {
            return try body(FunctionCall(name: f, args: args, rows: rows, range: range, ev: self))
        }
        if Functions.info(f)?.isAggregate == true {
            throw ExecutionError("aggregate \(f)() is not allowed here", at: range)
        }
        throw ExecutionError("unknown function \(f)()", at: range)
    }
}
