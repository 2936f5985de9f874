import SegmentStore

/// Where the consumer reports what it does, for the metrics registry.
///
/// Every method has an empty default, so an implementation overrides only what it exports. The
/// methods are called on the consume thread (never on the store's writer thread) and must return
/// quickly.
public protocol IngestMetrics: Sendable {
    /// A message arrived and was recognised as an event (`candystore_events_received_total`).
    func eventReceived(eventType: String, source: String)
    /// An event became durable, `latencySeconds` after it was received
    /// (`candystore_events_stored_total`, `candystore_storage_latency_seconds`).
    func eventStored(eventType: String, latencySeconds: Double)
    /// Writing an event failed; it is kept and retried (`candystore_events_failed_total`).
    func eventFailed(eventType: String, errorType: String)
    /// A delivery whose id is already stored or in flight was acknowledged without a second record.
    func duplicateAcknowledged()
    /// A message that is not an event became durable in the quarantine log.
    func messageQuarantined(reason: QuarantineReason)
    /// The consumer connected (`true`) or lost its connection (`false`) (`candystore_consumer_connected`).
    func connectionChanged(connected: Bool)
    /// The consumer is about to try to reconnect (`candystore_consumer_reconnects_total`).
    func reconnectAttempted()
}

/// Empty defaults, so a metrics sink implements only what it exports.
extension IngestMetrics {
    /// Does nothing.
    public func eventReceived(eventType: String, source: String) {}
    /// Does nothing.
    public func eventStored(eventType: String, latencySeconds: Double) {}
    /// Does nothing.
    public func eventFailed(eventType: String, errorType: String) {}
    /// Does nothing.
    public func duplicateAcknowledged() {}
    /// Does nothing.
    public func messageQuarantined(reason: QuarantineReason) {}
    /// Does nothing.
    public func connectionChanged(connected: Bool) {}
    /// Does nothing.
    public func reconnectAttempted() {}
}

/// Metrics that go nowhere: the default.
public struct NoIngestMetrics: IngestMetrics {
    /// Creates the no-op sink.
    public init() {}
}
