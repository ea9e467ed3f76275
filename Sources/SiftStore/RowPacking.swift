// Span rows keep their JSON text compressed: each value of `minimumBytes` or more in input, output,
// expected, error, scores, metadata, metrics, span_attributes and extra is stored as a Zstandard
// frame made with a dictionary trained on the store's own spans, a BLOB in place of the TEXT (in these
// columns a BLOB is always such a frame, and names its dictionary by id). Values one at a time
// compress poorly (about 1.7x on the issue-15 spans); with a dictionary of what spans share (keys,
// roles, system prompts, tool schemas) they compress about 7x, and each still reads on its own, so
// `traces show` and the topics pipeline decompress only what they read.
//
// The dictionary is trained once per store, from the first batch with enough text, on the thread
// that prepares the batch, and written in the transaction of the first rows that use it
// (`dictionaries`, keyed by its id). Where libzstd cannot be loaded, rows stay text.

import CZstd
import Foundation

/// A trained dictionary, prepared for compression and decompression.
final class RowDictionary: @unchecked Sendable {
    let id: UInt32
    let bytes: [UInt8]
    private let cdict: UnsafeMutableRawPointer
    private let ddict: UnsafeMutableRawPointer

    init?(bytes: [UInt8]) {
        guard !bytes.isEmpty else { return nil }
        let (id, c, d) = bytes.withUnsafeBytes { b in
            (sift_zstd_dict_id(b.baseAddress, b.count), sift_zstd_cdict(b.baseAddress, b.count, RowPacking.level),
             sift_zstd_ddict(b.baseAddress, b.count))
        }
        guard id != 0, let c, let d else {
            sift_zstd_free_cdict(c); sift_zstd_free_ddict(d)
            return nil
        }
        self.id = id; self.bytes = bytes; cdict = c; ddict = d
    }

    deinit {
        sift_zstd_free_cdict(cdict)
        sift_zstd_free_ddict(ddict)
    }

    /// The text compressed, or nil when it is short or would not shrink by an eighth.
    func pack(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { src -> [UInt8]? in
            guard src.count >= RowPacking.minimumBytes else { return nil }
            let bound = sift_zstd_bound(src.count)
            guard bound > 0 else { return nil }
            var n = 0
            let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
                n = sift_zstd_compress_dict(buf.baseAddress, bound, src.baseAddress, src.count, cdict)
                count = n
            }
            guard n > 0, n <= src.count - src.count / 8 else { return nil }
            return out
        }
    }

    /// A frame made with this dictionary, decompressed; nil when damaged.
    func unpack(_ frame: UnsafeRawBufferPointer, size: Int) -> String? {
        var ok = false
        let s = String(unsafeUninitializedCapacity: size) { buf in
            ok = sift_zstd_decompress_dict(buf.baseAddress, size, frame.baseAddress, frame.count, ddict) == size
            return ok ? size : 0
        }
        return ok ? s : nil
    }
}

enum RowPacking {
    /// Values shorter than this stay text.
    static let minimumBytes = 64
    static let level: Int32 = 3
    static let dictionaryCapacity = 112_640
    /// Training waits for a batch with at least this many values of `minimumBytes` or more, and this much text.
    static let minimumSamples = 256
    static let minimumSampleBytes = 64 << 10
    /// At most this much text, each value cut to `sampleCap` bytes, goes into training.
    static let maximumSampleBytes = 8 << 20
    static let sampleCap = 16 << 10
    /// The largest value a frame may claim (SQLite's own limit on a value).
    static let maximumBytes = 1_000_000_000

    static var available: Bool { sift_zstd_available() != 0 }

    /// The fields of a row that are packed, in `SpanRow.Packed` order.
    static func fields(_ r: SpanRow) -> [String?] {
        [r.input, r.output, r.expected, r.error, r.scores, r.metadata, r.metrics, r.spanAttributes, r.extra]
    }

    /// Whether the rows hold enough text to train a dictionary on.
    static func enoughSamples(_ rows: [SpanRow]) -> Bool {
        var count = 0, bytes = 0
        for r in rows {
            for case let t? in fields(r) where t.utf8.count >= minimumBytes {
                count += 1; bytes += min(t.utf8.count, sampleCap)
                if count >= minimumSamples && bytes >= minimumSampleBytes { return true }
            }
        }
        return false
    }

    /// A dictionary trained on the rows' text; nil when there is too little or training fails.
    static func train(_ rows: [SpanRow]) -> RowDictionary? {
        guard available, enoughSamples(rows) else { return nil }
        var samples: [UInt8] = []
        var sizes: [Int] = []
        samples.reserveCapacity(maximumSampleBytes)
        outer: for r in rows {
            for case let t? in fields(r) where t.utf8.count >= minimumBytes {
                let piece = t.utf8.prefix(sampleCap)
                if samples.count + piece.count > maximumSampleBytes { break outer }
                samples.append(contentsOf: piece)
                sizes.append(piece.count)
            }
        }
        var dict = [UInt8](repeating: 0, count: dictionaryCapacity)
        let n = dict.withUnsafeMutableBytes { d in
            samples.withUnsafeBytes { s in
                sizes.withUnsafeBufferPointer { z in sift_zstd_train(d.baseAddress, d.count, s.baseAddress, z.baseAddress, UInt32(z.count)) }
            }
        }
        guard n > 0 else { return nil }
        dict.removeLast(dict.count - n)
        return RowDictionary(bytes: dict)
    }

    /// Whether stored bytes are a Zstandard frame (its magic number, little-endian).
    static func isFrame(_ b: UnsafeRawBufferPointer) -> Bool {
        b.count >= 6 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD
    }

    /// A stored frame's text: its dictionary looked up by the id it names.
    static func unpack(_ b: UnsafeRawBufferPointer, dictionary: (UInt32) throws -> RowDictionary?) throws -> String {
        guard isFrame(b) else { throw StoreError.invalid("a span's stored text is neither text nor a Zstandard frame") }
        let size = sift_zstd_frame_size(b.baseAddress, b.count)
        guard size != UInt64.max, size <= UInt64(maximumBytes) else { throw StoreError.invalid("a span's stored text is damaged (no size)") }
        let id = sift_zstd_frame_dict_id(b.baseAddress, b.count)
        guard let d = try dictionary(id) else {
            throw StoreError.invalid("a span's stored text needs dictionary \(id), which this store does not have" +
                                     (available ? "" : " (or libzstd could not be loaded)"))
        }
        guard let s = d.unpack(b, size: Int(size)) else { throw StoreError.invalid("a span's stored text is damaged") }
        return s
    }
}

/// Packs the rows a writer is given, training the store's dictionary from the first batch with
/// enough text. Safe to call from several threads at once (requests of `sift serve`).
final class RowPacker: @unchecked Sendable {
    private let lock = NSLock()
    private var dictionary: RowDictionary?
    private var training = false
    private var failures = 0

    init(dictionary: RowDictionary?) { self.dictionary = dictionary }

    /// Fills each row's packed form (`SpanRow.packed`) for the values worth packing.
    func pack(_ rows: inout [SpanRow]) {
        var d = lock.withLock { dictionary }
        if d == nil && RowPacking.available {
            let mine = lock.withLock { () -> Bool in
                guard !training, failures < 3 else { return false }
                training = true
                return true
            }
            if mine {
                let enough = RowPacking.enoughSamples(rows)
                let trained = enough ? RowPacking.train(rows) : nil
                lock.withLock {
                    training = false
                    if let trained { dictionary = trained } else if enough { failures += 1 }
                }
                d = trained
            }
        }
        guard let d else { return }
        for i in rows.indices { rows[i].pack(with: d) }
    }
}

/// Dictionaries read back from the store, by id.
final class RowDictionaries: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [UInt32: RowDictionary] = [:]

    func get(_ id: UInt32, load: (UInt32) throws -> [UInt8]?) throws -> RowDictionary? {
        if let d = lock.withLock({ byID[id] }) { return d }
        guard let bytes = try load(id), let d = RowDictionary(bytes: bytes), d.id == id else { return nil }
        lock.withLock { byID[id] = d }
        return d
    }

    func remember(_ d: RowDictionary) { lock.withLock { byID[d.id] = d } }
}

/// Stored packed bytes as a fuzz target reads them (Fuzz/SiftFuzz.swift): a column chunk, and a
/// span's text with a dictionary trained on fixed text.
public enum PackedBytesProbe {
    /// The chunk's ColumnFormat bytes, or nil when the stored bytes are damaged.
    public static func chunk(_ b: UnsafeRawBufferPointer) -> [UInt8]? { ChunkPacking.unpack(b) }
    public static func packChunk(_ b: [UInt8]) -> [UInt8] { ChunkPacking.pack(b) }

    static let dictionary: RowDictionary? = {
        var rows: [SpanRow] = []
        for i in 0..<600 {
            var r = SpanRow(id: "s\(i)", spanID: "s\(i)", rootSpanID: "r", spanParents: nil, created: 0)
            r.input = #"[{"role":"system","content":"You are a support agent. Look up orders before answering."},{"role":"user","content":"Where is order A\#(100_000 + i * 7919 % 900_000)? It was due \#(i % 28 + 1) days ago."}]"#
            r.metadata = #"{"model":"gpt-4o-mini","temperature":0.\#(i % 10),"session":"s-\#(i * 31 % 997)"}"#
            rows.append(r)
        }
        return RowPacking.train(rows)
    }()

    /// A span's stored text through the probe dictionary: the text, or nil when it is refused.
    public static func text(_ b: UnsafeRawBufferPointer) -> String? {
        try? RowPacking.unpack(b) { id in dictionary.flatMap { $0.id == id ? $0 : nil } }
    }

    /// Text packed with the probe dictionary (nil when short, or libzstd is missing).
    public static func packText(_ s: String) -> [UInt8]? { dictionary?.pack(s) }

    /// A row with fixed columns for the stored forms (`RowForms`) to be read against.
    static var formRow: SpanRow {
        var r = SpanRow(id: "a", spanID: "a", rootSpanID: "r", spanParents: nil, created: 0)
        r.start = 1.5; r.end = 2_000_000_000; r.promptTokens = 3; r.completionTokens = 4; r.totalTokens = 7
        return r
    }

    /// Bytes read as one of the stored forms against `formRow` (short text n is "t<n>" for n < 100):
    /// the text, or nil when they are no form or are refused.
    public static func formText(_ b: UnsafeRawBufferPointer) -> String? {
        guard RowForms.isForm(b) else { return nil }
        return try? RowForms.text(b, RowForms.Siblings(formRow)) { $0 < 100 ? "t\($0)" : nil }
    }

    /// Metrics text stored again: its form read back, or the text itself where no form fits.
    public static func metricsAgain(_ text: String) -> String? {
        var r = formRow
        r.metrics = text
        guard let form = RowForms.metricsForm(r) else { return text }
        return form.withUnsafeBytes { formText($0) }
    }
}
