import SegmentStore

extension EventIndex {
    /// Adds the events newer than the index to the writer state; returns whether any was added.
    func add(_ events: [IndexedFields], to state: inout WriterState) throws(IndexError) -> Bool {
        let fresh = events.filter { $0.sequence > state.lastSequence && $0.sequence >= state.columns.nextSequence }
        guard let newest = fresh.last else { return false }
        guard newest.sequence <= IndexError.maximumSequence else { throw IndexError.sequenceLimit(newest.sequence) }
        reserveLookups(adding: fresh.count)
        let hashes = fresh.map(EventHashes.init)
        let rows = try lookups.state.withLock { (tables: inout LookupTables.State) throws(IndexError) in
            try hashes.map { (hashes) throws(IndexError) in try Self.register(hashes, in: &tables) }
        }
        for (fields, keys) in zip(fresh, rows) {
            while state.columns.nextSequence < fields.sequence { state.columns.appendGap() }
            state.columns.append(timestamp: fields.timestamp.microseconds, keys: keys)
        }
        let order = EntryOrder(columns: state.columns)
        for (fields, keys) in zip(fresh, rows) {
            let sequence = UInt32(fields.sequence)
            let position = EventPosition(timestamp: fields.timestamp.microseconds, sequence: fields.sequence)
            func index(_ field: IndexField, _ key: UInt32) {
                guard key != IndexColumns.absentKey else { return }
                Self.insert(
                    KeyedEntry(key: key, sequence: sequence), at: position, into: &state.keyTrees[field.rawValue], order
                )
            }
            index(.eventType, keys.0)
            index(.source, keys.1)
            index(.target, keys.2)
            index(.sessionId, keys.3)
            index(.correlationId, keys.4)
            Self.insert(sequence, at: position, into: &state.timeTree, order)
        }
        state.lastSequence = newest.sequence
        return true
    }

    /// Inserts a secondary-index entry for an event at `position`.
    ///
    /// An event is nearly always the newest of its key, so the end of the key's range is found
    /// with key comparisons alone and one timestamp read confirms it belongs there; only an event
    /// older than the key's newest pays for a search that reads timestamps all the way down.
    private static func insert(
        _ entry: KeyedEntry, at position: EventPosition, into tree: inout CountedBTree<KeyedEntry>,
        _ order: EntryOrder
    ) {
        let key = entry.key
        let end = tree.partitionRank { $0.key <= key }
        if end == 0 || tree.element(atRank: end - 1).key != key
            || order.position(of: tree.element(atRank: end - 1).sequence) < position
        {
            tree.insert(entry, atPartitionOf: { $0.key <= key })
        } else {
            tree.insert(entry, atPartitionOf: { order.isBefore($0, key: key, position) })
        }
    }

    /// Inserts a time-index entry for an event at `position`; appends when it is the newest.
    private static func insert(
        _ sequence: UInt32, at position: EventPosition, into tree: inout CountedBTree<UInt32>, _ order: EntryOrder
    ) {
        if let last = tree.last, !(order.position(of: last) < position) {
            tree.insert(sequence, atPartitionOf: { order.isBefore($0, position) })
        } else {
            tree.insert(sequence, atPartitionOf: { _ in true })
        }
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
    static func register(
        _ hashes: EventHashes, in tables: inout LookupTables.State
    ) throws(IndexError)
        -> (UInt32, UInt32, UInt32, UInt32, UInt32)
    {
        let keys = try internKeys(hashes, in: &tables.interners)
        tables.ids.insert(fingerprint: hashes.idFingerprint, value: UInt32(hashes.sequence))
        return keys
    }

    /// Interns an event's keys; returns its key ids by field (`absentKey` where it has none).
    static func internKeys(
        _ hashes: EventHashes, in interners: inout [KeyInterner]
    ) throws(IndexError)
        -> (UInt32, UInt32, UInt32, UInt32, UInt32)
    {
        func key(_ field: IndexField, _ hash: UInt64?) throws(IndexError) -> UInt32 {
            guard let hash else { return IndexColumns.absentKey }
            return try interners[field.rawValue].intern(hash: hash)
        }
        return (
            try key(.eventType, hashes.keys.0), try key(.source, hashes.keys.1), try key(.target, hashes.keys.2),
            try key(.sessionId, hashes.keys.3), try key(.correlationId, hashes.keys.4)
        )
    }
}
