import Foundation

/// Turns a batch of events into a frame and back.
///
/// A frame holds two blocks, each compressed on its own with LZ4 (or stored raw when compression
/// does not help):
///
/// - the *index block*: per record, the event timestamp (i64) and the strings the indexes need
///   (id, event type, source, target, session id, correlation id), each as a u16 length and its
///   UTF-8 bytes, where the length 0xFFFF stands for an absent value;
/// - the *body block*: per record, the receipt time (i64), the exchange and routing key (u16
///   length each), then the AMQP properties JSON, the normalised payload JSON and the original
///   body (u32 length each).
///
/// Splitting them lets the index rebuild decompress a few dozen bytes per event instead of the
/// whole event, and compressing a batch rather than each event gives LZ4 the repetition between
/// events (the same keys, types and sources) to work with.
public enum FrameCodec {
    /// The largest string a short field can hold: 0xFFFF marks an absent value.
    public static let maximumShortFieldBytes = Int(UInt16.max) - 1

    /// Checks that `event` fits the frame format.
    static func validate(_ event: StoredEvent) throws(StoreError) {
        let limit = maximumShortFieldBytes
        let longest = max(
            event.id.utf8.count, event.eventType.utf8.count, event.source.utf8.count, event.target?.utf8.count ?? 0,
            event.sessionId?.utf8.count ?? 0, event.correlationId?.utf8.count ?? 0,
            event.original.exchange.utf8.count, event.original.routingKey.utf8.count)
        if longest > limit {
            let fields: [(String, String?)] = [
                ("id", event.id), ("event_type", event.eventType), ("source", event.source), ("target", event.target),
                ("session_id", event.sessionId), ("correlation_id", event.correlationId),
                ("exchange", event.original.exchange), ("routing_key", event.original.routingKey),
            ]
            let name = fields.first { ($0.1?.utf8.count ?? 0) > limit }!.0
            throw StoreError(
                .invalidEvent, "event \(event.id.prefix(64)) has a \(name) of \(longest) bytes; at most \(limit) fit")
        }
        let longTotal = event.payload.count + event.original.body.count + event.original.properties.count
        guard longTotal < Int(Int32.max) / 2 else {
            throw StoreError(.invalidEvent, "event \(event.id.prefix(64)) is too large to store (\(longTotal) bytes)")
        }
    }

    /// The raw size the writer counts for `event` when it closes frames at about `frameBytes`.
    static func rawSize(of event: StoredEvent) -> Int {
        96 + event.payload.count + event.original.body.count + event.original.properties.count
            + event.id.utf8.count + event.eventType.utf8.count + event.source.utf8.count
    }

    /// A run of events laid out as an index block and a body block, not yet compressed.
    struct RawBlocks {
        var index: [UInt8]
        var body: [UInt8]
        var minTimestamp: Int64
        var maxTimestamp: Int64
    }

    /// Lays `events` out as the two blocks of a frame, in order.
    static func rawBlocks(_ events: ArraySlice<StoredEvent>) -> RawBlocks {
        var index = ByteWriter(capacity: events.count * 96)
        var body = ByteWriter(capacity: events.count * 1024)
        var minTimestamp = Int64.max
        var maxTimestamp = Int64.min
        for event in events {
            let time = event.timestamp.microseconds
            minTimestamp = min(minTimestamp, time)
            maxTimestamp = max(maxTimestamp, time)
            index.append(time)
            index.appendShortString(event.id)
            index.appendShortString(event.eventType)
            index.appendShortString(event.source)
            index.appendShortString(event.target)
            index.appendShortString(event.sessionId)
            index.appendShortString(event.correlationId)

            body.append(event.receivedAt.microseconds)
            body.appendShortString(event.original.exchange)
            body.appendShortString(event.original.routingKey)
            body.appendLongBytes(event.original.properties)
            if let range = PayloadReference.locate(event.payload, in: event.original.body) {
                body.append(PayloadReference.marker)
                body.append(UInt32(range.lowerBound))
                body.append(UInt32(range.count))
            } else {
                body.appendLongBytes(event.payload)
            }
            body.appendLongBytes(event.original.body)
        }
        return RawBlocks(index: index.bytes, body: body.bytes, minTimestamp: minTimestamp, maxTimestamp: maxTimestamp)
    }

    /// Compresses two blocks and puts a checksummed header in front of them.
    ///
    /// The body block is compressed with the index block as its dictionary: it holds the same
    /// ids and names again. `trailer` (compacted frames' commit-time table) follows the blocks
    /// uncompressed and is covered by the checksum.
    static func assemble(
        kind: UInt16, firstSequence: UInt64, recordCount: Int, blocks: RawBlocks, trailer: [UInt8] = [],
        commitTime: Int64, highCompression: Bool = false
    ) -> [UInt8] {
        var content = [UInt8]()
        content.reserveCapacity(
            LZ4Codec.maximumCompressedSize(blocks.index.count + blocks.body.count) + trailer.count + 32)
        var flags: UInt16 = 0
        let indexStored = blocks.index.withUnsafeBytes {
            LZ4Codec.compress($0, appendingTo: &content, highCompression: highCompression)
        }
        if indexStored != nil { flags |= FrameHeader.indexCompressed } else { content.append(contentsOf: blocks.index) }
        let indexLength = content.count
        let bodyStored = blocks.body.withUnsafeBytes { raw in
            blocks.index.withUnsafeBytes {
                LZ4Codec.compress(raw, dictionary: $0, appendingTo: &content, highCompression: highCompression)
            }
        }
        if bodyStored != nil {
            flags |= FrameHeader.bodyCompressed | FrameHeader.bodyUsesIndexDictionary
        } else {
            content.append(contentsOf: blocks.body)
        }
        let bodyLength = content.count - indexLength
        content.append(contentsOf: trailer)

        var header = FrameHeader(
            frameLength: UInt32(FrameHeader.size + content.count), kind: kind, flags: flags,
            firstSequence: firstSequence, recordCount: UInt32(recordCount), indexStoredLength: UInt32(indexLength),
            indexRawLength: UInt32(blocks.index.count), bodyStoredLength: UInt32(bodyLength),
            bodyRawLength: UInt32(blocks.body.count), commitTime: commitTime, minTimestamp: blocks.minTimestamp,
            maxTimestamp: blocks.maxTimestamp, checksum: 0)
        var frame = header.encodedWithoutChecksum()
        header.checksum = frame.withUnsafeBytes { headerBytes in
            content.withUnsafeBytes { FrameHeader.checksum(headerBytes: headerBytes, content: $0) }
        }
        ByteWriterAppend.append(header.checksum, to: &frame)
        frame.append(contentsOf: content)
        return frame
    }

    /// Encodes events whose sequence numbers are `firstSequence`, `firstSequence + 1`, … into one
    /// frame written by the writer (kind 1), all with the commit time `commitTime`.
    static func encodeFrame(
        _ events: ArraySlice<StoredEvent>, firstSequence: UInt64, commitTime: EventTimestamp
    )
        -> [UInt8]
    {
        assemble(
            kind: FrameHeader.eventBatchKind, firstSequence: firstSequence, recordCount: events.count,
            blocks: rawBlocks(events), commitTime: commitTime.microseconds)
    }

    /// The decompressed index block of a frame, or `nil` if it does not decompress to its length.
    static func indexBlock(of header: FrameHeader, frame: UnsafeRawBufferPointer) -> [UInt8]? {
        let start = FrameHeader.size
        let stored = UnsafeRawBufferPointer(rebasing: frame[start..<(start + Int(header.indexStoredLength))])
        return block(
            stored, compressed: header.flags & FrameHeader.indexCompressed != 0, rawLength: header.indexRawLength)
    }

    /// The decompressed body block of a frame, or `nil` if it does not decompress to its length.
    ///
    /// - Parameter indexBlock: the frame's decompressed index block, the dictionary of a body block
    ///   compressed against it.
    static func bodyBlock(of header: FrameHeader, frame: UnsafeRawBufferPointer, indexBlock: [UInt8]) -> [UInt8]? {
        let start = FrameHeader.size + Int(header.indexStoredLength)
        let stored = UnsafeRawBufferPointer(rebasing: frame[start..<(start + Int(header.bodyStoredLength))])
        if header.flags & FrameHeader.bodyCompressed != 0 && header.flags & FrameHeader.bodyUsesIndexDictionary != 0 {
            return indexBlock.withUnsafeBytes {
                LZ4Codec.decompress(stored, rawLength: Int(header.bodyRawLength), dictionary: $0)
            }
        }
        return block(
            stored, compressed: header.flags & FrameHeader.bodyCompressed != 0, rawLength: header.bodyRawLength)
    }

    private static func block(_ stored: UnsafeRawBufferPointer, compressed: Bool, rawLength: UInt32) -> [UInt8]? {
        if compressed { return LZ4Codec.decompress(stored, rawLength: Int(rawLength)) }
        return stored.count == Int(rawLength) ? Array(stored) : nil
    }

    /// Decodes every record's indexed fields from a decompressed index block.
    ///
    /// - Throws: `StoreError.corrupt` if the block does not hold exactly `header.recordCount` records.
    static func decodeIndexedFields(
        _ block: [UInt8], header: FrameHeader, into output: inout [IndexedFields]
    )
        throws(StoreError)
    {
        do {
            try block.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
                var reader = ByteReader(raw)
                for position in 0..<UInt64(header.recordCount) {
                    let time: Int64 = try reader.read()
                    output.append(
                        IndexedFields(
                            sequence: header.firstSequence + position, timestamp: EventTimestamp(microseconds: time),
                            id: try reader.readShortString() ?? "", eventType: try reader.readShortString() ?? "",
                            source: try reader.readShortString() ?? "", target: try reader.readShortString(),
                            sessionId: try reader.readShortString(), correlationId: try reader.readShortString()))
                }
                guard reader.remaining == 0 else { throw ByteReader.OutOfBounds(offset: reader.offset) }
            }
        } catch {
            let offset = (error as? ByteReader.OutOfBounds)?.offset ?? -1
            throw StoreError(
                .corrupt, "index block of frame at sequence \(header.firstSequence) is malformed at byte \(offset)")
        }
    }

    /// Decodes every event of a frame from its decompressed blocks.
    static func decodeEvents(
        indexBlock: [UInt8], bodyBlock: [UInt8], header: FrameHeader
    ) throws(StoreError)
        -> [StoredEvent]
    {
        let records = try FrameRecords(header: header, indexBlock: indexBlock, bodyBlock: bodyBlock)
        return (0..<records.count).map { records.event(at: $0) }
    }
}

/// A payload that is a verbatim slice of the original body (the common case: the envelope's
/// `payload` value as sent) is stored as a reference into the body instead of a second copy.
enum PayloadReference {
    /// The u32 that takes the place of the payload length to say "offset and length follow".
    static let marker = UInt32.max

    /// Where `payload` occurs in `body`, if it does and is not empty.
    static func locate(_ payload: [UInt8], in body: [UInt8]) -> Range<Int>? {
        guard !payload.isEmpty, payload.count <= body.count else { return nil }
        return payload.withUnsafeBytes { needle in
            body.withUnsafeBytes { haystack -> Range<Int>? in
                // memchr for the first byte, memcmp for the rest: fast on JSON, where the payload's
                // opening brace is rare in the body before it.
                let first = Int32(needle[0])
                var offset = 0
                let last = haystack.count - needle.count
                while offset <= last {
                    guard let hit = memchr(haystack.baseAddress! + offset, first, last - offset + 1) else { return nil }
                    offset = UnsafeRawPointer(hit) - haystack.baseAddress!
                    if memcmp(hit, needle.baseAddress!, needle.count) == 0 { return offset..<(offset + needle.count) }
                    offset += 1
                }
                return nil
            }
        }
    }
}

/// Appends a little-endian integer to a plain byte array.
enum ByteWriterAppend {
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
