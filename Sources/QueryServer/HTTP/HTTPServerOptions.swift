import Foundation

/// How an ``HTTPServer`` listens and how much it lets clients take.
///
/// The defaults keep slow or numerous clients from stalling the process: a fixed thread pool sized
/// to the machine, a cap on open connections, an idle timeout, and a per-connection memory budget
/// that bounds the request line and headers.
public struct HTTPServerOptions: Sendable, Hashable {
    /// The address to bind: an IPv4 or IPv6 literal or a host name; `0.0.0.0` for every IPv4
    /// interface, `::` for every interface.
    public var host: String
    /// The TCP port; 0 picks a free one, reported by ``HTTPServer/port``.
    public var port: UInt16
    /// Worker threads that parse requests and run the handler.
    public var threadCount: Int = HTTPServerOptions.defaultThreadCount
    /// Connections open at once; further clients wait in the listen backlog.
    public var connectionLimit: Int = 1_024
    /// Seconds a connection may sit idle before it is closed.
    public var connectionTimeoutSeconds: Int = 30
    /// Bytes of buffer per connection; a request line or header block that does not fit is
    /// answered with 414 or 431.
    public var connectionMemoryLimit: Int = 64 * 1_024
    /// Pending connections the kernel queues before refusing more.
    public var listenBacklog: Int = 512
    /// A short name for log lines, for example `api` or `metrics`.
    public var name: String = "http"
    /// The nice value the worker threads take when they first handle a request (0 leaves them as
    /// they are): above 0, they yield the processors to the process's other threads whenever
    /// both want them, so that a burst of queries slows queries, not ingest.
    public var workerNiceness: Int32 = 0

    /// One worker per processor, and at least two, so that one slow request never blocks the rest.
    public static var defaultThreadCount: Int {
        max(2, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Options with the defaults for everything but the address.
    ///
    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The TCP port; 0 picks a free one.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }
}
