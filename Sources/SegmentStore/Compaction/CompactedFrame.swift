extension FrameHeader {
    /// The kind of a frame written by compaction: an event batch whose records may come from
    /// different commits, so a table of per-record commit times follows its body block.
    public static let compactedBatchKind: UInt16 = 2
}

/// Frames that compaction writes (kind 2).
///
/// Compaction merges the small frames of many group commits into frames of about
/// `frameBytes` raw bytes, so that LZ4 sees the repetition between events again. Each event
/// keeps the `stored_at` of the commit that first stored it: a kind-2 frame is a kind-1 frame
/// (same header, same index and body blocks) followed by a *commit-time table*: for every
/// record, the difference between its commit time and the previous record's (the first one's
/// against the header's commit time), zigzag-encoded as an unsigned LEB128 varint. The table is
/// covered by the frame checksum; the frame length is the header, both stored blocks and the
/// table.
///
/// Both blocks are compressed with LZ4 HC, the body with the index block as its dictionary (as
/// the writer's frames are): slower to write, as fast to read.
enum CompactedFrame {
    /// Bytes a record's varint may take at most (a 64-bit value).
    private static let maximumVarintBytes = 10

    /// One encoded frame and what the segment's frame table and trailer need to know of it.
    struct Encoded {
        var bytes: [UInt8]
        var firstSequence: UInt64
        var recordCount: Int
        var minTimestamp: Int64
        var maxTimestamp: Int64
    }

    /// Encodes events with consecutive sequence numbers (the first one's `sequence` on) into one
    /// kind-2 frame.
    ///
    /// - Precondition: `events` is not empty and its sequences are consecutive.
    static func encode(_ events: ArraySlice<StoredEvent>) -> Encoded {
        precondition(!events.isEmpty, "a frame holds at least one event")
        let firstSequence = events.first!.sequence
        var times = ByteWriter(capacity: events.count * 2)
        let commitTime = events.first!.storedAt.microseconds
        var previousCommit = commitTime
        for (position, event) in events.enumerated() {
            precondition(event.sequence == firstSequence + UInt64(position), "frame sequences must be consecutive")
            let commit = event.storedAt.microseconds
            appendVarint(zigzag(commit &- previousCommit), to: &times)
            previousCommit = commit
        }
        let blocks = FrameCodec.rawBlocks(events)
        let frame = FrameCodec.assemble(
            kind: FrameHeader.compactedBatchKind, firstSequence: firstSequence, recordCount: events.count,
            blocks: blocks, trailer: times.bytes, commitTime: commitTime, highCompression: true)
        return Encoded(
            bytes: frame, firstSequence: firstSequence, recordCount: events.count,
            minTimestamp: blocks.minTimestamp, maxTimestamp: blocks.maxTimestamp)
    }

    /// Whether a kind-2 header's frame length leaves room for exactly one commit-time table:
    /// between one and ten bytes a record.
    static func tableLengthIsPlausible(_ header: FrameHeader) -> Bool {
        let blocks = UInt64(FrameHeader.size) + UInt64(header.indexStoredLength) + UInt64(header.bodyStoredLength)
        let frame = UInt64(header.frameLength)
        let records = UInt64(header.recordCount)
        return frame >= blocks + records && frame <= blocks + records * UInt64(maximumVarintBytes)
    }

    /// The commit time of every record of a kind-2 frame, read from its table.
    ///
    /// - Parameter frame: the whole frame, header included.
    /// - Returns: `nil` if the table does not hold exactly one well-formed varint per record.
    static func commitTimes(of header: FrameHeader, frame: UnsafeRawBufferPointer) -> [Int64]? {
        let start = FrameHeader.size + Int(header.indexStoredLength) + Int(header.bodyStoredLength)
        let end = Int(header.frameLength)
        guard header.kind == FrameHeader.compactedBatchKind, start <= end, end <= frame.count else { return nil }
        var times = [Int64]()
        times.reserveCapacity(Int(header.recordCount))
        var offset = start
        var previous = header.commitTime
        for _ in 0..<header.recordCount {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < end, shift < 64 else { return nil }
                let byte = frame[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            previous = previous &+ unzigzag(value)
            times.append(previous)
        }
        return offset == end ? times : nil
    }

    private static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    private static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    private static func appendVarint(_ value: UInt64, to writer: inout ByteWriter) {
        var rest = value
        while rest >= 0x80 {
            writer.bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writer.bytes.append(UInt8(rest))
    }
}
