// InputFile reads a source (a path, or "-" for standard input) either line by line in fixed-size
// chunks, so a multi-gigabyte JSONL file streams in bounded memory, or whole, for formats that are
// one JSON document. It can peek at the start to detect the format without losing bytes from a pipe.

import Foundation
import SiftModel

final class InputFile {
    let path: String
    private let fd: Int32
    private var pending: [UInt8] = []  // bytes read during detection, not yet handed out
    private var eof = false
    let size: Int?
    let modificationTime: Timestamp?

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 0
            size = nil
            modificationTime = nil
        } else {
            var st = stat()
            guard stat(path, &st) == 0 else { throw IngestError("\(path): \(String(cString: strerror(errno)))") }
            guard (st.st_mode & S_IFMT) != S_IFDIR else { throw IngestError("\(path): is a directory") }
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw IngestError("\(path): \(String(cString: strerror(errno)))") }
            size = Int(st.st_size)
            modificationTime = Timestamp(seconds: Double(st.st_mtim.tv_sec))
        }
    }

    deinit { if fd > 0 { close(fd) } }

    /// Reads up to `count` more bytes; empty at the end.
    private func readChunk(_ count: Int) throws -> [UInt8] {
        if eof { return [] }
        var buf = [UInt8](repeating: 0, count: count)
        var n = 0
        while true {
            n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
            if n < 0 && errno == EINTR { continue }
            break
        }
        if n < 0 { throw IngestError("\(path): read failed: \(String(cString: strerror(errno)))") }
        if n == 0 { eof = true; return [] }
        buf.removeSubrange(n...)
        return buf
    }

    /// Appends up to `count` bytes to `buffer` straight from the file, reusing its storage; false at the end.
    private func readMore(into buffer: inout [UInt8], count: Int) throws -> Bool {
        if eof { return false }
        let old = buffer.count
        var got = 0
        buffer.append(contentsOf: repeatElement(0, count: count))
        while true {
            got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, count) }
            if got < 0 && errno == EINTR { continue }
            break
        }
        buffer.removeLast(count - max(got, 0))
        if got < 0 { throw IngestError("\(path): read failed: \(String(cString: strerror(errno)))") }
        if got == 0 { eof = true; return false }
        return true
    }

    /// The first byte that is not whitespace or a UTF-8 byte-order mark, without consuming input.
    func peekStart() throws -> UInt8? {
        while true {
            var i = 0
            if pending.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
            while i < pending.count, [0x20, 0x0A, 0x0D, 0x09].contains(pending[i]) { i += 1 }
            if i < pending.count { return pending[i] }
            let more = try readChunk(1 << 16)
            if more.isEmpty { return nil }
            pending.append(contentsOf: more)
        }
    }

    /// The first non-blank line, if it can be had within 64 MiB.
    func firstLine() throws -> [UInt8]? {
        while true {
            if let nl = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<nl])
                if line.allSatisfy({ [0x20, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }) {
                    // Blank first line: look at the next one without consuming either.
                    if let nl2 = pending[(nl + 1)...].firstIndex(of: 0x0A) { return Array(pending[(nl + 1)..<nl2]) }
                } else {
                    return Self.stripBOM(line)
                }
            }
            if eof || pending.count > 64 << 20 { return pending.isEmpty ? nil : Self.stripBOM(pending) }
            let more = try readChunk(1 << 20)
            if more.isEmpty { return pending.isEmpty ? nil : Self.stripBOM(pending) }
            pending.append(contentsOf: more)
        }
    }

    func firstLineIsCompleteJSON() throws -> Bool {
        guard let line = try firstLine() else { return false }
        return (try? JSONReader.parse(line)) != nil
    }

    /// The first `count` non-blank lines (within the first 64 MiB), without consuming them. Reads
    /// only until enough line breaks are buffered, counting each chunk's once.
    func firstLines(_ count: Int) throws -> [[UInt8]] {
        let wanted = count * 4 + 4
        // Counted only as far as needed: after a whole-document read, `pending` is the whole file.
        func breaks(_ b: [UInt8]) -> Int {
            var n = 0
            for byte in b where byte == 0x0A { n += 1; if n >= wanted { break } }
            return n
        }
        var seen = breaks(pending)
        while !eof && pending.count <= 64 << 20 && seen < wanted {
            let more = try readChunk(1 << 20)
            if more.isEmpty { break }
            seen += breaks(more)
            pending.append(contentsOf: more)
        }
        var out: [[UInt8]] = []
        var start = pending.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < pending.count && out.count < count {
            let end = pending[start...].firstIndex(of: 0x0A) ?? pending.count
            let line = pending[start..<end]
            if !line.allSatisfy({ [0x20, 0x0D, 0x09].contains($0) }) { out.append(Array(line)) }
            start = end + 1
        }
        return out
    }

    /// The first of the first `count` non-blank lines that is a whole JSON object: a JSON-lines file
    /// whose first line is damaged still reads as lines, and still shows its format. Nil for a file
    /// that opens with `{` alone on its line, as pretty-printers write a document (whose inner lines
    /// may be whole objects themselves).
    func firstCompleteObjectLine(within count: Int = 5) throws -> Value? {
        let lines = try firstLines(count)
        if let first = lines.first, first.filter({ ![0x20, 0x09, 0x0D].contains($0) }) == [UInt8(ascii: "{")] { return nil }
        for line in lines {
            if let v = try? JSONReader.parse(line), v.objectValue != nil { return v }
        }
        return nil
    }

    static func stripBOM(_ b: [UInt8]) -> [UInt8] { b.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(b.dropFirst(3)) : b }

    /// The whole input as one buffer (the byte-order mark dropped).
    func readAll() throws -> [UInt8] {
        var all = pending
        pending = []
        if let size { all.reserveCapacity(size) }
        while true {
            let more = try readChunk(1 << 22)
            if more.isEmpty { break }
            all.append(contentsOf: more)
        }
        pending = all  // keep it for a later call (detection reads, ingest reads again)
        eof = true
        return Self.stripBOM(all)
    }

    /// Calls `body` for each line (without its newline). A line longer than `maxBytes` is handed over
    /// with its full length in `oversized` (its bytes kept up to 256 MiB, beyond that only the start).
    /// `consumed` is the number of input bytes read through the end of the line.
    func forEachLine(maxBytes: Int, _ body: (UnsafeBufferPointer<UInt8>, Int?, Int) throws -> Void) throws {
        let keepLimit = max(maxBytes, 256 << 20)
        var buffer = pending
        pending = []
        var start = 0
        var consumed = 0
        var firstLine = true
        var longLength = 0  // bytes of an over-long line dropped so far
        while true {
            // Hand out every complete line in the buffer.
            try buffer.withUnsafeBufferPointer { buf in
                while let nl = Self.findNewline(buf, from: start) {
                    var lineStart = start
                    if firstLine, nl - lineStart >= 3, buf[lineStart] == 0xEF, buf[lineStart + 1] == 0xBB, buf[lineStart + 2] == 0xBF { lineStart += 3 }
                    firstLine = false
                    var lineEnd = nl
                    if lineEnd > lineStart, buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    let line = UnsafeBufferPointer(rebasing: buf[lineStart..<lineEnd])
                    consumed += nl + 1 - start
                    let total = line.count + longLength
                    try body(line, total > maxBytes ? total : nil, consumed)
                    longLength = 0
                    start = nl + 1
                }
            }
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            if buffer.count > keepLimit {
                // A line beyond what is worth keeping: remember its length, keep its start only.
                longLength += buffer.count - (1 << 20)
                consumed += buffer.count - (1 << 20)
                buffer.removeSubrange((1 << 20)...)
            }
            if try !readMore(into: &buffer, count: 4 << 20) { break }
        }
        if !buffer.isEmpty || longLength > 0 {
            try buffer.withUnsafeBufferPointer { buf in
                var lineStart = 0
                if firstLine, buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { lineStart = 3 }
                var end = buf.count
                if end > lineStart, buf[end - 1] == 0x0D { end -= 1 }
                consumed += buf.count
                let total = end - lineStart + longLength
                try body(UnsafeBufferPointer(rebasing: buf[lineStart..<end]), total > maxBytes ? total : nil, consumed)
            }
        }
    }

    @inline(__always) static func findNewline(_ buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < buf.count, let base = buf.baseAddress else { return nil }
        guard let p = memchr(base + from, 0x0A, buf.count - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }
}

/// The rejects file: one JSON line per rejected record with its source, line, error and original text
/// (base64 as well when the text is not valid UTF-8), so it can be fixed and ingested again.
final class RejectsFile {
    let path: String
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    init(path: String) { self.path = path }

    func append(source: String, line: Int, error: String, raw: UnsafeBufferPointer<UInt8>?) throws {
        var o = JSONObject()
        o["source"] = .string(source)
        o["line"] = .int(Int64(line))
        o["error"] = .string(error)
        if let raw {
            let text = String(decoding: raw, as: UTF8.self)
            o["record"] = .string(text)
            if !text.utf8.elementsEqual(raw) { o["record_base64"] = .string(Data(raw).base64EncodedString()) }
        }
        JSONWriter.write(.object(o), into: &buffer)
        buffer.append(0x0A)
        if buffer.count > 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        if handle == nil {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw IngestError("cannot create the rejects file \(path)")
                }
            }
            guard let h = FileHandle(forWritingAtPath: path) else { throw IngestError("cannot open the rejects file \(path)") }
            h.seekToEndOfFile()
            handle = h
        }
        handle!.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle?.close()
        handle = nil
    }
}
