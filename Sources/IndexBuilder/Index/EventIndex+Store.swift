import Observability
import SegmentStore
import Synchronization

extension EventIndex {
    /// Rebuilds the indexes from every durable event in `store`, reading only the indexed fields,
    /// and (unless `followWrites` is false) keeps them current with every batch the store makes
    /// durable from then on.
    ///
    /// The durability observer is registered before the scan starts and batches that arrive
    /// during it are held back and applied right after it, so no batch falls between the rebuild
    /// and live updates. One thread reads and hashes the fields while the calling thread interns
    /// them. Progress (events indexed, rate, time left) is logged once a second.
    ///
    /// - Parameters:
    ///   - store: The open store.
    ///   - followWrites: Whether to apply the store's later batches (false for read-only tools).
    ///   - logger: Where progress and later apply failures go.
    /// - Throws: `IndexError` when the store cannot be read or holds a sequence number past
    ///   `IndexError.maximumSequence`.
    /// - Complexity: O(n) for n events arriving nearly in time order.
    public static func rebuild(
        from store: EventStore, followWrites: Bool = true, logger: Logger
    ) throws(IndexError)
        -> EventIndex
    {
        let feed = LiveFeed(logger: logger)
        if followWrites {
            store.addDurabilityObserver { batch in feed.deliver(batch) }
        }
        let first = store.firstSequence
        let last = store.lastDurableSequence
        var loader = IndexLoader(
            firstSequence: first, expectedEvents: last >= first ? Int(last - first + 1) : 0, logger: logger)
        let reader = HashingStoreReader(store: store, from: first)
        defer { reader.cancel() }
        do {
            while let chunk = try reader.next() {
                for hashes in chunk { try loader.add(hashes) }
            }
        } catch let error as IndexError {
            feed.abandon()
            throw error
        } catch {
            feed.abandon()
            throw IndexError(.storeFailure, "reading the store to rebuild the indexes failed: \(error)")
        }
        let index = loader.finish()
        if followWrites {
            do {
                try feed.goLive(index)
            } catch {
                feed.abandon()
                throw error
            }
        }
        return index
    }
}

/// Hands durable batches to an index once it exists, holding them back while it is rebuilt.
final class LiveFeed: Sendable {
    private struct State {
        var pending: [DurableBatch] = []
        var index: EventIndex?
        var abandoned = false
    }

    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Called on the store's writer thread for each durable batch.
    func deliver(_ batch: DurableBatch) {
        state.withLock { state in
            guard let index = state.index else {
                if !state.abandoned { state.pending.append(batch) }
                return
            }
            do {
                try index.apply(batch)
            } catch {
                logger.error(
                    "could not index a durable batch; queries will miss it until restart",
                    ["index.first_sequence": .int(Int64(batch.firstSequence)), "error": .string("\(error)")])
            }
        }
    }

    /// Drops the held-back batches and every later one: the rebuild failed.
    func abandon() {
        state.withLock { state in
            state.abandoned = true
            state.pending = []
        }
    }

    /// Applies the held-back batches to `index` and passes every later one straight on.
    func goLive(_ index: EventIndex) throws(IndexError) {
        try state.withLock { (state: inout State) throws(IndexError) in
            for batch in state.pending {
                try index.apply(batch)
            }
            state.pending = []
            state.index = index
        }
    }
}
