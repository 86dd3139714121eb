import Metrics
import Prometheus

/// The server's metrics, recorded through swift-metrics' API (`Counter`, `Timer`, `Gauge`) into a
/// swift-prometheus registry of the server's own, served as Prometheus text at `GET /metrics`.
///
/// The factory is handed to each metric rather than bootstrapped process-wide
/// (`MetricsSystem.bootstrap` may run once per process), so several servers — the tests' — each
/// count their own requests.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let stages: [String: Metrics.Timer]
    private let queueDepth: Metrics.Gauge
    private let inFlight: Metrics.Gauge

    /// Detection stages, from a millisecond (a small PNG's decode) to seconds (a queue at its limit).
    static let stageNames = ["queue", "decode", "preprocess", "inference", "postprocess"]

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
            .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        self.factory = factory
        stages = Dictionary(
            uniqueKeysWithValues: Self.stageNames.map { name in
                (name, Metrics.Timer(label: "litedetect_stage_duration_seconds", dimensions: [("stage", name)], factory: factory))
            })
        queueDepth = Metrics.Gauge(label: "litedetect_queue_depth", factory: factory)
        inFlight = Metrics.Gauge(label: "litedetect_in_flight", factory: factory)
    }

    /// A request answered: counted by route and status, its whole time in a histogram by route.
    /// `route` is one of the server's own paths or "unmatched", never a path a client made up.
    func requestFinished(route: String, status: Int, duration: Duration) {
        Metrics.Counter(label: "litedetect_http_requests_total", dimensions: [("route", route), ("status", "\(status)")], factory: factory)
            .increment()
        Metrics.Timer(label: "litedetect_http_request_duration_seconds", dimensions: [("route", route)], factory: factory).record(duration: duration)
    }

    /// Time a detection spent in one of `stageNames`.
    func stage(_ name: String, _ duration: Duration) {
        stages[name]?.record(duration: duration)
    }

    /// Jobs waiting for a worker, and jobs running.
    func pool(queued: Int, running: Int) {
        queueDepth.record(queued)
        inFlight.record(running)
    }

    func exposition() -> String { registry.emitToString() }
}
