// Fuzz targets for everything that reads untrusted bytes: the JSON reader, each ingest format, the OTLP
// protobuf decoder, the query lexer + parser + binder (all three forms) and the column codec. Each
// target also asserts a property, so a wrong answer is a finding too, not only a crash:
//   json       a parsed value written back parses to the same value
//   <format>   rows, or an error; every field a row stores as JSON text parses
//   protobuf   the same for OTLP protobuf request bodies
//   query      a statement (and a plan from the binder), or a diagnostic whose range lies in the text
//   codec      decoding damaged column bytes gives columns or nil, and re-encoding decoded ones round-trips
//   packed     stored compressed bytes (a column chunk, a span's text, a stored form) give their content or nil, and
//              what they give packs and unpacks to itself
//
// Built with libFuzzer (see .ci/run): `swift build -c release --product sift-fuzz --build-path .build/fuzz
// -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING`, then `SIFT_FUZZ_TARGET=json .build/fuzz/release/sift-fuzz
// Fuzz/corpus/json -max_total_time=60`. Without -DFUZZING the same binary replays files or directories
// given as arguments through a target (`sift-fuzz json Fuzz/corpus/json`), which is how a crash found by
// the fuzzer becomes a reproduction.

import Foundation
import SiftExecutor
import SiftModel
import SiftQuery
import SiftStore

enum Target: String, CaseIterable {
    case json, spans, otlp, trajectories, langsmith, openaiAgents = "openai-agents", protobuf, query, codec, packed
}

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property violated: \(message())") }
}

/// Runs one input; true when it was read without an error.
@discardableResult
func run(_ target: Target, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    switch target {
    case .json:
        // A member read from the bytes (what `output.content ILIKE` reads) never traps, and on a
        // document that parses it is the member of the parsed value (nil only through an array).
        let member = try? JSONReader.value(atMembers: ["content"], in: bytes, maxDepth: 128)
        guard let v = try? JSONReader.parse(bytes, maxDepth: 128) else { return false }
        switch v {
        case .array: check(member == nil, "a member read through an array")
        case .object(let o): check(member.map { same($0, o["content"] ?? .null) } ?? false, "a member read from the bytes differs from the parsed value's")
        default: check(member == .null, "a member of a scalar is not NULL")
        }
        let text = JSONWriter.string(v)
        guard let again = try? JSONReader.parse(text) else { fatalError("property violated: written JSON does not parse: \(text.prefix(200))") }
        check(same(v, again), "JSON round trip changed the value: \(text.prefix(200))")
        return true
    case .spans, .otlp, .trajectories, .langsmith, .openaiAgents:
        let format = IngestFormat(rawValue: target.rawValue)!
        guard let (rows, _) = try? format.readRecord(bytes) else { return false }
        checkRows(rows)
    case .protobuf:
        guard let decoded = try? OTLPBody.decode(bytes, encoding: .protobuf) else { return false }
        checkRows(decoded.rows)
    case .query:
        let text = String(decoding: bytes, as: UTF8.self)
        let utf8Count = text.utf8.count
        var parsed = false
        do {
            let statement = try Parser.parse(text)
            _ = try? Binder(catalog: OpenCatalog()).bind(statement, defaultProject: "p")
            parsed = true
        } catch let d as Diagnostic {
            check(d.range.start >= 0 && d.range.start <= utf8Count && d.range.end <= utf8Count, "diagnostic range \(d.range) outside a \(utf8Count)-byte query")
            _ = d.render(in: text)
        } catch {
            fatalError("property violated: the parser threw \(type(of: error)), not a positioned Diagnostic")
        }
        do { _ = try Parser.parseFilter(text) } catch let d as Diagnostic {
            check(d.range.end <= utf8Count, "filter diagnostic range \(d.range) outside the text")
        } catch {
            fatalError("property violated: the filter parser threw \(type(of: error))")
        }
        return parsed
    case .packed:
        let raw = UnsafeRawBufferPointer(bytes)
        var read = false
        if let chunk = PackedBytesProbe.chunk(raw) {
            let again = PackedBytesProbe.packChunk(chunk).withUnsafeBytes { PackedBytesProbe.chunk($0) }
            check(again == chunk, "a chunk read from packed bytes does not pack and unpack to itself")
            read = true
        }
        if let text = PackedBytesProbe.text(raw) {
            if let packed = PackedBytesProbe.packText(text) {
                check(packed.withUnsafeBytes { PackedBytesProbe.text($0) } == text, "text read from a frame does not pack and unpack to itself")
            }
            read = true
        }
        // Stored forms (RowForms) read as text or are refused; metrics read from one store again as themselves.
        if let text = PackedBytesProbe.formText(raw) {
            if raw.first == 0x01 { check(PackedBytesProbe.metricsAgain(text) == text, "metrics read from a form do not store and read back as themselves") }
            read = true
        }
        // Any text packs with the dictionary and unpacks to itself.
        let text = String(decoding: bytes, as: UTF8.self)
        check(PackedBytesProbe.metricsAgain(text) == text, "metrics text does not store and read back as itself")
        if let packed = PackedBytesProbe.packText(text) {
            check(packed.withUnsafeBytes { PackedBytesProbe.text($0) } == text, "text does not pack and unpack to itself")
        }
        return read
    case .codec:
        // The byte search (`x ILIKE '%ab%'` before decoding) never traps, and on a column it has a
        // verdict for every row; a row whose string holds the text is never ruled out.
        let may = ColumnCodec.mayContain(Array(bytes), needle: Array("ab".utf8), caseInsensitive: true)
        let mayBelow = ColumnCodec.mayContain(Array(bytes), needle: Array("ab".utf8), caseInsensitive: false, below: true)
        guard let column = ColumnCodec.decode(bytes) else { return false }
        for m in [may, mayBelow] { check(m.map { $0.count == column.count } ?? true, "the byte search has a verdict for other rows than the column's") }
        if let may, may.count == column.count {
            for (r, d) in column.enumerated() {
                if case .string(let s) = d, Array(s.lowercased().utf8).firstRange(of: Array("ab".utf8)) != nil {
                    check(may[r], "the byte search ruled out a string that holds the text")
                }
            }
        }
        let again = ColumnCodec.decode(ColumnCodec.encode(column))
        check(again.map { zip($0, column).allSatisfy { same($0.0.value, $0.1.value) } && $0.count == column.count } ?? false, "codec round trip changed \(column.count) values")
    }
    return true
}

/// Equal, counting NaN as equal to itself (JSON cannot hold NaN; the codec can).
func same(_ a: Value, _ b: Value) -> Bool {
    if case .double(let x) = a, case .double(let y) = b { return x == y || (x.isNaN && y.isNaN) }
    if case .array(let xs) = a, case .array(let ys) = b { return xs.count == ys.count && zip(xs, ys).allSatisfy { same($0, $1) } }
    if case .object(let xs) = a, case .object(let ys) = b {
        return xs.count == ys.count && zip(xs, ys).allSatisfy { $0.key == $1.key && same($0.value, $1.value) }
    }
    return a == b
}

func checkRows(_ rows: [SpanRow]) {
    for r in rows {
        for case let text? in r.jsonTexts {
            check((try? JSONReader.parse(text, maxDepth: 10_000)) != nil, "a row stores invalid JSON text: \(text.prefix(200))")
        }
    }
}

let selected: Target = {
    let name = ProcessInfo.processInfo.environment["SIFT_FUZZ_TARGET"] ?? "json"
    guard let t = Target(rawValue: name) else { fatalError("SIFT_FUZZ_TARGET must be one of \(Target.allCases.map(\.rawValue))") }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    run(selected, UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
/// libFuzzer's driver (from the sanitizer runtime that -sanitize=fuzzer links); SwiftPM gives the
/// executable its own `main`, so the driver is started from there rather than by libFuzzer's.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main
struct Main {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            guard let data else { return 0 }
            return fuzzOne(data, size)
        })
        #else
        replay()
        #endif
    }

    /// Replays files (or every file in directories) through a target: `sift-fuzz TARGET PATH...`.
    static func replay() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let target = Target(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: sift-fuzz {\(Target.allCases.map(\.rawValue).joined(separator: "|"))} FILE|DIR...\n".utf8))
            exit(2)
        }
        var files: [String] = []
        for p in args.dropFirst() {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? []).sorted().map { p + "/" + $0 }
            } else {
                files.append(p)
            }
        }
        var read = 0
        for f in files {
            guard let d = FileManager.default.contents(atPath: f) else { continue }
            if Array(d).withUnsafeBufferPointer({ run(target, $0) }) { read += 1 }
        }
        print("\(name): \(files.count) inputs replayed (\(read) read without an error), no property violated")
    }
}
