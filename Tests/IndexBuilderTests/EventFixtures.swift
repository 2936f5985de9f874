import SegmentStore

@testable import IndexBuilder

/// Synthetic events with small value sets so that filters match often, timestamps that mostly
/// rise with the sequence number but sometimes repeat or arrive late, and optional fields left
/// out now and then.
struct EventFixtures {
    var random: TestRandom
    var nextSequence: UInt64 = 1
    var clock: Int64 = 1_769_500_000_000_000
    let types = (0..<6).map { "type.\($0)" }
    let sources = (0..<4).map { "source-\($0)" }
    let targets = (0..<3).map { "target-\($0)" }
    let sessions = (0..<9).map { "session-\($0)" }
    let correlations = (0..<12).map { "corr-\($0)" }

    init(seed: UInt64) {
        random = TestRandom(seed: seed)
    }

    /// The next `count` events.
    mutating func next(_ count: Int) -> [IndexedFields] {
        (0..<count).map { _ in nextEvent() }
    }

    mutating func nextEvent() -> IndexedFields {
        defer { nextSequence += 1 }
        let roll = random.int(in: 0..<10)
        if roll == 0 {
            clock -= Int64(random.int(in: 1...5_000_000))  // a late producer
        } else if roll > 1 {
            clock += Int64(random.int(in: 1...2_000_000))
        }  // roll == 1: the same microsecond again
        return IndexedFields(
            sequence: nextSequence, timestamp: EventTimestamp(microseconds: clock), id: "event-\(nextSequence)",
            eventType: types[random.int(in: 0..<types.count)], source: sources[random.int(in: 0..<sources.count)],
            target: random.chance(0.5) ? targets[random.int(in: 0..<targets.count)] : nil,
            sessionId: random.chance(0.8) ? sessions[random.int(in: 0..<sessions.count)] : nil,
            correlationId: random.chance(0.4) ? correlations[random.int(in: 0..<correlations.count)] : nil)
    }

    /// A random filter combination over the known values, sometimes naming a value no event has.
    mutating func randomQuery(over events: [IndexedFields]) -> EventQuery {
        var query = EventQuery()
        func pick(_ values: [String]) -> String? {
            switch random.int(in: 0..<10) {
            case 0..<6: nil
            case 6: "missing"
            default: values[random.int(in: 0..<values.count)]
            }
        }
        query.eventType = pick(types)
        query.source = pick(sources)
        query.target = pick(targets)
        query.sessionId = pick(sessions)
        query.correlationId = pick(correlations)
        if random.chance(0.4), let first = events.randomElement(using: &random),
            let second = events.randomElement(using: &random)
        {
            let (low, high) = first.timestamp <= second.timestamp ? (first, second) : (second, first)
            query.startTime = random.chance(0.8) ? low.timestamp : nil
            query.endTime = random.chance(0.8) ? high.timestamp : nil
        }
        query.limit = [1, 2, 7, 100, 1000][random.int(in: 0..<5)]
        query.offset = random.chance(0.5) ? 0 : random.int(in: 0...(events.count / 3 + 1))
        return query
    }
}

/// The brute-force answer: filter every event, sort newest first, cut the page.
struct BruteForce {
    let events: [IndexedFields]

    func matches(_ query: EventQuery) -> [IndexedFields] {
        events.filter { event in
            IndexField.allCases.allSatisfy { field in
                query.value(of: field).map { $0 == field.value(in: event) } ?? true
            }
                && (query.startTime.map { event.timestamp >= $0 } ?? true)
                && (query.endTime.map { event.timestamp <= $0 } ?? true)
        }.sorted { ($0.timestamp, $0.sequence) > ($1.timestamp, $1.sequence) }
    }

    /// The page for `query`, with `cursor` decoded by the caller.
    func page(_ query: EventQuery, after cursor: PageCursor?) -> (sequences: [UInt64], total: Int, hasMore: Bool) {
        let all = matches(query)
        let remaining = all.filter { event in
            guard let cursor else { return true }
            return (event.timestamp, event.sequence) < (cursor.timestamp, cursor.sequence)
        }
        let page = remaining.dropFirst(query.offset).prefix(query.limit)
        return (page.map(\.sequence), all.count, remaining.count > query.offset + page.count)
    }
}

extension EventIndex {
    /// An index built by applying `events` in batches of `batchSize`.
    static func applying(_ events: [IndexedFields], batchSize: Int) throws -> EventIndex {
        let index = EventIndex()
        var start = 0
        while start < events.count {
            try index.apply(Array(events[start..<min(events.count, start + batchSize)]))
            start += batchSize
        }
        return index
    }

    /// An index bulk-loaded from `events`.
    static func loading(_ events: [IndexedFields]) throws -> EventIndex {
        var loader = IndexLoader(expectedEvents: events.count)
        for event in events { try loader.add(event) }
        return loader.finish()
    }
}

extension IndexSnapshot {
    /// Checks every tree's structure and order.
    func validate() throws {
        let order = order
        for tree in keyTrees { try tree.checkInvariants(by: order.keyedLess) }
        try timeTree.checkInvariants(by: order.timeLess)
    }
}
