/// The decompressed blocks of one frame with the offset of every record in them, so that a single
/// event can be decoded without decoding the others.
///
/// Building it walks both blocks once and checks that every length stays inside its block and
/// that the blocks hold exactly the frame's record count; reading a record afterwards cannot go
/// out of bounds.
struct FrameRecords: Sendable {
    let header: FrameHeader
    private let indexBlock: [UInt8]
    private let bodyBlock: [UInt8]
    private let indexOffsets: [UInt32]
    private let bodyOffsets: [UInt32]
    /// Per-record commit times of a compacted (kind-2) frame; `nil` when all are `header.commitTime`.
    var commitTimes: [Int64]?

    /// The number of records.
    var count: Int { indexOffsets.count }
    /// The sequence number of the first record.
    var firstSequence: UInt64 { header.firstSequence }

    /// Validates the blocks' structure and records where each record starts.
    ///
    /// - Throws: `StoreError.corrupt` if a length runs past its block, a payload reference points
    ///   outside its body, or the record counts disagree.
    init(header: FrameHeader, indexBlock: [UInt8], bodyBlock: [UInt8]) throws(StoreError) {
        let count = Int(header.recordCount)
        var indexOffsets = [UInt32]()
        var bodyOffsets = [UInt32]()
        indexOffsets.reserveCapacity(count)
        bodyOffsets.reserveCapacity(count)
        let indexProblem = indexBlock.withUnsafeBytes { raw -> Int? in
            var reader = ByteReader(raw)
            do {
                for _ in 0..<count {
                    indexOffsets.append(UInt32(reader.offset))
                    _ = try reader.read(Int64.self)
                    for _ in 0..<6 { try reader.skipShortString() }
                }
            } catch {
                return (error as? ByteReader.OutOfBounds)?.offset ?? reader.offset
            }
            return reader.remaining == 0 ? nil : reader.offset
        }
        if let offset = indexProblem {
            throw StoreError(
                .corrupt, "index block of frame at sequence \(header.firstSequence) is malformed at byte \(offset)")
        }
        let bodyProblem = bodyBlock.withUnsafeBytes { raw -> Int? in
            var reader = ByteReader(raw)
            do {
                for _ in 0..<count {
                    bodyOffsets.append(UInt32(reader.offset))
                    _ = try reader.read(Int64.self)
                    try reader.skipShortString()
                    try reader.skipShortString()
                    _ = try reader.readBytes(Int(try reader.read(UInt32.self)))
                    let payloadLength: UInt32 = try reader.read()
                    var reference: (UInt32, UInt32)?
                    if payloadLength == PayloadReference.marker {
                        reference = (try reader.read(), try reader.read())
                    } else {
                        _ = try reader.readBytes(Int(payloadLength))
                    }
                    let bodyLength: UInt32 = try reader.read()
                    _ = try reader.readBytes(Int(bodyLength))
                    if let (offset, length) = reference, UInt64(offset) + UInt64(length) > UInt64(bodyLength) {
                        return reader.offset
                    }
                }
            } catch {
                return (error as? ByteReader.OutOfBounds)?.offset ?? reader.offset
            }
            return reader.remaining == 0 ? nil : reader.offset
        }
        if let offset = bodyProblem {
            throw StoreError(
                .corrupt, "body block of frame at sequence \(header.firstSequence) is malformed at byte \(offset)")
        }
        self.header = header
        self.indexBlock = indexBlock
        self.bodyBlock = bodyBlock
        self.indexOffsets = indexOffsets
        self.bodyOffsets = bodyOffsets
    }

    /// The indexed fields of the record at `position`.
    func indexedFields(at position: Int) -> IndexedFields {
        indexBlock.withUnsafeBytes { raw in
            // The walk in `init` proved every field of every record lies inside the block.
            var reader = ByteReader(raw, offset: Int(indexOffsets[position]))
            return IndexedFields(
                try! FrameCodec.readIndexRecord(&reader, sequence: header.firstSequence + UInt64(position)))
        }
    }

    /// The whole event at `position`.
    func event(at position: Int) -> StoredEvent {
        let fields = indexedFields(at: position)
        return bodyBlock.withUnsafeBytes { raw in
            // The walk in `init` proved every field of every record lies inside the block.
            var reader = ByteReader(raw, offset: Int(bodyOffsets[position]))
            let received: Int64 = try! reader.read()
            let exchange = try! reader.readShortString() ?? ""
            let routingKey = try! reader.readShortString() ?? ""
            let properties = try! reader.readLongBytes()
            let payloadLength: UInt32 = try! reader.read()
            var payload: [UInt8] = []
            var reference: Range<Int>?
            if payloadLength == PayloadReference.marker {
                let offset: UInt32 = try! reader.read()
                let length: UInt32 = try! reader.read()
                reference = Int(offset)..<(Int(offset) + Int(length))
            } else {
                payload = Array(try! reader.readBytes(Int(payloadLength)))
            }
            let body = try! reader.readLongBytes()
            if let reference { payload = Array(body[reference]) }
            return StoredEvent(
                id: fields.id, eventType: fields.eventType, source: fields.source, target: fields.target,
                sessionId: fields.sessionId, correlationId: fields.correlationId, timestamp: fields.timestamp,
                receivedAt: EventTimestamp(microseconds: received), payload: payload,
                original: OriginalMessage(
                    exchange: exchange, routingKey: routingKey, properties: properties, body: body),
                sequence: fields.sequence,
                storedAt: EventTimestamp(microseconds: commitTimes?[position] ?? header.commitTime))
        }
    }
}
