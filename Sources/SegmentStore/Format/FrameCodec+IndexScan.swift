extension FrameCodec {
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
            func field() throws -> UnsafeRawBufferPointer? {
                let length: UInt16 = try reader.read()
                return length == .max ? nil : try reader.readBytes(Int(length))
            }
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            do {
                for position in 0..<UInt64(header.recordCount) {
                    let time: Int64 = try reader.read()
                    let fields = IndexedFieldBytes(
                        sequence: header.firstSequence + position, timestamp: EventTimestamp(microseconds: time),
                        id: try field() ?? empty, eventType: try field() ?? empty, source: try field() ?? empty,
                        target: try field(), sessionId: try field(), correlationId: try field())
                    try body(fields)
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
