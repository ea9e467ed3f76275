// A bounded, thread-safe memo of a pure function of text. Agent traffic repeats long texts in every
// trace (the system prompt, a policy, the same knowledge-base article or tool schema), so redaction
// and fact extraction of those run once per run rather than once per trace.

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
        let n = text.utf8.count
        guard n >= minBytes else { return make(text) }
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
}
