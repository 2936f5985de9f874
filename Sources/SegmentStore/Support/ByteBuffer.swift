/// Appends little-endian integers and length-prefixed strings to a byte array.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Empties the buffer, and keeps its memory for what is written next unless that is more
    /// than `limit` bytes.
    mutating func removeAll(keepingCapacityUpTo limit: Int) {
        bytes.removeAll(keepingCapacity: bytes.capacity <= limit)
    }

    /// A string with a 16-bit length.
    mutating func appendShortString(_ text: borrowing String) {
        append(UInt16(text.utf8.count))
        // A native string's bytes are copied from its storage in one piece.
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: (copy text).utf8) }
    }

    /// A string with a 16-bit length; `nil` is written as the length 0xFFFF.
    mutating func appendShortString(_ text: borrowing String?) {
        switch text {
        case .some(let text): appendShortString(text)
        case .none: append(UInt16.max)
        }
    }

    /// Bytes with a 32-bit length.
    mutating func appendLongBytes(_ raw: borrowing [UInt8]) {
        append(UInt32(raw.count))
        raw.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    mutating func appendLongString(_ text: String) {
        append(UInt32(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    /// Overwrites a little-endian integer at `offset`.
    mutating func patch<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { source in
            for index in 0..<source.count { bytes[offset + index] = source[index] }
        }
    }
}

/// Reads little-endian values from a byte buffer; every read is bounds-checked and a read past
/// the end throws instead of touching memory outside the buffer.
struct ByteReader {
    struct OutOfBounds: Error {
        var offset: Int
    }

    let buffer: UnsafeRawBufferPointer
    var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    var remaining: Int { buffer.count - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(OutOfBounds) -> T {
        let size = MemoryLayout<T>.size
        guard offset >= 0, size <= buffer.count - offset else { throw OutOfBounds(offset: offset) }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readBytes(_ count: Int) throws(OutOfBounds) -> UnsafeRawBufferPointer {
        guard count >= 0, offset >= 0, count <= buffer.count - offset else { throw OutOfBounds(offset: offset) }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
        offset += count
        return slice
    }

    mutating func readShortString() throws(OutOfBounds) -> String? {
        let length: UInt16 = try read()
        if length == .max { return nil }
        return String(decoding: try readBytes(Int(length)), as: UTF8.self)
    }

    mutating func skipShortString() throws(OutOfBounds) {
        let length: UInt16 = try read()
        if length != .max { _ = try readBytes(Int(length)) }
    }

    mutating func readLongBytes() throws(OutOfBounds) -> [UInt8] {
        let length: UInt32 = try read()
        return Array(try readBytes(Int(length)))
    }

    mutating func readLongString() throws(OutOfBounds) -> String {
        let length: UInt32 = try read()
        return String(decoding: try readBytes(Int(length)), as: UTF8.self)
    }
}
