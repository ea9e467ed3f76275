// The OTLP protobuf decoder against requests encoded field by field (every AnyValue kind, events,
// status, unknown fields), and against arbitrary and mutated bytes: an error or spans, never a crash.

import SiftModel
import SiftStore
import XCTest
@testable import SiftServer

final class OTLPProtobufTests: XCTestCase {
    func keyValue(_ key: String, _ value: (inout Protobuf) -> Void) -> [UInt8] {
        var any = Protobuf()
        value(&any)
        var kv = Protobuf()
        kv.bytes(field: 1, Array(key.utf8))
        kv.bytes(field: 2, any.out)
        return kv.out
    }

    func request() -> [UInt8] {
        var span = Protobuf()
        span.bytes(field: 1, (0..<16).map { UInt8($0) })
        span.bytes(field: 2, [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1])
        span.bytes(field: 4, [])  // an empty parent id: a root
        span.bytes(field: 5, Array("chat gpt-4o".utf8))
        span.varint(field: 6, 3)
        span.fixed64(field: 7, 1_733_000_000_123_456_789)
        span.fixed64(field: 8, 1_733_000_002_000_000_000)
        span.bytes(field: 9, keyValue("gen_ai.operation.name") { $0.bytes(field: 1, Array("chat".utf8)) })
        span.bytes(field: 9, keyValue("gen_ai.usage.input_tokens") { $0.varint(field: 3, 1234) })
        span.bytes(field: 9, keyValue("temperature") { $0.double(field: 4, 0.25) })
        span.bytes(field: 9, keyValue("stream") { $0.varint(field: 2, 1) })
        span.bytes(field: 9, keyValue("negative") { $0.varint(field: 3, UInt64(bitPattern: -5)) })
        span.bytes(field: 9, keyValue("raw") { $0.bytes(field: 7, [0xff, 0x00, 0x10]) })
        span.bytes(field: 9, keyValue("stops") { a in
            var arr = Protobuf()
            var one = Protobuf(); one.bytes(field: 1, Array("\n\n".utf8))
            var two = Protobuf(); two.varint(field: 3, 7)
            arr.bytes(field: 1, one.out)
            arr.bytes(field: 1, two.out)
            a.bytes(field: 5, arr.out)
        })
        span.bytes(field: 9, keyValue("user") { a in
            var list = Protobuf()
            list.bytes(field: 1, keyValue("tier") { $0.bytes(field: 1, Array("gold".utf8)) })
            a.bytes(field: 6, list.out)
        })
        span.bytes(field: 9, keyValue("gen_ai.input.messages") { $0.bytes(field: 1, Array(#"[{"role":"user","content":"hi"}]"#.utf8)) })
        var event = Protobuf()
        event.fixed64(field: 1, 1_733_000_001_000_000_000)
        event.bytes(field: 2, Array("exception".utf8))
        event.bytes(field: 3, keyValue("exception.type") { $0.bytes(field: 1, Array("TimeoutError".utf8)) })
        event.bytes(field: 3, keyValue("exception.message") { $0.bytes(field: 1, Array("upstream timed out".utf8)) })
        span.bytes(field: 11, event.out)
        var status = Protobuf()
        status.bytes(field: 2, Array("failed".utf8))
        status.varint(field: 3, 2)
        span.bytes(field: 15, status.out)
        span.varint(field: 99, 7)            // a field this decoder does not know: skipped
        span.bytes(field: 100, [1, 2, 3])
        var scopeMsg = Protobuf()
        scopeMsg.bytes(field: 1, Array("openinference.instrumentation".utf8))
        var scope = Protobuf()
        scope.bytes(field: 1, scopeMsg.out)
        scope.bytes(field: 2, span.out)
        var res = Protobuf()
        res.bytes(field: 1, keyValue("service.name") { $0.bytes(field: 1, Array("billing".utf8)) })
        var rs = Protobuf()
        rs.bytes(field: 1, res.out)
        rs.bytes(field: 2, scope.out)
        var req = Protobuf()
        req.bytes(field: 1, rs.out)
        return req.out
    }

    func testEveryFieldOfASpanIsRead() throws {
        let bytes = request()
        let decoded = try bytes.withUnsafeBufferPointer { try OTLPBody.decode($0, encoding: .protobuf) }
        XCTAssertEqual(decoded.rejected, [])
        XCTAssertEqual(decoded.rows.count, 1)
        let r = decoded.rows[0]
        XCTAssertEqual(r.projectName, "billing")
        XCTAssertEqual(r.rootSpanID, "000102030405060708090a0b0c0d0e0f")
        XCTAssertEqual(r.spanID, "deadbeef00000001")
        XCTAssertTrue(r.isRoot)
        XCTAssertEqual(r.type, "llm")
        XCTAssertEqual(r.name, "chat gpt-4o")
        XCTAssertEqual(r.created, 1_733_000_000_123_456)
        XCTAssertEqual(r.promptTokens, 1234)
        let meta = try JSONReader.parse(r.metadata ?? "{}")
        XCTAssertEqual(meta["temperature"], .double(0.25))
        XCTAssertEqual(meta["stream"], .bool(true))
        XCTAssertEqual(meta["negative"], .int(-5))
        XCTAssertEqual(meta["raw"], .string("/wAQ"))
        XCTAssertEqual(meta["stops"], .array([.string("\n\n"), .int(7)]))
        XCTAssertEqual(meta["user"], .object(["tier": .string("gold")]))
        XCTAssertEqual(meta["otel.scope.name"], .string("openinference.instrumentation"))
        XCTAssertEqual(meta["otel.kind"], .int(3))
        let error = try JSONReader.parse(r.error ?? "null")
        XCTAssertEqual(error["type"], .string("TimeoutError"))
        XCTAssertEqual(error["message"], .string("upstream timed out"))
        XCTAssertEqual(try JSONReader.parse(r.input ?? "null"), .array([.object(["role": "user", "content": "hi"])]))
    }

    /// The request above as OTLP/JSON writes it: both encodings map to the same row.
    static let sameAsJSON = #"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},
          "scopeSpans":[{"scope":{"name":"openinference.instrumentation"},"spans":[{
            "traceId":"000102030405060708090a0b0c0d0e0f","spanId":"deadbeef00000001","name":"chat gpt-4o","kind":3,
            "startTimeUnixNano":"1733000000123456789","endTimeUnixNano":"1733000002000000000",
            "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
              {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1234"}},
              {"key":"temperature","value":{"doubleValue":0.25}},{"key":"stream","value":{"boolValue":true}},
              {"key":"negative","value":{"intValue":"-5"}},{"key":"raw","value":{"bytesValue":"/wAQ"}},
              {"key":"stops","value":{"arrayValue":{"values":[{"stringValue":"\n\n"},{"intValue":"7"}]}}},
              {"key":"user","value":{"kvlistValue":{"values":[{"key":"tier","value":{"stringValue":"gold"}}]}}},
              {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"content\":\"hi\"}]"}}],
            "events":[{"timeUnixNano":"1733000001000000000","name":"exception","attributes":[
              {"key":"exception.type","value":{"stringValue":"TimeoutError"}},
              {"key":"exception.message","value":{"stringValue":"upstream timed out"}}]}],
            "status":{"message":"failed","code":2}}]}]}]}
        """#

    func testTheSameRequestAsJSONMapsToTheSameRow() throws {
        let proto = try request().withUnsafeBufferPointer { try OTLPBody.decode($0, encoding: .protobuf) }.rows[0]
        let fromJSON = try Array(Self.sameAsJSON.utf8).withUnsafeBufferPointer { try OTLPBody.decode($0, encoding: .json) }.rows[0]
        XCTAssertEqual(proto.id, fromJSON.id)
        XCTAssertEqual(proto.rootSpanID, fromJSON.rootSpanID)
        XCTAssertEqual(proto.metadata, fromJSON.metadata)
        XCTAssertEqual(proto.input, fromJSON.input)
        XCTAssertEqual(proto.error, fromJSON.error)
        XCTAssertEqual(proto.metrics, fromJSON.metrics)
        XCTAssertEqual(proto.created, fromJSON.created)
    }

    func testArbitraryAndMutatedBytesNeverCrash() {
        var rng = SeededRandom(seed: 7)
        let good = request()
        var decodedSome = 0, refused = 0
        for i in 0..<20_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = good
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                    }
                }
            }
            do {
                _ = try bytes.withUnsafeBufferPointer { try OTLPBody.decode($0, encoding: .protobuf) }
                decodedSome += 1
            } catch is OTLPBody.Undecodable {
                refused += 1
            } catch {
                XCTFail("unexpected error type: \(error)")
            }
        }
        // Both outcomes happen: mutations that keep the structure decode, the rest are refused.
        XCTAssertGreaterThan(decodedSome, 100)
        XCTAssertGreaterThan(refused, 1000)
    }

    func testDeepNestingIsRefusedNotOverflowed() {
        var inner = Protobuf()
        inner.bytes(field: 1, Array("x".utf8))
        for _ in 0..<5000 {
            var arr = Protobuf()
            arr.bytes(field: 1, inner.out)
            var any = Protobuf()
            any.bytes(field: 5, arr.out)
            inner = any
        }
        var span = Protobuf()
        span.bytes(field: 1, [UInt8](repeating: 1, count: 16))
        span.bytes(field: 2, [UInt8](repeating: 2, count: 8))
        span.fixed64(field: 7, 1)
        var kv = Protobuf()
        kv.bytes(field: 1, Array("deep".utf8))
        kv.bytes(field: 2, inner.out)
        span.bytes(field: 9, kv.out)
        var scope = Protobuf()
        scope.bytes(field: 2, span.out)
        var rs = Protobuf()
        rs.bytes(field: 2, scope.out)
        var req = Protobuf()
        req.bytes(field: 1, rs.out)
        XCTAssertThrowsError(try req.out.withUnsafeBufferPointer { try OTLPBody.decode($0, encoding: .protobuf) }) { error in
            XCTAssertTrue("\(error)".contains("nested deeper"), "\(error)")
        }
    }
}
