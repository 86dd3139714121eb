import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectServer
import LiteDetectSupport
import Logging
import Synchronization

/// `detect serve`: the detection server (a thin shell over `LiteDetectServer`).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve detection over HTTP: our API, the DeepStack/CodeProject.AI route, health checks and Prometheus metrics.",
        discussion: """
            Routes: POST /v1/detect (an image as the body or the multipart field "image"; query: model, score_threshold, iou_threshold, max_detections, classes), GET /v1/models, POST /v1/vision/detection (DeepStack: multipart "image", "min_confidence"), GET /health/live, GET /health/ready, GET /metrics, GET /openapi.json.
              detect serve                                     the default model on http://127.0.0.1:8080
              detect serve --host 0.0.0.0 --workers 2 --model ssdlite320-mobilenetv2-coco --model ssd300-mobilenetv2-coco
              curl -F image=@photo.jpg http://127.0.0.1:8080/v1/vision/detection

            Models load before the server listens. When every worker is busy and --queue requests wait, new ones get 429 with Retry-After. SIGTERM or SIGINT stops accepting connections and lets requests in flight finish.

            Access: with --api-key-file (one key per line) or the environment variable LITEDETECT_API_KEY, every route but /health/live and /health/ready needs a key, sent as "Authorization: Bearer KEY", "X-API-Key: KEY" or the form field api_key (DeepStack's clients); without one the answer is 401. Keys are never taken on the command line, where ps shows them. --tls-cert and --tls-key serve HTTPS (HTTP/1.1 and HTTP/2). --rate-limit 10/s answers 429 to a client address past that rate.
              LITEDETECT_API_KEY=$(cat key.txt) detect serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem --rate-limit 20/s
            """
    )

    @Option(help: ArgumentHelp("Address to listen on (default: this machine only).", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("TCP port (0: any free port, printed at start).", valueName: "port"))
    var port = 8080

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp(
            "A bundled model name or a config path; repeat to serve several (the first is the default).", valueName: "name|path"))
    var models: [String] = []

    @Option(help: ArgumentHelp("Threads running detection, each with its own buffers.", valueName: "n"))
    var workers = 1

    @Option(help: ArgumentHelp("Requests that may wait for a worker; more get 429.", valueName: "n"))
    var queue = 16

    @Option(help: ArgumentHelp("Largest request body, in MiB (413 beyond it).", valueName: "mib"))
    var maxBodyMb = 16

    @Option(help: ArgumentHelp("Largest image, in pixels (400 beyond it, checked before decoding).", valueName: "pixels"))
    var maxPixels = 40_000_000

    @Option(help: ArgumentHelp("Number format of the convolutions: f32, or bf16 on CPUs with AVX512_BF16.", valueName: "f32|bf16"))
    var precision: KernelPrecision = .float32

    @Option(
        help: ArgumentHelp(
            "A file of API keys, one per line: every route but the health checks then needs one (also: LITEDETECT_API_KEY).", valueName: "path"))
    var apiKeyFile: String?

    @Flag(help: "With API keys, leave /metrics open (for a Prometheus that sends no key).")
    var metricsPublic = false

    @Option(help: ArgumentHelp("PEM certificate chain to serve HTTPS with (with --tls-key).", valueName: "path"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert (unencrypted).", valueName: "path"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Requests per client address, as N/s or N/min; past it, 429 (health checks not counted).", valueName: "rate"))
    var rateLimit: String?

    func validate() throws {
        try OptionBounds.check(port, in: 0...65_535, flag: "--port")
        try OptionBounds.check(workers, in: OptionBounds.threads, flag: "--workers")
        try OptionBounds.check(queue, in: 0...100_000, flag: "--queue")
        try OptionBounds.check(maxBodyMb, in: 1...4096, flag: "--max-body-mb")
        try OptionBounds.check(maxPixels, in: OptionBounds.pixels, flag: "--max-pixels")
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if let rateLimit, RateLimit(rateLimit) == nil {
            throw ValidationError("--rate-limit must be N/s or N/min with N a positive number, got \"\(rateLimit)\"")
        }
        if metricsPublic && apiKeyFile == nil && Self.environmentKey == nil {
            throw ValidationError("--metrics-public only means something with API keys (--api-key-file or LITEDETECT_API_KEY)")
        }
    }

    /// LITEDETECT_API_KEY, when set and not blank.
    static var environmentKey: String? {
        guard let value = ProcessInfo.processInfo.environment["LITEDETECT_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines),
            !value.isEmpty
        else { return nil }
        return value
    }

    /// The keys from --api-key-file and LITEDETECT_API_KEY (both, when both are given), or nil.
    func loadAPIKeys() throws -> APIKeys? {
        var keys: [String] = []
        if let apiKeyFile {
            let bytes: [UInt8]
            do {
                bytes = try RegularFile.contents(of: apiKeyFile, maxBytes: 1 << 20)
            } catch {
                throw CommandFailure("cannot read the API key file \(apiKeyFile): \(error.reason)")
            }
            do {
                keys += try APIKeys.parse(fileContents: bytes)
            } catch {
                throw CommandFailure("API key file \(apiKeyFile): \(error)")
            }
            var status = stat()
            // Group-readable is how Kubernetes hands a Secret to a non-root user (fsGroup); readable
            // by everyone is a mistake.
            if stat(apiKeyFile, &status) == 0, status.st_mode & 0o004 != 0 {
                Terminal.standardError("detect: warning: \(apiKeyFile) can be read by every user on this machine; chmod 600 it")
            }
        }
        if let key = Self.environmentKey {
            if let problem = APIKeys.problem(with: key) { throw CommandFailure("LITEDETECT_API_KEY \(problem)") }
            keys.append(key)
        }
        guard !keys.isEmpty else { return nil }
        do {
            return try APIKeys(keys)
        } catch {
            throw CommandFailure("\(error)")  // not reached: every key was checked above
        }
    }

    // Synchronous, like every other subcommand: an async root command would run all of them on
    // Swift concurrency's threads, which block signals (a SIGXFSZ would then not stop an image
    // write). The server's own async work runs in a task while this thread waits.
    func run() throws {
        let detectors: [Detector]
        let apiKeys: APIKeys?
        do {
            apiKeys = try loadAPIKeys()
            let names = models.isEmpty ? [ModelCatalog.defaultModelName] : models
            detectors = try names.map { name in
                try ModelOptions.parse(["--model", name, "--precision", precision.rawValue]).loadDetector()
            }
            if let duplicate = Dictionary(grouping: detectors, by: \.config.name).first(where: { $0.value.count > 1 })?.key {
                throw CommandFailure("model \(duplicate) is named twice")
            }
            if let random = detectors.first(where: \.isRandomlyInitialised) {
                throw CommandFailure("model \(random.config.name) has no trained weights; a server answers only with trained models")
            }
        } catch let error as CommandFailure {
            Terminal.standardError("detect: \(error)")
            throw ExitCode(1)
        } catch {
            Terminal.standardError("detect: \(error.localizedDescription)")
            throw ExitCode(1)
        }
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.workers = workers
        configuration.queueLimit = queue
        configuration.maxBodyBytes = maxBodyMb << 20
        configuration.maxPixels = maxPixels
        configuration.apiKeys = apiKeys
        configuration.metricsPublic = metricsPublic
        configuration.rateLimit = rateLimit.flatMap(RateLimit.init)
        if let tlsCert, let tlsKey { configuration.tls = ServerTLS(certificateChainPath: tlsCert, privateKeyPath: tlsKey) }
        if apiKeys == nil && !configuration.bindsLoopbackOnly {
            Terminal.standardError(
                "detect: warning: listening on \(host) without an API key: anyone who reaches this port can use the server (--api-key-file or LITEDETECT_API_KEY)"
            )
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        let access = apiKeys == nil ? "" : ", API key required"
        let server = DetectionServer(models: ServedModels(detectors), configuration: configuration)
        var logger = Logger(label: "detect-serve")
        logger.logLevel = .warning
        let host = self.host, names = detectors.map(\.config.name)
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Task {
            do {
                try await server.run(logger: logger) { port in
                    Terminal.standardError(
                        "detect: serving \(names.joined(separator: ", ")) on \(scheme)://\(host):\(port)\(access) (SIGTERM or Ctrl-C to stop)")
                }
            } catch {
                failure.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.withLock({ $0 }) {
            Terminal.standardError("detect: \(error)")
            throw ExitCode(1)
        }
    }
}
