import HTTPTypes
import Hummingbird

/// Where a client may put its API key: `Authorization: Bearer KEY`, `X-API-Key: KEY`, or — on the
/// detection routes, as DeepStack clients do — the form field `api_key`.
enum PresentedKey {
    static let formField = "api_key"
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    /// The key in the request's headers, if it carries one (Authorization first).
    static func inHeaders(_ headers: HTTPFields) -> Substring? {
        if let authorization = headers[.authorization] {
            // RFC 6750: "Bearer" is case-insensitive, then one or more spaces, then the token.
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return parts[1].drop { $0 == " " } }
        }
        return headers[apiKeyHeader].map { Substring($0) }
    }
}

/// Refuses requests without a valid API key, when the server has keys, before any route runs.
///
/// The health checks stay open (an orchestrator's probes carry no key), and so does `/metrics`
/// when the server was told it may. On the detection routes a request without a key header
/// goes on to its handler, which looks for the `api_key` form field before anything else.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: APIKeys
    let openPaths: Set<String>
    let formKeyPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if openPaths.contains(path) { return try await next(request, context) }
        if let presented = PresentedKey.inHeaders(request.headers) {
            guard keys.accepts(presented) else { return DetectionServer.refusal(.wrongAPIKey, path: path) }
            return try await next(request, context)
        }
        if formKeyPaths.contains(path) && request.method == .post { return try await next(request, context) }
        return DetectionServer.refusal(.missingAPIKey, path: path)
    }
}

extension APIError {
    static let missingAPIKey = APIError(
        .unauthorized, code: "missing_api_key",
        "this server requires an API key: send it as \"Authorization: Bearer KEY\", as \"X-API-Key: KEY\" or in the form field api_key")
    static let wrongAPIKey = APIError(.unauthorized, code: "wrong_api_key", "the API key is not valid")
}
