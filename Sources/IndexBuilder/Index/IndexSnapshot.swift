import SegmentStore

/// An immutable, consistent view of every index as of one durable batch.
///
/// Taking a snapshot costs a lock held for a few retains; holding one costs nothing to the writer
/// beyond the nodes it then copies instead of changing in place. Everything a query reads comes
/// from one snapshot, so a page never mixes two states of the store.
public struct IndexSnapshot: Sendable {
    /// The secondary indexes, by `IndexField.rawValue`.
    let keyTrees: ContiguousArray<CountedBTree<KeyedEntry>>
    /// The time index: sequence numbers ordered by (timestamp, sequence).
    let timeTree: CountedBTree<UInt32>
    let columns: IndexColumns
    let lookups: LookupTables

    /// The highest sequence number the snapshot includes; 0 when it includes none.
    public let lastSequence: UInt64

    /// The number of events indexed.
    ///
    /// - Complexity: O(1).
    public var eventCount: Int { timeTree.count }

    var order: EntryOrder { EntryOrder(columns: columns) }

    /// The sequence number of the event with `id`, if the snapshot includes it.
    ///
    /// The index files ids by a 32-bit fingerprint of their hash, so it asks `verify` whether a
    /// candidate sequence really holds `id` (normally by reading the event's indexed fields from
    /// the store); usually there is exactly one candidate.
    ///
    /// - Parameters:
    ///   - id: The event id.
    ///   - verify: Whether the event at a sequence number has `id`.
    /// - Returns: The oldest matching sequence number, or nil.
    /// - Complexity: O(1) expected, plus one `verify` call per candidate.
    public func sequence(forEventID id: String, verify: (UInt64) throws -> Bool) rethrows -> UInt64? {
        let candidates = lookups.candidateSequences(forEventID: id).filter(contains).sorted()
        for candidate in candidates where try verify(candidate) {
            return candidate
        }
        return nil
    }

    /// Whether the snapshot includes an indexed event with `sequence`.
    ///
    /// - Complexity: O(1).
    public func contains(_ sequence: UInt64) -> Bool {
        sequence <= lastSequence && columns.contains(sequence) && columns.timestamp(sequence) != .min
    }

    /// The timestamp of an included event.
    ///
    /// - Precondition: `contains(sequence)`.
    /// - Complexity: O(1).
    public func timestamp(of sequence: UInt64) -> EventTimestamp {
        precondition(contains(sequence), "sequence \(sequence) is not in this snapshot")
        return EventTimestamp(microseconds: columns.timestamp(sequence))
    }

    /// The number of events whose `field` equals `value`.
    ///
    /// - Complexity: O(log n).
    public func count(of field: IndexField, equalTo value: String) -> Int {
        guard let key = lookups.keyID(field, value) else { return 0 }
        let order = order
        return keyTrees[field.rawValue].count(
            from: { order.isBefore($0, key: key, .start(of: .min)) },
            to: { order.isBefore($0, key: key, .end(of: .max)) })
    }

    /// The number of events with a timestamp in `range` (inclusive).
    ///
    /// - Complexity: O(log n).
    public func count(from start: EventTimestamp, through end: EventTimestamp) -> Int {
        let order = order
        return timeTree.count(
            from: { order.isBefore($0, .start(of: start.microseconds)) },
            to: { order.isBefore($0, .end(of: end.microseconds)) })
    }
}
