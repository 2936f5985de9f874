import Foundation
import SegmentStore
import Synchronization
import Testing

@Suite struct RecoveryTests {
    /// Writes two frames, then cuts the file at every byte offset inside the second frame: each cut
    /// must recover to exactly the first frame and count the bytes it dropped.
    @Test func tornTailAtEveryOffsetOfTheLastFrameRecoversToTheLastWholeFrame() throws {
        let directory = TemporaryDirectory()
        let options = StoreOptions(directory: directory.path)
        let first = [Events.make(1, payloadBytes: 300), Events.make(2, payloadBytes: 50)]
        let second = [Events.make(3, payloadBytes: 120)]
        do {
            let store = try EventStore.open(options)
            try store.append(first)
            try store.append(second)
            store.close()
        }
        let path = directory.segmentPaths[0]
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let copy = TemporaryDirectory()
        let copyPath = copy.path + "/" + (path as NSString).lastPathComponent

        // Find where the second frame starts: the size after writing only the first batch.
        let probe = TemporaryDirectory()
        do {
            let store = try EventStore.open(StoreOptions(directory: probe.path))
            try store.append(first)
            store.close()
        }
        let secondStart = try Data(contentsOf: URL(fileURLWithPath: probe.segmentPaths[0])).count
        #expect(secondStart < original.count)

        for cut in secondStart..<original.count {
            try? FileManager.default.removeItem(atPath: copyPath)
            try original.prefix(cut).write(to: URL(fileURLWithPath: copyPath))
            let store = try EventStore.open(StoreOptions(directory: copy.path))
            #expect(store.recovery.truncatedBytes == cut - secondStart, "cut at \(cut)")
            #expect(store.recovery.droppedFrames == (cut == secondStart ? 0 : 1), "cut at \(cut)")
            #expect(store.lastDurableSequence == 2, "cut at \(cut)")
            #expect(try store.event(at: 2).id == "id-2")
            let size = try FileManager.default.attributesOfItem(atPath: copyPath)[.size] as! Int
            #expect(size == secondStart)
            // The store goes on from the recovered point.
            #expect(try store.append([Events.make(9)]).firstSequence == 3)
            store.close()
        }
    }

    @Test func garbageAfterTheLastFrameIsCutAndCounted() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try EventStore.open(StoreOptions(directory: directory.path))
            try store.append([Events.make(1)])
            store.close()
        }
        let path = directory.segmentPaths[0]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0xAB, count: 333))
        try handle.close()

        let store = try EventStore.open(StoreOptions(directory: directory.path))
        #expect(store.recovery.truncatedBytes == 333)
        #expect(store.lastDurableSequence == 1)
    }

    @Test func failedWriteOrSyncReportsNothingDurableAndTheStoreGoesOn() throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions(directory: directory.path)
        let faults = StoreFaults()
        options.faults = faults
        let store = try EventStore.open(options)
        try store.append([Events.make(1)])

        faults.failWrites(errno: ENOSPC, partialBytes: 40)
        do {
            try store.append([Events.make(2)])
            Issue.record("a write that hit ENOSPC was reported durable")
        } catch {
            #expect(error.code == .noSpace)
        }
        #expect(store.lastDurableSequence == 1)
        #expect(throws: StoreError.self) { try store.event(at: 2) }

        faults.failSyncs(errno: EIO)
        do {
            try store.append([Events.make(3)])
            Issue.record("a batch whose sync failed was reported durable")
        } catch {
            #expect(error.code == .ioFailure)
        }
        #expect(store.lastDurableSequence == 1)

        // Once the cause is gone, the same sequence numbers are used and nothing is left behind.
        let batch = try store.append([Events.make(4)])
        #expect(batch.firstSequence == 2)
        store.close()

        let reopened = try EventStore.open(StoreOptions(directory: directory.path))
        #expect(reopened.recovery.truncatedBytes == 0)
        #expect(try reopened.events(at: [1, 2]).map(\.id) == ["id-1", "id-4"])
        #expect(reopened.lastDurableSequence == 2)
    }
}

@Suite struct WriteFailureTests {
    /// Batches queued behind a failing one were encoded with sequence numbers that the failure made
    /// stale; they must still be stored densely, each under the sequence the store reports.
    @Test(arguments: [ENOSPC, EIO])
    func batchesBehindAFailedOneKeepSequencesDense(errno code: Int32) throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions(directory: directory.path)
        let faults = StoreFaults()
        options.faults = faults
        let store = try EventStore.open(options)
        try store.append([Events.make(0)])

        // The first batch's sync is slow and then fails; the rest are submitted while it waits, so
        // the encoder has already numbered them from a sequence the failure takes back.
        faults.failSyncs(errno: code, count: 1, delayMilliseconds: 200)
        let outcomes = Mutex<[(Int, Result<DurableBatch, StoreError>)]>([])
        let done = DispatchSemaphore(value: 0)
        store.submit([Events.make(1)]) { result in
            outcomes.withLock { $0.append((1, result)) }
            done.signal()
        }
        usleep(50_000)
        for number in 2...40 {
            store.submit([Events.make(number)]) { result in
                outcomes.withLock { $0.append((number, result)) }
                done.signal()
            }
        }
        for _ in 1...40 { done.wait() }

        let results = outcomes.withLock { $0 }
        let stored = results.compactMap { number, result -> (Int, UInt64)? in
            guard case .success(let batch) = result else { return nil }
            return (number, batch.firstSequence)
        }
        let failed = results.filter { if case .failure = $0.1 { true } else { false } }
        #expect(!failed.isEmpty)
        #expect(stored.count + failed.count == 40)
        try #require(!stored.isEmpty, Comment(rawValue: failed.prefix(3).map { "\($0.1)" }.joined(separator: " / ")))
        #expect(stored.map(\.1).sorted() == Array(2...UInt64(1 + stored.count)))
        for (number, sequence) in stored {
            #expect(try store.event(at: sequence).id == "id-\(number)")
        }
        store.close()

        let reopened = try EventStore.open(StoreOptions(directory: directory.path))
        #expect(reopened.recovery.truncatedBytes == 0)
        #expect(reopened.lastDurableSequence == UInt64(1 + stored.count))
        #expect(try StoreVerifier.verify(directory: directory.path).isIntact)
    }
}
