import Hummingbird
import NIOCore

/// Hummingbird's basic request context plus the client's address, which the rate limit counts by.
struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        // On an HTTP/2 stream the stream channel has no address of its own: ask its connection's.
        remoteAddress = source.channel.remoteAddress ?? source.channel.parent?.remoteAddress
    }
}
