import Observability
import SegmentStore
import Synchronization

/// The live set of indexes over the event store: a secondary index per filterable field, a time
/// index, per-event columns and the event-id table.
///
/// One writer (the store's writer thread, through `apply(_:)`) adds each batch after it is
/// durable, so a query never sees an event that a crash could still take back. Readers take an
/// immutable `snapshot()` in microseconds and never block the writer for longer.
///
/// Memory: about 28 bytes of columns, 8 bytes per secondary-index entry, 4 per time-index entry
/// and 8 to 14 for the id table, so under 100 bytes an event with every field present.
/// Sequence numbers are stored in 32 bits: the index holds sequences up to
/// `IndexError.maximumSequence` (4,294,967,295) and refuses later ones with a clear error.
public final class EventIndex: Sendable {
    /// What only the writer touches.
    struct WriterState: Sendable {
        var keyTrees: ContiguousArray<CountedBTree<KeyedEntry>>
        var timeTree: CountedBTree<UInt32>
        var columns: IndexColumns
        var lastSequence: UInt64
    }

    private let writer: Mutex<WriterState>
    private let published: Mutex<IndexSnapshot>
    let lookups: LookupTables

    /// Creates an empty index whose first event will have `firstSequence` or a later number.
    public convenience init(firstSequence: UInt64 = 1) {
        let lookups = LookupTables(
            .init(interners: IndexField.allCases.map { _ in KeyInterner() }, ids: HashSlotTable()))
        let state = WriterState(
            keyTrees: ContiguousArray(IndexField.allCases.map { _ in CountedBTree<KeyedEntry>() }),
            timeTree: CountedBTree(), columns: IndexColumns(firstSequence: firstSequence),
            lastSequence: firstSequence - 1)
        self.init(state: state, lookups: lookups)
    }

    init(state: WriterState, lookups: LookupTables) {
        self.lookups = lookups
        self.writer = Mutex(state)
        self.published = Mutex(Self.snapshot(of: state, lookups: lookups))
    }

    private static func snapshot(of state: WriterState, lookups: LookupTables) -> IndexSnapshot {
        IndexSnapshot(
            keyTrees: state.keyTrees, timeTree: state.timeTree, columns: state.columns, lookups: lookups,
            lastSequence: state.lastSequence)
    }

    /// The current consistent view of the indexes.
    ///
    /// - Complexity: O(1): a lock held for a handful of retains.
    public func snapshot() -> IndexSnapshot {
        published.withLock { $0 }
    }

    /// The highest sequence number indexed so far; 0 when none is.
    public var lastSequence: UInt64 {
        published.withLock { $0.lastSequence }
    }

    /// Adds a durable batch. Call it only once the batch is synced (the store's durability observer
    /// does exactly that), in commit order.
    ///
    /// Events the index already has are skipped, so a batch seen twice (during the hand-over from
    /// the start-up rebuild to live updates) is harmless.
    ///
    /// - Throws: `IndexError` when a sequence number exceeds `IndexError.maximumSequence`; the
    ///   batch is then not applied at all.
    /// - Complexity: O(b log n) for b events, with copies of only the nodes on touched paths.
    public func apply(_ batch: DurableBatch) throws(IndexError) {
        try apply(batch.events)
    }

    /// Adds durable events in increasing sequence order; see `apply(_:)` for batches.
    ///
    /// - Throws: `IndexError` when a sequence number exceeds `IndexError.maximumSequence`.
    /// - Complexity: O(b log n) for b events.
    public func apply(_ events: [IndexedFields]) throws(IndexError) {
        try writer.withLock { (state: inout WriterState) throws(IndexError) in
            guard try add(events, to: &state) else { return }
            let snapshot = Self.snapshot(of: state, lookups: lookups)
            published.withLock { $0 = snapshot }
        }
    }

    /// Adds the events newer than the index to the writer state; returns whether any was added.
    private func add(_ events: [IndexedFields], to state: inout WriterState) throws(IndexError) -> Bool {
        let fresh = events.filter { $0.sequence > state.lastSequence && $0.sequence >= state.columns.nextSequence }
        guard let newest = fresh.last else { return false }
        guard newest.sequence <= IndexError.maximumSequence else { throw IndexError.sequenceLimit(newest.sequence) }
        reserveLookups(adding: fresh.count)
        let rows = try lookups.state.withLock { (tables: inout LookupTables.State) throws(IndexError) in
            try fresh.map { (fields) throws(IndexError) in try Self.register(fields, in: &tables) }
        }
        for (fields, keys) in zip(fresh, rows) {
            while state.columns.nextSequence < fields.sequence { state.columns.appendGap() }
            state.columns.append(timestamp: fields.timestamp.microseconds, keys: keys)
        }
        let order = EntryOrder(columns: state.columns)
        for (fields, keys) in zip(fresh, rows) {
            let sequence = UInt32(fields.sequence)
            let position = EventPosition(timestamp: fields.timestamp.microseconds, sequence: fields.sequence)
            for (field, key) in [keys.0, keys.1, keys.2, keys.3, keys.4].enumerated()
            where key != IndexColumns.absentKey {
                state.keyTrees[field].insert(
                    KeyedEntry(key: key, sequence: sequence),
                    atPartitionOf: { order.isBefore($0, key: key, position) })
            }
            state.timeTree.insert(sequence, atPartitionOf: { order.isBefore($0, position) })
        }
        state.lastSequence = newest.sequence
        return true
    }

    /// Grows any lookup table that `count` more events could make grow, on a copy outside the
    /// readers' lock, then swaps the copy in: readers never wait for a rehash.
    private func reserveLookups(adding count: Int) {
        let grows = lookups.state.withLock { tables in
            tables.ids.needsGrowth(adding: count) || tables.interners.contains { $0.needsGrowth(adding: count) }
        }
        guard grows else { return }
        var copy = lookups.state.withLock { $0 }
        copy.ids.reserve(adding: count)
        for index in copy.interners.indices { copy.interners[index].reserve(adding: count) }
        lookups.state.withLock { $0 = copy }
    }

    /// Interns an event's keys and files its id; returns its key ids by field.
    static func register(_ fields: IndexedFields, in tables: inout LookupTables.State) throws(IndexError)
        -> (UInt32, UInt32, UInt32, UInt32, UInt32)
    {
        let keys = try internKeys(of: fields, in: &tables.interners)
        tables.ids.insert(fingerprint: LookupTables.idFingerprint(fields.id), value: UInt32(fields.sequence))
        return keys
    }

    /// Interns an event's keys; returns its key ids by field (`absentKey` where it has none).
    static func internKeys(of fields: IndexedFields, in interners: inout [KeyInterner]) throws(IndexError)
        -> (UInt32, UInt32, UInt32, UInt32, UInt32)
    {
        func key(_ field: IndexField) throws(IndexError) -> UInt32 {
            guard let value = field.value(in: fields) else { return IndexColumns.absentKey }
            return try interners[field.rawValue].intern(hash: KeyInterner.hash(value))
        }
        return (try key(.eventType), try key(.source), try key(.target), try key(.sessionId), try key(.correlationId))
    }
}
