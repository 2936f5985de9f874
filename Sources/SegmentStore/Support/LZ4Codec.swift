import CLZ4

/// The one place that calls liblz4: block compression of frame contents.
///
/// Blocks are compressed whole with `LZ4_compress_default` (the writer's fast path) or
/// `LZ4_compress_HC` (compaction), and decompressed with the bounds-checked
/// `LZ4_decompress_safe`, which never reads or writes outside the buffers it is given.
public enum LZ4Codec {
    /// LZ4's worst-case output size for `inputSize` bytes (`LZ4_compressBound`).
    public static func maximumCompressedSize(_ inputSize: Int) -> Int {
        Int(LZ4_compressBound(Int32(inputSize)))
    }

    /// Compresses `input` and appends the result to `output`.
    ///
    /// - Parameters:
    ///   - dictionary: history LZ4 may refer back to (its last 64 KiB count); decompression needs
    ///     the same bytes (`decompress(_:rawLength:dictionary:)`). Empty for none.
    ///   - highCompression: LZ4 HC at level 9 (`LZ4_compress_HC_continue`): slower to write, as
    ///     fast to read, a better ratio; otherwise `LZ4_compress_fast_continue`.
    /// - Returns: the number of bytes appended, or `nil` when compression would not make the block
    ///   smaller (the caller then stores it raw).
    public static func compress(
        _ input: UnsafeRawBufferPointer,
        dictionary: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        appendingTo output: inout [UInt8], highCompression: Bool = false
    ) -> Int? {
        guard input.count > 0, input.count < Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let window = min(dictionary.count, 64 << 10)
        let history =
            window == 0
            ? nil
            : dictionary.baseAddress!.advanced(by: dictionary.count - window)
                .assumingMemoryBound(to: CChar.self)
        let source = input.baseAddress!.assumingMemoryBound(to: CChar.self)
        let bound = maximumCompressedSize(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { buffer -> Int32 in
            let destination = buffer.baseAddress!.advanced(by: start).assumingMemoryBound(to: CChar.self)
            if highCompression {
                guard let stream = LZ4_createStreamHC() else { return 0 }
                defer { LZ4_freeStreamHC(stream) }
                LZ4_resetStreamHC_fast(stream, 9)
                if let history { LZ4_loadDictHC(stream, history, Int32(window)) }
                return LZ4_compress_HC_continue(stream, source, destination, Int32(input.count), Int32(bound))
            }
            guard let stream = LZ4_createStream() else { return 0 }
            defer { LZ4_freeStream(stream) }
            if let history { LZ4_loadDict(stream, history, Int32(window)) }
            return LZ4_compress_fast_continue(stream, source, destination, Int32(input.count), Int32(bound), 1)
        }
        guard written > 0, Int(written) < input.count else {
            output.removeLast(bound)
            return nil
        }
        output.removeLast(bound - Int(written))
        return Int(written)
    }

    /// Decompresses a block compressed against `dictionary` into exactly `rawLength` bytes
    /// (`LZ4_decompress_safe_usingDict`).
    public static func decompress(
        _ input: UnsafeRawBufferPointer, rawLength: Int, dictionary: UnsafeRawBufferPointer
    )
        -> [UInt8]?
    {
        guard rawLength >= 0, input.count > 0 else { return rawLength == 0 ? [] : nil }
        guard dictionary.count > 0 else { return decompress(input, rawLength: rawLength) }
        let window = min(dictionary.count, 64 << 10)
        let history = dictionary.baseAddress!.advanced(by: dictionary.count - window).assumingMemoryBound(
            to: CChar.self)
        var output = [UInt8](repeating: 0, count: rawLength)
        let produced = output.withUnsafeMutableBytes { buffer -> Int32 in
            LZ4_decompress_safe_usingDict(
                input.baseAddress!.assumingMemoryBound(to: CChar.self),
                buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(rawLength), history,
                Int32(window))
        }
        return Int(produced) == rawLength ? output : nil
    }

    /// Decompresses `input` into exactly `rawLength` bytes.
    ///
    /// - Returns: the decompressed bytes, or `nil` if the input is not a valid LZ4 block of that
    ///   size.
    public static func decompress(_ input: UnsafeRawBufferPointer, rawLength: Int) -> [UInt8]? {
        guard rawLength >= 0, input.count > 0 else { return rawLength == 0 ? [] : nil }
        var output = [UInt8](repeating: 0, count: rawLength)
        let produced = output.withUnsafeMutableBytes { buffer -> Int32 in
            LZ4_decompress_safe(
                input.baseAddress!.assumingMemoryBound(to: CChar.self),
                buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(rawLength))
        }
        return Int(produced) == rawLength ? output : nil
    }
}
