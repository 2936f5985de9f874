import Observability
import QueryServer

/// The daemon's two HTTP servers: the query API on `API_HOST:API_PORT`, and `GET /metrics` on
/// `API_HOST:METRICS_PORT` when `METRICS_ENABLED`.
public final class HTTPEndpoints: Sendable {
    /// The query API server.
    public let api: HTTPServer
    /// The metrics server, when metrics are enabled.
    public let metrics: HTTPServer?

    private init(api: HTTPServer, metrics: HTTPServer?) {
        self.api = api
        self.metrics = metrics
    }

    /// Starts the API and, if enabled, the metrics endpoint.
    ///
    /// - Parameters:
    ///   - configuration: Addresses, ports and CORS origins.
    ///   - service: Answers the queries.
    ///   - metrics: Counted by the API and rendered by the metrics endpoint.
    ///   - logger: Receives the listening lines and per-request debug lines.
    /// - Throws: `HTTPServerError` when either server cannot listen; nothing is left running then.
    public static func start(
        _ configuration: Configuration, service: any EventQueryService, metrics: CandystoreMetrics,
        logger: Logger
    ) throws(HTTPServerError) -> HTTPEndpoints {
        var apiOptions = HTTPServerOptions(host: configuration.apiHost, port: configuration.apiPort)
        apiOptions.name = "api"
        // Queries yield to ingest when both want the processors: ingest's latency is the promise.
        apiOptions.workerNiceness = 5
        let handler = EventsAPI(
            service: service, version: CandystoreVersion.current,
            cors: CORSPolicy(allowedOrigins: configuration.corsOrigins), metrics: metrics,
            logger: logger.labeled("api"))
        let api = try HTTPServer.start(apiOptions, handler: handler, logger: logger.labeled("api"))
        guard configuration.metricsEnabled else { return HTTPEndpoints(api: api, metrics: nil) }

        var metricsOptions = HTTPServerOptions(host: configuration.apiHost, port: configuration.metricsPort)
        metricsOptions.name = "metrics"
        // Scrapes are rare and cheap; one thread keeps them off the API's workers.
        metricsOptions.threadCount = 1
        metricsOptions.connectionLimit = 64
        do {
            let scrape = try HTTPServer.start(
                metricsOptions, handler: MetricsEndpoint(metrics: metrics), logger: logger.labeled("metrics"))
            return HTTPEndpoints(api: api, metrics: scrape)
        } catch {
            api.stop()
            throw error
        }
    }

    /// Stops both servers, finishing the requests in hand.
    public func stop() {
        api.stop()
        metrics?.stop()
    }
}
