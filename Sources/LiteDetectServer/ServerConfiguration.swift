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

    package init() {}
}
