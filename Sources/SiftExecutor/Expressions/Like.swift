// [I]LIKE: patterns compiled once per distinct pattern; `%text%`, `text%` and `%text` over ASCII are
// matched on bytes, everything else by greedy matching with backtracking.

import Foundation
import SiftModel
import SiftQuery

/// LIKE patterns compiled once per distinct pattern.
final class PatternCache {
    /// `%text%`, `text%` and `%text` with ASCII text: the bytes to find and where.
    struct Simple { var needle: [UInt8]; var leading: Bool; var trailing: Bool }

    static func simple(_ tokens: [LikeToken]) -> Simple? {
        let leading = tokens.first == .any, trailing = tokens.last == .any && tokens.count > 1
        let middle = tokens.dropFirst(leading ? 1 : 0).dropLast(trailing ? 1 : 0)
        var needle: [UInt8] = []
        for t in middle {
            guard case .literal(let ch) = t, ch.isASCII, let b = ch.asciiValue else { return nil }
            needle.append(b)
        }
        guard leading || trailing, !needle.isEmpty else { return nil }
        return Simple(needle: needle, leading: leading, trailing: trailing)
    }

    /// Matches on UTF-8 bytes (folding ASCII case for ILIKE) without building characters; nil when the
    /// text is not ASCII and case must fold (Unicode case folding takes the general path).
    static func simpleMatch(_ s: String, _ p: Simple, caseInsensitive: Bool) -> Bool? {
        var str = s
        return str.withUTF8 { hay -> Bool? in
            let n = p.needle.count
            if caseInsensitive {
                for b in hay where b >= 0x80 { return nil }
            }
            guard hay.count >= n else { return false }
            return p.needle.withUnsafeBufferPointer { needle -> Bool in
                @inline(__always) func fold(_ b: UInt8) -> UInt8 { caseInsensitive && b >= 65 && b <= 90 ? b | 0x20 : b }
                @inline(__always) func matches(at i: Int) -> Bool {
                    var j = 0
                    while j < n { if fold(hay[i + j]) != needle[j] { return false }; j += 1 }
                    return true
                }
                switch (p.leading, p.trailing) {
                case (false, true): return matches(at: 0)
                case (true, false): return matches(at: hay.count - n)
                default:
                    return ColumnCodec.contains(hay, p.needle, caseInsensitive)
                }
            }
        }
    }

    /// The longest run of literal ASCII characters a match must contain (lower-cased for ILIKE), or nil
    /// when the pattern has none.
    static func longestLiteral(_ pattern: String, caseInsensitive: Bool) -> [UInt8]? {
        var best: [UInt8] = [], run: [UInt8] = []
        var escape = false
        func end() { if run.count > best.count { best = run }; run = [] }
        for ch in caseInsensitive ? pattern.lowercased() : pattern {
            if !escape && ch == "\\" { escape = true; continue }
            if !escape && (ch == "%" || ch == "_") { end(); continue }
            escape = false
            guard ch.isASCII, let b = ch.asciiValue else { end(); continue }
            run.append(b)
        }
        if escape { run.append(UInt8(ascii: "\\")) }
        end()
        return best.isEmpty ? nil : best
    }

    private var compiled: [String: ([LikeToken], Simple?)] = [:]
    private var lastKey = "", lastTokens: [LikeToken] = [], lastSimple: Simple?
    enum LikeToken: Equatable { case literal(Character), one, any }

    func like(_ s: String, _ pattern: String, caseInsensitive: Bool) -> Bool {
        let key = (caseInsensitive ? "i:" : "s:") + pattern
        let tokens: [LikeToken]
        if key == lastKey { tokens = lastTokens } else if let t = compiled[key] {
            tokens = t.0; lastKey = key; lastTokens = t.0; lastSimple = t.1
        } else {
            var t: [LikeToken] = []
            var escape = false
            for ch in caseInsensitive ? pattern.lowercased() : pattern {
                if escape { t.append(.literal(ch)); escape = false; continue }
                switch ch {
                case "\\": escape = true
                case "%": if t.last != .any { t.append(.any) }
                case "_": t.append(.one)
                default: t.append(.literal(ch))
                }
            }
            if escape { t.append(.literal("\\")) }
            let simple = PatternCache.simple(t)
            compiled[key] = (t, simple)
            tokens = t
            lastKey = key; lastTokens = t; lastSimple = simple
        }
        if let simple = lastSimple, let fast = PatternCache.simpleMatch(s, simple, caseInsensitive: caseInsensitive) { return fast }
        let text = Array(caseInsensitive ? s.lowercased() : s)
        // Greedy matching with backtracking to the last %.
        var ti = 0, pi = 0, starP = -1, starT = 0
        while ti < text.count {
            if pi < tokens.count, tokens[pi] == .one || tokens[pi] == .literal(text[ti]) { ti += 1; pi += 1 }
            else if pi < tokens.count, tokens[pi] == .any { starP = pi; starT = ti; pi += 1 }
            else if starP >= 0 { pi = starP + 1; starT += 1; ti = starT }
            else { return false }
        }
        while pi < tokens.count, tokens[pi] == .any { pi += 1 }
        return pi == tokens.count
    }
}
