/// Walks the frames of a segment's bytes and validates each one: the shared core of recovery,
/// `segstore verify` and the index rebuild.
struct FrameScanner {
    /// The outcome of a scan.
    struct Result {
        /// Every valid frame, in order.
        var frames: [FrameLocation] = []
        /// The offset just past the last valid frame.
        var validEnd: Int
        /// One past the last valid sequence.
        var endSequence: UInt64
        /// Smallest and largest event timestamp seen.
        var minTimestamp = Int64.max
        var maxTimestamp = Int64.min
        /// Decompressed and stored sizes of the frames' blocks, for the compression ratio.
        var rawBlockBytes = 0
        var storedBlockBytes = 0
        /// Events in the valid frames.
        var recordCount = 0
        /// Where and why the scan stopped before `limit`, if it did.
        var stop: (offset: Int, reason: String)?
    }

    /// How thoroughly each frame is checked.
    enum Depth {
        /// Lengths, sequence and checksum: enough to trust the frame's bytes.
        case checksums
        /// Also decompresses both blocks and decodes every record.
        case full
    }

    /// Scans `bytes[start..<limit]` for frames whose first sequence continues from `expectedSequence`.
    ///
    /// - Parameters:
    ///   - checksum: if given, fed with the bytes of every valid frame.
    ///   - allowsGaps: the segment is sparse (written by compaction): a frame may start at any
    ///     sequence after the previous frame's last, not only right after it.
    static func scan(
        _ bytes: UnsafeRawBufferPointer, from start: Int, limit: Int, expectedSequence: UInt64, depth: Depth,
        checksum: StreamingChecksum? = nil, allowsGaps: Bool = false
    ) -> Result {
        var result = Result(validEnd: start, endSequence: expectedSequence)
        var offset = start
        while offset < limit {
            let available = UnsafeRawBufferPointer(rebasing: bytes[offset..<limit])
            guard let header = FrameHeader.read(available) else {
                result.stop = (offset, "truncated frame header (\(available.count) of \(FrameHeader.size) bytes)")
                break
            }
            if let problem = problem(
                with: header, available: available.count, expected: result.endSequence, allowsGaps: allowsGaps)
            {
                result.stop = (offset, problem)
                break
            }
            let frame = UnsafeRawBufferPointer(rebasing: available[0..<Int(header.frameLength)])
            guard FrameHeader.checksumMatches(frame: frame, header: header) else {
                result.stop = (offset, "frame checksum mismatch (sequence \(header.firstSequence))")
                break
            }
            if depth == .full, let failure = decodeFailure(header: header, frame: frame) {
                result.stop = (offset, failure)
                break
            }
            checksum?.update(frame)
            result.frames.append(
                FrameLocation(
                    firstSequence: header.firstSequence, recordCount: header.recordCount, offset: offset,
                    length: frame.count))
            result.minTimestamp = min(result.minTimestamp, header.minTimestamp)
            result.maxTimestamp = max(result.maxTimestamp, header.maxTimestamp)
            result.endSequence = header.endSequence
            result.rawBlockBytes += Int(header.indexRawLength) + Int(header.bodyRawLength)
            result.storedBlockBytes += Int(header.indexStoredLength) + Int(header.bodyStoredLength)
            result.recordCount += Int(header.recordCount)
            offset += frame.count
            result.validEnd = offset
        }
        return result
    }

    /// Why a frame header cannot be right, or `nil` if it is plausible.
    ///
    /// - Parameter allowsGaps: accept a first sequence above `expected` (sparse segments).
    static func problem(
        with header: FrameHeader, available: Int, expected: UInt64, allowsGaps: Bool = false
    )
        -> String?
    {
        if header.kind != FrameHeader.eventBatchKind && header.kind != FrameHeader.compactedBatchKind {
            return "unknown frame kind \(header.kind)"
        }
        let stored = UInt64(header.indexStoredLength) + UInt64(header.bodyStoredLength)
        let lengthMatches =
            header.kind == FrameHeader.compactedBatchKind
            ? CompactedFrame.tableLengthIsPlausible(header)
            : UInt64(header.frameLength) == UInt64(FrameHeader.size) + stored
        if !lengthMatches {
            return "frame length \(header.frameLength) does not match its blocks"
        }
        if Int(header.frameLength) > available {
            return "frame of \(header.frameLength) bytes runs past the end of the data (\(available) bytes left)"
        }
        if header.recordCount == 0 { return "frame holds no records" }
        if allowsGaps ? header.firstSequence < expected : header.firstSequence != expected {
            let bound = allowsGaps ? "at least \(expected)" : "\(expected)"
            return "frame starts at sequence \(header.firstSequence), expected \(bound)"
        }
        return nil
    }

    private static func decodeFailure(header: FrameHeader, frame: UnsafeRawBufferPointer) -> String? {
        guard let index = FrameCodec.indexBlock(of: header, frame: frame) else {
            return "index block does not decompress (sequence \(header.firstSequence))"
        }
        guard let body = FrameCodec.bodyBlock(of: header, frame: frame, indexBlock: index) else {
            return "body block does not decompress (sequence \(header.firstSequence))"
        }
        if header.kind == FrameHeader.compactedBatchKind && CompactedFrame.commitTimes(of: header, frame: frame) == nil
        {
            return "commit-time table is malformed (sequence \(header.firstSequence))"
        }
        do {
            _ = try FrameCodec.decodeEvents(indexBlock: index, bodyBlock: body, header: header)
        } catch {
            return error.message
        }
        return nil
    }
}
