import LiteDetect

/// What `detect serve` was asked for: where to listen, which detectors, how much work to take.
package struct ServerConfiguration: Sendable {
    /// Address to bind: 127.0.0.1 unless told otherwise (reachable from this machine only).
    package var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (reported once listening).
    package var port: Int = 8080
    /// Threads running detection, each with its own sessions.
    package var workers: Int = 1
    /// Requests that may wait for a worker before new ones get 429.
    package var queueLimit: Int = 16
    /// Largest request body accepted (413 beyond it).
    package var maxBodyBytes: Int = 16 << 20
    /// Largest decoded image accepted, in pixels (400 beyond it, refused before decoding).
    package var maxPixels: Int = 40_000_000
    /// A connection idle this long — no request, or a request that stopped arriving — is closed.
    package var idleTimeout: Duration = .seconds(30)
    /// How long a graceful shutdown (SIGTERM) waits for requests in flight.
    package var shutdownGracePeriod: Duration = .seconds(30)
    /// Seconds a client is told to wait after a 429 (`Retry-After`).
    package var retryAfterSeconds: Int = 1
    /// When set, every route but the health checks requires one of these keys (401 otherwise).
    package var apiKeys: APIKeys? = nil
    /// Whether `/metrics` stays open when `apiKeys` is set (for a Prometheus without the key).
    package var metricsPublic = false
    /// When set, HTTPS (HTTP/1.1 and HTTP/2, chosen by ALPN) instead of plain HTTP.
    package var tls: ServerTLS? = nil
    /// When set, requests per client address past this rate get 429 (health checks excepted).
    package var rateLimit: RateLimit? = nil

    /// Whether `host` reaches this machine only: 127.0.0.0/8, ::1 or "localhost".
    package var bindsLoopbackOnly: Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    package init() {}
}
