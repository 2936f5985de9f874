import Dispatch
import Foundation
import SegmentStore
import Testing

@testable import IndexBuilder

/// A temporary data directory for one test, removed afterwards.
final class IndexTestDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "index-builder-test-XXXXXX").utf8CString)
        path = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension IndexedFields {
    /// A storable event carrying these fields.
    var storedEvent: StoredEvent {
        StoredEvent(
            id: id, eventType: eventType, source: source, target: target, sessionId: sessionId,
            correlationId: correlationId, timestamp: timestamp, receivedAt: timestamp,
            payload: Array("{\"n\":\(sequence)}".utf8),
            original: OriginalMessage(exchange: "bloodbank.events.v1", routingKey: eventType, properties: [], body: []))
    }
}

@Suite struct StoreRebuildTests {
    @Test func rebuildsFromSegmentsThenFollowsEveryDurableBatch() throws {
        let directory = IndexTestDirectory()
        var fixtures = EventFixtures(seed: 21)
        var events: [IndexedFields] = []
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        for _ in 0..<6 {
            let batch = fixtures.next(250)
            _ = try store.append(batch.map(\.storedEvent))
            events += batch
        }
        // Batches committed while the rebuild runs must reach the index too.
        let during = (0..<20).map { _ in fixtures.next(40) }
        let appender = DispatchGroup()
        DispatchQueue.global().async(group: appender) {
            for batch in during { _ = try? store.append(batch.map(\.storedEvent)) }
        }
        let index = try EventIndex.rebuild(from: store, logger: .disabled)
        appender.wait()
        events += during.flatMap { $0 }
        let later = fixtures.next(300)
        _ = try store.append(later.map(\.storedEvent))
        events += later

        #expect(index.lastSequence == store.lastDurableSequence)
        #expect(index.snapshot().eventCount == events.count)
        try index.snapshot().validate()
        try expectRandomQueriesMatchBruteForce(index, events, &fixtures, count: 80)
        let engine = QueryEngine(index: index)
        for event in events.shuffled(using: &fixtures.random).prefix(50) {
            let found = engine.sequence(forEventID: event.id) { candidate in
                (try? store.indexedFields(at: candidate).id) == event.id
            }
            #expect(found == event.sequence)
        }
    }

    @Test func readOnlyRebuildDoesNotFollowWrites() throws {
        let directory = IndexTestDirectory()
        var fixtures = EventFixtures(seed: 22)
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        _ = try store.append(fixtures.next(100).map(\.storedEvent))
        let index = try EventIndex.rebuild(from: store, followWrites: false, logger: .disabled)
        _ = try store.append(fixtures.next(10).map(\.storedEvent))
        #expect(index.lastSequence == 100)
        #expect(index.snapshot().eventCount == 100)
    }

    @Test func emptyStoreRebuildsToAnEmptyIndex() throws {
        let directory = IndexTestDirectory()
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        let index = try EventIndex.rebuild(from: store, logger: .disabled)
        #expect(index.snapshot().eventCount == 0)
        #expect(try QueryEngine(index: index).run(EventQuery()).total == 0)
        var fixtures = EventFixtures(seed: 23)
        _ = try store.append(fixtures.next(5).map(\.storedEvent))
        #expect(try QueryEngine(index: index).run(EventQuery()).total == 5)
    }

    @Test func rebuildReadingManyChunksMatchesBruteForce() throws {
        let directory = IndexTestDirectory()
        var fixtures = EventFixtures(seed: 24)
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        var events: [IndexedFields] = []
        // More events than the reading thread hands over at once, ending in a part-filled chunk.
        while events.count < 3 * HashingStoreReader.chunkSize + 17 {
            let batch = fixtures.next(min(2_000, 3 * HashingStoreReader.chunkSize + 17 - events.count))
            _ = try store.append(batch.map(\.storedEvent))
            events += batch
        }
        let index = try EventIndex.rebuild(from: store, followWrites: false, logger: .disabled)
        #expect(index.snapshot().eventCount == events.count)
        try index.snapshot().validate()
        try expectRandomQueriesMatchBruteForce(index, events, &fixtures, count: 40)
    }

    @Test func borrowedBytesHashLikeTheirStrings() throws {
        let directory = IndexTestDirectory()
        var fixtures = EventFixtures(seed: 25)
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        var events = fixtures.next(200)
        events.append(
            IndexedFields(
                sequence: 0, timestamp: EventTimestamp(microseconds: 1), id: "", eventType: "", source: "",
                target: nil, sessionId: "", correlationId: nil))
        _ = try store.append(events.map(\.storedEvent))
        var compared = 0
        try store.forEachIndexedFieldBytes { bytes in
            let fromBytes = EventHashes(bytes)
            let fromStrings = EventHashes(IndexedFields(bytes))
            #expect(fromBytes.sequence == fromStrings.sequence)
            #expect(fromBytes.timestamp == fromStrings.timestamp)
            #expect(fromBytes.idFingerprint == fromStrings.idFingerprint)
            #expect(fromBytes.keys.0 == fromStrings.keys.0 && fromBytes.keys.1 == fromStrings.keys.1)
            #expect(fromBytes.keys.2 == fromStrings.keys.2 && fromBytes.keys.3 == fromStrings.keys.3)
            #expect(fromBytes.keys.4 == fromStrings.keys.4)
            compared += 1
        }
        #expect(compared == events.count)
        let last = try store.indexedFields(at: UInt64(events.count))
        #expect(last.target == nil && last.sessionId == "" && last.correlationId == nil)
    }
}

/// Runs `count` random queries on `index` and expects each page and total to be the brute-force
/// filter's over `events`.
private func expectRandomQueriesMatchBruteForce(
    _ index: EventIndex, _ events: [IndexedFields], _ fixtures: inout EventFixtures, count: Int
) throws {
    let engine = QueryEngine(index: index)
    let model = BruteForce(events: events)
    for _ in 0..<count {
        let query = fixtures.randomQuery(over: events)
        let page = try engine.run(query)
        let expected = model.page(query, after: nil)
        #expect(page.sequences == expected.sequences)
        #expect(page.total == expected.total)
    }
}
