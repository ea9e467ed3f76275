// Writes the system warned about: a write's own result carries a warning ("8 users with assigned
// licences will lose access", "User already has 3 enrolled devices (limit 3)") and the agent's next
// answer reports success without a word of it. The system took the action but flagged a condition
// against it, and the user never heard (MAST's "ignored tool feedback"; TRAIL's misread tool
// output). A warning the answer passes on is the agent doing its job, and is not flagged.
// Part of IssueFinder's constraint checks (IssueFinder+Constraints.swift).

import Foundation
import SiftModel

extension IssueFinder {
    /// The texts under warning fields of a result ("warning", "warnings", "warning_message").
    static func warnings(_ v: Value, depth: Int = 0) -> [String] {
        guard depth < 6 else { return [] }
        switch v {
        case .object(let o):
            return o.flatMap { k, x -> [String] in
                if k.lowercased().contains("warning") {
                    if let s = x.stringValue { return s.isEmpty ? [] : [s] }
                    if case .array(let a) = x { return a.prefix(20).compactMap(\.stringValue).filter { !$0.isEmpty } }
                }
                return warnings(x, depth: depth + 1)
            }
        case .array(let a): return a.prefix(50).flatMap { warnings($0, depth: depth + 1) }
        default: return []
        }
    }

    mutating func ignoredWarnings(_ writes: [(index: Int, call: ToolCall)]) {
        for (ev, w) in writes {
            let said = Self.warnings(w.resultValue)
            guard !said.isEmpty, let (ai, answer) = reply(after: ev) else { continue }
            let warned = Self.contentWords(said.joined(separator: " "))
            // Passed on: a third of the warning's words are in the answer.
            guard warned.count >= 2, warned.intersection(Self.contentWords(answer)).count * 3 < warned.count else { continue }
            add(.policyViolation, "The agent ran \(w.name); its result warned against it and the answer did not say so.",
                [(span(ev), "\(w.name) -> warning: " + said.joined(separator: "; ")), (span(ai), answer)])
            return
        }
    }
}
