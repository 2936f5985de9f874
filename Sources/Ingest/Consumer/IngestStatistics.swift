/// Running totals of one consumer, for health checks, tests and benchmarks.
public struct IngestStatistics: Sendable, Equatable {
    /// Deliveries read from the broker, duplicates and rejects included.
    public var delivered = 0
    /// Events made durable in the store by this consumer.
    public var stored = 0
    /// Deliveries acknowledged without a record because their id was stored or in flight.
    public var duplicates = 0
    /// Messages made durable in the quarantine log.
    public var quarantined = 0
    /// Deliveries acknowledged to the broker.
    public var acknowledged = 0
    /// `basic.ack` frames sent (each acknowledges one or more deliveries).
    public var ackFrames = 0
    /// Store submissions that failed and were retried.
    public var storeFailures = 0
    /// Successful connections, the first included.
    public var connections = 0
    /// Connections lost.
    public var disconnections = 0
    /// Whether the consumer is connected and consuming right now.
    public var isConsuming = false
    /// Whether consumption is paused because the store cannot write.
    public var isPausedForStore = false
    /// Events received but not yet durable.
    public var inFlight = 0
}
