import Foundation

/// The segment the writer appends to: its file descriptor, its length, its frames, and the running
/// checksum of everything written, from which its footer is made when it is sealed.
///
/// Only the writer thread touches an `ActiveSegment`.
final class ActiveSegment {
    let path: String
    let firstSequence: UInt64
    private let file: SystemFile
    private let options: StoreOptions
    /// Bytes written and synced.
    private(set) var length: Int
    private(set) var frames: [FrameLocation]
    private var minTimestamp: Int64
    private var maxTimestamp: Int64
    private let checksum: StreamingChecksum
    private var region: MappedRegion?

    /// Adopts a segment that recovery has validated up to `length`.
    init(
        path: String, firstSequence: UInt64, file: consuming SystemFile, length: Int, frames: [FrameLocation],
        minTimestamp: Int64, maxTimestamp: Int64, checksum: StreamingChecksum, options: StoreOptions
    ) {
        self.path = path
        self.firstSequence = firstSequence
        self.file = file
        self.length = length
        self.frames = frames
        self.minTimestamp = minTimestamp
        self.maxTimestamp = maxTimestamp
        self.checksum = checksum
        self.options = options
    }

    /// Creates a new, empty segment file starting at `firstSequence`: writes and syncs its header,
    /// then syncs the directory so the file itself survives a crash.
    static func create(
        directory: String, firstSequence: UInt64, options: StoreOptions
    ) throws(StoreError)
        -> ActiveSegment
    {
        let path = directory + "/" + SegmentName.fileName(firstSequence: firstSequence)
        let file = try SystemFile(path: path, create: true, exclusive: true, faults: options.faults)
        let header = SegmentHeader(firstSequence: firstSequence, createdAt: .now()).encoded()
        try file.write(header, at: 0)
        try file.syncData()
        try SystemFile.syncDirectory(directory)
        let checksum = StreamingChecksum()
        header.withUnsafeBytes { checksum.update($0) }
        return ActiveSegment(
            path: path, firstSequence: firstSequence, file: file, length: header.count, frames: [],
            minTimestamp: .max, maxTimestamp: .min, checksum: checksum, options: options)
    }

    /// Writes `bytes` (whole frames) at the end and syncs them; only then does the segment count
    /// them as part of its length.
    func append(
        _ bytes: [UInt8], frames newFrames: [FrameLocation], minTimestamp low: Int64, maxTimestamp high: Int64
    )
        throws(StoreError)
    {
        try file.write(bytes, at: length)
        try file.syncData()
        bytes.withUnsafeBytes { checksum.update($0) }
        length += bytes.count
        frames.append(contentsOf: newFrames)
        minTimestamp = min(minTimestamp, low)
        maxTimestamp = max(maxTimestamp, high)
    }

    /// Cuts off whatever a failed write left past the synced length.
    func rollBack() throws(StoreError) {
        try file.truncate(to: length)
        try file.syncData()
    }

    /// Writes the frame table and the trailer after the last frame and syncs them.
    ///
    /// - Returns: the sealed file's size.
    func seal() throws(StoreError) -> Int {
        var tail = ByteWriter(capacity: frames.count * 16 + SegmentFooter.size)
        for frame in frames {
            tail.append(frame.firstSequence)
            tail.append(UInt64(frame.offset))
        }
        let tableChecksum = checksum.copy()
        tail.bytes.withUnsafeBytes { tableChecksum.update($0) }
        let tableOnlyChecksum = Checksum.hash(tail.bytes)
        let lastSequence = frames.last.map { $0.endSequence - 1 } ?? firstSequence &- 1
        let footer = SegmentFooter(
            recordCount: UInt64(frames.reduce(0) { $0 + Int($1.recordCount) }), firstSequence: firstSequence,
            lastSequence: lastSequence, minTimestamp: minTimestamp, maxTimestamp: maxTimestamp,
            frameTableOffset: UInt64(length), frameCount: UInt64(frames.count), fileChecksum: tableChecksum.digest,
            frameTableChecksum: tableOnlyChecksum)
        tail.append(footer.encoded())
        try file.write(tail.bytes, at: length)
        try file.syncData()
        return length + tail.bytes.count
    }

    /// A read-only mapping of the file that covers at least `needed` bytes, created at the
    /// segment's full capacity so it is rarely replaced; readers holding an older mapping keep it
    /// alive until they are done.
    func mapping(covering needed: Int) throws(StoreError) -> MappedRegion {
        if let region, region.length >= needed { return region }
        let capacity = max(needed * 2, options.segmentBytes + (16 << 20))
        let region = try MappedRegion(descriptor: file.descriptor, length: capacity, path: path)
        self.region = region
        return region
    }
}
