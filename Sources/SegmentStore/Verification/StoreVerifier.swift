import Foundation

/// The outcome of verifying one segment file.
public struct SegmentVerification: Sendable {
    /// The file.
    public var path: String
    /// Every problem found, each with its byte offset; empty when the segment is intact.
    public var problems: [String]
    /// Notes that are not problems (for example the unchecked tail a running writer is appending).
    public var notes: [String]
    /// Events in the segment's valid frames.
    public var eventCount: Int
    /// The file's size when it was checked.
    public var fileBytes: Int
    /// Sizes of the frames' blocks before and after compression.
    public var rawBlockBytes: Int
    public var storedBlockBytes: Int
    /// Whether the segment is sealed with a valid trailer.
    public var sealed: Bool

    /// Whether nothing is wrong.
    public var isIntact: Bool { problems.isEmpty }
}

/// The outcome of verifying a whole store.
public struct VerificationReport: Sendable {
    /// One entry per segment file, in sequence order.
    public var segments: [SegmentVerification]
    /// Problems that concern no single segment (sequence gaps between segments).
    public var storeProblems: [String]

    /// Whether every segment and the sequence across them are intact.
    public var isIntact: Bool { storeProblems.isEmpty && segments.allSatisfy(\.isIntact) }
    /// Events in all valid frames.
    public var eventCount: Int { segments.reduce(0) { $0 + $1.eventCount } }
    /// Bytes of all segment files.
    public var fileBytes: Int { segments.reduce(0) { $0 + $1.fileBytes } }
    /// Raw block bytes divided by stored block bytes.
    public var compressionRatio: Double {
        let stored = segments.reduce(0) { $0 + $1.storedBlockBytes }
        return stored == 0 ? 1 : Double(segments.reduce(0) { $0 + $1.rawBlockBytes }) / Double(stored)
    }
}

/// `segstore verify`: checks every byte of every segment without changing anything.
///
/// Each segment's header, every frame's length, sequence, checksum, decompression and records,
/// the trailer's counts, bounds and frame table, the whole-file checksum, and the sequence
/// continuity across segments. It is safe beside a running daemon: the active segment is checked
/// up to its size at the moment verification reaches it, and a frame still being written past the
/// last complete one is reported as a note, not as corruption.
public enum StoreVerifier {
    /// Verifies the store in `directory`.
    ///
    /// - Parameter progress: called after each segment with (segments done, segments in all, path).
    /// - Throws: `StoreError.unavailable` if the directory does not exist or cannot be listed.
    public static func verify(
        directory: String, progress: (Int, Int, String) -> Void = { _, _, _ in }
    )
        throws(StoreError) -> VerificationReport
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(.unavailable, "data directory does not exist", path: directory)
        }
        let writerRunning = DirectoryLock.isHeld(directory: directory)
        let listed = try EventStore.segmentFiles(in: directory)
        let superseded = EventStore.supersededSegments(listed)
        let files = listed.filter { superseded[$0.path] == nil }
        var report = VerificationReport(segments: [], storeProblems: [])
        var expected: UInt64?
        for (position, file) in files.enumerated() {
            let isLast = position == files.count - 1
            var (verification, endSequence) = verifySegment(
                path: file.path, firstSequence: file.firstSequence, isLast: isLast, writerRunning: writerRunning)
            if let expected, file.firstSequence != expected {
                report.storeProblems.append(
                    "\(file.path): starts at sequence \(file.firstSequence) but the previous segment ends "
                        + "before \(expected)"
                )
            }
            expected = endSequence
            for (leftover, covering) in superseded.sorted(by: { $0.key < $1.key }) where covering == file.path {
                verification.notes.append(
                    "supersedes \((leftover as NSString).lastPathComponent), left by an interrupted compaction; "
                        + "the next open for writing removes it")
            }
            report.segments.append(verification)
            progress(position + 1, files.count, file.path)
        }
        return report
    }

    static func verifySegment(
        path: String, firstSequence: UInt64, isLast: Bool, writerRunning: Bool
    )
        -> (SegmentVerification, UInt64)
    {
        var result = SegmentVerification(
            path: path, problems: [], notes: [], eventCount: 0, fileBytes: 0, rawBlockBytes: 0, storedBlockBytes: 0,
            sealed: false)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            result.problems.append("\(path): cannot open: \(String(cString: strerror(errno)))")
            return (result, firstSequence)
        }
        defer { close(descriptor) }
        var status = stat()
        fstat(descriptor, &status)
        let size = Int(status.st_size)
        result.fileBytes = size
        guard size >= SegmentHeader.size else {
            if isLast && size == 0 {
                result.notes.append("empty segment being created")
            } else {
                result.problems.append("\(path) at byte 0: file of \(size) bytes is shorter than the segment header")
            }
            return (result, firstSequence)
        }
        guard let mapping = try? MappedRegion(descriptor: descriptor, length: size, path: path),
            let bytes = mapping.bytes(offset: 0, count: size, limit: size)
        else {
            result.problems.append("\(path): cannot map the file")
            return (result, firstSequence)
        }

        let sparse: Bool
        do {
            let header = try SegmentHeader.decode(bytes)
            sparse = header.allowsSequenceGaps
            if header.firstSequence != firstSequence {
                result.problems.append(
                    "\(path) at byte 16: header says first sequence \(header.firstSequence), "
                        + "file name says \(firstSequence)"
                )
            }
        } catch {
            result.problems.append("\(path) at byte 0: \(error)")
            return (result, firstSequence)
        }

        let footer = SegmentFooter.decode(bytes)
        result.sealed = footer != nil
        let limit = footer.map { Int($0.frameTableOffset) } ?? size
        let scan = FrameScanner.scan(
            bytes, from: SegmentHeader.size, limit: limit, expectedSequence: firstSequence, depth: .full,
            allowsGaps: sparse)
        result.eventCount = scan.recordCount
        result.rawBlockBytes = scan.rawBlockBytes
        result.storedBlockBytes = scan.storedBlockBytes

        if let stop = scan.stop {
            let remaining = limit - stop.offset
            if footer == nil && isLast && writerRunning {
                result.notes.append("\(remaining) bytes past byte \(stop.offset) are being written; not checked")
            } else if footer == nil && isLast {
                result.problems.append(
                    "\(path) at byte \(stop.offset): \(stop.reason); \(remaining) bytes of torn tail, "
                        + "which the next start of the daemon cuts off"
                )
            } else {
                result.problems.append("\(path) at byte \(stop.offset): \(stop.reason)")
            }
        }
        if let footer {
            checkFooter(footer, scan: scan, bytes: bytes, path: path, sparse: sparse, into: &result)
        } else if !isLast {
            result.problems.append("\(path) at byte \(size): segment is not the newest but has no valid trailer")
        }
        // A sparse segment stands for its whole range, up to its trailer's last sequence.
        let trailerEnd = footer.map { $0.lastSequence &+ 1 } ?? scan.endSequence
        return (result, scan.stop != nil || sparse ? trailerEnd : scan.endSequence)
    }

    private static func checkFooter(
        _ footer: SegmentFooter, scan: FrameScanner.Result, bytes: UnsafeRawBufferPointer, path: String,
        sparse: Bool = false, into result: inout SegmentVerification
    ) {
        let trailerOffset = bytes.count - SegmentFooter.size
        func problem(_ text: String) { result.problems.append("\(path) at byte \(trailerOffset): trailer \(text)") }
        if footer.recordCount != UInt64(scan.recordCount) {
            problem("counts \(footer.recordCount) records, the frames hold \(scan.recordCount)")
        }
        if footer.frameCount != UInt64(scan.frames.count) {
            problem("counts \(footer.frameCount) frames, \(scan.frames.count) are valid")
        }
        if scan.recordCount > 0 {
            if sparse ? footer.lastSequence < scan.endSequence - 1 : footer.lastSequence != scan.endSequence - 1 {
                problem("says last sequence \(footer.lastSequence), the frames end at \(scan.endSequence - 1)")
            }
            if footer.minTimestamp != scan.minTimestamp || footer.maxTimestamp != scan.maxTimestamp {
                problem("time bounds do not match the frames")
            }
        }
        let tableOffset = Int(footer.frameTableOffset)
        var reader = ByteReader(bytes, offset: tableOffset)
        for (position, frame) in scan.frames.enumerated() {
            guard let sequence = try? reader.read(UInt64.self), let offset = try? reader.read(UInt64.self) else {
                break
            }
            if sequence != frame.firstSequence || Int(offset) != frame.offset {
                result.problems.append(
                    "\(path) at byte \(tableOffset + position * 16): frame table entry \(position) "
                        + "does not match the frame at byte \(frame.offset)"
                )
            }
        }
        let checksum = Checksum.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<trailerOffset]))
        if checksum != footer.fileChecksum {
            problem("whole-file checksum does not match (the damage is at the first problem above, if any)")
        }
    }
}
