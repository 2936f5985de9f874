extension FrameRecords {
    /// Indexes a frame's decompressed blocks and, for a compacted (kind-2) frame, reads the
    /// per-record commit times from its table.
    ///
    /// - Parameter frame: the whole frame, header included.
    /// - Throws: `StoreError.corrupt` if the blocks are malformed or the commit-time table is.
    static func decoding(
        _ header: FrameHeader, indexBlock: [UInt8], bodyBlock: [UInt8], frame: UnsafeRawBufferPointer
    ) throws(StoreError) -> FrameRecords {
        var records = try FrameRecords(header: header, indexBlock: indexBlock, bodyBlock: bodyBlock)
        guard header.kind == FrameHeader.compactedBatchKind else { return records }
        guard let times = CompactedFrame.commitTimes(of: header, frame: frame) else {
            throw StoreError(
                .corrupt, "commit-time table of frame at sequence \(header.firstSequence) is malformed")
        }
        records.commitTimes = times
        return records
    }
}
