/// Every setting Candystore reads, by the name it has in the environment and in `.env`.
///
/// The names of the service Candystore replaces are kept (`RABBIT_URL`, `API_PORT`, …);
/// `DATA_DIR` takes the place of its `DATABASE_URL`.
public enum SettingKey: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The broker to consume from.
    case rabbitURL = "RABBIT_URL"
    /// The address the query API binds.
    case apiHost = "API_HOST"
    /// The port of the query API.
    case apiPort = "API_PORT"
    /// The least severe log level written.
    case logLevel = "LOG_LEVEL"
    /// `json` or `console`.
    case logFormat = "LOG_FORMAT"
    /// Whether the metrics endpoint runs.
    case metricsEnabled = "METRICS_ENABLED"
    /// The port of the metrics endpoint.
    case metricsPort = "METRICS_PORT"
    /// Unacknowledged deliveries the broker may send ahead.
    case prefetchCount = "PREFETCH_COUNT"
    /// The most events committed in one batch.
    case batchSize = "BATCH_SIZE"
    /// Where the segment files live.
    case dataDirectory = "DATA_DIR"
    /// The topic exchange to bind to.
    case exchangeName = "EXCHANGE_NAME"
    /// The durable queue Candystore consumes from.
    case queueName = "QUEUE_NAME"
    /// Bodies larger than this are quarantined instead of stored as events.
    case maxEventBytes = "MAX_EVENT_BYTES"
    /// Browser origins allowed to read the API.
    case corsOrigins = "CORS_ORIGINS"
    /// The size at which a segment file is sealed and a new one started.
    case segmentBytes = "SEGMENT_BYTES"

    /// The setting's name, as in the environment.
    public var description: String { rawValue }

    /// The value used when nothing sets it, as text.
    public var defaultValue: String {
        switch self {
        case .rabbitURL: "amqp://guest:guest@localhost:5672/"
        case .apiHost: "0.0.0.0"
        case .apiPort: "8683"
        case .logLevel: "INFO"
        case .logFormat: "json"
        case .metricsEnabled: "true"
        case .metricsPort: "9090"
        case .prefetchCount: "100"
        case .batchSize: "50"
        case .dataDirectory: "./candystore-data"
        case .exchangeName: "bloodbank.events.v1"
        case .queueName: "candystore.storage"
        case .maxEventBytes: "1048576"
        case .corsOrigins: "*"
        case .segmentBytes: "268435456"
        }
    }

    /// One line saying what the setting does, for help text.
    public var summary: String {
        switch self {
        case .rabbitURL: "Broker URL, amqp://user:password@host:port/vhost"
        case .apiHost: "Address the query API binds"
        case .apiPort: "Port of the query API"
        case .logLevel: "DEBUG, INFO, WARNING or ERROR"
        case .logFormat: "json (one object per line) or console"
        case .metricsEnabled: "Serve Prometheus metrics: true or false"
        case .metricsPort: "Port of GET /metrics"
        case .prefetchCount: "Deliveries the broker may send ahead of acknowledgements (1-65535)"
        case .batchSize: "Most events committed by one fsync (1-100000)"
        case .dataDirectory: "Directory of the segment files"
        case .exchangeName: "Topic exchange to bind to"
        case .queueName: "Durable queue to consume from"
        case .maxEventBytes: "Larger bodies are quarantined, not stored as events (1KiB-128MiB)"
        case .corsOrigins: "Comma-separated browser origins allowed to read the API, or *"
        case .segmentBytes: "Segment size before a new file starts (1MiB-4GiB)"
        }
    }

    /// The name of the replaced service's database setting, which `DATA_DIR` supersedes.
    public static let retiredDatabaseURL = "DATABASE_URL"
}
