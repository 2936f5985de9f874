import SegmentStore

/// What `GET /health` reports: the state, and what an operator wants to see at a glance.
public struct HealthReport: Sendable, Hashable {
    /// The overall state.
    public enum Status: Sendable, Hashable {
        /// Consuming and able to write; HTTP 200.
        case healthy
        /// Recovering the store or building the indexes; HTTP 503 with the step under way.
        case starting(String)
        /// Running but impaired (consumer disconnected, store cannot write); HTTP 503 with the reason.
        case degraded(String)

        /// The `status` field value.
        public var name: String {
            switch self {
            case .healthy: "healthy"
            case .starting: "starting"
            case .degraded: "degraded"
            }
        }

        /// Why the service is not healthy, if it is not.
        public var reason: String? {
            switch self {
            case .healthy: nil
            case .starting(let reason), .degraded(let reason): reason
            }
        }
    }

    /// The overall state.
    public var status: Status
    /// Events durably stored.
    public var eventsStored: UInt64
    /// Whether the broker consumer is connected.
    public var consumerConnected: Bool
    /// When the newest stored event happened, if any is stored.
    public var lastEventTime: EventTimestamp?
    /// Bytes the data directory takes on disk, if measured.
    public var dataDirectoryBytes: UInt64?
    /// The storage engine's name, shown as `database`.
    public var database: String

    /// Creates a report.
    public init(
        status: Status, eventsStored: UInt64 = 0, consumerConnected: Bool = false,
        lastEventTime: EventTimestamp? = nil, dataDirectoryBytes: UInt64? = nil, database: String = "segstore"
    ) {
        self.status = status
        self.eventsStored = eventsStored
        self.consumerConnected = consumerConnected
        self.lastEventTime = lastEventTime
        self.dataDirectoryBytes = dataDirectoryBytes
        self.database = database
    }
}
