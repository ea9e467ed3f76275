import XCTest
@testable import SiftModel

final class ToolResultTests: XCTestCase {
    func testFailuresReportedInBand() throws {
        XCTAssertEqual(ToolResult.failure("Error: not allowed"), .string("Error: not allowed"))
        XCTAssertEqual(ToolResult.failure("Error executing tool kb_search: ReadTimeout"), .string("Error executing tool kb_search: ReadTimeout"))
        XCTAssertEqual(ToolResult.failure("ERROR 422: PHARMACY_NOT_ERX_ENABLED - not updated"), .string("ERROR 422: PHARMACY_NOT_ERX_ENABLED - not updated"))
        XCTAssertNotNil(ToolResult.failure("error"))
        XCTAssertEqual(ToolResult.failure(#"{"error": {"code": 429, "message": "Too Many Requests"}}"#), ["code": 429, "message": "Too Many Requests"])
        XCTAssertEqual(ToolResult.failure(#"{"error": "not found"}"#), .string("not found"))
        let state = #"{"status": "error", "code": "UPSTREAM_TIMEOUT", "message": "timed out"}"#
        XCTAssertEqual(ToolResult.failure(state), try JSONReader.parse(state))
        XCTAssertNotNil(ToolResult.failure(#" {"status": "FAILED"}"#))
        XCTAssertNotNil(ToolResult.failure(#"{"status": "failed", "message": "timeout", "request_id": "r1"}"#))
        XCTAssertNotNil(ToolResult.failure(#"{"status": "error", "order_id": "A1"}"#), "error is the call's own")
        XCTAssertNil(ToolResult.failure(#"{"order_id": "A1", "status": "failed", "reason": "card declined"}"#), "the order failed, not the lookup")
        XCTAssertNil(ToolResult.failure(#"{"paymentId": "P1", "state": "failed"}"#))
        XCTAssertNotNil(ToolResult.failure(#"{"success": false, "reason": "card declined"}"#))
        XCTAssertNotNil(ToolResult.failure(#"{"content": [], "isError": true}"#))
        // Results that report no failure: an empty or null error, a failed-looking value elsewhere,
        // eligibility that is false, text that merely mentions an error, and what is not JSON.
        for ok in [#"{"error": null, "data": 1}"#, #"{"error": "", "ok": true}"#, #"{"errors": []}"#, #"{"eligible": false}"#,
                   #"{"status": "active", "last_error": "none"}"#, #"{"items": [{"status": "failed"}]}"#, "The error light is off.",
                   "Errors found: none", "ERRONEOUS charge reversed", "error_count: 0", "Error-free run",
                   "{not json", "[1, 2]", ""] {
            XCTAssertNil(ToolResult.failure(ok), ok)
        }
    }
}
