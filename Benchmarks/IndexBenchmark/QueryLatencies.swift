import Foundation
import IndexBuilder
import SegmentStore

/// p50/p99 latency of each query shape, with filter values drawn at random from real events.
struct QueryLatencies {
    let events: [IndexedFields]
    let index: EventIndex
    let runs: Int
    /// Only query shapes whose name contains this text, if given.
    let only: String?

    func report() {
        let engine = QueryEngine(index: index)
        var state: UInt64 = 7
        func pick() -> IndexedFields {
            events[Int(SyntheticEvents.mix(&state) % UInt64(events.count))]
        }
        func withCorrelation() -> IndexedFields {
            while true {
                let event = pick()
                if event.correlationId != nil && event.sessionId != nil && event.target != nil { return event }
            }
        }
        let first = events.map(\.timestamp.microseconds).min()!
        let last = events.map(\.timestamp.microseconds).max()!
        func window(hours: Int64) -> (EventTimestamp, EventTimestamp) {
            let span = hours * 3_600_000_000
            let start = first + Int64(SyntheticEvents.mix(&state) % UInt64(max(1, last - first - span)))
            return (EventTimestamp(microseconds: start), EventTimestamp(microseconds: start + span))
        }

        print("query latency over \(runs) runs, page of 100, in microseconds: wall p50 / p99, CPU p50 / p99, matches:")
        measure("no filter (newest first)") { _ in EventQuery() }
        measure("session_id") { _ in EventQuery(sessionId: withCorrelation().sessionId) }
        measure("event_type") { _ in EventQuery(eventType: pick().eventType) }
        measure("source") { _ in EventQuery(source: pick().source) }
        measure("target") { _ in EventQuery(target: withCorrelation().target) }
        measure("correlation_id") { _ in EventQuery(correlationId: withCorrelation().correlationId) }
        measure("time range (1 h)") { _ in
            let (start, end) = window(hours: 1)
            return EventQuery(startTime: start, endTime: end)
        }
        measure("session_id + event_type") { _ in
            let event = withCorrelation()
            return EventQuery(sessionId: event.sessionId, eventType: event.eventType)
        }
        measure("event_type + source") { _ in
            let event = pick()
            return EventQuery(eventType: event.eventType, source: event.source)
        }
        measure("event_type + time range (1 h)") { _ in
            let (start, end) = window(hours: 1)
            return EventQuery(eventType: pick().eventType, startTime: start, endTime: end)
        }
        measure("source + target + time range (6 h)") { _ in
            let event = withCorrelation()
            let (start, end) = window(hours: 6)
            return EventQuery(source: event.source, target: event.target, startTime: start, endTime: end)
        }
        for (name, make) in [
            ("event_type", { () -> EventQuery in EventQuery(eventType: pick().eventType) }),
            (
                "event_type + source",
                { () -> EventQuery in
                    let event = pick()
                    return EventQuery(eventType: event.eventType, source: event.source)
                }
            ),
        ] {
            let queries = (0..<runs).map { _ in make() }
            let totals = queries.map { try! engine.run($0).total }
            measure("\(name), offset 0", queries: queries)
            measure(
                "\(name), offset 90%",
                queries: zip(queries, totals).map { query, total in
                    var deep = query
                    deep.offset = total * 9 / 10
                    return deep
                })
            measure(
                "\(name), cursor (page 2)",
                queries: queries.map { query in
                    var next = query
                    next.cursor = try! engine.run(query).nextCursor
                    return next
                })
        }
        let ids = (0..<runs).map { _ in pick() }
        let lookups = Measure.latency(runs: runs) { run in
            let wanted = ids[run]
            let found = engine.sequence(forEventID: wanted.id) { events[Int($0 - 1)].id == wanted.id }
            precondition(found == wanted.sequence)
        }
        line("lookup by event id", lookups, matches: 1)
    }

    private func measure(_ name: String, _ make: (Int) -> EventQuery) {
        measure(name, queries: (0..<runs).map(make))
    }

    private func measure(_ name: String, queries: [EventQuery]) {
        if let only, !name.contains(only) { return }
        let engine = QueryEngine(index: index)
        var matched = 0
        let latency = Measure.latency(runs: queries.count) { run in
            let page = try! engine.run(queries[run])
            matched += page.total
        }
        line(name, latency, matches: matched / queries.count)
    }

    private func line(
        _ name: String, _ latency: (wall: Measure.Percentiles, cpu: Measure.Percentiles), matches: Int
    ) {
        let label = name.padding(toLength: 40, withPad: " ", startingAt: 0)
        let figures = String(
            format: "%8.1f / %8.1f   %8.1f / %8.1f   %d", latency.wall.p50, latency.wall.p99, latency.cpu.p50,
            latency.cpu.p99, matches)
        print("  \(label)\(figures)")
    }
}
