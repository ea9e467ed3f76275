// JSONReader is Sift's own JSON parser over UTF-8 bytes. Ingest speed depends on it, and so does
// surviving hostile input: it validates UTF-8, bounds nesting depth, never traps on any byte
// sequence, and reports the byte offset of the first problem. It can also skip a value while
// validating it, so ingest can keep a nested field's original text without building it.

import Foundation

/// A parse failure at a byte offset of the input.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public init(_ message: String, offset: Int) { self.message = message; self.offset = offset }
    public var description: String { "\(message) at byte \(offset)" }
}

/// A cursor over JSON bytes. The buffer must outlive the reader.
///
///     let v = try bytes.withUnsafeBufferPointer { try JSONReader.parse($0) }
public struct JSONReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var position: Int
    public let maxDepth: Int
    private var depth = 0
    private var scratch: [UInt8] = []

    public static let defaultMaxDepth = 256

    public init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0, maxDepth: Int = JSONReader.defaultMaxDepth) {
        self.bytes = bytes; self.position = position; self.maxDepth = maxDepth
    }

    /// Parses one complete document: a single value with only whitespace around it.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws -> Value {
        var r = JSONReader(bytes, maxDepth: maxDepth)
        let v = try r.parseValue()
        r.skipWhitespace()
        if r.position < bytes.count { throw JSONError("unexpected text after the JSON value", offset: r.position) }
        return v
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws -> Value {
        var copy = text
        return try copy.withUTF8 { try parse($0, maxDepth: maxDepth) }
    }

    public static func parse(_ data: [UInt8], maxDepth: Int = defaultMaxDepth) throws -> Value {
        try data.withUnsafeBufferPointer { try parse($0, maxDepth: maxDepth) }
    }

    // MARK: - Cursor primitives

    public var isAtEnd: Bool { position >= bytes.count }

    @inline(__always) public mutating func skipWhitespace() {
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 } else { return }
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    public mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard position < bytes.count else { throw JSONError("unexpected end of input, expected \(what)", offset: position) }
        guard bytes[position] == byte else { throw JSONError("expected \(what), found \(describeByte(at: position))", offset: position) }
        position += 1
    }

    func describeByte(at i: Int) -> String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return String(format: "byte 0x%02X", b)
    }

    // MARK: - Objects and arrays, member by member

    /// Iterates the members of an object at the cursor, handing each key to `body`, which must consume
    /// the member's value (parse or skip it).
    public mutating func forEachMember(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "'{'")
        try enter()
        defer { depth -= 1 }
        if peek() == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw JSONError(isAtEnd ? "unexpected end of input inside an object" : "expected a member name, found \(describeByte(at: position))", offset: position)
            }
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            let before = position
            try body(&self, key)
            if position == before { try skipValue() }  // progress guarantee if body consumed nothing
            skipWhitespace()
            guard position < bytes.count else { throw JSONError("unexpected end of input inside an object", offset: position) }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "}") { return }
            if c != UInt8(ascii: ",") { throw JSONError("expected ',' or '}' in an object, found \(describeByte(at: position - 1))", offset: position - 1) }
        }
    }

    /// Iterates the elements of an array at the cursor; `body` must consume each element.
    public mutating func forEachElement(_ body: (inout JSONReader, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "'['")
        try enter()
        defer { depth -= 1 }
        if peek() == UInt8(ascii: "]") { position += 1; return }
        var index = 0
        while true {
            skipWhitespace()
            let before = position
            try body(&self, index)
            if position == before { try skipValue() }
            index += 1
            skipWhitespace()
            guard position < bytes.count else { throw JSONError("unexpected end of input inside an array", offset: position) }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "]") { return }
            if c != UInt8(ascii: ",") { throw JSONError("expected ',' or ']' in an array, found \(describeByte(at: position - 1))", offset: position - 1) }
        }
    }

    @inline(__always) private mutating func enter() throws {
        depth += 1
        if depth > maxDepth {
            throw JSONError("nesting deeper than \(maxDepth) levels", offset: position)
        }
    }

    // MARK: - Values

    /// Whether a key appears twice: pairs compared for the small objects most are, a set for others.
    static func hasDuplicate(_ keys: [String]) -> Bool {
        if keys.count > 12 { return Set(keys).count != keys.count }
        for i in 1..<keys.count {
            for j in 0..<i where keys[i] == keys[j] { return true }
        }
        return false
    }

    /// Parses the value at the cursor into a Value.
    public mutating func parseValue() throws -> Value {
        skipWhitespace()
        guard position < bytes.count else { throw JSONError("unexpected end of input, expected a value", offset: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            var keys: [String] = [], values: [Value] = []
            try forEachMember { r, key in
                keys.append(key)
                values.append(try r.parseValue())
            }
            if keys.count > 1 && Self.hasDuplicate(keys) {
                // Duplicate keys: the last one wins, at the position of the first (as most parsers do).
                var o = JSONObject()
                for (k, v) in zip(keys, values) { o[k] = v }
                return .object(o)
            }
            return .object(JSONObject(keys: keys, values: values))
        case UInt8(ascii: "["):
            var a: [Value] = []
            try forEachElement { r, _ in a.append(try r.parseValue()) }
            return .array(a)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw JSONError("expected a value, found \(describeByte(at: position))", offset: position)
        }
    }

    /// The value at a path of member names below the value at the cursor, building only that value
    /// (the rest is skipped, still validated): NULL when a level is not an object or lacks the member
    /// (a repeated key: the last one wins, as in `parseValue`); nil when a level is an array, whose
    /// elements a path maps over (the caller then parses the whole value). The value at the cursor
    /// is consumed either way.
    public mutating func value(atMembers path: ArraySlice<String>) throws -> Value? {
        guard let name = path.first else { return try parseValue() }
        skipWhitespace()
        guard position < bytes.count else { throw JSONError("unexpected end of input, expected a value", offset: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            var found: Value = .null
            var mapped = false
            try forEachMember { r, key in
                if mapped { try r.skipValue(); return }
                guard key == name else { try r.skipValue(); return }
                if let v = try r.value(atMembers: path.dropFirst()) { found = v } else { mapped = true }
            }
            // (Not `mapped ? nil : found`: Value takes a nil literal, and that would be NULL, not nil.)
            if mapped { return nil }
            return found
        case UInt8(ascii: "["):
            try skipValue()
            return nil
        default:
            try skipValue()
            return .null
        }
    }

    /// The value at a path of member names in one complete document (see `value(atMembers:)`).
    public static func value(atMembers path: [String], in bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws -> Value? {
        var r = JSONReader(bytes, maxDepth: maxDepth)
        guard let v = try r.value(atMembers: path[...]) else { return nil }
        r.skipWhitespace()
        if r.position < bytes.count { throw JSONError("unexpected text after the JSON value", offset: r.position) }
        return v
    }

    /// Validates and steps over the value at the cursor without building it; returns its byte range.
    @discardableResult
    public mutating func skipValue() throws -> Range<Int> {
        skipWhitespace()
        let start = position
        guard position < bytes.count else { throw JSONError("unexpected end of input, expected a value", offset: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try forEachMember { r, _ in try r.skipValue() }
        case UInt8(ascii: "["):
            try forEachElement { r, _ in try r.skipValue() }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try parseNumber()
        default:
            throw JSONError("expected a value, found \(describeByte(at: position))", offset: position)
        }
        return start..<position
    }

    /// Steps over the value at the cursor without recursion and without a depth limit, for finding
    /// where a record ends: strings are validated and brackets must balance; what lies between them is
    /// left for the parse of the record itself. A record nested too deeply to parse is then rejected
    /// alone instead of ending the file (and no stack grows with its depth).
    @discardableResult
    public mutating func skipValueFlat() throws -> Range<Int> {
        skipWhitespace()
        let start = position
        guard position < bytes.count else { throw JSONError("unexpected end of input, expected a value", offset: position) }
        guard bytes[position] == UInt8(ascii: "{") || bytes[position] == UInt8(ascii: "[") else { return try skipValue() }
        var closers: [UInt8] = []
        while position < bytes.count {
            let c = bytes[position]
            switch c {
            case UInt8(ascii: "\""):
                try skipString()
                continue
            case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
            case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard closers.last == c else { throw JSONError("unexpected \(describeByte(at: position))", offset: position) }
                closers.removeLast()
                if closers.isEmpty { position += 1; return start..<position }
            default: break
            }
            position += 1
        }
        throw JSONError("unexpected end of input inside \(closers.last == UInt8(ascii: "}") ? "an object" : "an array")", offset: position)
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard position + n <= bytes.count else { throw JSONError("unexpected end of input in a literal", offset: position) }
        let p = word.utf8Start
        for i in 0..<n where bytes[position + i] != p[i] {
            throw JSONError("invalid literal, expected \(word)", offset: position)
        }
        position += n
    }

    // MARK: - Strings

    /// Steps over a string, validating escapes and UTF-8.
    public mutating func skipString() throws {
        _ = try scanString(build: false)
    }

    /// Parses a string at the cursor.
    public mutating func parseString() throws -> String {
        try scanString(build: true)
    }

    private mutating func scanString(build: Bool) throws -> String {
        let open = position
        position += 1  // opening quote
        let start = position
        var hasEscapes = false
        var i = position
        let n = bytes.count
        // Fast scan for the closing quote, validating as we go.
        while true {
            guard i < n else { throw JSONError("unterminated string", offset: open) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                hasEscapes = true
                i += 2
                continue
            }
            if b < 0x20 { throw JSONError("control character 0x\(String(b, radix: 16)) inside a string (escape it)", offset: i) }
            if b < 0x80 { i += 1; continue }
            i = try validateUTF8Sequence(at: i)
        }
        let end = i
        position = end + 1
        guard build || hasEscapes else { return "" }
        if !hasEscapes {
            return String(unsafeUninitializedCapacity: end - start) { buf in
                _ = buf.initialize(from: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                return end - start
            }
        }
        return try unescape(start, end, build: build)
    }

    /// Validates one multi-byte UTF-8 sequence starting at `i`; returns the index after it.
    @inline(__always) private func validateUTF8Sequence(at i: Int) throws -> Int {
        let b0 = bytes[i]
        let n = bytes.count
        func cont(_ j: Int) -> Bool { j < n && bytes[j] & 0xC0 == 0x80 }
        if b0 >= 0xC2 && b0 <= 0xDF {
            if cont(i + 1) { return i + 2 }
        } else if b0 >= 0xE0 && b0 <= 0xEF {
            if cont(i + 1) && cont(i + 2) {
                let b1 = bytes[i + 1]
                if (b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0) {
                    throw JSONError("invalid UTF-8 (overlong or surrogate sequence)", offset: i)
                }
                return i + 3
            }
        } else if b0 >= 0xF0 && b0 <= 0xF4 {
            if cont(i + 1) && cont(i + 2) && cont(i + 3) {
                let b1 = bytes[i + 1]
                if (b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90) {
                    throw JSONError("invalid UTF-8 (overlong or out-of-range sequence)", offset: i)
                }
                return i + 4
            }
        }
        throw JSONError(String(format: "invalid UTF-8 byte 0x%02X", b0), offset: i)
    }

    private mutating func unescape(_ start: Int, _ end: Int, build: Bool) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.reserveCapacity(end - start)
        var i = start
        while i < end {
            // The run up to the next backslash is copied whole (memchr finds it).
            if bytes[i] != UInt8(ascii: "\\") {
                let next = memchr(bytes.baseAddress! + i, 0x5C, end - i).map { bytes.baseAddress!.distance(to: UnsafePointer($0.assumingMemoryBound(to: UInt8.self))) } ?? end
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<next]))
                i = next
                continue
            }
            guard i + 1 < end else { throw JSONError("unterminated escape", offset: i) }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: i, end: end)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate should be followed by an escaped low one; otherwise it is unpaired.
                    if i + 6 <= end, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                       let low = try? hex4(at: i + 2, end: end), low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                appendScalar(scalar)
            default:
                throw JSONError("invalid escape '\\\(Character(Unicode.Scalar(e)))'", offset: i - 2)
            }
        }
        guard build else { return "" }
        return String(decoding: scratch, as: UTF8.self)
    }

    private func hex4(at i: Int, end: Int) throws -> UInt32 {
        guard i + 4 <= end else { throw JSONError("incomplete \\u escape", offset: i - 2) }
        var v: UInt32 = 0
        for j in i..<(i + 4) {
            let c = bytes[j]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw JSONError("invalid \\u escape", offset: i - 2)
            }
            v = v << 4 | d
        }
        return v
    }

    private mutating func appendScalar(_ s: UInt32) {
        if s < 0x80 {
            scratch.append(UInt8(s))
        } else if s < 0x800 {
            scratch.append(UInt8(0xC0 | (s >> 6))); scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            scratch.append(UInt8(0xE0 | (s >> 12))); scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (s >> 18))); scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F))); scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    // MARK: - Numbers

    private static let exactPowersOf10: [Double] = (0...22).map { pow(10.0, Double($0)) }

    /// Parses a number: an int when it has no fraction or exponent and fits in 64 bits, else a double.
    public mutating func parseNumber() throws -> Value {
        let start = position
        let n = bytes.count
        var i = position
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { throw JSONError("invalid number", offset: start) }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        if bytes[i] == 0x30 {
            i += 1
            if i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 { throw JSONError("invalid number (leading zero)", offset: start) }
        } else {
            while i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                let d = UInt64(bytes[i] - 0x30)
                if mantissa > (UInt64.max - d) / 10 { overflow = true } else { mantissa = mantissa * 10 + d }
                digits += 1; i += 1
            }
        }
        var isInteger = true
        var fractionDigits = 0
        if i < n, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { throw JSONError("invalid number (digit expected after '.')", offset: start) }
            while i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                let d = UInt64(bytes[i] - 0x30)
                if !overflow, mantissa <= (UInt64.max - d) / 10 { mantissa = mantissa * 10 + d; fractionDigits += 1; digits += 1 } else { overflow = true }
                i += 1
            }
        }
        var exponent = 0
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { expNegative = bytes[i] == UInt8(ascii: "-"); i += 1 }
            guard i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 else { throw JSONError("invalid number (digit expected in exponent)", offset: start) }
            while i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[i] - 0x30) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        position = i
        if isInteger && !overflow {
            if negative {
                if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                if mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        // Exact fast path: a mantissa and a power of ten that are both exact doubles give a
        // correctly rounded quotient or product.
        let scale = exponent - fractionDigits
        if !overflow, mantissa < (1 << 53), abs(scale) <= 22 {
            var d = Double(mantissa)
            d = scale < 0 ? d / Self.exactPowersOf10[-scale] : d * Self.exactPowersOf10[scale]
            return .double(negative ? -d : d)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let d = Double(text) else { throw JSONError("invalid number", offset: start) }
        // 1e999 reads as infinity, which no JSON can hold: it would be stored as null. Say so instead.
        guard d.isFinite else { throw JSONError("number \(text.prefix(40)) is out of range for a double", offset: start) }
        return .double(d)
    }
}
