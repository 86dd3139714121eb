import Prometheus

/// The server's Prometheus metrics, in a registry of its own (no process-wide bootstrap, so that
/// several servers — the tests' — can live in one process). Served as text at `GET /metrics`.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let stageBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
        .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
    ]

    /// A request answered: counted by route and status, its whole time in a histogram by route.
    func requestFinished(route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "litedetect_http_requests", unitName: "total", helpText: "HTTP requests answered, by route and status"),
            labels: [("route", route), ("status", "\(status)")]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "litedetect_http_request_duration", unitName: "seconds", helpText: "Time from request to response, by route"),
            labels: [("route", route)], buckets: stageBuckets
        ).record(duration)
    }

    /// Time a detection spent in one stage: `queue` (waiting for a worker), `decode`,
    /// `preprocess`, `inference`, `postprocess`.
    func stage(_ name: String, _ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "litedetect_stage_duration", unitName: "seconds", helpText: "Time per detection stage"),
            labels: [("stage", name)], buckets: stageBuckets
        ).record(duration)
    }

    /// Jobs waiting for a worker, and jobs running.
    func pool(queued: Int, running: Int) {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "litedetect_queue_depth", unitName: "", helpText: "Detection requests waiting for a worker"))
            .set(to: Double(queued))
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "litedetect_in_flight", unitName: "", helpText: "Detection requests running on a worker"))
            .set(to: Double(running))
    }

    func exposition() -> String { registry.emitToString() }
}
