import Foundation
import Observability
import Synchronization

/// The single owner of the active segment's file: takes submissions from any thread, groups them
/// into batches, writes each batch with one `pwrite` and one `fdatasync`, rolls segments, and only
/// then reports the batch durable.
///
/// Two threads form a pipeline: the *encoder* takes every waiting submission as one batch,
/// assigns sequence numbers and compresses the frames, while the *syncer* writes and syncs the
/// batch before it. A batch therefore closes as soon as no more submissions are waiting, grows by
/// itself while a sync is in flight, and the CPU work of one batch overlaps the disk wait of the
/// previous one. The syncer is the only thread that touches the file.
final class SegmentWriter: @unchecked Sendable {
    // Sendable: `pending`, `encoded`, `closing`, `encoderDone`, `syncerDone` and `sequenceReset`
    // are guarded by `condition` (one lock; the encoder, the syncer and `close` each wait on a
    // condition variable of their own); `active`, `nextSequence` and `tailNeedsRollback` are touched only
    // by the syncer thread, `encoderSequence` only by the encoder thread.

    typealias Completion = @Sendable (Result<DurableBatch, StoreError>) -> Void
    typealias Observer = @Sendable (DurableBatch) -> Void

    private struct Submission {
        var events: [StoredEvent]
        var completion: Completion
        var rawBytes: Int
    }

    /// A batch whose frames are encoded for sequences from `firstSequence` on.
    private struct EncodedBatch {
        var submissions: [Submission]
        var events: [StoredEvent]
        var firstSequence: UInt64
        var commitTime: EventTimestamp
        var bytes: [UInt8]
        var frames: [FrameLocation]
    }

    /// How many encoded batches may wait for the syncer; one keeps memory bounded and the
    /// pipeline full.
    private static let encodedQueueDepth = 1

    private let condition = PipelineLock()
    private var pending: [Submission] = []
    private var encoded: [EncodedBatch] = []
    private var closing = false
    private var encoderDone = false
    private var syncerDone = false
    private var sequenceReset: UInt64?

    private let options: StoreOptions
    private let catalog: SegmentCatalog
    private let logger: Logger
    private let observers = Mutex<[Observer]>([])
    private var active: ActiveSegment
    private var nextSequence: UInt64
    private var encoderSequence: UInt64
    private var tailNeedsRollback = false

    init(options: StoreOptions, catalog: SegmentCatalog, active: ActiveSegment, nextSequence: UInt64, logger: Logger) {
        self.options = options
        self.catalog = catalog
        self.active = active
        self.nextSequence = nextSequence
        self.encoderSequence = nextSequence
        self.logger = logger
    }

    func start() {
        let encoder = Thread { [self] in runEncoder() }
        encoder.name = "segment-encoder"
        encoder.start()
        let syncer = Thread { [self] in runSyncer() }
        syncer.name = "segment-syncer"
        syncer.start()
    }

    func addObserver(_ observer: @escaping Observer) {
        observers.withLock { $0.append(observer) }
    }

    func submit(_ events: [StoredEvent], completion: @escaping Completion) {
        var rawBytes = 0
        for event in events {
            do {
                try FrameCodec.validate(event)
            } catch {
                completion(.failure(error))
                return
            }
            rawBytes += FrameCodec.rawSize(of: event)
        }
        condition.lock()
        if closing {
            condition.unlock()
            completion(.failure(StoreError(.closed, "the store is closed; reopen it to append")))
            return
        }
        pending.append(Submission(events: events, completion: completion, rawBytes: rawBytes))
        condition.wake(.encoder)
        condition.unlock()
    }

    /// Stops taking submissions, commits what is waiting, and returns once both threads have exited.
    func close() {
        condition.lock()
        closing = true
        condition.wake(.encoder)
        condition.wake(.syncer)
        while !(encoderDone && syncerDone) { condition.wait(.closer) }
        condition.unlock()
    }

    // MARK: - The encoder thread

    private func runEncoder() {
        while let (submissions, firstSequence) = nextSubmissions() {
            let events = submissions.count == 1 ? submissions[0].events : submissions.flatMap(\.events)
            let commitTime = EventTimestamp.now()
            let (bytes, frames) = encode(events, from: firstSequence, commitTime: commitTime)
            encoderSequence = firstSequence + UInt64(events.count)
            condition.lock()
            encoded.append(
                EncodedBatch(
                    submissions: submissions, events: events, firstSequence: firstSequence, commitTime: commitTime,
                    bytes: bytes, frames: frames))
            condition.wake(.syncer)
            condition.unlock()
        }
        condition.lock()
        encoderDone = true
        condition.wake(.syncer)
        condition.wake(.closer)
        condition.unlock()
    }

    /// Waits for submissions and takes as many as fit in one batch, with the sequence number the
    /// batch will most likely start at; `nil` once closed and drained.
    private func nextSubmissions() -> ([Submission], UInt64)? {
        condition.lock()
        defer { condition.unlock() }
        // Collect only once the syncer has room: submissions keep gathering while it is busy, so
        // the batch is as large as the disk's pace allows.
        while (pending.isEmpty && !closing) || encoded.count >= Self.encodedQueueDepth { condition.wait(.encoder) }
        if pending.isEmpty { return nil }
        if let reset = sequenceReset {
            encoderSequence = reset
            sequenceReset = nil
        }
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
        return (batch, encoderSequence)
    }

    /// Splits a batch into frames of about `frameBytes` raw bytes each and encodes them back to back.
    private func encode(
        _ events: [StoredEvent], from firstSequence: UInt64, commitTime: EventTimestamp
    )
        -> ([UInt8], [FrameLocation])
    {
        var bytes = [UInt8]()
        var frames = [FrameLocation]()
        var start = 0
        var sequence = firstSequence
        while start < events.count {
            var end = start
            var raw = 0
            while end < events.count
                && (end == start || raw + FrameCodec.rawSize(of: events[end]) <= options.frameBytes)
            {
                raw += FrameCodec.rawSize(of: events[end])
                end += 1
            }
            let frame = FrameCodec.encodeFrame(events[start..<end], firstSequence: sequence, commitTime: commitTime)
            frames.append(
                FrameLocation(
                    firstSequence: sequence, recordCount: UInt32(end - start), offset: bytes.count, length: frame.count)
            )
            bytes.append(contentsOf: frame)
            sequence += UInt64(end - start)
            start = end
        }
        return (bytes, frames)
    }

    // MARK: - The syncer thread

    private func runSyncer() {
        while var batch = nextEncoded() {
            if batch.firstSequence != nextSequence {
                // A batch encoded while an earlier one failed: its sequence numbers are stale.
                let (bytes, frames) = encode(batch.events, from: nextSequence, commitTime: batch.commitTime)
                batch.firstSequence = nextSequence
                batch.bytes = bytes
                batch.frames = frames
            }
            commit(batch)
        }
        condition.lock()
        syncerDone = true
        condition.wake(.closer)
        condition.unlock()
    }

    private func nextEncoded() -> EncodedBatch? {
        condition.lock()
        defer { condition.unlock() }
        while encoded.isEmpty && !encoderDone { condition.wait(.syncer) }
        if encoded.isEmpty { return nil }
        let batch = encoded.removeFirst()
        condition.wake(.encoder)
        return batch
    }

    private func commit(_ batch: EncodedBatch) {
        guard !batch.events.isEmpty else {
            for submission in batch.submissions {
                submission.completion(
                    .success(
                        DurableBatch(firstSequence: nextSequence, count: 0, storedAt: batch.commitTime, events: [])))
            }
            return
        }
        switch write(batch) {
        case .failure(let error):
            condition.lock()
            sequenceReset = nextSequence
            condition.unlock()
            for submission in batch.submissions { submission.completion(.failure(error)) }
        case .success(let durable):
            for observer in observers.withLock({ $0 }) { observer(durable) }
            var first = durable.firstSequence
            for submission in batch.submissions {
                let count = submission.events.count
                let start = Int(first - durable.firstSequence)
                let slice =
                    batch.submissions.count == 1 ? durable.events : Array(durable.events[start..<(start + count)])
                submission.completion(
                    .success(
                        DurableBatch(firstSequence: first, count: count, storedAt: durable.storedAt, events: slice)))
                first += UInt64(count)
            }
        }
    }

    /// Writes and syncs one encoded batch; on failure leaves the file as it was before.
    private func write(_ batch: EncodedBatch) -> Result<DurableBatch, StoreError> {
        do {
            if tailNeedsRollback {
                try active.rollBack()
                tailNeedsRollback = false
            }
            if !active.frames.isEmpty && active.length + batch.bytes.count > options.segmentBytes {
                try roll()
            }
            let placed = batch.frames.map { frame in
                FrameLocation(
                    firstSequence: frame.firstSequence, recordCount: frame.recordCount,
                    offset: active.length + frame.offset, length: frame.length)
            }
            var low = Int64.max
            var high = Int64.min
            for event in batch.events {
                low = min(low, event.timestamp.microseconds)
                high = max(high, event.timestamp.microseconds)
            }
            let syncStart = DispatchTime.now().uptimeNanoseconds
            do {
                try active.append(batch.bytes, frames: placed, minTimestamp: low, maxTimestamp: high)
            } catch {
                tailNeedsRollback = (try? active.rollBack()) == nil
                throw error
            }
            nextSequence += UInt64(batch.events.count)
            try publish(placed)
            var fields = [IndexedFields]()
            fields.reserveCapacity(batch.events.count)
            for (position, event) in batch.events.enumerated() {
                var indexed = event.indexedFields
                indexed.sequence = batch.firstSequence + UInt64(position)
                fields.append(indexed)
            }
            let syncSeconds = Double(DispatchTime.now().uptimeNanoseconds - syncStart) / 1e9
            return .success(
                DurableBatch(
                    firstSequence: batch.firstSequence, count: batch.events.count, storedAt: batch.commitTime,
                    events: fields, syncSeconds: syncSeconds))
        } catch let error as StoreError {
            logger.error(
                "segment write failed", ["segment.path": .string(active.path), "error": .string(error.description)])
            return .failure(error)
        } catch {
            return .failure(StoreError(.ioFailure, "unexpected failure: \(error)"))
        }
    }

    /// Tells readers about the newly durable frames.
    private func publish(_ frames: [FrameLocation]) throws(StoreError) {
        let mapping = try active.mapping(covering: active.length)
        let length = active.length
        let end = nextSequence
        catalog.state.withLock { state in
            let last = state.segments.count - 1
            state.segments[last].frames.append(contentsOf: frames)
            state.segments[last].durableLength = length
            state.segments[last].fileSize = length
            state.segments[last].mapping = mapping
            state.segments[last].endSequence = end
            state.lastDurableSequence = end - 1
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
