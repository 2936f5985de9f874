import Foundation
import Observability
import Synchronization

/// The single owner of the active segment's file: takes submissions from any thread, and on its own
/// thread groups them into batches, writes each batch with one `pwrite` and one `fdatasync`, rolls
/// segments, and only then reports the batch durable.
///
/// A batch closes as soon as no more submissions are waiting, so it grows by itself while a sync
/// is in flight and shrinks to one event when the load is light.
final class SegmentWriter: @unchecked Sendable {
    // Sendable: `pending`, `closing` and `exited` are guarded by `condition`; everything else is
    // touched only by the writer thread after `start()`.

    typealias Completion = @Sendable (Result<DurableBatch, StoreError>) -> Void
    typealias Observer = @Sendable (DurableBatch) -> Void

    private struct Submission {
        var events: [StoredEvent]
        var completion: Completion
        var rawBytes: Int
    }

    private let condition = NSCondition()
    private var pending: [Submission] = []
    private var closing = false
    private var exited = false

    private let options: StoreOptions
    private let catalog: SegmentCatalog
    private let logger: Logger
    private let observers = Mutex<[Observer]>([])
    private var active: ActiveSegment
    private var nextSequence: UInt64
    private var tailNeedsRollback = false

    init(options: StoreOptions, catalog: SegmentCatalog, active: ActiveSegment, nextSequence: UInt64, logger: Logger) {
        self.options = options
        self.catalog = catalog
        self.active = active
        self.nextSequence = nextSequence
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "segment-writer"
        thread.start()
    }

    func addObserver(_ observer: @escaping Observer) {
        observers.withLock { $0.append(observer) }
    }

    func submit(_ events: [StoredEvent], completion: @escaping Completion) {
        for event in events {
            do {
                try FrameCodec.validate(event)
            } catch {
                completion(.failure(error))
                return
            }
        }
        let rawBytes = events.reduce(0) { $0 + Self.rawSize(of: $1) }
        condition.lock()
        if closing {
            condition.unlock()
            completion(.failure(StoreError(.closed, "the store is closed; reopen it to append")))
            return
        }
        pending.append(Submission(events: events, completion: completion, rawBytes: rawBytes))
        condition.signal()
        condition.unlock()
    }

    /// Stops taking submissions, commits what is waiting, and returns once the thread has exited.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !exited { condition.wait() }
        condition.unlock()
    }

    private static func rawSize(of event: StoredEvent) -> Int {
        96 + event.payload.count + event.original.body.count + event.original.properties.count
            + event.id.utf8.count + event.eventType.utf8.count + event.source.utf8.count
    }

    // MARK: - The writer thread

    private func run() {
        while let batch = nextBatch() {
            commit(batch)
        }
        condition.lock()
        exited = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for submissions and takes as many as fit in one batch; `nil` once closed and drained.
    private func nextBatch() -> [Submission]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closing { condition.wait() }
        if pending.isEmpty { return nil }
        var taken = 0
        var events = 0
        var bytes = 0
        while taken < pending.count {
            let next = pending[taken]
            if taken > 0
                && (events + next.events.count > options.maximumBatchEvents
                    || bytes + next.rawBytes > options.maximumBatchBytes)
            {
                break
            }
            events += next.events.count
            bytes += next.rawBytes
            taken += 1
        }
        let batch = Array(pending[0..<taken])
        pending.removeFirst(taken)
        return batch
    }

    private func commit(_ submissions: [Submission]) {
        let events = submissions.flatMap(\.events)
        guard !events.isEmpty else {
            let now = EventTimestamp.now()
            for submission in submissions {
                submission.completion(.success(DurableBatch(firstSequence: nextSequence, count: 0, storedAt: now, events: [])))
            }
            return
        }
        let result = write(events)
        switch result {
        case .failure(let error):
            for submission in submissions { submission.completion(.failure(error)) }
        case .success(let batch):
            for observer in observers.withLock({ $0 }) { observer(batch) }
            var first = batch.firstSequence
            for submission in submissions {
                let count = submission.events.count
                let start = Int(first - batch.firstSequence)
                let slice = Array(batch.events[start..<(start + count)])
                submission.completion(
                    .success(DurableBatch(firstSequence: first, count: count, storedAt: batch.storedAt, events: slice)))
                first += UInt64(count)
            }
        }
    }

    /// Encodes, writes and syncs one batch; on failure leaves the file as it was before.
    private func write(_ events: [StoredEvent]) -> Result<DurableBatch, StoreError> {
        do {
            if tailNeedsRollback {
                try active.rollBack()
                tailNeedsRollback = false
            }
            let commitTime = EventTimestamp.now()
            let (bytes, frames) = encode(events, commitTime: commitTime)
            if !active.frames.isEmpty && active.length + bytes.count > options.segmentBytes {
                try roll()
            }
            let firstSequence = nextSequence
            let placed = frames.map { frame in
                FrameLocation(
                    firstSequence: frame.firstSequence, recordCount: frame.recordCount,
                    offset: active.length + frame.offset, length: frame.length)
            }
            do {
                try active.append(bytes, frames: placed, minTimestamp: events.lazy.map(\.timestamp.microseconds).min()!,
                    maxTimestamp: events.lazy.map(\.timestamp.microseconds).max()!)
            } catch {
                tailNeedsRollback = (try? active.rollBack()) == nil
                throw error
            }
            nextSequence += UInt64(events.count)
            try publish()
            var fields = [IndexedFields]()
            fields.reserveCapacity(events.count)
            for (position, event) in events.enumerated() {
                var indexed = event.indexedFields
                indexed.sequence = firstSequence + UInt64(position)
                fields.append(indexed)
            }
            return .success(DurableBatch(firstSequence: firstSequence, count: events.count, storedAt: commitTime, events: fields))
        } catch let error as StoreError {
            logger.error("segment write failed", ["segment.path": .string(active.path), "error": .string(error.description)])
            return .failure(error)
        } catch {
            return .failure(StoreError(.ioFailure, "unexpected failure: \(error)"))
        }
    }

    /// Splits a batch into frames of about `frameBytes` raw bytes each and encodes them back to back.
    private func encode(_ events: [StoredEvent], commitTime: EventTimestamp) -> ([UInt8], [FrameLocation]) {
        var bytes = [UInt8]()
        var frames = [FrameLocation]()
        var start = 0
        var sequence = nextSequence
        while start < events.count {
            var end = start
            var raw = 0
            while end < events.count && (end == start || raw + Self.rawSize(of: events[end]) <= options.frameBytes) {
                raw += Self.rawSize(of: events[end])
                end += 1
            }
            let frame = FrameCodec.encodeFrame(events[start..<end], firstSequence: sequence, commitTime: commitTime)
            frames.append(
                FrameLocation(firstSequence: sequence, recordCount: UInt32(end - start), offset: bytes.count, length: frame.count))
            bytes.append(contentsOf: frame)
            sequence += UInt64(end - start)
            start = end
        }
        return (bytes, frames)
    }

    /// Tells readers about the newly durable frames.
    private func publish() throws(StoreError) {
        let mapping = try active.mapping(covering: active.length)
        let snapshot = (active.path, active.frames, active.length, mapping, nextSequence)
        catalog.state.withLock { state in
            let last = state.segments.count - 1
            state.segments[last].frames = snapshot.1
            state.segments[last].durableLength = snapshot.2
            state.segments[last].fileSize = snapshot.2
            state.segments[last].mapping = snapshot.3
            state.segments[last].endSequence = snapshot.4
            state.lastDurableSequence = snapshot.4 - 1
        }
    }

    /// Seals the active segment and starts the next one.
    private func roll() throws(StoreError) {
        let sealedLength = try active.seal()
        catalog.state.withLock { state in
            let last = state.segments.count - 1
            state.segments[last].sealed = true
            state.segments[last].fileSize = sealedLength
        }
        let next = try ActiveSegment.create(directory: options.directory, firstSequence: nextSequence, options: options)
        let mapping = try next.mapping(covering: next.length)
        catalog.state.withLock { state in
            state.segments.append(
                SegmentRecord(
                    path: next.path, firstSequence: next.firstSequence, frames: [], endSequence: next.firstSequence,
                    durableLength: next.length, mapping: mapping, sealed: false, damage: nil, fileSize: next.length))
        }
        logger.info(
            "segment rolled",
            ["segment.path": .string(next.path), "segment.first_sequence": .int(Int64(next.firstSequence))])
        active = next
    }
}
