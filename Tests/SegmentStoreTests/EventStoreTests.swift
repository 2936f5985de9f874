import Foundation
import SegmentStore
import Testing

@Suite struct EventStoreTests {
    @Test(arguments: [0, 1, 100, 4_000, 70_000, 1 << 20])
    func roundTripsEventsOfEverySize(payloadBytes: Int) throws {
        let directory = TemporaryDirectory()
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        var event = Events.make(7, payloadBytes: payloadBytes)
        if payloadBytes == 0 {
            event.payload = []
            event.original.body = []
        }
        let batch = try store.append([event])

        #expect(batch.sequences == 1..<2)
        let read = try store.event(at: 1)
        #expect(read == Events.stored(event, sequence: 1, storedAt: batch.storedAt))
        #expect(store.lastDurableSequence == 1)
    }

    @Test func assignsDenseSequencesAcrossSubmissions() throws {
        let directory = TemporaryDirectory()
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        let first = try store.append((0..<10).map { Events.make($0) })
        let second = try store.append((10..<15).map { Events.make($0) })

        #expect(first.sequences == 1..<11)
        #expect(second.sequences == 11..<16)
        #expect(try store.events(at: Array(1...15)).map(\.id) == (0..<15).map { "id-\($0)" })
        #expect(throws: StoreError.self) { try store.event(at: 16) }
    }

    @Test func reopensAfterACleanCloseWithEverythingReadable() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions(directory: directory.path)
        options.segmentBytes = 32 << 10
        var written: [StoredEvent] = []
        do {
            let store = try EventStore.open(options)
            for round in 0..<20 {
                let events = (0..<10).map { Events.make(round * 10 + $0, payloadBytes: 900) }
                let batch = try store.append(events)
                written += events.enumerated().map {
                    Events.stored($1, sequence: batch.firstSequence + UInt64($0), storedAt: batch.storedAt)
                }
            }
            store.close()
        }
        #expect(directory.segmentPaths.count > 1)

        let reopened = try EventStore.open(options)
        #expect(reopened.recovery.truncatedBytes == 0)
        #expect(reopened.recovery.damage.isEmpty)
        #expect(reopened.lastDurableSequence == 200)
        #expect(try reopened.events(at: Array(1...200)) == written)
        let next = try reopened.append([Events.make(999)])
        #expect(next.firstSequence == 201)
        var indexed: [UInt64] = []
        try reopened.forEachIndexedFields { indexed.append($0.sequence) }
        #expect(indexed == Array(1...201))
    }

    @Test func concurrentSubmissionsAreAllDurableOnce() async throws {
        let directory = TemporaryDirectory()
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        let sequences = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for appender in 0..<16 {
                group.addTask {
                    var mine: [UInt64] = []
                    for step in 0..<25 {
                        mine += Array(try store.append([Events.make(appender * 100 + step)]).sequences)
                    }
                    return mine
                }
            }
            var all: [UInt64] = []
            for try await part in group { all += part }
            return all
        }
        #expect(sequences.sorted() == Array(1...400))
        let ids = Set(try store.events(at: Array(1...400)).map(\.id))
        #expect(ids.count == 400)
    }

    @Test func secondWriterOnTheSameDirectoryIsRefused() throws {
        let directory = TemporaryDirectory()
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        #expect(throws: StoreError.self) { _ = try EventStore.open(StoreOptions(directory: directory.path)) }
        store.close()
        _ = try EventStore.open(StoreOptions(directory: directory.path))
    }
}
