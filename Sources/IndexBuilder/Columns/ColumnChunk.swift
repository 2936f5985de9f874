/// A fixed block of the per-event columns: the timestamp and the five key ids of `capacity`
/// consecutive sequence numbers. Its memory is allocated once and never moves.
//
// Cells at or beyond the count of a published column set are written only by the single writer;
// readers only read cells below the count of the snapshot they hold, which the writer published
// through a lock after writing them, so no cell is ever read while it is written.
final class ColumnChunk: @unchecked Sendable {
    /// log2 of the cells per chunk.
    static let shift = 14
    /// Cells per chunk: 16,384, about 460 KiB.
    static let capacity = 1 << shift
    /// Mask of a cell's index within its chunk.
    static let mask = capacity - 1
    /// Key ids per cell, one per `IndexField`.
    static let fields = IndexField.allCases.count

    /// Event timestamps in microseconds; `Int64.min` for a sequence the store no longer has.
    let timestamps: UnsafeMutablePointer<Int64>
    /// Key ids, field-major: field `f` of cell `i` is at `f * capacity + i`, so a scan that checks
    /// one field of scattered events touches as few cache lines and pages as possible.
    let keys: UnsafeMutablePointer<UInt32>

    init() {
        timestamps = .allocate(capacity: Self.capacity)
        timestamps.initialize(repeating: .min, count: Self.capacity)
        keys = .allocate(capacity: Self.capacity * Self.fields)
        keys.initialize(repeating: IndexColumns.absentKey, count: Self.capacity * Self.fields)
    }

    deinit {
        timestamps.deallocate()
        keys.deallocate()
    }

    /// Heap bytes of one chunk.
    static var byteCount: Int { capacity * (8 + 4 * fields) + 64 }
}
