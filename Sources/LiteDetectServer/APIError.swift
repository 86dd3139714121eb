import HTTPTypes
import LiteDetectJSONOutput

/// A request the server refuses, with the status and a message for the client. Our API answers
/// `{"error": {"code": ..., "message": ...}}`; the DeepStack route answers DeepStack's
/// `{"success": false, "error": ...}`. Messages never hold file paths or stack traces.
package struct APIError: Error, Sendable, Equatable {
    package var status: HTTPResponse.Status
    /// A stable, machine-readable reason: "queue_full", "body_too_large", "not_an_image", ….
    package var code: String
    package var message: String
    /// Seconds to wait before retrying (429 and 503).
    package var retryAfter: Int? = nil

    package init(_ status: HTTPResponse.Status, code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    var json: String {
        JSONText.object([("error", JSONText.object([("code", JSONText.string(code)), ("message", JSONText.string(message))]))])
    }

    var deepStackJSON: String {
        JSONText.object([("success", "false"), ("error", JSONText.string(message)), ("code", "\(status.code)")])
    }

    static func badParameter(_ name: String, _ problem: String) -> APIError {
        APIError(.badRequest, code: "bad_parameter", "\(name): \(problem)")
    }
}
