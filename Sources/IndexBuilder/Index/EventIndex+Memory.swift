/// Where the memory of an `EventIndex` goes, in heap bytes (estimated from node and table
/// capacities; allocator rounding and headers aside).
public struct IndexMemoryUsage: Sendable, CustomStringConvertible {
    /// The secondary indexes, by field.
    public var keyIndexes: [IndexField: Int]
    /// The time index.
    public var timeIndex: Int
    /// The per-event columns (timestamps and key ids).
    public var columns: Int
    /// The key interners.
    public var interners: Int
    /// The event-id table.
    public var idTable: Int
    /// The number of events indexed.
    public var events: Int

    /// Everything together.
    public var total: Int { keyIndexes.values.reduce(0, +) + timeIndex + columns + interners + idTable }

    /// `total` divided by the number of events.
    public var bytesPerEvent: Double { events == 0 ? 0 : Double(total) / Double(events) }

    /// Bytes per event in all and for each part.
    public var description: String {
        let perEvent = { (bytes: Int) in events == 0 ? "0" : String(Double(bytes * 10 / events) / 10) }
        var parts = IndexField.allCases.map { "\($0): \(perEvent(keyIndexes[$0] ?? 0))" }
        parts += [
            "time: \(perEvent(timeIndex))", "columns: \(perEvent(columns))", "interners: \(perEvent(interners))",
            "ids: \(perEvent(idTable))",
        ]
        return "\(perEvent(total)) bytes/event (" + parts.joined(separator: ", ") + ")"
    }
}

extension EventIndex {
    /// The heap bytes the indexes occupy now.
    ///
    /// - Complexity: O(n / leaf capacity): it walks every node.
    public func memoryUsage() -> IndexMemoryUsage {
        let snapshot = snapshot()
        let tables = lookups.estimatedByteCount
        var keyIndexes: [IndexField: Int] = [:]
        for field in IndexField.allCases {
            keyIndexes[field] = snapshot.keyTrees[field.rawValue].estimatedByteCount
        }
        return IndexMemoryUsage(
            keyIndexes: keyIndexes, timeIndex: snapshot.timeTree.estimatedByteCount,
            columns: snapshot.columns.estimatedByteCount, interners: tables.keys, idTable: tables.ids,
            events: snapshot.eventCount)
    }
}
