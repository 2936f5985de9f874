import Foundation
import Observability
import Synchronization

/// Candystore's log-structured event store: append-only segment files of checksummed,
/// LZ4-compressed frames in one data directory.
///
/// Appends go through a group-commit writer thread; reads go through read-only memory mappings
/// and never see a byte that is not durable. Opening the store recovers it: a torn tail of the
/// active segment is cut off and synced before anything is mapped or appended.
///
/// Sequence numbers start at 1 and are dense: the store assigns them in commit order.
public final class EventStore: Sendable {
    /// The options the store was opened with.
    public let options: StoreOptions
    /// What recovery found when the store was opened.
    public let recovery: RecoveryReport

    let catalog: SegmentCatalog
    private let writer: SegmentWriter?
    private let cache: FrameCache
    private let lock: DirectoryLock?
    private let isClosed = Atomic<Bool>(false)
    private let logger: Logger

    init(
        options: StoreOptions, recovery: RecoveryReport, catalog: SegmentCatalog, writer: SegmentWriter?,
        lock: DirectoryLock?, logger: Logger
    ) {
        self.options = options
        self.recovery = recovery
        self.catalog = catalog
        self.writer = writer
        self.lock = lock
        self.logger = logger
        self.cache = FrameCache(capacity: options.frameCacheCapacity)
    }

    deinit {
        close()
    }

    /// The last durable sequence number; 0 while the store is empty.
    public var lastDurableSequence: UInt64 {
        catalog.state.withLock { $0.lastDurableSequence }
    }

    /// The first sequence number the store holds (the next one to be assigned while it is empty).
    public var firstSequence: UInt64 {
        catalog.state.withLock { $0.firstSequence }
    }

    /// Queues events for the writer.
    ///
    /// The events of one submission are committed together, in order, in one batch. `completion`
    /// runs on the writer thread once that batch is synced to disk, with the sequence numbers it
    /// assigned, or with the error that kept it from being durable; in that case none of the
    /// submission is stored and it may be submitted again.
    ///
    /// - Parameters:
    ///   - events: events whose `sequence` and `storedAt` are left for the store to set.
    ///   - completion: called exactly once, on the writer thread; it must not block.
    public func submit(
        _ events: [StoredEvent], completion: @escaping @Sendable (Result<DurableBatch, StoreError>) -> Void
    ) {
        guard let writer else {
            completion(.failure(StoreError(.closed, "the store was opened read-only; open it for writing to append")))
            return
        }
        writer.submit(events, completion: completion)
    }

    /// Appends events and waits until they are durable.
    ///
    /// - Throws: `StoreError` if the batch could not be written or synced; nothing of it is then stored.
    @discardableResult
    public func append(_ events: [StoredEvent]) throws(StoreError) -> DurableBatch {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<DurableBatch, StoreError>?>(nil)
        submit(events) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Registers a function called for every durable batch, on the writer thread, in commit order,
    /// after the batch is synced and before the submitters hear of it.
    public func addDurabilityObserver(_ observer: @escaping @Sendable (DurableBatch) -> Void) {
        writer?.addObserver(observer)
    }

    /// Reads the event with `sequence`.
    ///
    /// - Complexity: O(log s + log f) to find its frame, then one frame decode unless the frame is cached.
    /// - Throws: `StoreError.notFound` if no durable event has that sequence; `.corrupt` if its frame
    ///   fails its checksum.
    public func event(at sequence: UInt64) throws(StoreError) -> StoredEvent {
        try decodedFrame(holding: sequence).event(sequence)
    }

    /// Reads several events, decoding each frame at most once.
    public func events(at sequences: [UInt64]) throws(StoreError) -> [StoredEvent] {
        var result = [StoredEvent]()
        result.reserveCapacity(sequences.count)
        var current: DecodedFrame?
        for sequence in sequences {
            if let frame = current, frame.contains(sequence) {
                result.append(frame.event(sequence))
                continue
            }
            let frame = try decodedFrame(holding: sequence)
            current = frame
            result.append(frame.event(sequence))
        }
        return result
    }

    /// The indexed fields of the event with `sequence`.
    public func indexedFields(at sequence: UInt64) throws(StoreError) -> IndexedFields {
        let frame = try decodedFrame(holding: sequence)
        return frame.records.indexedFields(at: Int(sequence - frame.firstSequence))
    }

    /// Calls `body` with the indexed fields of every durable event from `start` on, in sequence
    /// order, decompressing only each frame's index block.
    ///
    /// Frames in a damaged range are skipped (they are listed in `recovery.damage`).
    public func forEachIndexedFields(from start: UInt64 = 1, _ body: (IndexedFields) throws -> Void) throws {
        try forEachIndexedFieldBytes(from: start) { try body(IndexedFields($0)) }
    }

    /// Calls `body` with the indexed fields of every durable event from `start` on, in sequence
    /// order, as bytes borrowed from each frame's decompressed index block: the start-up rebuild
    /// path, which creates no string per event.
    ///
    /// The buffers are valid only during each call of `body`. Frames in a damaged range are
    /// skipped (they are listed in `recovery.damage`).
    ///
    /// - Throws: `StoreError.corrupt` when a frame's index block cannot be read; what `body` throws.
    public func forEachIndexedFieldBytes(from start: UInt64 = 1, _ body: (IndexedFieldBytes) throws -> Void) throws {
        let segments = catalog.state.withLock { $0.segments }
        for segment in segments where segment.endSequence > start {
            guard let mapping = segment.mapping else { continue }
            for frame in segment.frames where frame.endSequence > start {
                guard
                    let bytes = mapping.bytes(offset: frame.offset, count: frame.length, limit: segment.durableLength),
                    let header = FrameHeader.read(bytes), let block = FrameCodec.indexBlock(of: header, frame: bytes)
                else {
                    throw StoreError(
                        .corrupt, "frame at sequence \(frame.firstSequence) cannot be read; run segstore verify",
                        path: segment.path, offset: Int64(frame.offset))
                }
                try FrameCodec.forEachIndexedFieldBytes(block, header: header) { fields in
                    if fields.sequence >= start { try body(fields) }
                }
            }
        }
    }

    /// Summary figures of the segments, for `/health`, metrics and `segstore stats`.
    public var statistics: StoreStatistics {
        catalog.state.withLock { state in
            StoreStatistics(
                segmentCount: state.segments.count,
                bytesOnDisk: state.segments.reduce(0) { $0 + $1.fileSize },
                firstSequence: state.firstSequence, lastSequence: state.lastDurableSequence,
                eventCount: state.segments.reduce(0) {
                    $0 + Int($1.endSequence - $1.firstSequence - $1.missingSequences)
                })
        }
    }

    /// Commits whatever is queued, stops the writer and releases the data directory.
    ///
    /// The active segment stays unsealed; the next open validates its frames.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer?.close()
        lock?.release()
    }

    private func decodedFrame(holding sequence: UInt64) throws(StoreError) -> DecodedFrame {
        let frame = try decodedFrame(resolving: sequence)
        // In a sparse (compacted) segment the sequences between two frames resolve to the earlier one.
        guard frame.contains(sequence) else { throw StoreError(.notFound, "no durable event has sequence \(sequence)") }
        return frame
    }

    private func decodedFrame(resolving sequence: UInt64) throws(StoreError) -> DecodedFrame {
        guard let resolved = catalog.resolve(sequence) else {
            throw StoreError(.notFound, "no durable event has sequence \(sequence)")
        }
        let key = FrameCache.Key(path: resolved.segmentPath, offset: resolved.location.offset)
        if let cached = cache.frame(for: key) { return cached }
        guard
            let bytes = resolved.mapping.bytes(
                offset: resolved.location.offset, count: resolved.location.length, limit: resolved.limit),
            let header = FrameHeader.read(bytes),
            FrameScanner.problem(with: header, available: bytes.count, expected: resolved.location.firstSequence)
                == nil,
            FrameHeader.checksumMatches(frame: bytes, header: header),
            let index = FrameCodec.indexBlock(of: header, frame: bytes),
            let body = FrameCodec.bodyBlock(of: header, frame: bytes, indexBlock: index)
        else {
            throw StoreError(
                .corrupt, "frame holding sequence \(sequence) fails validation; run segstore verify",
                path: resolved.segmentPath, offset: Int64(resolved.location.offset))
        }
        let records = try FrameRecords.decoding(header, indexBlock: index, bodyBlock: body, frame: bytes)
        let frame = DecodedFrame(records: records)
        cache.insert(frame, for: key)
        return frame
    }
}

/// Summary figures of a store.
public struct StoreStatistics: Sendable, Equatable {
    /// Segment files.
    public var segmentCount: Int
    /// Their total size.
    public var bytesOnDisk: Int
    /// The first sequence held.
    public var firstSequence: UInt64
    /// The last durable sequence (0 when empty).
    public var lastSequence: UInt64
    /// Events readable.
    public var eventCount: Int
}
