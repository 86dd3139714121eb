import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import LiteDetect
import LiteDetectJSONOutput
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `detect serve`: LiteDetect over HTTP on Hummingbird, with our own API, the DeepStack /
/// CodeProject.AI detection route that home-camera software speaks, health checks for an
/// orchestrator and Prometheus metrics.
///
/// Models load before the server starts; requests are decoded and detected on the
/// `DetectionPool`'s threads, never on the event loops; a full queue is a 429 with
/// `Retry-After`, not unbounded memory. SIGTERM stops accepting connections and lets the
/// requests in flight finish (up to `shutdownGracePeriod`). With API keys, every route but the
/// health checks needs one; with TLS files, it speaks HTTPS (HTTP/1.1 and HTTP/2); with a rate
/// limit, each client address gets that many requests a second.
package final class DetectionServer: Sendable {
    package let configuration: ServerConfiguration
    package let models: ServedModels
    package let pool: DetectionPool
    let metrics = ServerMetrics()

    package init(models: ServedModels, configuration: ServerConfiguration) {
        self.models = models
        self.configuration = configuration
        pool = DetectionPool(workers: configuration.workers, queueLimit: configuration.queueLimit)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully. `onListening` gets the port
    /// bound (useful with port 0).
    package func run(logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = try makeApplication(logger: logger, onListening: onListening)
        // Shut down in reverse order: the HTTP server first (in-flight requests still need the
        // pool), then the pool.
        var group = ServiceGroupConfiguration(
            services: [.init(service: PoolService(pool: pool)), .init(service: application)],
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        do {
            try await ServiceGroup(configuration: group).run()
        } catch let error as IOError {
            // NIO names the system call ("bind(descriptor:ptr:bytes:)"); a user needs the address.
            throw ServerStartFailure(
                description: "cannot listen on \(configuration.host):\(configuration.port): \(String(cString: strerror(error.errnoCode)))")
        }
    }

    /// Paths that never need a key and are never rate-limited: an orchestrator's probes.
    static let healthPaths: Set<String> = ["/health/live", "/health/ready"]
    /// Routes whose key may come in the form field `api_key` (DeepStack's clients put it there).
    static let formKeyPaths: Set<String> = [detectPath, deepStackPath]
    static let detectPath = "/v1/detect"
    /// DeepStack's route, whose answers — refusals included — take DeepStack's shape.
    static let deepStackPath = "/v1/vision/detection"

    /// The Hummingbird application (for `run` and for tests that drive it). Throws when the TLS
    /// files cannot be used.
    package func makeApplication(logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        typealias Handler = @Sendable (Request, ServerRequestContext) async throws -> Response
        let routes: [(method: HTTPRequest.Method, path: String, handler: Handler)] = [
            (.post, Self.detectPath, { request, _ in await self.detect(request, deepStack: false) }),
            (.post, Self.deepStackPath, { request, _ in await self.detect(request, deepStack: true) }),
            (.get, "/v1/models", { _, _ in self.modelList() }),
            (.get, "/health/live", { _, _ in Self.json(.ok, #"{"status": "live"}"#) }),
            (
                .get, "/health/ready",
                { _, _ in
                    // Models are loaded before the server listens; once it stops taking work it is not ready.
                    self.pool.isAcceptingWork
                        ? Self.json(.ok, #"{"status": "ready"}"#) : Self.json(.serviceUnavailable, #"{"status": "shutting down"}"#)
                }
            ),
            (
                .get, "/metrics",
                { _, _ in
                    let depth = self.pool.depth
                    self.metrics.pool(queued: depth.queued, running: depth.running)
                    return Response(
                        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
                }
            ),
            (.get, "/openapi.json", { _, _ in Self.json(.ok, OpenAPIDocument.json) }),
        ]
        let router = Router(context: ServerRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Middleware first: routes capture the middleware present when they are added. A rate
        // limit comes before the key check, so that guessing keys is throttled too.
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        if let limit = configuration.rateLimit {
            router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(limit), openPaths: Self.healthPaths))
        }
        if let keys = configuration.apiKeys {
            let open = configuration.metricsPublic ? Self.healthPaths.union(["/metrics"]) : Self.healthPaths
            router.add(middleware: APIKeyMiddleware(keys: keys, openPaths: open, formKeyPaths: Self.formKeyPaths))
        }
        router.add(middleware: UnroutedRequestMiddleware(routes: routes.map { ($0.method, $0.path) }))
        for route in routes { router.on(RouterPath(route.path), method: route.method, use: route.handler) }
        // A connection that sends nothing — no request, or a request that stopped arriving — for
        // `idleTimeout` is closed, so a slow client cannot hold a connection (or a worker) forever.
        let idle = configuration.idleTimeout
        let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(idle))
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            // HTTP/2 when the client offers it in ALPN, HTTP/1.1 otherwise. A handshake must be
            // over within the idle timeout too.
            let tlsConfiguration = try tls.configuration()
            server = HTTPServerBuilder { responder in
                TLSHandshakeDeadline(
                    base: try HTTP2UpgradeChannel(
                        tlsConfiguration: tlsConfiguration, configuration: .init(idleTimeout: idle, streamConfiguration: http1), responder: responder),
                    timeout: TimeAmount(idle))
            }
        } else {
            server = .http1(configuration: http1)
        }
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "LiteDetect"),
            onServerRunning: { [port = configuration.port] channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: Detection

    /// What one detection produced, its answer's JSON, and where its time went.
    struct Outcome: Sendable {
        var result: DetectionResult
        var answer: String
        var decode: Duration
        var queued: Duration
    }

    /// `POST /v1/detect` and `POST /v1/vision/detection`: every failure becomes an answer in the
    /// route's own error shape.
    func detect(_ request: Request, deepStack: Bool) async -> Response {
        do {
            // Without a key header (checked by `APIKeyMiddleware`), the key can only be in a form.
            let formKeyNeeded = configuration.apiKeys != nil && PresentedKey.inHeaders(request.headers) == nil
            if formKeyNeeded && !(request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") ?? false) {
                throw APIError.missingAPIKey
            }
            var fields = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            let body = try await readBody(request)
            var upload = try RequestBody(body, contentType: request.headers[.contentType], requireImageField: deepStack)
            // The key is not an option: take it out of the form (a key in the query is not accepted:
            // URLs end up in logs).
            let formKeys = upload.fields.filter { $0.name == PresentedKey.formField }.map(\.value)
            upload.fields.removeAll { $0.name == PresentedKey.formField }
            if formKeyNeeded, let keys = configuration.apiKeys {
                guard let key = formKeys.last else { throw APIError.missingAPIKey }
                guard formKeys.count == 1, keys.accepts(key) else { throw APIError.wrongAPIKey }
            }
            fields += upload.fields
            if deepStack {
                let (detector, options) = try Self.deepStackOptions(fields, models: models)
                let outcome = try await detect(upload.image, detector: detector, options: options, answer: Self.deepStackAnswer)
                return Self.json(.ok, outcome.answer)
            }
            let (detector, options) = try DetectionParameters(fields).resolve(in: models)
            let outcome = try await detect(upload.image, detector: detector, options: options) { DetectionJSON.result($0, detector: detector) }
            return Self.json(.ok, outcome.answer)
        } catch {
            return Self.refusal(Self.apiError(for: error, retryAfter: configuration.retryAfterSeconds), deepStackShape: deepStack)
        }
    }

    /// The whole body, refused past `maxBodyBytes` (from Content-Length when the client sends
    /// one, before reading anything).
    private func readBody(_ request: Request) async throws -> ByteBuffer {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError(.contentTooLarge, code: "body_too_large", "the body is \(length) bytes, more than the limit of \(limit)")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", "the body is more than the limit of \(limit) bytes")
        }
    }

    /// Decodes, detects and writes the answer (`answer`) on a pool thread: none of it runs where
    /// the server's network tasks do.
    private func detect(
        _ image: [UInt8], detector: Detector, options: DetectionOptions, answer: @escaping @Sendable (DetectionResult) -> String
    ) async throws -> Outcome {
        guard !image.isEmpty else { throw APIError(.badRequest, code: "no_image", "the image is empty") }
        let decodingOptions = ImageDecodingOptions(maxPixels: configuration.maxPixels)
        let submitted = ContinuousClock.now
        let outcome = try await pool.run { sessions in
            let started = ContinuousClock.now
            let decoded: DecodedImage
            do {
                decoded = try ImageDecoder.decode(image, source: "the image", options: decodingOptions)
            } catch {
                throw APIError(.badRequest, code: "not_an_image", error.localizedDescription)
            }
            let decodeTime = ContinuousClock.now - started
            let result = try sessions.session(for: detector).detect(decoded.image, options: options)
            return Outcome(result: result, answer: answer(result), decode: decodeTime, queued: started - submitted)
        }
        metrics.stage("queue", outcome.queued)
        metrics.stage("decode", outcome.decode)
        metrics.stage("preprocess", outcome.result.timing.preprocess)
        metrics.stage("inference", outcome.result.timing.inference)
        metrics.stage("postprocess", outcome.result.timing.postprocess)
        return outcome
    }

    // MARK: DeepStack

    /// DeepStack's options: `min_confidence` (default 0.45, as DeepStack's), the default model.
    /// Other form fields DeepStack clients send are ignored, as DeepStack ignores them.
    static func deepStackOptions(_ fields: [(name: String, value: String)], models: ServedModels) throws(APIError) -> (Detector, DetectionOptions) {
        var confidence = 0.45
        if let value = fields.last(where: { $0.name == "min_confidence" })?.value {
            guard let number = Double(value), number.isFinite, (0...1).contains(number) else {
                throw APIError(.badRequest, code: "bad_parameter", "Invalid value for min_confidence")
            }
            confidence = number
        }
        return (models.defaultDetector, DetectionOptions(scoreThreshold: Float(confidence)))
    }

    /// `{"success": true, "predictions": [{"label", "confidence", "x_min", "y_min", "x_max", "y_max"}]}`,
    /// coordinates in whole pixels as DeepStack gives them.
    static func deepStackAnswer(_ result: DetectionResult) -> String {
        let predictions = result.detections.map { d in
            JSONText.object([
                ("label", JSONText.string(d.label)), ("confidence", JSONText.number(d.score)),
                ("x_min", "\(Int(d.box.x1.rounded()))"), ("y_min", "\(Int(d.box.y1.rounded()))"),
                ("x_max", "\(Int(d.box.x2.rounded()))"), ("y_max", "\(Int(d.box.y2.rounded()))"),
            ])
        }
        return JSONText.object([("success", "true"), ("predictions", JSONText.array(predictions))])
    }

    // MARK: Other routes

    /// `GET /v1/models`: every model served, the default first, with its classes.
    func modelList() -> Response {
        let entries = models.detectors.enumerated().map { index, detector in
            JSONText.object([
                ("name", JSONText.string(detector.config.name)), ("default", index == 0 ? "true" : "false"),
                ("backbone", JSONText.string(detector.config.backbone.name.rawValue)),
                ("precision", JSONText.string(detector.precision.rawValue)),
                ("input", JSONText.object([("width", "\(detector.config.input.width)"), ("height", "\(detector.config.input.height)")])),
                ("classes", JSONText.array(Array(Set(detector.config.classNames)).sorted().map(JSONText.string))),
            ])
        }
        return Self.json(.ok, JSONText.object([("models", JSONText.array(entries))]))
    }

    // MARK: Answers

    /// A refusal in the shape of the route it answers: DeepStack's on DeepStack's route, ours
    /// elsewhere; with `Retry-After` when there is one, and the auth scheme on a 401 (RFC 6750).
    static func refusal(_ error: APIError, path: String) -> Response {
        refusal(error, deepStackShape: path == deepStackPath)
    }

    static func refusal(_ error: APIError, deepStackShape: Bool) -> Response {
        var response = json(error.status, deepStackShape ? error.deepStackJSON : error.json)
        if let seconds = error.retryAfter { response.headers[.retryAfter] = "\(seconds)" }
        if error.status == .unauthorized { response.headers[.wwwAuthenticate] = #"Bearer realm="LiteDetect""# }
        return response
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Every failure as the client sees it: our refusals as they are, the pool's as 429/503,
    /// anything else as a 500 whose message names no file and no stack.
    static func apiError(for error: any Error, retryAfter: Int) -> APIError {
        switch error {
        case let error as APIError: return error
        case DetectionPool.Refusal.queueFull(let limit):
            return APIError(
                .tooManyRequests, code: "queue_full", "all workers are busy and \(limit) requests are waiting; retry later", retryAfter: retryAfter)
        case DetectionPool.Refusal.shuttingDown:
            return APIError(.serviceUnavailable, code: "shutting_down", "the server is shutting down", retryAfter: retryAfter)
        default:
            return APIError(.internalServerError, code: "internal", "detection failed: \(error.localizedDescription)")
        }
    }
}

/// The server could not start (the address is taken, or not this machine's).
package struct ServerStartFailure: Error, CustomStringConvertible {
    package let description: String
}

/// Stops the detection pool when the service group shuts down (after the HTTP server has).
struct PoolService: Service {
    package let pool: DetectionPool

    func run() async throws {
        try? await gracefulShutdown()
        pool.shutdown()
    }
}

/// Counts and times every request by route and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        // Only the server's own route paths become labels (Hummingbird names a 404 "NotFound"):
        // a path a client made up must never add a time series.
        func route() -> String { context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched" }
        do {
            let response = try await next(request, context)
            metrics.requestFinished(route: route(), status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.requestFinished(route: route(), status: status, duration: ContinuousClock.now - start)
            throw error
        }
    }
}
