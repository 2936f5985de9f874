import Observability

/// Serves `GET /metrics` in the Prometheus text format, for the metrics port.
public final class MetricsEndpoint: HTTPHandler {
    private let metrics: CandystoreMetrics

    /// Creates the endpoint.
    ///
    /// - Parameter metrics: The metrics to render; scrapes are counted among them too.
    public init(metrics: CandystoreMetrics) {
        self.metrics = metrics
    }

    /// Answers `/metrics`; 404 elsewhere, 405 for methods other than `GET` and `HEAD`.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = MonotonicClock.now()
        let isMetricsPath = request.path == "/metrics" || request.path == "/metrics/"
        let response: HTTPResponse
        if !isMetricsPath {
            response = APIError.notFound().response
        } else if request.method != "GET" && request.method != "HEAD" {
            response = APIError.methodNotAllowed(allow: "GET, HEAD").response
        } else {
            response = .text(status: 200, metrics.exposition(), contentType: MetricsRegistry.contentType)
        }
        metrics.recordAPIRequest(
            method: request.method, endpoint: isMetricsPath ? .metrics : .other, status: response.status,
            seconds: MonotonicClock.secondsSince(started))
        return response
    }
}
