import Ingest
import Observability
import SegmentStore

/// Feeds what ingest and the store report into the Prometheus metrics.
struct MetricsBridge: IngestMetrics {
    let metrics: CandystoreMetrics

    func eventReceived(eventType: String, source: String) {
        metrics.eventsReceived.labels(eventType, source).increment()
    }

    func eventStored(eventType: String, latencySeconds: Double) {
        metrics.eventsStored.labels(eventType).increment()
        metrics.storageLatency.observe(latencySeconds)
        metrics.storageLatencyMilliseconds.set(latencySeconds * 1_000)
    }

    func eventFailed(eventType: String, errorType: String) {
        metrics.eventsFailed.labels(eventType, errorType).increment()
    }

    func duplicateAcknowledged() {
        metrics.duplicates.increment()
    }

    func messageQuarantined(reason: QuarantineReason) {
        metrics.quarantined.labels(reason.rawValue).increment()
    }

    func connectionChanged(connected: Bool) {
        metrics.consumerConnected.set(connected ? 1 : 0)
        metrics.databaseConnections.set(connected ? 1 : 0)
    }

    func reconnectAttempted() {
        metrics.consumerReconnects.increment()
    }

    /// Records a durable batch: its size and how long its sync took.
    func batchCommitted(_ batch: DurableBatch) {
        metrics.batchSize.observe(Double(batch.count))
        metrics.fsyncDuration.observe(batch.syncSeconds)
    }

    /// Refreshes the gauges that describe the store, at scrape time.
    func refresh(from store: EventStore) {
        let statistics = store.statistics
        metrics.segments.set(Double(statistics.segmentCount))
        metrics.bytesOnDisk.set(Double(statistics.bytesOnDisk))
        metrics.lastDurableSequence.set(Double(statistics.lastSequence))
    }
}
