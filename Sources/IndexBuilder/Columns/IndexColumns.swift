/// The per-event columns the indexes compare and filter by: for each sequence number, the event
/// timestamp and the key id of each indexed field (28 bytes an event).
///
/// Append-only and chunked: a chunk never moves once allocated, so a copy of this value (inside a
/// reader's snapshot) stays valid while the writer appends, and it reads only the cells below its
/// own `count`. Reads go through raw pointers to the chunks' storage, kept beside the chunks that
/// own it, so the hot loops of queries and rebuilds pay no reference counting.
struct IndexColumns: @unchecked Sendable {
    // Sendable by the same argument as `ColumnChunk`; the pointers are owned by `chunks`.

    /// The key id of a field the event does not have.
    static let absentKey = UInt32.max

    /// The chunks, which own the storage the pointers below point into.
    private(set) var chunks: ContiguousArray<ColumnChunk> = []
    private var timestampChunks: ContiguousArray<UnsafeMutablePointer<Int64>> = []
    private var keyChunks: ContiguousArray<UnsafeMutablePointer<UInt32>> = []
    /// The sequence number of the first cell of the first chunk.
    private(set) var base: UInt64
    /// Cells filled, counted from `base`.
    private(set) var count = 0

    /// Creates empty columns whose first cell will hold `firstSequence`.
    init(firstSequence: UInt64) {
        base = firstSequence
    }

    /// The sequence number the next appended cell gets.
    var nextSequence: UInt64 { base + UInt64(count) }

    /// Heap bytes of the columns.
    var estimatedByteCount: Int { chunks.count * ColumnChunk.byteCount + 32 + chunks.capacity * 8 }

    /// Whether the columns hold a cell for `sequence`.
    @inline(__always) func contains(_ sequence: UInt64) -> Bool {
        sequence >= base && sequence - base < UInt64(count)
    }

    /// The timestamp (microseconds) of the event at `sequence`.
    ///
    /// - Precondition: `contains(sequence)`.
    /// - Complexity: O(1).
    @inline(__always) func timestamp(_ sequence: UInt64) -> Int64 {
        let offset = Int(truncatingIfNeeded: sequence &- base)
        return timestampChunks[offset >> ColumnChunk.shift][offset & ColumnChunk.mask]
    }

    /// The key id at field index `field` (an `IndexField.rawValue`) of the event at `sequence`.
    ///
    /// - Precondition: `contains(sequence)`.
    /// - Complexity: O(1).
    @inline(__always) func key(_ field: Int, _ sequence: UInt64) -> UInt32 {
        let offset = Int(truncatingIfNeeded: sequence &- base)
        return keyChunks[offset >> ColumnChunk.shift][field &<< ColumnChunk.shift | offset & ColumnChunk.mask]
    }

    /// The key id of `field` of the event at `sequence`, or `absentKey`.
    ///
    /// - Precondition: `contains(sequence)`.
    /// - Complexity: O(1).
    @inline(__always) func key(_ field: IndexField, _ sequence: UInt64) -> UInt32 {
        key(field.rawValue, sequence)
    }

    /// Whether the event at `sequence` meets every condition of `wanted`.
    @inline(__always) func matches(_ sequence: UInt64, _ wanted: KeyFilter) -> Bool {
        for condition in wanted.conditions where key(condition.field, sequence) != condition.key {
            return false
        }
        return true
    }

    /// Appends the cell of the next sequence number.
    ///
    /// - Complexity: Amortised O(1).
    mutating func append(timestamp: Int64, keys: (UInt32, UInt32, UInt32, UInt32, UInt32)) {
        let slot = count & ColumnChunk.mask
        if slot == 0 && count >> ColumnChunk.shift == chunks.count {
            let chunk = ColumnChunk()
            chunks.append(chunk)
            timestampChunks.append(chunk.timestamps)
            keyChunks.append(chunk.keys)
        }
        timestampChunks[count >> ColumnChunk.shift][slot] = timestamp
        let cells = keyChunks[count >> ColumnChunk.shift] + slot
        cells[0] = keys.0
        cells[ColumnChunk.capacity] = keys.1
        cells[2 * ColumnChunk.capacity] = keys.2
        cells[3 * ColumnChunk.capacity] = keys.3
        cells[4 * ColumnChunk.capacity] = keys.4
        count += 1
    }

    /// Appends a cell for a sequence number the store does not have (a damaged range).
    mutating func appendGap() {
        append(timestamp: .min, keys: (Self.absentKey, Self.absentKey, Self.absentKey, Self.absentKey, Self.absentKey))
    }

    /// Releases the chunks that lie wholly below `sequence`. Snapshots holding them keep them alive.
    mutating func dropChunks(below sequence: UInt64) {
        guard sequence > base else { return }
        let whole = Swift.min(Int((sequence - base) >> UInt64(ColumnChunk.shift)), count >> ColumnChunk.shift)
        guard whole > 0 else { return }
        chunks.removeFirst(whole)
        timestampChunks.removeFirst(whole)
        keyChunks.removeFirst(whole)
        base += UInt64(whole << ColumnChunk.shift)
        count -= whole << ColumnChunk.shift
    }
}

/// (field, key id) conditions that an event's columns must all meet.
struct KeyFilter: Sendable {
    /// The conditions, as (field index, wanted key id).
    private(set) var conditions: ContiguousArray<(field: Int, key: UInt32)> = []

    /// Adds a condition.
    mutating func append(_ field: IndexField, _ key: UInt32) {
        conditions.append((field.rawValue, key))
    }

    /// Whether there are no conditions.
    var isEmpty: Bool { conditions.isEmpty }
}
