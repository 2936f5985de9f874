import SegmentStore
import Testing

@testable import IndexBuilder

@Suite struct QueryEngineTests {
    /// Bitmap settings: the default, always a bitmap, never a bitmap.
    static let tunings = [
        QueryTuning(), QueryTuning(bitmapMinimumCandidates: 0, bitmapMaximumRatio: 1000),
        QueryTuning(bitmapMinimumCandidates: .max, bitmapMaximumRatio: 0),
    ]

    @Test(arguments: [1, 30, 400, 3000], [0, 1, 2])
    func randomFiltersMatchBruteForce(size: Int, variant: Int) throws {
        var fixtures = EventFixtures(seed: UInt64(size) * 3 + UInt64(variant))
        let events = fixtures.next(size)
        let bulk = variant != 1
        let index = bulk ? try EventIndex.loading(events) : try EventIndex.applying(events, batchSize: 37)
        let engine = QueryEngine(index: index, tuning: Self.tunings[variant])
        let model = BruteForce(events: events)
        try index.snapshot().validate()
        #expect(index.snapshot().eventCount == size)
        for _ in 0..<150 {
            let query = fixtures.randomQuery(over: events)
            let page = try engine.run(query)
            let expected = model.page(query, after: nil)
            #expect(page.sequences == expected.sequences, "\(query)")
            #expect(page.total == expected.total, "\(query)")
            #expect(page.hasMore == expected.hasMore, "\(query)")
            #expect((page.nextCursor != nil) == expected.hasMore)
        }
    }

    @Test(arguments: [0, 1, 2, 3])
    func cursorPagesNeverSkipOrRepeatWhileEventsArrive(seed: UInt64) throws {
        var fixtures = EventFixtures(seed: 100 + seed)
        var events = fixtures.next(800)
        let index = try EventIndex.applying(events, batchSize: 100)
        let engine = QueryEngine(index: index, tuning: Self.tunings[Int(seed) % 3])
        for _ in 0..<8 {
            var query = fixtures.randomQuery(over: events)
            query.offset = 0
            query.limit = [5, 40, 200][fixtures.random.int(in: 0..<3)]
            let initial = BruteForce(events: events).matches(query).map(\.sequence)
            var seen: [UInt64] = []
            var cursor: PageCursor?
            var pages = 0
            repeat {
                query.cursor = cursor?.encoded
                let page = try engine.run(query)
                let expected = BruteForce(events: events).page(query, after: cursor)
                #expect(page.sequences == expected.sequences)
                #expect(page.total == expected.total)
                #expect(page.hasMore == expected.hasMore)
                seen += page.sequences
                cursor = try page.nextCursor.map { try PageCursor(encoded: $0) }
                // New events (some with older timestamps than the cursor) land between pages.
                let arriving = fixtures.next(fixtures.random.int(in: 0...40))
                try index.apply(arriving)
                events += arriving
                pages += 1
            } while cursor != nil && pages < 2000
            #expect(Set(seen).count == seen.count, "a page repeated an event")
            #expect(Set(initial).isSubset(of: Set(seen)), "a page skipped an event that existed from the start")
        }
    }

    @Test func deepOffsetsMatchAndStopAtTheEnd() throws {
        var fixtures = EventFixtures(seed: 9)
        let events = fixtures.next(2000)
        let engine = QueryEngine(index: try EventIndex.loading(events), tuning: Self.tunings[1])
        let model = BruteForce(events: events)
        for query in [
            EventQuery(), EventQuery(eventType: "type.1"), EventQuery(eventType: "type.1", source: "source-2"),
        ] {
            let total = model.matches(query).count
            for offset in [0, total / 2, total * 9 / 10, total - 1, total, total + 5] {
                var paged = query
                paged.offset = offset
                paged.limit = 50
                let page = try engine.run(paged)
                let expected = model.page(paged, after: nil)
                #expect(page.sequences == expected.sequences)
                #expect(page.total == total)
                #expect(page.hasMore == expected.hasMore)
            }
        }
    }

    @Test func oldSnapshotsKeepTheirAnswers() throws {
        var fixtures = EventFixtures(seed: 77)
        let first = fixtures.next(800)
        let index = try EventIndex.applying(first, batchSize: 50)
        let engine = QueryEngine(index: index)
        let snapshot = index.snapshot()
        try index.apply(fixtures.next(900))
        let queries = (0..<60).map { _ in fixtures.randomQuery(over: first) }
        for query in queries {
            let expected = BruteForce(events: first).page(query, after: nil)
            let page = try engine.run(query, on: snapshot)
            #expect(page.sequences == expected.sequences)
            #expect(page.total == expected.total)
        }
        #expect(snapshot.lastSequence == 800)
        #expect(index.lastSequence == 1700)
        try snapshot.validate()
        try index.snapshot().validate()
    }

    @Test func bulkLoadAndBatchesBuildTheSameIndex() throws {
        var fixtures = EventFixtures(seed: 5)
        let events = fixtures.next(2500)
        let loaded = QueryEngine(index: try EventIndex.loading(events))
        let applied = QueryEngine(index: try EventIndex.applying(events, batchSize: 1))
        for _ in 0..<100 {
            let query = fixtures.randomQuery(over: events)
            #expect(try loaded.run(query) == applied.run(query))
        }
    }

    @Test func lookupByIdFindsEveryEventAndNothingElse() throws {
        var fixtures = EventFixtures(seed: 3)
        let events = fixtures.next(5000)
        let index = try EventIndex.loading(events)
        try index.apply(fixtures.next(500))
        let engine = QueryEngine(index: index)
        let idAt = { (sequence: UInt64) in "event-\(sequence)" }
        var verifications = 0
        for sequence in stride(from: UInt64(1), through: 5500, by: 7) {
            let found = engine.sequence(forEventID: idAt(sequence)) { candidate in
                verifications += 1
                return idAt(candidate) == idAt(sequence)
            }
            #expect(found == sequence)
        }
        #expect(verifications < 5500 / 7 + 5, "each lookup should verify about one candidate")
        #expect(engine.sequence(forEventID: "event-99999") { idAt($0) == "event-99999" } == nil)
        // A snapshot taken before an event was applied does not find it.
        let before = index.snapshot()
        try index.apply(fixtures.next(1))
        #expect(before.sequence(forEventID: "event-5501") { idAt($0) == "event-5501" } == nil)
        #expect(engine.sequence(forEventID: "event-5501") { idAt($0) == "event-5501" } == 5501)
    }

    @Test func invalidRequestsAreRefusedWithTheirParameter() throws {
        var fixtures = EventFixtures(seed: 1)
        let engine = QueryEngine(index: try EventIndex.loading(fixtures.next(10)))
        let cases: [(EventQuery, QueryError.Code, String)] = [
            (EventQuery(limit: 0), .invalidLimit, "limit"),
            (EventQuery(limit: 1001), .invalidLimit, "limit"),
            (EventQuery(offset: -1), .invalidOffset, "offset"),
            (
                EventQuery(
                    startTime: EventTimestamp(microseconds: 10), endTime: EventTimestamp(microseconds: 9)),
                .invalidTimeRange, "start_time"
            ),
            (EventQuery(cursor: "nonsense"), .invalidCursor, "cursor"),
            (EventQuery(cursor: "AAAAAAAAAAAAAAAAAAAAAAA"), .invalidCursor, "cursor"),
            (EventQuery(cursor: String(repeating: "*", count: 23)), .invalidCursor, "cursor"),
        ]
        for (query, code, parameter) in cases {
            do {
                _ = try engine.run(query)
                Issue.record("\(query) was accepted")
            } catch {
                #expect(error.code == code)
                #expect(error.parameter == parameter)
                #expect(!error.message.isEmpty)
            }
        }
        #expect(try engine.run(EventQuery(limit: 1000)).sequences.count == 10)
        let instant = EventTimestamp(microseconds: 5)
        #expect(try engine.run(EventQuery(startTime: instant, endTime: instant)).total == 0)
    }

    @Test(arguments: [Int64.min, -1, 0, 1_769_500_000_123_456, Int64.max])
    func cursorsRoundTrip(timestamp: Int64) throws {
        for sequence: UInt64 in [1, 255, 1 << 40, .max] {
            let cursor = PageCursor(timestamp: EventTimestamp(microseconds: timestamp), sequence: sequence)
            let text = cursor.encoded
            #expect(text.count == 23)
            #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(try PageCursor(encoded: text) == cursor)
        }
    }

    @Test func sequencesPastThirtyTwoBitsAreRefusedWhole() throws {
        let index = EventIndex()
        let event = IndexedFields(
            sequence: IndexError.maximumSequence + 1, timestamp: EventTimestamp(microseconds: 1), id: "x",
            eventType: "t", source: "s", target: nil, sessionId: nil, correlationId: nil)
        do {
            try index.apply([event])
            Issue.record("accepted a sequence past the limit")
        } catch {
            #expect(error.code == .sequenceLimit)
        }
        #expect(index.snapshot().eventCount == 0)
        var loader = IndexLoader()
        #expect(throws: IndexError.self) { try loader.add(event) }
    }

    @Test func gapsInTheStoreStayOutOfTheIndexes() throws {
        var fixtures = EventFixtures(seed: 8)
        let events = fixtures.next(300).filter { !(100..<150).contains($0.sequence) }
        let index = try EventIndex.loading(events)
        let snapshot = index.snapshot()
        #expect(snapshot.eventCount == 250)
        #expect(!snapshot.contains(120))
        #expect(snapshot.contains(99) && snapshot.contains(150))
        let model = BruteForce(events: events)
        let engine = QueryEngine(index: index)
        let query = EventQuery(source: "source-1", limit: 1000)
        #expect(try engine.run(query).sequences == model.page(query, after: nil).sequences)
        try index.apply(fixtures.next(10))
        #expect(index.snapshot().eventCount == 260)
    }
}
