/// An entry of a secondary index: the key id of the field's value and the event's sequence number
/// (8 bytes). Entries order by key, then by the event's timestamp read from the columns, then by
/// sequence number.
struct KeyedEntry: Hashable, Sendable {
    /// The interned key id of the indexed value.
    var key: UInt32
    /// The event's sequence number.
    var sequence: UInt32
}

/// A point in the total order of events: by timestamp, then by sequence number. Newest-first
/// results run down this order; a page cursor is one of these.
struct EventPosition: Comparable, Hashable, Sendable {
    /// Event timestamp in microseconds since the epoch.
    var timestamp: Int64
    /// Sequence number.
    var sequence: UInt64

    /// Before every event at or after `timestamp`.
    static func start(of timestamp: Int64) -> EventPosition {
        EventPosition(timestamp: timestamp, sequence: 0)
    }

    /// After every event at or before `timestamp`.
    static func end(of timestamp: Int64) -> EventPosition {
        EventPosition(timestamp: timestamp, sequence: .max)
    }

    static func < (lhs: EventPosition, rhs: EventPosition) -> Bool {
        lhs.timestamp != rhs.timestamp ? lhs.timestamp < rhs.timestamp : lhs.sequence < rhs.sequence
    }
}

/// The orderings of the index entries, which read timestamps from the columns.
struct EntryOrder {
    let columns: IndexColumns

    /// Whether a secondary-index entry orders before the point (`key`, `position`).
    @inline(__always) func isBefore(_ entry: KeyedEntry, key: UInt32, _ position: EventPosition) -> Bool {
        if entry.key != key { return entry.key < key }
        let sequence = UInt64(entry.sequence)
        let timestamp = columns.timestamp(sequence)
        return timestamp != position.timestamp ? timestamp < position.timestamp : sequence < position.sequence
    }

    /// Whether a time-index entry (a sequence number) orders before `position`.
    @inline(__always) func isBefore(_ entry: UInt32, _ position: EventPosition) -> Bool {
        let sequence = UInt64(entry)
        let timestamp = columns.timestamp(sequence)
        return timestamp != position.timestamp ? timestamp < position.timestamp : sequence < position.sequence
    }

    /// The strict order of secondary-index entries, for checks and sorting.
    @inline(__always) func keyedLess(_ lhs: KeyedEntry, _ rhs: KeyedEntry) -> Bool {
        isBefore(lhs, key: rhs.key, position(of: rhs.sequence))
    }

    /// The strict order of time-index entries, for checks and sorting.
    @inline(__always) func timeLess(_ lhs: UInt32, _ rhs: UInt32) -> Bool {
        isBefore(lhs, position(of: rhs))
    }

    /// The position of the event at `sequence`.
    @inline(__always) func position(of sequence: UInt32) -> EventPosition {
        EventPosition(timestamp: columns.timestamp(UInt64(sequence)), sequence: UInt64(sequence))
    }
}
