import HTTPTypes
import Hummingbird

/// Answers the requests no route takes, in the API's error shape: a path the server has but a
/// method it does not serve there is `405 Method Not Allowed` with an `Allow` header (RFC 9110
/// §15.5.6), any other path `404`. Hummingbird's own answer to both is an empty 404.
struct UnroutedRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Every path the server routes, with its methods (HEAD comes with GET: Hummingbird answers it).
    let methods: [String: Set<HTTPRequest.Method>]

    init(routes: [(method: HTTPRequest.Method, path: String)]) {
        var methods: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes {
            methods[route.path, default: []].insert(route.method)
            if route.method == .get { methods[route.path]!.insert(.head) }
        }
        self.methods = methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if let allowed = methods[path], !allowed.contains(request.method) {
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            var response = DetectionServer.json(
                .methodNotAllowed,
                APIError(.methodNotAllowed, code: "method_not_allowed", "\(path) takes \(allow), not \(request.method.rawValue)").json)
            response.headers[.allow] = allow
            return response
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return DetectionServer.json(.notFound, APIError(.notFound, code: "not_found", "no such route; GET /openapi.json lists them").json)
        }
    }
}
