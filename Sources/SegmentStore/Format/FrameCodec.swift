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
    ///
    /// The event is borrowed and the check inlined, so that the writer checks each submitted event
    /// in place, without a copy (see `RawBlocksBuilder.append`); the rare rejection is not.
    @inline(__always)
    static func validate(_ event: borrowing StoredEvent) throws(StoreError) {
        let longest = max(
            event.id.utf8.count, event.eventType.utf8.count, event.source.utf8.count, utf8Count(event.target),
            utf8Count(event.sessionId), utf8Count(event.correlationId), event.original.exchange.utf8.count,
            event.original.routingKey.utf8.count)
        let longTotal = event.payload.count + event.original.body.count + event.original.properties.count
        if longest > maximumShortFieldBytes || longTotal >= Int(Int32.max) / 2 {
            throw rejection(of: copy event, longestShortField: longest, longFields: longTotal)
        }
    }

    /// Why `validate` rejects `event`, whose longest short field and long fields together hold
    /// the given numbers of bytes.
    @inline(never)
    private static func rejection(
        of event: StoredEvent, longestShortField longest: Int, longFields longTotal: Int
    )
        -> StoreError
    {
        let limit = maximumShortFieldBytes
        if longest > limit {
            let fields: [(String, String?)] = [
                ("id", event.id), ("event_type", event.eventType), ("source", event.source), ("target", event.target),
                ("session_id", event.sessionId), ("correlation_id", event.correlationId),
                ("exchange", event.original.exchange), ("routing_key", event.original.routingKey),
            ]
            let name = fields.first { ($0.1?.utf8.count ?? 0) > limit }!.0
            return StoreError(
                .invalidEvent, "event \(event.id.prefix(64)) has a \(name) of \(longest) bytes; at most \(limit) fit")
        }
        return StoreError(.invalidEvent, "event \(event.id.prefix(64)) is too large to store (\(longTotal) bytes)")
    }

    /// The UTF-8 length of an optional string, 0 for `nil`, read without copying the string.
    private static func utf8Count(_ text: borrowing String?) -> Int {
        switch text {
        case .some(let text): text.utf8.count
        case .none: 0
        }
    }

    /// The raw size the writer counts for `event` when it closes frames at about `frameBytes`.
    static func rawSize(of event: borrowing StoredEvent) -> Int {
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

    /// Lays events out one at a time as the two raw blocks of a frame.
    ///
    /// `removeAll()` keeps the blocks' capacity, so an encoder that builds frame after frame with
    /// one builder allocates its buffers once rather than once a frame.
    struct RawBlocksBuilder {
        private var index: ByteWriter
        private var body: ByteWriter
        private(set) var minTimestamp = Int64.max
        private(set) var maxTimestamp = Int64.min
        /// How many records the blocks hold.
        private(set) var count = 0

        /// A builder with room for about `expectedEvents` records before it grows.
        init(expectedEvents: Int = 0) {
            index = ByteWriter(capacity: expectedEvents * 96)
            body = ByteWriter(capacity: expectedEvents * 1024)
        }

        /// The blocks built so far.
        var blocks: RawBlocks {
            RawBlocks(index: index.bytes, body: body.bytes, minTimestamp: minTimestamp, maxTimestamp: maxTimestamp)
        }

        /// Appends `event`'s record to each block.
        ///
        /// `inout` though it only reads the event: see `forEachInPlace`.
        @inline(__always)
        mutating func append(_ event: inout StoredEvent) {
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
            count += 1
        }

        /// Empties both blocks, keeping their buffers for the next frame unless an outsized event
        /// made them larger than 1 MiB.
        mutating func removeAll() {
            index.removeAll(keepingCapacityUpTo: 1 << 20)
            body.removeAll(keepingCapacityUpTo: 1 << 20)
            minTimestamp = .max
            maxTimestamp = .min
            count = 0
        }
    }

    /// Calls `body` with each of `events` in turn, in place; `body` must not change them.
    ///
    /// This is how the encoder reads events without copying them. An array element (or a pointee)
    /// handed to a `borrowing` parameter, or whose fields are read around a call, is copied first,
    /// because the compiler cannot prove that the call leaves its memory alone; that copy costs a
    /// retain and a release of each of the event's strings and arrays. An `inout` argument is
    /// passed by address instead, so the event is reached through a mutable pointer to the
    /// array's storage. Nothing is written through it, so the storage may be shared.
    @inline(__always)
    static func forEachInPlace(_ events: ArraySlice<StoredEvent>, _ body: (inout StoredEvent) -> Void) {
        events.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let events = UnsafeMutablePointer(mutating: base)
            for position in 0..<buffer.count { body(&events[position]) }
        }
    }

    /// Lays `events` out as the two blocks of a frame, in order.
    static func rawBlocks(_ events: ArraySlice<StoredEvent>) -> RawBlocks {
        var builder = RawBlocksBuilder(expectedEvents: events.count)
        forEachInPlace(events) { builder.append(&$0) }
        return builder.blocks
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
        var frame = [UInt8]()
        frame.reserveCapacity(
            FrameHeader.size + LZ4Codec.maximumCompressedSize(blocks.index.count)
                + LZ4Codec.maximumCompressedSize(blocks.body.count) + trailer.count)
        appendFrame(
            kind: kind, firstSequence: firstSequence, recordCount: recordCount, blocks: blocks, trailer: trailer,
            commitTime: commitTime, highCompression: highCompression, to: &frame)
        return frame
    }

    /// Does what `assemble` does, but appends the frame to `output` instead of returning it, so
    /// that a writer can put a batch's frames straight into the buffer it writes to the file.
    ///
    /// The header's place is reserved first and filled in once the blocks are compressed behind
    /// it, so the compressed bytes are never copied.
    static func appendFrame(
        kind: UInt16, firstSequence: UInt64, recordCount: Int, blocks: RawBlocks, trailer: [UInt8] = [],
        commitTime: Int64, highCompression: Bool = false, to output: inout [UInt8]
    ) {
        let headerStart = output.count
        output.append(contentsOf: repeatElement(0, count: FrameHeader.size))
        let contentStart = output.count

        var flags: UInt16 = 0
        let indexStored = blocks.index.withUnsafeBytes {
            LZ4Codec.compress($0, appendingTo: &output, highCompression: highCompression)
        }
        if indexStored != nil { flags |= FrameHeader.indexCompressed } else { output.append(contentsOf: blocks.index) }
        let indexLength = output.count - contentStart
        let bodyStored = blocks.body.withUnsafeBytes { raw in
            blocks.index.withUnsafeBytes {
                LZ4Codec.compress(raw, dictionary: $0, appendingTo: &output, highCompression: highCompression)
            }
        }
        if bodyStored != nil {
            flags |= FrameHeader.bodyCompressed | FrameHeader.bodyUsesIndexDictionary
        } else {
            output.append(contentsOf: blocks.body)
        }
        let bodyLength = output.count - contentStart - indexLength
        output.append(contentsOf: trailer)

        let header = FrameHeader(
            frameLength: UInt32(output.count - headerStart), kind: kind, flags: flags,
            firstSequence: firstSequence, recordCount: UInt32(recordCount), indexStoredLength: UInt32(indexLength),
            indexRawLength: UInt32(blocks.index.count), bodyStoredLength: UInt32(bodyLength),
            bodyRawLength: UInt32(blocks.body.count), commitTime: commitTime, minTimestamp: blocks.minTimestamp,
            maxTimestamp: blocks.maxTimestamp, checksum: 0)
        let headerBytes = header.encodedWithoutChecksum()
        let checksum = headerBytes.withUnsafeBytes { headerBytes in
            output.withUnsafeBytes { frame in
                FrameHeader.checksum(
                    headerBytes: headerBytes, content: UnsafeRawBufferPointer(rebasing: frame[contentStart...]))
            }
        }
        output.withUnsafeMutableBytes { frame in
            headerBytes.withUnsafeBytes { header in
                let start = frame.baseAddress!.advanced(by: headerStart)
                start.copyMemory(from: header.baseAddress!, byteCount: header.count)
            }
            frame.storeBytes(of: checksum.littleEndian, toByteOffset: headerStart + headerBytes.count, as: UInt64.self)
        }
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
