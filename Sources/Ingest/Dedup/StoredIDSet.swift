import SegmentStore
import Synchronization

/// The ids of every durable event in one store, held in memory and kept current by a durability
/// observer: the duplicate check for the quarantine log, and for tests and benchmarks that run
/// without the indexes.
public final class StoredIDSet: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// Loads the ids already in `store` and follows every batch it commits from now on.
    ///
    /// - Throws: what `EventStore.forEachIndexedFields` throws when a frame cannot be read.
    /// - Complexity: O(n) in the events already stored.
    public init(tracking store: EventStore) throws {
        store.addDurabilityObserver { batch in
            self.ids.withLock { set in
                for fields in batch.events { set.insert(fields.id) }
            }
        }
        var existing = Set<String>()
        try store.forEachIndexedFields { existing.insert($0.id) }
        ids.withLock { $0.formUnion(existing) }
    }

    /// Whether an event with `id` is durable in the store.
    ///
    /// - Complexity: O(1) on average.
    public func contains(_ id: String) -> Bool {
        ids.withLock { $0.contains(id) }
    }

    /// How many distinct ids the store holds.
    public var count: Int {
        ids.withLock { $0.count }
    }
}
