import Ingest
import Observability

/// Every setting of the daemon, validated.
///
/// Values come from, in rising precedence: the defaults, a `.env` file in the working directory,
/// the environment, and command-line flags (see ``load(overrides:environment:dotEnvPath:)``).
public struct Configuration: Sendable, Hashable {
    /// `RABBIT_URL`: the broker to consume from.
    public var rabbitURL: AMQPURL
    /// `API_HOST`: the address the query API binds.
    public var apiHost: String
    /// `API_PORT`: the port of the query API; 0 picks a free one.
    public var apiPort: UInt16
    /// `LOG_LEVEL`: the least severe level written.
    public var logLevel: Logger.Level
    /// `LOG_FORMAT`: JSON lines or console text.
    public var logFormat: Logger.Format
    /// `METRICS_ENABLED`: whether `GET /metrics` is served.
    public var metricsEnabled: Bool
    /// `METRICS_PORT`: the port of the metrics endpoint; 0 picks a free one.
    public var metricsPort: UInt16
    /// `PREFETCH_COUNT`: unacknowledged deliveries the broker may send ahead.
    public var prefetchCount: Int
    /// `BATCH_SIZE`: the most events committed in one batch.
    public var batchSize: Int
    /// `DATA_DIR`: where the segment files live.
    public var dataDirectory: String
    /// `EXCHANGE_NAME`: the topic exchange to bind to.
    public var exchangeName: String
    /// `QUEUE_NAME`: the durable queue to consume from.
    public var queueName: String
    /// `MAX_EVENT_BYTES`: larger bodies are quarantined instead of stored as events.
    public var maxEventBytes: Int
    /// `CORS_ORIGINS`: browser origins allowed to read the API; `["*"]` for any.
    public var corsOrigins: [String]
    /// `SEGMENT_BYTES`: the size at which a segment is sealed.
    public var segmentBytes: Int

    /// Where each setting's value came from.
    public var sources: [SettingKey: SettingSource]
    /// Things the operator should know that do not stop start-up, such as a `DATABASE_URL` that
    /// is set but no longer used. Log each at warning.
    public var warnings: [String]

    /// The accepted range of `PREFETCH_COUNT` (the AMQP field is 16 bits).
    public static let prefetchRange = 1...65_535
    /// The accepted range of `BATCH_SIZE`.
    public static let batchSizeRange = 1...100_000
    /// The accepted range of `MAX_EVENT_BYTES`: 1 KiB to RabbitMQ's default message size limit.
    public static let maxEventBytesRange = 1_024...(128 << 20)
    /// The accepted range of `SEGMENT_BYTES`.
    public static let segmentBytesRange = (1 << 20)...(4 << 30)
}
