import Foundation

extension StoreCompactor {
    /// Raw bytes of events compacted per segment to estimate its compacted size.
    static var sampleBytes: Int { 256 << 10 }

    /// Works out what a compaction will do, reading only the indexed fields of every sealed
    /// segment (and compacting a sample of each to estimate its size); changes nothing.
    ///
    /// - Throws: `CompactionError.damaged` if a sealed segment is damaged or not sealed, or one
    ///   to be rewritten fails its whole-file checksum (verify the store first);
    ///   `.archiveExists` if the archive file exists; `.storeFailure` if reading fails.
    /// - Complexity: O(n) in the events of the sealed segments, with a set of 64-bit id hashes
    ///   in memory.
    public func plan() throws -> CompactionPlan {
        if !options.dryRun, let archive = options.archivePath, SystemFile.exists(archive) {
            throw CompactionError(
                .archiveExists, "the archive \(archive) exists already; choose a new file name (nothing was changed)")
        }
        let (sealed, newest) = try sealedInputs()
        var inputs = sealed
        let segments = inputs.count + (newest == nil ? 0 : 1)
        let bytesBefore = inputs.reduce(0) { $0 + $1.fileBytes } + (newest?.fileSize ?? 0)
        let newestEvents = newest.map { $0.frames.reduce(0) { $0 + Int($1.recordCount) } } ?? 0
        guard let inputsEnd = inputs.last?.endSequence else {
            return CompactionPlan(
                segmentsBefore: segments, bytesBefore: bytesBefore, eventsBefore: newestEvents, eventsConsidered: 0,
                eventsToRetire: 0, duplicatesToDrop: 0, segmentsToRewrite: 0, compactedSegments: 0,
                segmentsToRemove: 0, segmentsUntouched: segments, estimatedSegmentsAfter: segments,
                estimatedBytesAfter: bytesBefore, groups: [], retiredSequences: [])
        }

        // Pass 1: where the events are, which are too old, and which ids of the events that stay
        // occur twice (by hash). Retired events take no part in deduplication: they all go to the
        // archive, and a later record with the same id stays, so that no record vanishes without
        // a copy and a compaction run again after an interruption decides as the first run would.
        let bound = options.retireBefore
        var seen = Set<UInt64>()
        var suspects = Set<UInt64>()
        var retired = [UInt64]()
        var position = 0
        var scanned = 0
        try scanIndexedFields(before: inputsEnd) { fields in
            while fields.sequence >= inputs[position].endSequence { position += 1 }
            inputs[position].record(fields.sequence)
            scanned += 1
            if scanned % 1_000_000 == 0 { progress("planning: \(scanned) events read") }
            if let bound, fields.timestamp < bound {
                retired.append(fields.sequence)
                return
            }
            let hash = Checksum.hash(fields.id)
            if !seen.insert(hash).inserted { suspects.insert(hash) }
        }
        seen = []

        // Pass 2, only for hashes seen twice: compare the ids themselves.
        var duplicates = [UInt64]()
        if !suspects.isEmpty {
            var firstSeen = Set<String>()
            try scanIndexedFields(before: inputsEnd) { fields in
                if let bound, fields.timestamp < bound { return }
                guard suspects.contains(Checksum.hash(fields.id)) else { return }
                if !firstSeen.insert(fields.id).inserted { duplicates.append(fields.sequence) }
            }
        }
        distribute(retired, into: &inputs, as: \.retiredCount)
        distribute(duplicates, into: &inputs, as: \.duplicateCount)
        for index in inputs.indices where inputs[index].duplicateCount > 0 { inputs[index].dropped.sort() }

        do {
            for index in inputs.indices {
                inputs[index].estimatedBytes = try estimatedSize(of: inputs[index])
            }
        } catch let error as StoreError where error.code == .corrupt {
            throw CompactionError(
                .damaged,
                "\(error.path ?? "a segment") is damaged (\(error.message)); follow docs/OPERATIONS.md "
                    + "before compacting (nothing was changed)")
        }
        let groups = Self.groups(of: inputs, segmentBytes: options.segmentBytes)
        // Segments about to be rewritten are read whole anyway; damage in one must stop the
        // compaction before it changes anything, not halfway.
        for group in groups where group.action == .rewrite {
            for input in group.inputs where !EventStore.wholeFileChecksumMatches(input.path) {
                throw CompactionError(
                    .damaged,
                    "\(input.path) fails its whole-file checksum; run segstore verify and follow "
                        + "docs/OPERATIONS.md before compacting (nothing was changed)")
            }
        }
        return summary(
            groups: groups, inputs: inputs, newestSegments: newest == nil ? 0 : 1, newestEvents: newestEvents,
            bytesBefore: bytesBefore, retired: retired, duplicates: duplicates.count)
    }

    /// The sealed segments compaction may rewrite (every segment but the newest), and the newest.
    ///
    /// - Throws: `CompactionError.damaged` if one of them is damaged or has no valid trailer.
    func sealedInputs() throws(CompactionError) -> ([CompactionInput], SegmentRecord?) {
        let records = store.catalog.state.withLock { $0.segments }
        guard let newest = records.last else { return ([], nil) }
        var inputs = [CompactionInput]()
        for record in records.dropLast() {
            guard record.sealed, record.damage == nil, record.mapping != nil else {
                let reason = record.damage?.reason ?? "it has no valid trailer"
                throw CompactionError(
                    .damaged,
                    "\(record.path) is damaged (\(reason)); run segstore verify and follow docs/OPERATIONS.md "
                        + "before compacting (nothing was changed)")
            }
            let sparse =
                EventStore.sealedRange(of: .init(path: record.path, firstSequence: record.firstSequence))?
                .sparse ?? false
            inputs.append(
                CompactionInput(
                    path: record.path, firstSequence: record.firstSequence, endSequence: record.endSequence,
                    fileBytes: record.fileSize, sparse: sparse))
        }
        return (inputs, newest)
    }

    /// Calls `body` with the indexed fields of every event before `end`, in sequence order.
    func scanIndexedFields(before end: UInt64, _ body: (IndexedFields) throws -> Void) throws {
        struct Done: Error {}
        do {
            try store.forEachIndexedFields { fields in
                guard fields.sequence < end else { throw Done() }
                try body(fields)
            }
        } catch is Done {
            return
        } catch let error as StoreError {
            throw CompactionError(.storeFailure, "reading the store failed: \(error)")
        }
    }

    /// Adds ascending `sequences` to the dropped lists of the inputs that hold them.
    private func distribute(
        _ sequences: [UInt64], into inputs: inout [CompactionInput], as counter: WritableKeyPath<CompactionInput, Int>
    ) {
        var position = 0
        for sequence in sequences {
            while sequence >= inputs[position].endSequence { position += 1 }
            inputs[position].dropped.append(sequence)
            inputs[position][keyPath: counter] += 1
        }
    }

    /// Estimates a segment's compacted size by compacting (in memory) its first kept events.
    private func estimatedSize(of input: CompactionInput) throws -> Int {
        guard input.keptCount > 0 else { return 0 }
        if input.sparse && input.dropped.isEmpty { return input.fileBytes }
        var assembler = FrameAssembler(frameBytes: options.frameBytes)
        var sampled = 0
        var sampledRaw = 0
        var encoded = 0
        var frames = 0
        struct Enough: Error {}
        do {
            try forEachKeptEvent(of: input) { event in
                if let frame = assembler.add(event) {
                    encoded += frame.bytes.count
                    frames += 1
                }
                sampled += 1
                sampledRaw += FrameCodec.rawSize(of: event)
                if sampledRaw >= Self.sampleBytes { throw Enough() }
            }
        } catch is Enough {}
        if let frame = assembler.flush() {
            encoded += frame.bytes.count
            frames += 1
        }
        let perEvent = Double(encoded + frames * 16) / Double(max(sampled, 1))
        return SegmentHeader.size + SegmentFooter.size + Int(perEvent * Double(input.keptCount))
    }

    /// Groups neighbouring segments into compacted segments of at most about `segmentBytes`.
    ///
    /// Fully retired segments at the start of the store are removed; a segment that an earlier
    /// compaction wrote, that loses nothing and is at least half full, stays as it is (and so
    /// does one that would be rewritten alone with nothing to drop).
    static func groups(of inputs: [CompactionInput], segmentBytes: Int) -> [CompactionGroup] {
        var groups = [CompactionGroup]()
        var current = [CompactionInput]()
        var currentBytes = 0
        func close() {
            guard let first = current.first, let last = current.last else { return }
            let unchanged = current.count == 1 && first.sparse && first.dropped.isEmpty
            groups.append(
                CompactionGroup(
                    inputs: current, action: unchanged ? .keep : .rewrite,
                    coverage: first.firstSequence..<last.endSequence, estimatedBytes: currentBytes))
            current = []
            currentBytes = 0
        }
        var atStart = true
        for input in inputs {
            if atStart && input.keptCount == 0 {
                if groups.last?.action == .remove {
                    groups[groups.count - 1].inputs.append(input)
                    groups[groups.count - 1].coverage = groups[groups.count - 1].coverage.lowerBound..<input.endSequence
                } else {
                    groups.append(
                        CompactionGroup(
                            inputs: [input], action: .remove, coverage: input.firstSequence..<input.endSequence))
                }
                continue
            }
            atStart = false
            if input.sparse && input.dropped.isEmpty && input.fileBytes >= segmentBytes / 2 {
                close()
                groups.append(
                    CompactionGroup(
                        inputs: [input], action: .keep, coverage: input.firstSequence..<input.endSequence,
                        estimatedBytes: input.fileBytes))
                continue
            }
            if !current.isEmpty && currentBytes + input.estimatedBytes > segmentBytes { close() }
            current.append(input)
            currentBytes += input.estimatedBytes
        }
        close()
        return groups
    }

    private func summary(
        groups: [CompactionGroup], inputs: [CompactionInput], newestSegments: Int, newestEvents: Int,
        bytesBefore: Int, retired: [UInt64], duplicates: Int
    ) -> CompactionPlan {
        let rewrite = groups.filter { $0.action == .rewrite }
        let removed = groups.filter { $0.action == .remove }.reduce(0) { $0 + $1.inputs.count }
        let rewritten = rewrite.reduce(0) { $0 + $1.inputs.count }
        let replacedBytes = groups.filter { $0.action != .keep }.reduce(0) { total, group in
            total + group.inputs.reduce(0) { $0 + $1.fileBytes }
        }
        let considered = inputs.reduce(0) { $0 + $1.eventCount }
        let segments = inputs.count + newestSegments
        return CompactionPlan(
            segmentsBefore: segments, bytesBefore: bytesBefore, eventsBefore: considered + newestEvents,
            eventsConsidered: considered, eventsToRetire: retired.count, duplicatesToDrop: duplicates,
            segmentsToRewrite: rewritten, compactedSegments: rewrite.count, segmentsToRemove: removed,
            segmentsUntouched: segments - rewritten - removed,
            estimatedSegmentsAfter: segments - rewritten - removed + rewrite.count,
            estimatedBytesAfter: bytesBefore - replacedBytes + rewrite.reduce(0) { $0 + $1.estimatedBytes },
            groups: groups, retiredSequences: retired)
    }
}

extension CompactionInput {
    /// Notes that the segment holds an event at `sequence` (called in ascending order).
    mutating func record(_ sequence: UInt64) {
        eventCount += 1
        if let last = runs.last, last.upperBound == sequence {
            runs[runs.count - 1] = last.lowerBound..<(sequence + 1)
        } else {
            runs.append(sequence..<(sequence + 1))
        }
    }
}
