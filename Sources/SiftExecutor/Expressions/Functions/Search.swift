// Search: search('words') over a span's input, output, expected, metadata and span_attributes, and
// MATCH's rule that every word of the query appears as a whole word of the text.

import Foundation
import SiftModel
import SiftQuery

enum SearchFunctions {
    static let all: [String: ScalarFunction] = ["search": search]

    static func search(_ c: FunctionCall) throws -> [Datum] {
        let q = try c.arg(0)
        let fields = try ["input", "output", "expected", "metadata", "span_attributes"].map { name -> [Datum] in
            let col = try c.ev.table.column(name)
            return c.rows.base.map { col[$0] }
        }
        return (0..<c.count).map { r in
            guard case .string(let query) = q[r] else { return .null }
            let text = fields.map { $0[r].isNull ? "" : $0[r].text }.joined(separator: " ")
            return .bool(Evaluator.matchWords(text, query))
        }
    }
}

extension Evaluator {
    /// MATCH: every word of the query appears as a whole word of the text, case-insensitively.
    static func matchWords(_ text: String, _ query: String) -> Bool {
        let want = Words.split(query)
        guard !want.isEmpty else { return false }
        let have = Set(Words.split(text))
        return want.allSatisfy { have.contains($0) }
    }
}
