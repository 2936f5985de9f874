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
    // Sendable: `pending`, `pendingEvents`, `pendingBytes`, `encoded`, `committed`, `closing`,
    // `encoderDone`, `syncerDone` and `sequenceReset` are guarded by `condition` (one lock; the
    // encoder, the syncer and `close` each wait on a condition variable of their own); `active`,
    // `nextSequence` and `tailNeedsRollback` are touched only by the syncer thread,
    // `encoderSequence` only by the encoder thread.

    typealias Completion = @Sendable (Result<DurableBatch, StoreError>) -> Void
    typealias Observer = @Sendable (DurableBatch) -> Void

    private struct Submission {
        var events: [StoredEvent]
        var completion: Completion
        var rawBytes: Int
    }

    /// Submissions the encoder took as one batch.
    private struct TakenBatch {
        var submissions: [Submission]
        var eventCount: Int
        /// The sequence number the batch will most likely start at.
        var firstSequence: UInt64
        /// The batch the syncer committed last, handed back to be taken apart by the encoder.
        var committed: EncodedBatch?
    }

    /// A batch whose frames are encoded for sequences from `firstSequence` on.
    ///
    /// The events stay in their submissions: the batch is never flattened into one array, which
    /// would copy (and retain, then release) every field of every event.
    private struct EncodedBatch {
        var submissions: [Submission]
        var eventCount: Int
        var firstSequence: UInt64
        var commitTime: EventTimestamp
        var frames: EncodedFrames
    }

    /// A batch's frames back to back, with what the syncer reports once they are durable.
    private struct EncodedFrames {
        var bytes: [UInt8]
        /// Where each frame starts in `bytes`.
        var locations: [FrameLocation]
        var minTimestamp: Int64
        var maxTimestamp: Int64
        /// Every event's indexed fields, numbered from the batch's first sequence.
        var fields: [IndexedFields]
        /// Each submission's part of `fields`, when the batch holds more than one submission.
        var submissionFields: [[IndexedFields]]
    }

    /// The emptied arrays of a committed batch, which the encoder fills again: a batch reuses their
    /// memory instead of allocating (and faulting in) it anew.
    private struct SpareBuffers {
        /// A batch buffer larger than this (after a burst) is freed rather than kept.
        static let largestKeptBytes = 4 << 20

        var submissions: [Submission] = []
        var bytes: [UInt8] = []

        init() {}

        /// Empties a committed batch's arrays, which releases its events, and keeps the arrays.
        init(reclaiming batch: consuming EncodedBatch) {
            // Swapped out of the batch, so that they are uniquely referenced and emptied in place.
            swap(&submissions, &batch.submissions)
            swap(&bytes, &batch.frames.bytes)
            submissions.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: bytes.capacity <= Self.largestKeptBytes)
        }
    }

    /// How many encoded batches may wait for the syncer; one keeps memory bounded and the
    /// pipeline full.
    private static let encodedQueueDepth = 1

    private let condition = PipelineLock()
    private var pending: [Submission] = []
    /// The events and raw bytes `pending` holds, so that the encoder can take it whole without
    /// counting it when it is within the batch limits (it nearly always is).
    private var pendingEvents = 0
    private var pendingBytes = 0
    private var encoded: [EncodedBatch] = []
    /// The batch the syncer committed last, on its way back to the encoder: releasing a batch's
    /// events and fields costs a release of every string and array in them, which the encoder
    /// can afford while it waits for the disk and the syncer, the pipeline's slower stage, cannot.
    private var committed: EncodedBatch?
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
        for position in events.indices {
            do {
                try FrameCodec.validate(events[position])
            } catch {
                completion(.failure(error))
                return
            }
            rawBytes += FrameCodec.rawSize(of: events[position])
        }
        condition.lock()
        if closing {
            condition.unlock()
            completion(.failure(StoreError(.closed, "the store is closed; reopen it to append")))
            return
        }
        let encoderIdle = pending.isEmpty
        pending.append(Submission(events: events, completion: completion, rawBytes: rawBytes))
        pendingEvents += events.count
        pendingBytes += rawBytes
        // The encoder waits for a first submission or for room in `encoded`; only the first
        // submission into an empty queue with room can end its wait. Waking it for every other
        // one would cost a context switch each and nothing more.
        if encoderIdle && encoded.count < Self.encodedQueueDepth { condition.wake(.encoder) }
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
        var builder = FrameCodec.RawBlocksBuilder()
        var spare = SpareBuffers()
        while var taken = nextSubmissions(spare: &spare) {
            let commitTime = EventTimestamp.now()
            let frames = encode(
                taken.submissions, eventCount: taken.eventCount, from: taken.firstSequence, commitTime: commitTime,
                reusing: &spare.bytes, builder: &builder)
            encoderSequence = taken.firstSequence + UInt64(taken.eventCount)
            let batch = EncodedBatch(
                submissions: taken.submissions, eventCount: taken.eventCount, firstSequence: taken.firstSequence,
                commitTime: commitTime, frames: frames)
            condition.lock()
            encoded.append(batch)
            condition.wake(.syncer)
            condition.unlock()
            // Now that the syncer has work, take apart the batch it committed before.
            if let committed = taken.committed.take() { spare = SpareBuffers(reclaiming: committed) }
        }
        condition.lock()
        encoderDone = true
        committed = nil
        condition.wake(.syncer)
        condition.wake(.closer)
        condition.unlock()
    }

    /// Waits for submissions and takes as many as fit in one batch; `nil` once closed and drained.
    ///
    /// - Parameter spare: its submissions array becomes the new, empty queue.
    private func nextSubmissions(spare: inout SpareBuffers) -> TakenBatch? {
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
        var batch = [Submission]()
        swap(&batch, &spare.submissions)
        var events = 0
        var bytes = 0
        if pendingEvents <= options.maximumBatchEvents && pendingBytes <= options.maximumBatchBytes {
            // Everything fits: take the whole queue and leave the spare array in its place.
            swap(&batch, &pending)
            events = pendingEvents
            bytes = pendingBytes
        } else {
            var taken = 0
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
            batch.append(contentsOf: pending[0..<taken])
            pending.removeFirst(taken)
        }
        pendingEvents -= events
        pendingBytes -= bytes
        return TakenBatch(
            submissions: batch, eventCount: events, firstSequence: encoderSequence, committed: committed.take())
    }

    /// Splits a batch into frames of about `frameBytes` raw bytes each and encodes them back to
    /// back.
    ///
    /// - Parameter buffer: an array whose memory the frames are written to; taken, and left empty.
    private func encode(
        _ submissions: [Submission], eventCount: Int, from firstSequence: UInt64, commitTime: EventTimestamp,
        reusing buffer: inout [UInt8], builder: inout FrameCodec.RawBlocksBuilder
    ) -> EncodedFrames {
        var frames = EncodedFrames(
            bytes: [], locations: [], minTimestamp: .max, maxTimestamp: .min, fields: [], submissionFields: [])
        // Swapped, not assigned: the array stays uniquely referenced, so it is filled in place.
        swap(&frames.bytes, &buffer)
        frames.bytes.removeAll(keepingCapacity: true)
        frames.fields.reserveCapacity(eventCount)
        builder.removeAll()
        var frameStart = firstSequence
        var frameRawBytes = 0
        var sequence = firstSequence
        for index in submissions.indices {
            FrameCodec.forEachInPlace(submissions[index].events[...]) { event in
                let size = FrameCodec.rawSize(of: event)
                if builder.count > 0 && frameRawBytes + size > options.frameBytes {
                    appendFrame(from: &builder, firstSequence: frameStart, commitTime: commitTime, to: &frames)
                    frameStart = sequence
                    frameRawBytes = 0
                }
                builder.append(&event)
                frames.fields.append(Self.indexedFields(of: &event, sequence: sequence))
                frameRawBytes += size
                sequence += 1
            }
        }
        if builder.count > 0 {
            appendFrame(from: &builder, firstSequence: frameStart, commitTime: commitTime, to: &frames)
        }
        if submissions.count > 1 {
            frames.submissionFields.reserveCapacity(submissions.count)
            var start = 0
            for index in submissions.indices {
                let end = start + submissions[index].events.count
                frames.submissionFields.append(Array(frames.fields[start..<end]))
                start = end
            }
        }
        return frames
    }

    /// Compresses the builder's blocks as the next frame of `frames`, then empties the builder.
    private func appendFrame(
        from builder: inout FrameCodec.RawBlocksBuilder, firstSequence: UInt64, commitTime: EventTimestamp,
        to frames: inout EncodedFrames
    ) {
        let offset = frames.bytes.count
        FrameCodec.appendFrame(
            kind: FrameHeader.eventBatchKind, firstSequence: firstSequence, recordCount: builder.count,
            blocks: builder.blocks, commitTime: commitTime.microseconds, to: &frames.bytes)
        frames.locations.append(
            FrameLocation(
                firstSequence: firstSequence, recordCount: UInt32(builder.count), offset: offset,
                length: frames.bytes.count - offset))
        frames.minTimestamp = min(frames.minTimestamp, builder.minTimestamp)
        frames.maxTimestamp = max(frames.maxTimestamp, builder.maxTimestamp)
        builder.removeAll()
    }

    /// `event.indexedFields` with its sequence number; `inout` though it only reads the event
    /// (see `FrameCodec.forEachInPlace`).
    @inline(__always)
    private static func indexedFields(of event: inout StoredEvent, sequence: UInt64) -> IndexedFields {
        IndexedFields(
            sequence: sequence, timestamp: event.timestamp, id: event.id, eventType: event.eventType,
            source: event.source, target: event.target, sessionId: event.sessionId,
            correlationId: event.correlationId)
    }

    // MARK: - The syncer thread

    private func runSyncer() {
        var spent: EncodedBatch?
        while var batch = nextEncoded(returning: &spent) {
            if batch.firstSequence != nextSequence {
                // A batch encoded while an earlier one failed: its sequence numbers are stale.
                var builder = FrameCodec.RawBlocksBuilder()
                var buffer = [UInt8]()
                batch.frames = encode(
                    batch.submissions, eventCount: batch.eventCount, from: nextSequence,
                    commitTime: batch.commitTime, reusing: &buffer, builder: &builder)
                batch.firstSequence = nextSequence
            }
            commit(batch)
            spent = batch
        }
        condition.lock()
        syncerDone = true
        condition.wake(.closer)
        condition.unlock()
    }

    /// Hands `spent`, the batch committed last, back to the encoder and waits for the next one.
    private func nextEncoded(returning spent: inout EncodedBatch?) -> EncodedBatch? {
        condition.lock()
        if committed == nil && !encoderDone { swap(&committed, &spent) }
        while encoded.isEmpty && !encoderDone { condition.wait(.syncer) }
        let batch = encoded.isEmpty ? nil : encoded.removeFirst()
        // The encoder can only be waiting for this room if it has submissions to take (or is to
        // stop); if it has none, the next submission wakes it.
        if batch != nil && (!pending.isEmpty || closing) { condition.wake(.encoder) }
        condition.unlock()
        // Not handed back (the encoder has one already, or has stopped): released here, unlocked.
        spent = nil
        return batch
    }

    private func commit(_ batch: EncodedBatch) {
        guard batch.eventCount > 0 else {
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
            for index in batch.submissions.indices {
                let count = batch.submissions[index].events.count
                let fields = batch.submissions.count == 1 ? durable.events : batch.frames.submissionFields[index]
                batch.submissions[index].completion(
                    .success(
                        DurableBatch(firstSequence: first, count: count, storedAt: durable.storedAt, events: fields)))
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
            let frames = batch.frames
            if !active.frames.isEmpty && active.length + frames.bytes.count > options.segmentBytes {
                try roll()
            }
            let placed = frames.locations.map { frame in
                FrameLocation(
                    firstSequence: frame.firstSequence, recordCount: frame.recordCount,
                    offset: active.length + frame.offset, length: frame.length)
            }
            let syncStart = DispatchTime.now().uptimeNanoseconds
            do {
                try active.append(
                    frames.bytes, frames: placed, minTimestamp: frames.minTimestamp, maxTimestamp: frames.maxTimestamp)
            } catch {
                tailNeedsRollback = (try? active.rollBack()) == nil
                throw error
            }
            nextSequence += UInt64(batch.eventCount)
            try publish(placed)
            let syncSeconds = Double(DispatchTime.now().uptimeNanoseconds - syncStart) / 1e9
            return .success(
                DurableBatch(
                    firstSequence: batch.firstSequence, count: batch.eventCount, storedAt: batch.commitTime,
                    events: frames.fields, syncSeconds: syncSeconds))
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
