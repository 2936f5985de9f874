/// Writes one compacted segment, whole and sealed, under a temporary name.
///
/// The file is a sealed segment in the ordinary format with the header flag `sparseSequences`
/// set: its header's first sequence and its trailer's last sequence bound the whole range it
/// replaces, and its frames hold the events of that range that compaction kept, so frames may
/// skip sequence numbers. Frames are buffered and written in large sequential writes; nothing is
/// synced until `seal()`.
///
/// Used by one thread only.
final class CompactedSegmentFile {
    /// Bytes buffered before they are written.
    private static let writeChunk = 4 << 20

    let path: String
    let firstSequence: UInt64
    /// One past the last sequence the segment stands for.
    let endSequence: UInt64
    private let file: SystemFile
    private var written = 0
    private var pending: [UInt8] = []
    private var table = ByteWriter()
    private var frameCount = 0
    private(set) var recordCount = 0
    private var minTimestamp = Int64.max
    private var maxTimestamp = Int64.min
    private var nextSequence: UInt64
    private let checksum = StreamingChecksum()

    /// Creates the file (it must not exist) and buffers its header.
    ///
    /// - Throws: `StoreError` if the file cannot be created.
    init(path: String, firstSequence: UInt64, endSequence: UInt64) throws(StoreError) {
        precondition(endSequence >= firstSequence, "a segment cannot end before it starts")
        self.path = path
        self.firstSequence = firstSequence
        self.endSequence = endSequence
        self.nextSequence = firstSequence
        file = try SystemFile(path: path, create: true, exclusive: true, faults: nil)
        let header = SegmentHeader(
            firstSequence: firstSequence, createdAt: .now(), flags: SegmentHeader.sparseSequences)
        pending = header.encoded()
        pending.reserveCapacity(Self.writeChunk + (1 << 20))
    }

    /// The bytes the file will have once sealed, so far (without the frame table and trailer).
    var length: Int { written + pending.count }

    /// Appends one frame.
    ///
    /// - Precondition: its sequences follow the previous frame's and lie inside the segment.
    func append(_ frame: CompactedFrame.Encoded) throws(StoreError) {
        precondition(frame.firstSequence >= nextSequence, "compacted frames must be in sequence order")
        nextSequence = frame.firstSequence + UInt64(frame.recordCount)
        precondition(nextSequence <= endSequence, "a compacted frame runs past the segment's range")
        table.append(frame.firstSequence)
        table.append(UInt64(length))
        frameCount += 1
        recordCount += frame.recordCount
        minTimestamp = min(minTimestamp, frame.minTimestamp)
        maxTimestamp = max(maxTimestamp, frame.maxTimestamp)
        pending.append(contentsOf: frame.bytes)
        if pending.count >= Self.writeChunk { try flush() }
    }

    /// Writes the frame table and the trailer, then syncs the file.
    ///
    /// - Returns: the file's size.
    func seal() throws(StoreError) -> Int {
        let tableOffset = length
        pending.append(contentsOf: table.bytes)
        try flush()
        let footer = SegmentFooter(
            recordCount: UInt64(recordCount), firstSequence: firstSequence, lastSequence: endSequence &- 1,
            minTimestamp: minTimestamp, maxTimestamp: maxTimestamp, frameTableOffset: UInt64(tableOffset),
            frameCount: UInt64(frameCount), fileChecksum: checksum.digest,
            frameTableChecksum: Checksum.hash(table.bytes))
        pending = footer.encoded()
        try file.write(pending, at: written)
        written += pending.count
        pending = []
        try file.syncData()
        return written
    }

    private func flush() throws(StoreError) {
        guard !pending.isEmpty else { return }
        try file.write(pending, at: written)
        pending.withUnsafeBytes { checksum.update($0) }
        written += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}
