// Span rows keep some values by reference instead of repeating them. Four forms, each a BLOB whose
// first byte names it (a Zstandard frame, RowPacking's form, starts with 0x28):
//
// - metrics made of the row's own number columns (start, end and the token counts): the key order
//   and how each number was written, one byte per key (0x01);
// - a short text that many spans share (`{"type":"llm","name":"chat.completions"}`, a model and
//   its temperature): an id in the store's table of short texts (0x02);
// - span_parents naming only the trace's root: `["<root_span_id>"]` (0x03);
// - a span_id equal to the span's id (0x05).
//
// Every form is written only when the value made back from it is the stored text, byte for byte,
// so a value that does not fit (keys this file does not know, a number written another way,
// whitespace) stays as it was. Reading needs the row's other columns (`Siblings`) for the metrics,
// parents and span id forms; a reader that does not select them gets an error naming what is missing.

import Foundation
import SiftModel

enum RowForms {
    static let metricsMarker: UInt8 = 0x01
    static let internedMarker: UInt8 = 0x02
    static let rootParentMarker: UInt8 = 0x03
    static let sameAsIDMarker: UInt8 = 0x05

    /// The row's other columns that the derived forms are made from.
    struct Siblings {
        var id: String?
        var root: String?
        var start: Double?
        var end: Double?
        var promptTokens: Int64?
        var completionTokens: Int64?
        var totalTokens: Int64?

        init() {}

        init(_ r: SpanRow) {
            id = r.id; root = r.rootSpanID; start = r.start; end = r.end
            promptTokens = r.promptTokens; completionTokens = r.completionTokens; totalTokens = r.totalTokens
        }
    }

    /// Whether stored bytes are one of these forms (not a Zstandard frame).
    static func isForm(_ b: UnsafeRawBufferPointer) -> Bool {
        guard let first = b.first else { return false }
        return first == metricsMarker || first == internedMarker || first == rootParentMarker || first == sameAsIDMarker
    }

    /// Byte equality: Swift's `==` on strings is canonical equivalence ("caf\u{e9}" equals
    /// "cafe\u{301}"), and a form must give back the very bytes it stands for.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { p in
            b.withUTF8 { q in p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
        }
    }

    // MARK: - span_id and span_parents

    static let sameAsID: [UInt8] = [sameAsIDMarker]
    static let rootParent: [UInt8] = [rootParentMarker]

    /// `["<root>"]` as the writer writes it.
    static func rootParentText(_ root: String) -> String { JSONWriter.string(.array([.string(root)])) }

    /// Whether the span's parents are the root alone, written as the writer writes them.
    static func parentIsRoot(_ r: SpanRow) -> Bool {
        guard let p = r.spanParents, p.utf8.count == r.rootSpanID.utf8.count + 4 else { return false }
        return sameBytes(p, rootParentText(r.rootSpanID))
    }

    // MARK: - Metrics

    /// The metrics keys the number columns hold; "tokens" (Braintrust's name for the total) reads
    /// the total column.
    static let metricKeys = ["start", "end", "prompt_tokens", "completion_tokens", "total_tokens", "tokens"]
    /// Set in a key's byte when the number was written as an integer (`"start":1790000000`).
    static let writtenAsInteger: UInt8 = 0x10

    private enum MetricNumber { case double(Double), int(Int64) }

    private static func number(_ key: Int, _ s: Siblings) -> MetricNumber? {
        switch key {
        case 0: return s.start.map(MetricNumber.double)
        case 1: return s.end.map(MetricNumber.double)
        case 2: return s.promptTokens.map(MetricNumber.int)
        case 3: return s.completionTokens.map(MetricNumber.int)
        default: return s.totalTokens.map(MetricNumber.int)
        }
    }

    /// The number as the key's byte says it was written; nil when it cannot be.
    private static func written(_ n: MetricNumber, asInteger: Bool, into out: inout [UInt8]) -> Bool {
        switch n {
        case .int(let i):
            guard asInteger else { return false }
            out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if asInteger {
                guard d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return false }
                out.append(contentsOf: String(Int64(d)).utf8)
            } else {
                guard d.isFinite else { return false }
                JSONWriter.writeDouble(d, into: &out)
            }
        }
        return true
    }

    /// The metrics text the key bytes and the row's numbers make; nil when a number is missing.
    static func metricsText(_ codes: UnsafeRawBufferPointer, _ s: Siblings) -> String? {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, code) in codes.enumerated() {
            let key = Int(code & 0x0F)
            guard key < metricKeys.count, code & ~(0x0F | writtenAsInteger) == 0, let n = number(key, s) else { return nil }
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(metricKeys[key], into: &out)
            out.append(UInt8(ascii: ":"))
            guard written(n, asInteger: code & writtenAsInteger != 0, into: &out) else { return nil }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The metrics form of the row's metrics, when its numbers make the text back exactly.
    static func metricsForm(_ r: SpanRow) -> [UInt8]? {
        guard let text = r.metrics, text.utf8.count <= 512, text.utf8.first == UInt8(ascii: "{"),
              r.start != nil || r.end != nil || r.totalTokens != nil,
              // A row made from a span still has the object: no need to parse the text again.
              case .object(let o)? = r.parsed.map({ $0.metrics }) ?? (try? JSONReader.parse(text)), o.count > 0, o.count <= 8 else { return nil }
        var form: [UInt8] = [metricsMarker]
        for (k, v) in o {
            guard let key = metricKeys.firstIndex(of: k) else { return nil }
            switch v {
            case .int: form.append(UInt8(key) | writtenAsInteger)
            case .double: form.append(UInt8(key))
            default: return nil
            }
        }
        let made = form.withUnsafeBytes { metricsText(UnsafeRawBufferPointer(rebasing: $0.dropFirst()), Siblings(r)) }
        return made.map { sameBytes($0, text) } == true ? form : nil
    }

    // MARK: - Short shared texts

    /// Texts shorter than this (and not packed) may be shared.
    static let shortBytes = RowPacking.minimumBytes
    /// At most this many shared texts per store; past it, new texts stay in their rows.
    static let maximumShared = 1 << 20

    static func internedForm(_ id: Int64) -> [UInt8] {
        var out: [UInt8] = [internedMarker]
        var v = UInt64(id)
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }

    /// The id an interned form names; nil when damaged.
    static func internedID(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count >= 2, b.count <= 10, b[0] == internedMarker else { return nil }
        var v: UInt64 = 0, shift: UInt64 = 0
        for i in 1..<b.count {
            let byte = b[i]
            v |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return i == b.count - 1 && v <= UInt64(Int64.max) ? Int64(v) : nil }
            shift += 7
        }
        return nil
    }

    // MARK: - Reading

    /// The text a form stands for. `shared` looks up a short text by id.
    static func text(_ b: UnsafeRawBufferPointer, _ s: Siblings, shared: (Int64) throws -> String?) throws -> String {
        switch b.first {
        case sameAsIDMarker?:
            guard b.count == 1 else { throw StoreError.invalid("a span's stored span_id is damaged") }
            guard let id = s.id else { throw StoreError.invalid("a span_id stored as its id was read without the id") }
            return id
        case rootParentMarker?:
            guard b.count == 1 else { throw StoreError.invalid("a span's stored span_parents is damaged") }
            guard let root = s.root else { throw StoreError.invalid("span_parents stored as the root was read without root_span_id") }
            return rootParentText(root)
        case metricsMarker?:
            guard b.count >= 2, let t = metricsText(UnsafeRawBufferPointer(rebasing: b.dropFirst()), s) else {
                throw StoreError.invalid("metrics stored as the span's number columns were read without them, or are damaged")
            }
            return t
        case internedMarker?:
            guard let id = internedID(b) else { throw StoreError.invalid("a span's stored short text is damaged") }
            guard let t = try shared(id) else { throw StoreError.invalid("a span names short text \(id), which this store does not have") }
            return t
        default:
            throw StoreError.invalid("a span's stored value is in no known form")
        }
    }
}

/// The store's shared short texts, both ways, as far as this process has read or written them.
final class SharedTexts: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [Int64: String] = [:]
    private var byText: [[UInt8]: Int64] = [:]   // by bytes, not by canonically equivalent text
    /// The highest id read from the table (rows above it were written by another connection).
    private(set) var loadedThrough: Int64 = 0

    var count: Int { lock.withLock { byID.count } }

    func text(_ id: Int64) -> String? { lock.withLock { byID[id] } }
    func id(_ text: String) -> Int64? { lock.withLock { byText[Array(text.utf8)] } }

    func add(_ id: Int64, _ text: String) {
        lock.withLock {
            byID[id] = text
            byText[Array(text.utf8)] = id
            loadedThrough = max(loadedThrough, id)
        }
    }

    /// Forgets texts a rolled-back transaction had added.
    func remove(_ ids: [Int64]) {
        lock.withLock {
            for id in ids { if let t = byID.removeValue(forKey: id) { byText.removeValue(forKey: Array(t.utf8)) } }
            loadedThrough = byID.keys.max() ?? 0
        }
    }
}
