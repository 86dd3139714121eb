import Hummingbird
import NIOCore
import Synchronization

/// How many requests a client address may make: `rate` a second on average, `burst` at once.
package struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    package var requestsPerSecond: Double
    package var burst: Int

    package init(requestsPerSecond: Double, burst: Int? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst ?? max(1, Int(requestsPerSecond.rounded(.up)))
    }

    /// `--rate-limit`'s syntax: `N/s` or `N/min` (N > 0, a decimal number).
    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Double(parts[0]), count.isFinite, count > 0, count <= 1_000_000 else { return nil }
        switch parts[1] {
        case "s": self.init(requestsPerSecond: count)
        case "min": self.init(requestsPerSecond: count / 60)
        default: return nil
        }
    }

    package var description: String {
        let rate = requestsPerSecond == requestsPerSecond.rounded() ? "\(Int(requestsPerSecond))" : "\(requestsPerSecond)"
        return "\(rate) requests/s"
    }
}

/// A token bucket per client: an IPv4 address, or an IPv6 address's /64 (one host usually holds
/// a whole /64, so counting single IPv6 addresses would let it pass as many clients).
///
/// The table is bounded: when it reaches `maxClients`, buckets that have refilled (clients idle
/// for a while) are dropped; if every bucket is still in use the newcomer is refused, so a flood
/// of addresses costs refusals, never unbounded memory.
package final class RateLimiter: Sendable {
    struct Client: Hashable {
        var high: UInt64
        var low: UInt64
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let limit: RateLimit
    let maxClients: Int
    private struct State {
        var buckets: [Client: Bucket] = [:]
        /// When a full table was last swept: at most one sweep a second, so a flood of new
        /// addresses cannot make every request pay for one.
        var lastSweep: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    package init(_ limit: RateLimit, maxClients: Int = 65_536) {
        self.limit = limit
        self.maxClients = maxClients
    }

    /// Takes a token for `address`: nil when the request may go on, else how long until it could.
    package func admit(_ address: SocketAddress?, now: ContinuousClock.Instant = .now) -> Duration? {
        let client = Self.client(address)
        let rate = limit.requestsPerSecond, burst = Double(limit.burst)
        return state.withLock { state -> Duration? in
            if state.buckets[client] == nil && state.buckets.count >= maxClients {
                if let last = state.lastSweep, now - last < .seconds(1) { return .seconds(1) }
                state.lastSweep = now
                state.buckets = state.buckets.filter { _, bucket in bucket.tokens + rate * ((now - bucket.updated) / .seconds(1)) < burst }
                if state.buckets.count >= maxClients { return .seconds(1) }
            }
            var bucket = state.buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + rate * ((now - bucket.updated) / .seconds(1)))
            bucket.updated = now
            defer { state.buckets[client] = bucket }
            guard bucket.tokens >= 1 else { return .seconds((1 - bucket.tokens) / rate) }
            bucket.tokens -= 1
            return nil
        }
    }

    static func client(_ address: SocketAddress?) -> Client {
        switch address {
        case .v4(let v4):
            return Client(high: 4, low: UInt64(UInt32(bigEndian: v4.address.sin_addr.s_addr)))
        case .v6(let v6):
            // The first 64 bits, in network order.
            let high = withUnsafeBytes(of: v6.address.sin6_addr) { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self) }
            return Client(high: 6, low: UInt64(bigEndian: high))
        default:
            return Client(high: 0, low: 0)  // Unix sockets: one local client
        }
    }
}

/// Answers 429 with `Retry-After` to a client past its rate, before its request is read further.
/// The health checks are not counted: an orchestrator's probes must never be refused.
struct RateLimitMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let openPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if openPaths.contains(path) { return try await next(request, context) }
        if let wait = limiter.admit(context.remoteAddress) {
            let seconds = max(1, Int((wait / .seconds(1)).rounded(.up)))
            let refusal = APIError(
                .tooManyRequests, code: "rate_limited", "more than \(limiter.limit) from this address; retry later", retryAfter: seconds)
            return DetectionServer.refusal(refusal, path: path)
        }
        return try await next(request, context)
    }
}
