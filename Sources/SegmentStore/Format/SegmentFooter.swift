/// The footer that seals a segment: a frame table, then a fixed 88-byte trailer at the very end of
/// the file.
///
/// The frame table sits between the last frame and the trailer: for every frame, its first
/// sequence (u64) and its byte offset in the file (u64). It lets a sealed segment be opened without
/// reading its frames.
///
/// Trailer layout (little-endian): magic `CANDYEND` (8), record count (u64), first sequence (u64),
/// last sequence (u64), smallest and largest event timestamp (i64, i64), offset of the frame table
/// (u64; also the end of the frames), frame count (u64), an XXH3-64 of every byte of the file
/// before the trailer (u64), an XXH3-64 of the frame table (u64), and an XXH3-64 of the
/// trailer's first 80 bytes.
public struct SegmentFooter: Sendable, Equatable {
    /// The trailer's magic.
    public static let magic: [UInt8] = Array("CANDYEND".utf8)
    /// The trailer's size in bytes.
    public static let size = 88

    public var recordCount: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var minTimestamp: Int64
    public var maxTimestamp: Int64
    public var frameTableOffset: UInt64
    public var frameCount: UInt64
    public var fileChecksum: UInt64
    public var frameTableChecksum: UInt64

    /// The trailer's bytes.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.size)
        writer.append(Self.magic)
        writer.append(recordCount)
        writer.append(firstSequence)
        writer.append(lastSequence)
        writer.append(minTimestamp)
        writer.append(maxTimestamp)
        writer.append(frameTableOffset)
        writer.append(frameCount)
        writer.append(fileChecksum)
        writer.append(frameTableChecksum)
        writer.append(Checksum.hash(writer.bytes))
        return writer.bytes
    }

    /// Reads the trailer from the end of a whole segment file's bytes.
    ///
    /// - Returns: `nil` if the last 88 bytes are not a trailer whose checksum matches and whose
    ///   frame table fits between the header and the trailer.
    public static func decode(_ file: UnsafeRawBufferPointer) -> SegmentFooter? {
        guard file.count >= SegmentHeader.size + size else { return nil }
        return decode(trailer: UnsafeRawBufferPointer(rebasing: file[(file.count - size)...]), fileSize: file.count)
    }

    /// Reads a trailer from its 88 bytes, given the size of the file they end.
    public static func decode(trailer: UnsafeRawBufferPointer, fileSize: Int) -> SegmentFooter? {
        guard trailer.count == size, fileSize >= SegmentHeader.size + size, Array(trailer[0..<8]) == magic else {
            return nil
        }
        var reader = ByteReader(trailer, offset: 8)
        guard
            let footer = try? SegmentFooter(
                recordCount: reader.read(), firstSequence: reader.read(), lastSequence: reader.read(),
                minTimestamp: reader.read(), maxTimestamp: reader.read(), frameTableOffset: reader.read(),
                frameCount: reader.read(), fileChecksum: reader.read(), frameTableChecksum: reader.read()),
            let stored = try? reader.read(UInt64.self),
            Checksum.hash(UnsafeRawBufferPointer(rebasing: trailer[0..<80])) == stored
        else { return nil }
        guard footer.frameTableOffset >= UInt64(SegmentHeader.size), footer.frameCount < UInt64(Int32.max),
            footer.frameTableOffset &+ footer.frameCount &* 16 == UInt64(fileSize - size)
        else { return nil }
        return footer
    }
}
