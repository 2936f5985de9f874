/// The fixed 64-byte header at the start of every segment file.
///
/// Layout (little-endian): magic `CANDYSEG` (8 bytes), format version (u16), header length (u16),
/// flags (u32; bit 0 `sparseSequences`), first sequence (u64), creation time in microseconds
/// (i64), 24 reserved zero bytes, and an XXH3-64 checksum of the 56 bytes before it.
public struct SegmentHeader: Sendable, Equatable {
    /// The bytes every segment file starts with.
    public static let magic: [UInt8] = Array("CANDYSEG".utf8)
    /// The format version this code writes and reads.
    public static let currentVersion: UInt16 = 1
    /// The header's size in bytes.
    public static let size = 64

    /// The format version of the file.
    public var version: UInt16
    /// The sequence number of the first event the segment holds (or will hold).
    public var firstSequence: UInt64
    /// When the segment was created.
    public var createdAt: EventTimestamp
    /// Flag bits (`sparseSequences`); 0 for a segment the writer appends to.
    public var flags: UInt32

    /// Flag: the segment was written by compaction and stands for every sequence from its first
    /// to its trailer's last, but some of them hold no event (retired or dropped); frames may skip
    /// sequence numbers between them.
    public static let sparseSequences: UInt32 = 1

    /// Whether the segment's frames may skip sequence numbers (`sparseSequences`).
    public var allowsSequenceGaps: Bool { flags & Self.sparseSequences != 0 }

    /// Creates a header for a new segment.
    public init(
        firstSequence: UInt64, createdAt: EventTimestamp, version: UInt16 = SegmentHeader.currentVersion,
        flags: UInt32 = 0
    ) {
        self.version = version
        self.firstSequence = firstSequence
        self.createdAt = createdAt
        self.flags = flags
    }

    /// The header's 64 bytes.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.size)
        writer.append(Self.magic)
        writer.append(version)
        writer.append(UInt16(Self.size))
        writer.append(flags)
        writer.append(firstSequence)
        writer.append(createdAt.microseconds)
        writer.append([UInt8](repeating: 0, count: 24))
        writer.append(Checksum.hash(writer.bytes))
        return writer.bytes
    }

    /// Why a header failed to decode.
    public enum DecodeError: Error, CustomStringConvertible {
        case tooShort
        case badMagic
        case badChecksum
        case unsupportedVersion(UInt16)

        public var description: String {
            switch self {
            case .tooShort: "file is shorter than the 64-byte segment header"
            case .badMagic: "file does not start with the segment magic CANDYSEG"
            case .badChecksum: "segment header checksum does not match"
            case .unsupportedVersion(let version): "segment format version \(version) is not supported by this build"
            }
        }
    }

    /// Decodes and validates a header from the first 64 bytes of `bytes`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> SegmentHeader {
        guard bytes.count >= size else { throw .tooShort }
        guard Array(bytes[0..<8]) == magic else { throw .badMagic }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0..<size]), offset: 8)
        do {
            let version: UInt16 = try reader.read()
            _ = try reader.read(UInt16.self)
            let flags: UInt32 = try reader.read()
            let firstSequence: UInt64 = try reader.read()
            let created: Int64 = try reader.read()
            _ = try reader.readBytes(24)
            let stored: UInt64 = try reader.read()
            guard Checksum.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<56])) == stored else {
                throw DecodeError.badChecksum
            }
            guard version == currentVersion else { throw DecodeError.unsupportedVersion(version) }
            return SegmentHeader(
                firstSequence: firstSequence, createdAt: EventTimestamp(microseconds: created), version: version,
                flags: flags)
        } catch let error as DecodeError {
            throw error
        } catch {
            throw .tooShort
        }
    }
}
