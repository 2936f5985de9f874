import IndexBuilder
import QueryServer
import SegmentStore
import Synchronization

/// A test double of the query engine: filters a list of events the obvious way, so the HTTP
/// layer can be tested without the indexes. Cursors are `seq-<n>`: continue below sequence n.
final class InMemoryQueryService: EventQueryService {
    private let events: [StoredEvent]
    private let state: Mutex<State>

    struct State {
        var health = HealthReport(status: .healthy, eventsStored: 0, consumerConnected: true)
        var failure: EventQueryError?
        var queries: [EventQuery] = []
    }

    init(events: [StoredEvent]) {
        // Newest first: by event timestamp, then by sequence.
        self.events = events.sorted {
            ($0.timestamp, $0.sequence) > ($1.timestamp, $1.sequence)
        }
        var initial = State()
        initial.health.eventsStored = UInt64(events.count)
        self.state = Mutex(initial)
    }

    /// Makes every later call fail with `error` (or succeed again with `nil`).
    func failNext(with error: EventQueryError?) {
        state.withLock { $0.failure = error }
    }

    func setHealth(_ report: HealthReport) {
        state.withLock { $0.health = report }
    }

    /// The queries the API passed in, in order.
    var receivedQueries: [EventQuery] { state.withLock { $0.queries } }

    func query(_ query: EventQuery) throws(EventQueryError) -> EventPage {
        let failure = state.withLock { state -> EventQueryError? in
            state.queries.append(query)
            return state.failure
        }
        if let failure { throw failure }
        var matching = events.filter { matches($0, query) }
        let total = matching.count
        if let cursor = query.cursor {
            guard cursor.hasPrefix("seq-"), let below = UInt64(cursor.dropFirst(4)) else {
                throw EventQueryError(.invalidCursor, "Cursor is not one this server issued")
            }
            guard let position = matching.firstIndex(where: { $0.sequence == below }) else {
                throw EventQueryError(.invalidCursor, "Cursor points at no event")
            }
            matching = Array(matching[(position + 1)...])
        }
        let page = Array(matching.dropFirst(query.offset).prefix(query.limit))
        let hasMore = matching.count > query.offset + page.count
        return EventPage(
            events: page, total: total, hasMore: hasMore,
            nextCursor: hasMore ? page.last.map { "seq-\($0.sequence)" } : nil)
    }

    func event(id: String) throws(EventQueryError) -> StoredEvent? {
        if let failure = state.withLock({ $0.failure }) { throw failure }
        return events.first { $0.id == id }
    }

    func health() -> HealthReport {
        state.withLock { $0.health }
    }

    private func matches(_ event: StoredEvent, _ query: EventQuery) -> Bool {
        if let value = query.sessionId, event.sessionId != value { return false }
        if let value = query.eventType, event.eventType != value { return false }
        if let value = query.source, event.source != value { return false }
        if let value = query.target, event.target != value { return false }
        if let value = query.correlationId, event.correlationId != value { return false }
        if let start = query.startTime, event.timestamp < start { return false }
        if let end = query.endTime, event.timestamp > end { return false }
        return true
    }
}
