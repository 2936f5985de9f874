import Foundation
import Observability

/// Rewrites the sealed segments of a data directory into fewer, denser ones: merges small
/// segments, re-frames their events into frames of about `frameBytes` and compresses them with
/// LZ4 HC, drops records whose event id an earlier record already has, and retires events older
/// than a bound (archived first when asked). The active (newest) segment is never touched.
///
/// Every event keeps its sequence number, id and `stored_at`, so cursors stay valid; a dropped
/// or retired event leaves a hole in the sequence, which the compacted segment's header flag
/// `sparseSequences` allows.
///
/// Crash safety: each new segment is written under a temporary name, synced, checked with the
/// verifier, renamed over the first segment it replaces, the directory synced, and only then are
/// the other replaced segments deleted. Opening the store finishes or discards whatever a crash
/// interrupted (`EventStore.settleCompactionLeftovers`).
///
/// The compactor opens the store for writing, so it holds the data directory's lock for its whole
/// run: it refuses to start while a daemon runs, and a daemon cannot start while it runs.
public final class StoreCompactor {
    /// The options the compactor was opened with.
    public let options: CompactionOptions
    let store: EventStore
    let logger: Logger

    private init(options: CompactionOptions, store: EventStore, logger: Logger) {
        self.options = options
        self.store = store
        self.logger = logger
    }

    deinit {
        store.close()
    }

    /// Opens the store in `options.directory`: for writing (taking its lock) unless
    /// `options.dryRun`, which opens it read-only and changes nothing.
    ///
    /// - Throws: `CompactionError.locked` if a running daemon holds the directory,
    ///   `.storeFailure` if the store cannot be opened.
    public static func open(
        _ options: CompactionOptions, logger: Logger = .disabled
    ) throws(CompactionError)
        -> StoreCompactor
    {
        var storeOptions = StoreOptions(directory: options.directory)
        storeOptions.readOnly = options.dryRun
        do {
            return StoreCompactor(
                options: options, store: try EventStore.open(storeOptions, logger: logger), logger: logger)
        } catch  where error.code == .locked {
            throw lockedError(directory: options.directory)
        } catch {
            throw CompactionError(.storeFailure, "cannot open the store: \(error)")
        }
    }

    /// Releases the store and its lock.
    public func close() {
        store.close()
    }

    /// Whether a process (a running daemon) holds the lock on `directory` right now.
    public static func isDirectoryInUse(_ directory: String) -> Bool {
        DirectoryLock.isHeld(directory: directory)
    }

    /// The refusal when another process holds `directory`.
    static func lockedError(directory: String) -> CompactionError {
        let lockPath = directory + "/" + DirectoryLock.fileName
        let pid = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let holder = pid.flatMap { $0.isEmpty ? nil : "process \($0)" } ?? "another process"
        return CompactionError(
            .locked,
            "\(directory) is in use by \(holder) (a running candystore daemon holds \(lockPath)); "
                + "stop the daemon, run this command again, then start the daemon (nothing was changed)")
    }

    // MARK: - Running a plan

    /// Carries out `plan`: writes the archive of retired events (if asked), then rewrites or
    /// removes each group of segments in sequence order.
    ///
    /// - Throws: `CompactionError` (or `CompactionInterrupted` from the test hook). Whatever
    ///   groups completed before a failure stay compacted; the others are untouched.
    public func run(_ plan: CompactionPlan) throws -> CompactionReport {
        precondition(!options.dryRun, "a dry run opens the store read-only and cannot compact")
        let started = Self.monotonicSeconds()
        var report = CompactionReport(
            segmentsBefore: plan.segmentsBefore, bytesBefore: plan.bytesBefore, segmentsAfter: plan.segmentsBefore,
            bytesAfter: plan.bytesBefore)
        if !plan.retiredSequences.isEmpty, let archive = options.archivePath {
            report.eventsArchived = try writeArchive(plan.retiredSequences, to: archive)
        }
        let work = plan.groups.filter { $0.action != .keep }
        for (position, group) in work.enumerated() {
            let groupStarted = Self.monotonicSeconds()
            let inputBytes = group.inputs.reduce(0) { $0 + $1.fileBytes }
            switch group.action {
            case .keep:
                continue
            case .remove:
                try remove(group)
                progress("[\(position + 1)/\(work.count)] removed \(group.inputs.count) fully retired segment(s)")
            case .rewrite:
                let outcome = try rewrite(group)
                report.eventsRewritten += outcome.events
                report.rawBytesRewritten += outcome.rawBytes
                report.bytesWritten += outcome.fileBytes
                let seconds = max(Self.monotonicSeconds() - groupStarted, 1e-6)
                progress(
                    "[\(position + 1)/\(work.count)] \(group.inputs.count) segment(s), "
                        + "\(Self.megabytes(inputBytes)) -> \((outcome.path as NSString).lastPathComponent), "
                        + "\(Self.megabytes(outcome.fileBytes)), \(outcome.events) events, "
                        + String(format: "%.1f MB/s", Double(outcome.rawBytes) / 1e6 / seconds) + " raw")
            }
            report.bytesRead += inputBytes
        }
        report.eventsRetired = plan.eventsToRetire
        report.duplicatesDropped = plan.duplicatesToDrop
        let after = Self.segmentFileSizes(in: options.directory)
        report.segmentsAfter = after.count
        report.bytesAfter = after.reduce(0, +)
        report.seconds = Self.monotonicSeconds() - started
        logger.info(
            "store compacted",
            [
                "store.directory": .string(options.directory),
                "compaction.segments_before": .int(Int64(report.segmentsBefore)),
                "compaction.segments_after": .int(Int64(report.segmentsAfter)),
                "compaction.bytes_before": .int(Int64(report.bytesBefore)),
                "compaction.bytes_after": .int(Int64(report.bytesAfter)),
                "compaction.events_retired": .int(Int64(report.eventsRetired)),
                "compaction.duplicates_dropped": .int(Int64(report.duplicatesDropped)),
            ])
        return report
    }

    /// What rewriting one group produced.
    struct RewriteOutcome {
        var path: String
        var events: Int
        var rawBytes: Int
        var fileBytes: Int
    }

    /// Writes a group's kept (and inserted) events into one compacted segment and swaps it in
    /// for the group's segments.
    func rewrite(_ group: CompactionGroup) throws -> RewriteOutcome {
        let directory = options.directory
        let finalPath = directory + "/" + SegmentName.fileName(firstSequence: group.coverage.lowerBound)
        let temporaryPath = finalPath + ".compacting"
        try SystemFile.remove(temporaryPath)

        let file = try CompactedSegmentFile(
            path: temporaryPath, firstSequence: group.coverage.lowerBound, endSequence: group.coverage.upperBound)
        let rawBytes: Int
        let fileBytes: Int
        do {
            rawBytes = try write(group, into: file)
            fileBytes = try file.seal()
        } catch {
            // A failed write (a full disk, a damaged frame) leaves nothing behind; nothing was replaced.
            try? SystemFile.remove(temporaryPath)
            throw error
        }
        try step(.segmentWritten(path: temporaryPath))

        // The new segment replaces data only once it has passed the same check `segstore verify` makes.
        let (verification, end) = StoreVerifier.verifySegment(
            path: temporaryPath, firstSequence: group.coverage.lowerBound, isLast: false, writerRunning: false)
        guard verification.isIntact, verification.sealed, verification.eventCount == group.keptCount,
            end == group.coverage.upperBound
        else {
            try? SystemFile.remove(temporaryPath)
            throw CompactionError(
                .verificationFailed,
                "the compacted segment for sequences \(group.coverage) failed verification "
                    + "(\(verification.problems.first ?? "\(verification.eventCount) of \(group.keptCount) events")); "
                    + "it was discarded and nothing of that range was replaced")
        }

        try SystemFile.rename(temporaryPath, to: finalPath)
        try step(.segmentRenamed(path: finalPath))
        try SystemFile.syncDirectory(directory)
        try step(.directorySynced(path: finalPath))
        var removed = false
        for input in group.inputs where input.path != finalPath {
            try SystemFile.remove(input.path)
            removed = true
            try step(.segmentRemoved(path: input.path))
        }
        if removed {
            try SystemFile.syncDirectory(directory)
            try step(.removalsSynced)
        }
        logger.info(
            "segments compacted",
            [
                "segment.path": .string(finalPath), "compaction.inputs": .int(Int64(group.inputs.count)),
                "compaction.events": .int(Int64(file.recordCount)), "compaction.bytes": .int(Int64(fileBytes)),
            ])
        return RewriteOutcome(path: finalPath, events: file.recordCount, rawBytes: rawBytes, fileBytes: fileBytes)
    }

    /// Streams a group's kept and inserted events, in sequence order, into `file` as frames.
    ///
    /// - Returns: their raw size.
    private func write(_ group: CompactionGroup, into file: CompactedSegmentFile) throws -> Int {
        var assembler = FrameAssembler(frameBytes: options.frameBytes)
        var rawBytes = 0
        var inserted = group.inserted[...]
        func add(_ event: StoredEvent) throws(StoreError) {
            rawBytes += FrameCodec.rawSize(of: event)
            if let frame = assembler.add(event) { try file.append(frame) }
        }
        for input in group.inputs {
            try forEachKeptEvent(of: input) { event in
                while let next = inserted.first, next.sequence < event.sequence {
                    try add(next)
                    inserted = inserted.dropFirst()
                }
                try add(event)
            }
        }
        for event in inserted { try add(event) }
        if let frame = assembler.flush() { try file.append(frame) }
        return rawBytes
    }

    /// Deletes segments none of whose events stay, oldest first, syncing the directory after each
    /// so that a crash leaves the store starting at a later segment and never with a gap.
    private func remove(_ group: CompactionGroup) throws {
        for input in group.inputs {
            try SystemFile.remove(input.path)
            try SystemFile.syncDirectory(options.directory)
            try step(.segmentRemoved(path: input.path))
        }
    }

    /// Writes the events with `sequences` to a new archive file and syncs it.
    private func writeArchive(_ sequences: [UInt64], to path: String) throws -> Int {
        let writer = try ArchiveWriter(path: path)
        do {
            var start = 0
            while start < sequences.count {
                let end = min(start + 512, sequences.count)
                for event in try store.events(at: Array(sequences[start..<end])) { try writer.append(event) }
                start = end
            }
            try writer.finish()
        } catch {
            // Nothing has been removed yet: an incomplete archive would only mislead.
            try? SystemFile.remove(path)
            throw error
        }
        progress("archived \(writer.count) events to \(path) (synced)")
        try step(.archiveSynced(path: path))
        return writer.count
    }

    /// Calls `body` with every event of `input` that compaction keeps, in sequence order.
    func forEachKeptEvent(of input: CompactionInput, _ body: (StoredEvent) throws -> Void) throws {
        var chunk = [UInt64]()
        chunk.reserveCapacity(512)
        for sequence in input.keptSequences {
            chunk.append(sequence)
            if chunk.count == 512 {
                for event in try store.events(at: chunk) { try body(event) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty {
            for event in try store.events(at: chunk) { try body(event) }
        }
    }

    func step(_ step: CompactionStep) throws {
        if options.interruption?(step) == true { throw CompactionInterrupted(step: step) }
    }

    func progress(_ line: String) {
        options.progress?(line)
    }

    // MARK: - Helpers

    static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    /// The sizes of the segment files in `directory`.
    static func segmentFileSizes(in directory: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { SegmentName.firstSequence(of: $0) != nil }.map { name in
            (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0
        }
    }
}

/// Collects events into frames of about `frameBytes` raw bytes with consecutive sequences.
struct FrameAssembler {
    let frameBytes: Int
    private var pending: [StoredEvent] = []
    private var pendingBytes = 0

    init(frameBytes: Int) {
        self.frameBytes = frameBytes
    }

    /// Adds the next event; returns the frame its arrival closed, if any (a full frame, or one
    /// that a hole in the sequence ends).
    mutating func add(_ event: StoredEvent) -> CompactedFrame.Encoded? {
        let size = FrameCodec.rawSize(of: event)
        var closed: CompactedFrame.Encoded?
        if let last = pending.last, last.sequence + 1 != event.sequence || pendingBytes + size > frameBytes {
            closed = flush()
        }
        pending.append(event)
        pendingBytes += size
        return closed
    }

    /// Encodes what is pending, if anything.
    mutating func flush() -> CompactedFrame.Encoded? {
        guard !pending.isEmpty else { return nil }
        let frame = CompactedFrame.encode(pending[...])
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        return frame
    }
}

/// What a compaction did.
public struct CompactionReport: Sendable {
    /// Segment files and their bytes before and after (the active segment included).
    public var segmentsBefore: Int
    public var bytesBefore: Int
    public var segmentsAfter: Int
    public var bytesAfter: Int
    /// Events retired by the retention bound, and how many of them went to the archive.
    public var eventsRetired = 0
    public var eventsArchived = 0
    /// Duplicate records dropped.
    public var duplicatesDropped = 0
    /// Events written into compacted segments.
    public var eventsRewritten = 0
    /// Their raw (uncompressed) size, as the writer counts it.
    public var rawBytesRewritten = 0
    /// Bytes of the segments rewritten or removed, and of the compacted segments written.
    public var bytesRead = 0
    public var bytesWritten = 0
    /// Wall-clock time of the run.
    public var seconds = 0.0
}
