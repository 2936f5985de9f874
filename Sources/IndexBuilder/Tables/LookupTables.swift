import Synchronization

/// The tables that turn a query's strings into what the indexes hold: one key interner per
/// indexed field, and the table from event-id hash to sequence number.
///
/// They are updated in place, so they sit behind a lock that the writer takes once per batch and a
/// reader once per lookup (a hash probe: well under a microsecond).
final class LookupTables: Sendable {
    /// The tables themselves.
    struct State: Sendable {
        /// One interner per `IndexField`, by raw value.
        var interners: [KeyInterner]
        /// Fingerprint of the event-id hash → sequence number.
        var ids: HashSlotTable
    }

    let state: Mutex<State>

    init(_ state: State) {
        self.state = Mutex(state)
    }

    /// The fingerprint the id table files an event id under: the high half of its XXH3-64.
    static func idFingerprint(_ id: String) -> UInt32 {
        UInt32(truncatingIfNeeded: KeyInterner.hash(id) >> 32)
    }

    /// The key id of `value` in `field`, if any event has had it.
    ///
    /// - Complexity: O(1) expected; hashes `value` outside the lock.
    func keyID(_ field: IndexField, _ value: String) -> UInt32? {
        let hash = KeyInterner.hash(value)
        return state.withLock { $0.interners[field.rawValue].keyID(forHash: hash) }
    }

    /// The sequence numbers filed under the fingerprint of `id`, in no particular order.
    ///
    /// - Complexity: O(1) expected.
    func candidateSequences(forEventID id: String) -> [UInt64] {
        let fingerprint = Self.idFingerprint(id)
        var found: [UInt64] = []
        state.withLock { tables in
            tables.ids.forEachValue(fingerprint: fingerprint) {
                found.append(UInt64($0)); return true
            }
        }
        return found
    }

    /// Heap bytes of the tables.
    var estimatedByteCount: (keys: Int, ids: Int) {
        state.withLock { tables in
            (tables.interners.reduce(0) { $0 + $1.estimatedByteCount }, tables.ids.estimatedByteCount)
        }
    }
}
