// JSON functions: json_extract(text or JSON, '$.a.b').

import Foundation
import SiftModel
import SiftQuery

enum JSONFunctions {
    static let all: [String: ScalarFunction] = ["json_extract": extract]

    static func extract(_ c: FunctionCall) throws -> [Datum] {
        let text = try c.arg(0), key = try c.arg(1)
        return (0..<c.count).map { r in
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
    }
}
