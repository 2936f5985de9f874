import CXXHash

/// The one place that calls libxxhash: the 64-bit XXH3 checksums of headers, frames and files.
///
/// XXH3 runs at memory speed, so checking every frame on every read costs little; its 64 bits
/// make an accidental match of a stale or torn frame practically impossible.
public enum Checksum {
    /// XXH3-64 of `bytes` with `seed` (`XXH3_64bits_withSeed`).
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        XXH3_64bits_withSeed(bytes.baseAddress, bytes.count, seed)
    }

    /// XXH3-64 of an array's bytes.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// XXH3-64 of a string's UTF-8 bytes; the key of the event-id table.
    public static func hash(_ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}

/// A running XXH3-64 over a byte stream (`XXH3_state_t`), for the whole-file checksum of a segment,
/// which the writer keeps up to date as it appends so sealing never re-reads the file.
public final class StreamingChecksum {
    private let state: OpaquePointer

    /// Starts a new stream with seed 0.
    public init() {
        state = XXH3_createState()!
        XXH3_64bits_reset(state)
    }

    deinit {
        XXH3_freeState(state)
    }

    /// Adds bytes to the stream.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        XXH3_64bits_update(state, bytes.baseAddress, bytes.count)
    }

    /// The checksum of everything added so far; the stream can go on afterwards.
    public var digest: UInt64 {
        XXH3_64bits_digest(state)
    }

    /// A copy of the stream's state, so a writer can roll back to it if a write fails.
    public func copy() -> StreamingChecksum {
        let clone = StreamingChecksum()
        XXH3_copyState(clone.state, state)
        return clone
    }
}
