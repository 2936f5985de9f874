import Observability
import SegmentStore

/// Builds an `EventIndex` from every event in sequence order, the way start-up rebuilds it.
///
/// While events stream in, their keys are interned and their columns filled. At the end the
/// events are put in time order once (nearly free: they arrive almost in time order), the time
/// index is bulk-loaded from that order, and each secondary index from a stable counting sort of
/// it by key, which leaves every key's entries in time order without comparing them. The id
/// table is filled in fingerprint order, which keeps its writes sequential.
///
/// Not thread-safe; one loader belongs to one rebuilding thread.
public struct IndexLoader: ~Copyable {
    /// The fill ratio of the hash tables after a rebuild, leaving room to grow before a rehash.
    static var rebuiltLoad: Double { 0.75 }

    private var interners: [KeyInterner]
    /// Events per key id, by field: the bucket sizes of the final counting sort.
    private var keyCounts: [[Int]] = IndexField.allCases.map { _ in [] }
    private var idSlots = ContiguousArray<UInt64>()
    private var cells = IndexColumns(firstSequence: 1)
    private var indexed = 0
    private var progress: RebuildProgress

    /// Creates a loader.
    ///
    /// - Parameters:
    ///   - firstSequence: The store's first sequence number, where an index left empty starts.
    ///   - expectedEvents: How many events will come, to size buffers and report time left.
    ///   - logger: Where progress goes, once a second.
    public init(firstSequence: UInt64 = 1, expectedEvents: Int = 0, logger: Logger = .disabled) {
        cells = IndexColumns(firstSequence: Swift.max(1, firstSequence))
        interners = IndexField.allCases.map { field in
            KeyInterner(expectedKeys: field == .correlationId ? expectedEvents / 4 : 1024)
        }
        idSlots.reserveCapacity(expectedEvents)
        progress = RebuildProgress(logger: logger, expected: expectedEvents)
    }

    /// The number of events added so far.
    public var count: Int { indexed }

    /// Adds the next event. Sequence numbers must increase; a gap (a range the store lost) is
    /// allowed and stays out of every index.
    ///
    /// - Throws: `IndexError` when the sequence number exceeds `IndexError.maximumSequence` or
    ///   does not increase.
    /// - Complexity: Amortised O(1).
    public mutating func add(_ fields: IndexedFields) throws(IndexError) {
        try add(EventHashes(fields))
    }

    /// Adds the next event from its hashes, computed by the caller (possibly on another thread).
    mutating func add(_ hashes: EventHashes) throws(IndexError) {
        let sequence = hashes.sequence
        guard sequence <= IndexError.maximumSequence else { throw IndexError.sequenceLimit(sequence) }
        if indexed == 0 && cells.count == 0 { cells = IndexColumns(firstSequence: sequence) }
        guard sequence >= cells.nextSequence else {
            throw IndexError(
                .storeFailure,
                "event \(sequence) arrived after \(cells.nextSequence - 1); "
                    + "the store must list events in sequence order")
        }
        while cells.nextSequence < sequence { cells.appendGap() }
        let keys = try EventIndex.internKeys(hashes, in: &interners)
        cells.append(timestamp: hashes.timestamp, keys: keys)
        count(keys.0, .eventType)
        count(keys.1, .source)
        count(keys.2, .target)
        count(keys.3, .sessionId)
        count(keys.4, .correlationId)
        idSlots.append(UInt64(hashes.idFingerprint) << 32 | sequence)
        indexed += 1
        if indexed & 0x3FFF == 0 { progress.tick(indexed: indexed) }
    }

    @inline(__always) private mutating func count(_ key: UInt32, _ field: IndexField) {
        guard key != IndexColumns.absentKey else { return }
        if Int(key) == keyCounts[field.rawValue].count {
            keyCounts[field.rawValue].append(1)
        } else {
            keyCounts[field.rawValue][Int(key)] &+= 1
        }
    }

    /// Builds the trees and tables and returns the finished index.
    ///
    /// - Complexity: O(n + k) for n events and k distinct keys when events arrive nearly in time
    ///   order; O(n log n) at worst.
    public consuming func finish() -> EventIndex {
        progress.step("read events")
        let timeOrder = TimeOrder.sequences(in: cells, count: indexed)
        progress.step("time order")
        let keyTrees = Self.buildKeyTrees(timeOrder: timeOrder, cells, keyCounts)
        progress.step("secondary indexes")
        let timeTree = CountedBTree<UInt32>(sorted: timeOrder)
        progress.step("time index")
        let ids = HashSlotTable(bulk: idSlots, load: Self.rebuiltLoad)
        progress.step("id table")
        var compacted = interners
        for index in compacted.indices { compacted[index].compact(load: Self.rebuiltLoad) }
        progress.step("interners")
        let state = EventIndex.WriterState(
            keyTrees: keyTrees, timeTree: timeTree, columns: cells, lastSequence: cells.nextSequence - 1)
        progress.finished(indexed: indexed)
        return EventIndex(state: state, lookups: LookupTables(.init(interners: compacted, ids: ids)))
    }

    /// Bulk-loads every secondary index. A stable counting sort of the time order by key, done for
    /// all fields in one pass over the time order, puts each field's
    /// entries in (key, timestamp, sequence) order without comparing any two.
    private static func buildKeyTrees(
        timeOrder: ContiguousArray<UInt32>, _ cells: IndexColumns, _ keyCounts: [[Int]]
    ) -> ContiguousArray<CountedBTree<KeyedEntry>> {
        let fields = IndexField.allCases.count
        var entries: [UnsafeMutableBufferPointer<KeyedEntry>] = []
        var nexts: [UnsafeMutableBufferPointer<Int>] = []
        for counts in keyCounts {
            let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: counts.count + 1)
            next[0] = 0
            for (key, count) in counts.enumerated() { next[key + 1] = next[key] + count }
            entries.append(.allocate(capacity: next[counts.count]))
            nexts.append(next)
        }
        defer {
            for buffer in entries { buffer.deallocate() }
            for next in nexts { next.deallocate() }
        }
        entries.withUnsafeBufferPointer { entries in
            nexts.withUnsafeBufferPointer { nexts in
                for sequence in timeOrder {
                    for field in 0..<fields {
                        let key = cells.key(field, UInt64(sequence))
                        guard key != IndexColumns.absentKey else { continue }
                        let slot = nexts[field][Int(key)]
                        nexts[field][Int(key)] = slot &+ 1
                        entries[field].initializeElement(at: slot, to: KeyedEntry(key: key, sequence: sequence))
                    }
                }
            }
        }
        // Every slot was written exactly once: each key's bucket holds exactly its count.
        return ContiguousArray(entries.map { CountedBTree(sorted: $0) })
    }
}
