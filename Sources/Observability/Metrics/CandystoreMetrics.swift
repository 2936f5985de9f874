/// Every metric Candystore exports, registered once at start-up and handed to the components that
/// update them.
///
/// The names and labels of the service Candystore replaces are kept as they were, so existing
/// dashboards and alerts keep working; the engine's own metrics follow the same naming.
public final class CandystoreMetrics: Sendable {
    /// The registry that renders all of them.
    public let registry: MetricsRegistry

    /// `candystore_events_received_total{event_type,source}`: messages taken from the broker.
    public let eventsReceived: CounterFamily
    /// `candystore_events_stored_total{event_type}`: events made durable.
    public let eventsStored: CounterFamily
    /// `candystore_events_failed_total{event_type,error_type}`: events that could not be stored.
    public let eventsFailed: CounterFamily
    /// `candystore_storage_latency_seconds`: time from receipt to durable.
    public let storageLatency: Histogram
    /// `candystore_storage_latency_milliseconds`: the latest receipt-to-durable time.
    public let storageLatencyMilliseconds: Gauge
    /// `candystore_consumer_connected`: 1 while the broker consumer is connected, else 0.
    public let consumerConnected: Gauge
    /// `candystore_consumer_reconnects_total`: attempts to reconnect to the broker.
    public let consumerReconnects: Counter
    /// `candystore_events_duplicate_total`: deliveries whose event id was already stored.
    public let duplicates: Counter
    /// `candystore_events_quarantined_total{reason}`: messages kept aside as not being events.
    public let quarantined: CounterFamily

    /// `candystore_api_requests_total{method,endpoint,status}`: HTTP requests answered.
    public let apiRequests: CounterFamily
    /// `candystore_api_request_duration_seconds{method,endpoint}`: time to answer a request.
    public let apiRequestDuration: HistogramFamily
    /// `candystore_query_results_total`: events returned by queries.
    public let queryResults: Counter

    /// `candystore_database_connections`: open stores (1 while the segment store is open).
    public let databaseConnections: Gauge
    /// `candystore_fsync_duration_seconds`: time per fsync of a batch.
    public let fsyncDuration: Histogram
    /// `candystore_write_batch_events`: events per committed batch.
    public let batchSize: Histogram
    /// `candystore_store_segments`: segment files on disk.
    public let segments: Gauge
    /// `candystore_store_bytes`: bytes of segment files on disk.
    public let bytesOnDisk: Gauge
    /// `candystore_store_last_sequence`: the last durable sequence number.
    public let lastDurableSequence: Gauge
    /// `candystore_recovery_truncations_total`: torn tails cut off during recovery.
    public let recoveryTruncations: Counter
    /// `candystore_recovery_truncated_bytes_total`: bytes cut off during recovery.
    public let recoveryTruncatedBytes: Counter
    /// `candystore_index_rebuild_duration_seconds`: how long the last index rebuild took.
    public let indexRebuildDuration: Gauge
    /// `candystore_index_ready`: 1 once the indexes serve queries, else 0.
    public let indexReady: Gauge

    /// Methods kept apart in the `method` label; any other method is counted as `other`.
    public static let knownMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]

    /// Registers every metric in `registry`.
    ///
    /// - Parameter registry: The registry to register in; it must not yet hold these names.
    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        let latency = HistogramBuckets.latencySeconds

        eventsReceived = registry.counterFamily(
            "candystore_events_received_total", help: "Events received from the broker.",
            labels: ["event_type", "source"])
        eventsStored = registry.counterFamily(
            "candystore_events_stored_total", help: "Events stored durably.", labels: ["event_type"])
        eventsFailed = registry.counterFamily(
            "candystore_events_failed_total", help: "Events that could not be stored.",
            labels: ["event_type", "error_type"])
        storageLatency = registry.histogram(
            "candystore_storage_latency_seconds", help: "Time from receipt of an event until it is durable.",
            buckets: latency)
        storageLatencyMilliseconds = registry.gauge(
            "candystore_storage_latency_milliseconds",
            help: "Receipt-to-durable time of the most recent batch, in milliseconds.")
        consumerConnected = registry.gauge(
            "candystore_consumer_connected", help: "Whether the broker consumer is connected (1) or not (0).")
        consumerReconnects = registry.counter(
            "candystore_consumer_reconnects_total", help: "Attempts to reconnect to the broker.")
        duplicates = registry.counter(
            "candystore_events_duplicate_total", help: "Deliveries whose event id was already stored.")
        quarantined = registry.counterFamily(
            "candystore_events_quarantined_total", help: "Messages kept in quarantine because they are not events.",
            labels: ["reason"], maxSeries: 32)

        apiRequests = registry.counterFamily(
            "candystore_api_requests_total", help: "HTTP API requests answered.",
            labels: ["method", "endpoint", "status"])
        apiRequestDuration = registry.histogramFamily(
            "candystore_api_request_duration_seconds", help: "Time to answer an HTTP API request.",
            labels: ["method", "endpoint"], buckets: latency)
        queryResults = registry.counter(
            "candystore_query_results_total", help: "Events returned by API queries.")

        databaseConnections = registry.gauge(
            "candystore_database_connections", help: "Open event stores (1 while the segment store is open).")
        fsyncDuration = registry.histogram(
            "candystore_fsync_duration_seconds", help: "Time to fsync one committed batch.", buckets: latency)
        batchSize = registry.histogram(
            "candystore_write_batch_events", help: "Events per committed batch.",
            buckets: HistogramBuckets.batchSizes)
        segments = registry.gauge("candystore_store_segments", help: "Segment files in the data directory.")
        bytesOnDisk = registry.gauge("candystore_store_bytes", help: "Bytes of segment files in the data directory.")
        lastDurableSequence = registry.gauge(
            "candystore_store_last_sequence", help: "Sequence number of the last durable event.")
        recoveryTruncations = registry.counter(
            "candystore_recovery_truncations_total", help: "Torn segment tails cut off during recovery.")
        recoveryTruncatedBytes = registry.counter(
            "candystore_recovery_truncated_bytes_total", help: "Bytes cut off torn segment tails during recovery.")
        indexRebuildDuration = registry.gauge(
            "candystore_index_rebuild_duration_seconds", help: "Duration of the last index rebuild at start-up.")
        indexReady = registry.gauge("candystore_index_ready", help: "Whether the indexes serve queries (1) or not (0).")
    }

    /// Counts one answered API request and observes its duration.
    ///
    /// - Parameters:
    ///   - method: The request method; methods outside ``knownMethods`` are counted as `other`.
    ///   - endpoint: The route that answered.
    ///   - status: The HTTP status sent.
    ///   - seconds: The time from receipt to response.
    public func recordAPIRequest(method: String, endpoint: APIEndpointLabel, status: Int, seconds: Double) {
        let methodLabel = Self.knownMethods.contains(method) ? method : "other"
        apiRequests.labels(methodLabel, endpoint.rawValue, String(status)).increment()
        apiRequestDuration.labels(methodLabel, endpoint.rawValue).observe(seconds)
    }

    /// The scrape text of every metric.
    public func exposition() -> String {
        registry.exposition()
    }
}
