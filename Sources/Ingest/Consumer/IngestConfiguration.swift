/// How the ingest consumer connects, what it declares, and how it batches and retries.
///
/// The names follow the daemon's environment variables: `RABBIT_URL`, `EXCHANGE_NAME`,
/// `QUEUE_NAME`, `PREFETCH_COUNT`, `BATCH_SIZE`, `MAX_EVENT_BYTES`.
public struct IngestConfiguration: Sendable {
    /// The broker (`RABBIT_URL`, default `amqp://guest:guest@localhost:5672/`).
    public var rabbitURL: AMQPURL
    /// The topic exchange to consume from (`EXCHANGE_NAME`), declared durable.
    public var exchangeName = "bloodbank.events.v1"
    /// Candystore's own queue (`QUEUE_NAME`), declared durable, shared and kept, bound with `#`.
    public var queueName = "candystore.storage"
    /// Unacknowledged deliveries the broker may send ahead (`PREFETCH_COUNT`, `basic.qos`).
    public var prefetchCount: UInt16 = 100
    /// Most events per store submission (`BATCH_SIZE`); smaller batches are submitted as soon as
    /// no more deliveries are waiting, and the store's group commit merges them.
    public var batchSize = 50
    /// Largest body accepted as an event (`MAX_EVENT_BYTES`); larger ones are quarantined.
    public var maxEventBytes = 1 << 20
    /// First delay before reconnecting after the connection is lost; doubled after each failure.
    public var reconnectInitialDelay: Duration = .seconds(1)
    /// Longest delay between reconnect attempts.
    public var reconnectMaximumDelay: Duration = .seconds(60)
    /// First delay before retrying a failed store write; doubled after each failure.
    public var storeRetryInitialDelay: Duration = .milliseconds(100)
    /// Longest delay between store write retries.
    public var storeRetryMaximumDelay: Duration = .seconds(10)
    /// How long `stop()` waits for in-flight events to become durable and be acknowledged.
    public var shutdownTimeout: Duration = .seconds(30)
    /// Connection tuning (heartbeat, timeouts, connection name).
    public var connection = AMQPConnection.Options()

    /// The defaults, against `rabbitURL`.
    public init(rabbitURL: AMQPURL = AMQPURL(host: "localhost")) {
        self.rabbitURL = rabbitURL
    }
}
