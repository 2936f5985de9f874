extension FrameCodec {
    /// Reads one index-block record at `reader`'s offset as bytes borrowed from the block: the
    /// one place that knows the record's layout (timestamp, then six short strings).
    ///
    /// - Throws: `ByteReader.OutOfBounds` if the record runs past the block.
    static func readIndexRecord(
        _ reader: inout ByteReader, sequence: UInt64
    ) throws(ByteReader.OutOfBounds) -> IndexedFieldBytes {
        func field() throws(ByteReader.OutOfBounds) -> UnsafeRawBufferPointer? {
            let length: UInt16 = try reader.read()
            return length == .max ? nil : try reader.readBytes(Int(length))
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let time: Int64 = try reader.read()
        return IndexedFieldBytes(
            sequence: sequence, timestamp: EventTimestamp(microseconds: time), id: try field() ?? empty,
            eventType: try field() ?? empty, source: try field() ?? empty, target: try field(),
            sessionId: try field(), correlationId: try field())
    }

    /// Calls `body` with every record's indexed fields in a decompressed index block, as bytes
    /// borrowed from the block.
    ///
    /// - Throws: `StoreError.corrupt` if the block does not hold exactly `header.recordCount`
    ///   records; what `body` throws.
    static func forEachIndexedFieldBytes(
        _ block: [UInt8], header: FrameHeader, _ body: (IndexedFieldBytes) throws -> Void
    ) throws {
        try block.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var reader = ByteReader(raw)
            do {
                for position in 0..<UInt64(header.recordCount) {
                    try body(try readIndexRecord(&reader, sequence: header.firstSequence + position))
                }
                guard reader.remaining == 0 else { throw ByteReader.OutOfBounds(offset: reader.offset) }
            } catch let error as ByteReader.OutOfBounds {
                throw StoreError(
                    .corrupt,
                    "index block of frame at sequence \(header.firstSequence) is malformed at byte \(error.offset)")
            }
        }
    }
}
