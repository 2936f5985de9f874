import Foundation
import IndexBuilder
import Ingest
import QueryServer
import SegmentStore
import Synchronization

/// The API's read side: runs queries on the in-memory indexes and reads the events they select
/// from the store's mapped segments.
///
/// Until the indexes are rebuilt at start-up it answers `.notReady` and reports `starting` on
/// `/health`; afterwards every query works on one consistent snapshot of the indexes, which only
/// ever holds durable events.
final class IndexedQueryService: EventQueryService {
    private struct State {
        var engine: QueryEngine?
        var startingStep = "opening the store"
        var consumer: IngestConsumer?
    }

    private let store: EventStore
    private let state = Mutex(State())

    // `candystore_query_results_total` is counted by the API (`EventsAPI`), once per answer.
    init(store: EventStore) {
        self.store = store
    }

    /// Marks a start-up step, shown by `/health` while starting.
    func starting(_ step: String) {
        state.withLock { $0.startingStep = step }
    }

    /// Starts answering queries from `index`.
    func ready(_ index: EventIndex) {
        state.withLock { $0.engine = QueryEngine(index: index) }
    }

    /// Lets `/health` report the consumer's connection.
    func attach(_ consumer: IngestConsumer) {
        state.withLock { $0.consumer = consumer }
    }

    func query(_ query: EventQuery) throws(EventQueryError) -> EventPage {
        let engine = try readyEngine()
        let page: QueryPage
        do {
            page = try engine.run(query)
        } catch {
            throw EventQueryError(.invalidCursor, error.message)
        }
        do {
            let events = try store.events(at: page.sequences)
            return EventPage(events: events, total: page.total, hasMore: page.hasMore, nextCursor: page.nextCursor)
        } catch {
            throw EventQueryError(.storeFailure, error.description)
        }
    }

    func event(id: String) throws(EventQueryError) -> StoredEvent? {
        let engine = try readyEngine()
        let store = self.store
        let sequence = engine.sequence(forEventID: id) { candidate in
            (try? store.indexedFields(at: candidate).id) == id
        }
        guard let sequence else { return nil }
        do {
            return try store.event(at: sequence)
        } catch {
            throw EventQueryError(.storeFailure, error.description)
        }
    }

    func health() -> HealthReport {
        let (engine, step, consumer) = state.withLock { ($0.engine, $0.startingStep, $0.consumer) }
        let statistics = store.statistics
        let connected = consumer?.statistics.isConsuming ?? false
        let paused = consumer?.statistics.isPausedForStore ?? false
        let status: HealthReport.Status
        if engine == nil {
            status = .starting(step)
        } else if paused {
            status = .degraded("the store cannot write; deliveries are paused until writes succeed again")
        } else if !connected {
            status = .degraded("the consumer is not connected to the broker")
        } else {
            status = .healthy
        }
        var lastEventTime: EventTimestamp?
        if statistics.lastSequence >= statistics.firstSequence, statistics.lastSequence > 0 {
            lastEventTime = try? store.indexedFields(at: statistics.lastSequence).timestamp
        }
        return HealthReport(
            status: status, eventsStored: UInt64(statistics.eventCount), consumerConnected: connected,
            lastEventTime: lastEventTime, dataDirectoryBytes: UInt64(statistics.bytesOnDisk))
    }

    private func readyEngine() throws(EventQueryError) -> QueryEngine {
        guard let engine = state.withLock({ $0.engine }) else {
            throw EventQueryError(.notReady, "the indexes are still being rebuilt; retry in a moment")
        }
        return engine
    }
}
