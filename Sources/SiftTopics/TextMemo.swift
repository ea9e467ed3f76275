// A bounded, thread-safe memo of a pure function of text. Agent traffic repeats long texts in every
// trace (the system prompt, a policy, the same knowledge-base article or tool schema), so redaction
// and fact extraction of those run once per run rather than once per trace. A system prompt rendered
// from a template differs in every trace in one paragraph (today's date, the requester's name), so a
// function that reads a text line by line is memoised paragraph by paragraph (`parts`), or line by
// line (`values(byLine:)`).

import Foundation

final class TextMemo<Value>: @unchecked Sendable {
    private var entries: [String: Value] = [:]
    private var bytes = 0
    private let lock = NSLock()
    /// Texts shorter than this are cheap to recompute and too many to keep.
    let minBytes: Int
    /// When the keys reach this many bytes the memo starts again (a run's repeated texts come back).
    let maxBytes: Int

    init(minBytes: Int = 256, maxBytes: Int = 16 << 20) {
        self.minBytes = minBytes
        self.maxBytes = maxBytes
    }

    func value(_ text: String, _ make: (String) -> Value) -> Value {
        guard text.utf8.count >= minBytes else { return make(text) }
        return memoised(text, make)
    }

    private func memoised(_ text: String, _ make: (String) -> Value) -> Value {
        let n = text.utf8.count
        lock.lock()
        if let v = entries[text] { lock.unlock(); return v }
        lock.unlock()
        let v = make(text)
        lock.lock()
        if bytes + n > maxBytes { entries.removeAll(keepingCapacity: true); bytes = 0 }
        if entries.updateValue(v, forKey: text) == nil { bytes += n }
        lock.unlock()
        return v
    }

    /// The values of the text's parts (see `parts`), each memoised; for a function that reads a text
    /// line by line, so that its value for the whole text is these values combined.
    func values(byParagraph text: String, _ make: (String) -> Value) -> [Value] {
        guard text.utf8.count >= 2 * minBytes else { return [value(text, make)] }
        return Self.parts(text, minBytes: minBytes).map { value(String($0), make) }
    }

    /// The values of the text's lines, each memoised whatever its length; for a function that reads
    /// a text sentence by sentence (no sentence crosses a line feed), so that a template's one changing
    /// line (today's date, in the paragraph of a policy's rules) leaves the others memoised.
    func values(byLine text: String, _ make: (String) -> Value) -> [Value] {
        text.split(separator: "\n").map { memoised(String($0), make) }
    }

    /// The text cut after each blank line (a run of two or more line feeds), the line feeds kept with
    /// the part before them: the parts joined are the text. `together(part)`: that part stays joined
    /// to the next one; so does a part shorter than `minBytes` (too short to memoise: a policy of
    /// one-line paragraphs is memoised in pieces of that size, not read again for every trace).
    static func parts(_ text: String, minBytes: Int = 0, together: ((Substring.UTF8View) -> Bool)? = nil) -> [Substring] {
        // Where parts start: after each run of two or more line feeds (found with memchr; most texts,
        // a tool's JSON, have none).
        var text = text
        let cuts: [Int] = text.withUTF8 { buf in
            guard let base = buf.baseAddress else { return [] }
            var cuts: [Int] = [], i = 0
            while i < buf.count, let hit = memchr(base + i, 0x0A, buf.count - i) {
                var k = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                let first = k
                while k < buf.count, buf[k] == 0x0A { k += 1 }
                if k - first >= 2, k < buf.count { cuts.append(k) }
                i = k
            }
            return cuts
        }
        guard !cuts.isEmpty else { return [text[...]] }
        let u = text.utf8
        var out: [Substring] = [], start = u.startIndex, startOffset = 0
        for c in cuts {
            if c - startOffset < minBytes { continue }
            let cut = u.index(u.startIndex, offsetBy: c)
            if together?(u[start..<cut]) == true { continue }
            out.append(text[start..<cut])
            start = cut
            startOffset = c
        }
        // A short last part joins the one before it.
        if text.utf8.count - startOffset < minBytes, let last = out.popLast() { out.append(text[last.startIndex...]) } else { out.append(text[start...]) }
        return out
    }
}
