import Daemon
import Foundation
import IndexBuilder
import Observability
import QueryServer
import SegmentStore
import Testing

@Suite struct HTTPEndpointsTests {
    /// An engine stand-in with no events, healthy.
    struct EmptyService: EventQueryService {
        func query(_ query: EventQuery) throws(EventQueryError) -> EventPage {
            EventPage(events: [], total: 0, hasMore: false, nextCursor: nil)
        }
        func event(id: String) throws(EventQueryError) -> StoredEvent? { nil }
        func health() -> HealthReport { HealthReport(status: .healthy, consumerConnected: true) }
    }

    private func configuration(_ environment: [String: String]) throws -> Configuration {
        var values = ["API_HOST": "127.0.0.1", "API_PORT": "0", "METRICS_PORT": "0"]
        values.merge(environment) { $1 }
        return try Configuration.load(environment: values, dotEnvPath: nil)
    }

    @Test func startsTheAPIAndTheMetricsEndpoint() throws {
        let metrics = CandystoreMetrics()
        let endpoints = try HTTPEndpoints.start(
            configuration(["CORS_ORIGINS": "http://ui.local"]), service: EmptyService(), metrics: metrics,
            logger: .disabled)
        defer { endpoints.stop() }
        let scrape = try #require(endpoints.metrics)
        #expect(endpoints.api.port != scrape.port)

        let health = try SocketFetch.get("/health", port: endpoints.api.port, origin: "http://ui.local")
        #expect(health.head.hasPrefix("HTTP/1.1 200"))
        #expect(health.head.contains("Access-Control-Allow-Origin: http://ui.local"))
        #expect(health.body.contains("\"version\":\"\(CandystoreVersion.current)\""))

        let text = try SocketFetch.get("/metrics", port: scrape.port).body
        #expect(text.contains(#"candystore_api_requests_total{method="GET",endpoint="/health",status="200"} 1"#))
    }

    @Test func metricsCanBeTurnedOff() throws {
        let endpoints = try HTTPEndpoints.start(
            configuration(["METRICS_ENABLED": "false"]), service: EmptyService(), metrics: CandystoreMetrics(),
            logger: .disabled)
        defer { endpoints.stop() }
        #expect(endpoints.metrics == nil)
    }

    @Test func aBusyMetricsPortLeavesNothingRunning() throws {
        let blocker = try HTTPEndpoints.start(
            configuration([:]), service: EmptyService(), metrics: CandystoreMetrics(), logger: .disabled)
        defer { blocker.stop() }
        let busy = try #require(blocker.metrics?.port)
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPEndpoints.start(
                configuration(["METRICS_PORT": String(busy)]), service: EmptyService(), metrics: CandystoreMetrics(),
                logger: .disabled)
        }
    }
}

/// One blocking `GET` over a POSIX socket, enough to check that a server answers.
enum SocketFetch {
    struct Failure: Error {}

    static func get(_ path: String, port: UInt16, origin: String? = nil) throws -> (head: String, body: String) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure() }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure() }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let origin { request += "Origin: \(origin)\r\n" }
        request += "\r\n"
        _ = Array(request.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure() }
        return (String(text[..<split.lowerBound]), String(text[split.upperBound...]))
    }
}
