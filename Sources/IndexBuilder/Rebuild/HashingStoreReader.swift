import Foundation
import SegmentStore

/// Reads a store's indexed fields on a thread of its own and hands them over as `EventHashes`, a
/// chunk at a time, so that decompressing and hashing (on this thread) overlap with interning and
/// filling the columns (on the loader's thread).
///
/// At most `chunksInFlight` chunks wait at any time, which bounds the memory to a few megabytes
/// however large the store is.
final class HashingStoreReader: @unchecked Sendable {  // every mutable field is guarded by `condition`
    static let chunkSize = 8192
    static let chunksInFlight = 4

    private struct Cancelled: Error {}

    private let condition = NSCondition()
    private var ready: [ContiguousArray<EventHashes>] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false

    /// Starts reading `store` from sequence `start` on a new thread.
    init(store: EventStore, from start: UInt64) {
        let thread = Thread { [self] in read(store, from: start) }
        thread.name = "candystore-index-reader"
        thread.start()
    }

    /// The next chunk of events in sequence order, or `nil` once the store has been read.
    ///
    /// - Throws: what reading the store threw (`StoreError` for an unreadable frame).
    func next() throws -> ContiguousArray<EventHashes>? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished { condition.wait() }
        if !ready.isEmpty {
            condition.broadcast()
            return ready.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// Stops the reading thread early (it ends at its next chunk); later chunks are dropped.
    func cancel() {
        condition.lock()
        cancelled = true
        ready = []
        condition.broadcast()
        condition.unlock()
    }

    private func read(_ store: EventStore, from start: UInt64) {
        var chunk = ContiguousArray<EventHashes>()
        chunk.reserveCapacity(Self.chunkSize)
        var outcome: (any Error)?
        do {
            try store.forEachIndexedFieldBytes(from: start) { fields in
                chunk.append(EventHashes(fields))
                guard chunk.count == Self.chunkSize else { return }
                guard hand(chunk) else { throw Cancelled() }
                chunk = []
                chunk.reserveCapacity(Self.chunkSize)
            }
            if !chunk.isEmpty { _ = hand(chunk) }
        } catch is Cancelled {
        } catch {
            outcome = error
        }
        condition.lock()
        finished = true
        failure = outcome
        condition.broadcast()
        condition.unlock()
    }

    /// Queues a chunk, waiting while `chunksInFlight` are queued; false once cancelled.
    private func hand(_ chunk: ContiguousArray<EventHashes>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= Self.chunksInFlight && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        ready.append(chunk)
        condition.broadcast()
        return true
    }
}
