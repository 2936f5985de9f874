/// The fixed 72-byte header in front of every frame: one batch of events.
///
/// Layout (little-endian):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 4 | frame length: header + both blocks, in bytes |
/// | 4 | 2 | kind (1 = event batch) |
/// | 6 | 2 | flags: bit 0 index block is LZ4, bit 1 body block is LZ4, bit 2 body uses the index as dictionary |
/// | 8 | 8 | first sequence |
/// | 16 | 4 | record count |
/// | 20 | 4 | index block stored length |
/// | 24 | 4 | index block raw length |
/// | 28 | 4 | body block stored length |
/// | 32 | 4 | body block raw length |
/// | 36 | 4 | reserved, zero |
/// | 40 | 8 | commit time, microseconds (the events' `stored_at`) |
/// | 48 | 8 | smallest event timestamp in the frame |
/// | 56 | 8 | largest event timestamp in the frame |
/// | 64 | 8 | XXH3-64 of the stored blocks, seeded with XXH3-64 of the frame's bytes 0..<64 |
///
/// Because the checksum covers the sequence numbers and the lengths as well as the content, a
/// frame left behind by an earlier write cannot validate at a position that expects another
/// sequence number.
public struct FrameHeader: Sendable, Equatable {
    /// The header's size in bytes.
    public static let size = 72
    /// The kind of a frame that holds events.
    public static let eventBatchKind: UInt16 = 1
    /// Flag: the index block is LZ4-compressed.
    public static let indexCompressed: UInt16 = 1
    /// Flag: the body block is LZ4-compressed.
    public static let bodyCompressed: UInt16 = 2
    /// Flag: the body block was compressed with the decompressed index block as its dictionary.
    public static let bodyUsesIndexDictionary: UInt16 = 4

    public var frameLength: UInt32
    public var kind: UInt16
    public var flags: UInt16
    public var firstSequence: UInt64
    public var recordCount: UInt32
    public var indexStoredLength: UInt32
    public var indexRawLength: UInt32
    public var bodyStoredLength: UInt32
    public var bodyRawLength: UInt32
    public var commitTime: Int64
    public var minTimestamp: Int64
    public var maxTimestamp: Int64
    public var checksum: UInt64

    /// The sequence number after the frame's last record.
    public var endSequence: UInt64 { firstSequence + UInt64(recordCount) }

    /// The 64 bytes the checksum seed is computed from (everything but the checksum itself).
    func encodedWithoutChecksum() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.size)
        writer.append(frameLength)
        writer.append(kind)
        writer.append(flags)
        writer.append(firstSequence)
        writer.append(recordCount)
        writer.append(indexStoredLength)
        writer.append(indexRawLength)
        writer.append(bodyStoredLength)
        writer.append(bodyRawLength)
        writer.append(UInt32(0))
        writer.append(commitTime)
        writer.append(minTimestamp)
        writer.append(maxTimestamp)
        return writer.bytes
    }

    /// The checksum of a frame whose header encodes to `headerBytes` over `content`.
    static func checksum(headerBytes: UnsafeRawBufferPointer, content: UnsafeRawBufferPointer) -> UInt64 {
        Checksum.hash(content, seed: Checksum.hash(headerBytes))
    }

    /// Whether a whole frame's stored checksum matches its bytes (all 64 header bytes before the
    /// checksum, reserved ones included, and both blocks).
    static func checksumMatches(frame: UnsafeRawBufferPointer, header: FrameHeader) -> Bool {
        guard frame.count >= size else { return false }
        let computed = checksum(
            headerBytes: UnsafeRawBufferPointer(rebasing: frame[0..<64]),
            content: UnsafeRawBufferPointer(rebasing: frame[size...]))
        return computed == header.checksum
    }

    /// Reads a header from the start of `bytes` without validating it against its content.
    ///
    /// - Returns: `nil` when fewer than 72 bytes are available.
    static func read(_ bytes: UnsafeRawBufferPointer) -> FrameHeader? {
        guard bytes.count >= size else { return nil }
        var reader = ByteReader(bytes)
        do {
            return FrameHeader(
                frameLength: try reader.read(), kind: try reader.read(), flags: try reader.read(),
                firstSequence: try reader.read(), recordCount: try reader.read(),
                indexStoredLength: try reader.read(), indexRawLength: try reader.read(),
                bodyStoredLength: try reader.read(),
                bodyRawLength: try {
                    let value: UInt32 = try reader.read()
                    _ = try reader.read(UInt32.self)
                    return value
                }(), commitTime: try reader.read(), minTimestamp: try reader.read(),
                maxTimestamp: try reader.read(), checksum: try reader.read())
        } catch {
            return nil
        }
    }
}
