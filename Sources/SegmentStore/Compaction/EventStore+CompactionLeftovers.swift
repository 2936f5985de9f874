import Foundation
import Observability

extension EventStore {
    /// The suffix of a segment file that compaction is still writing: `segment-N.cseg.compacting`.
    /// Such a file is never part of the store; opening the store for writing deletes it.
    static let compactionTemporarySuffix = SegmentName.suffix + ".compacting"

    /// Settles what an interrupted compaction may have left in `directory`, before recovery
    /// opens any segment.
    ///
    /// Compaction renames a finished, synced compacted segment over the first segment it replaces
    /// and only then deletes the others; if it stopped in between, those others are still there,
    /// inside the range the compacted segment stands for. They are *superseded*: every event of
    /// theirs that compaction kept is in the compacted segment. This removes them (or, for a
    /// read-only open, leaves them out) once the compacted segment's whole-file checksum proves it
    /// complete, and deletes unfinished `.compacting` files when opening for writing.
    ///
    /// - Parameters:
    ///   - files: the segment files of `directory`, in sequence order.
    ///   - readOnly: only leave superseded segments out; change nothing on disk.
    /// - Returns: `files` without the superseded segments.
    /// - Throws: `StoreError` if a leftover cannot be deleted or the directory cannot be synced.
    static func settleCompactionLeftovers(
        _ files: [SegmentFileEntry], directory: String, readOnly: Bool, logger: Logger
    ) throws(StoreError) -> [SegmentFileEntry] {
        var changed = false
        if !readOnly {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names where name.hasPrefix("segment-") && name.hasSuffix(compactionTemporarySuffix) {
                try SystemFile.remove(directory + "/" + name)
                changed = true
                logger.warning(
                    "removed a segment an interrupted compaction had not finished",
                    ["segment.path": .string(directory + "/" + name)])
            }
        }
        let superseded = supersededSegments(files)
        if !readOnly {
            for file in files {
                guard let covering = superseded[file.path] else { continue }
                try SystemFile.remove(file.path)
                changed = true
                logger.warning(
                    "removed a segment that an interrupted compaction had already replaced",
                    ["segment.path": .string(file.path), "segment.replaced_by": .string(covering)])
            }
        }
        if changed { try SystemFile.syncDirectory(directory) }
        return files.filter { superseded[$0.path] == nil }
    }

    /// The segments that lie wholly inside the range of a compacted segment that starts before
    /// them, keyed by path, each with the path of that compacted segment.
    ///
    /// A segment counts as superseded only if it is sealed, starts after the compacted segment's
    /// first sequence, ends at or before its last, and the compacted segment's whole-file
    /// checksum matches; anything else that overlaps is left for recovery to report as damage.
    static func supersededSegments(_ files: [SegmentFileEntry]) -> [String: String] {
        let covering = files.compactMap { file -> (SegmentFileEntry, Range<UInt64>)? in
            guard let sealed = sealedRange(of: file), sealed.sparse else { return nil }
            return (file, sealed.range)
        }
        var result: [String: String] = [:]
        for (cover, range) in covering {
            let inside = files.filter { file in
                guard file.path != cover.path, file.firstSequence > range.lowerBound,
                    file.firstSequence < range.upperBound, let own = sealedRange(of: file)
                else { return false }
                return own.range.upperBound <= range.upperBound
            }
            guard !inside.isEmpty, wholeFileChecksumMatches(cover.path) else { continue }
            for file in inside { result[file.path] = cover.path }
        }
        return result
    }

    /// The sequence range a sealed segment stands for (first to trailer's last) and whether it
    /// is sparse, or `nil` if its header or trailer does not validate.
    static func sealedRange(of file: SegmentFileEntry) -> (range: Range<UInt64>, sparse: Bool)? {
        guard let opened = try? SystemFile(path: file.path, create: false, readOnly: true, faults: nil),
            let size = try? opened.size(), size >= SegmentHeader.size + SegmentFooter.size,
            let headerBytes = try? opened.read(count: SegmentHeader.size, at: 0),
            let header = try? headerBytes.withUnsafeBytes({ try SegmentHeader.decode($0) }),
            header.firstSequence == file.firstSequence,
            let trailer = try? opened.read(count: SegmentFooter.size, at: size - SegmentFooter.size),
            let footer = trailer.withUnsafeBytes({ SegmentFooter.decode(trailer: $0, fileSize: size) }),
            footer.firstSequence == header.firstSequence, footer.lastSequence &+ 1 >= footer.firstSequence
        else { return nil }
        return (footer.firstSequence..<(footer.lastSequence &+ 1), header.allowsSequenceGaps)
    }

    /// Whether the whole-file checksum in a sealed segment's trailer matches its bytes.
    static func wholeFileChecksumMatches(_ path: String) -> Bool {
        guard let opened = try? SystemFile(path: path, create: false, readOnly: true, faults: nil),
            let size = try? opened.size(), size >= SegmentHeader.size + SegmentFooter.size,
            let trailer = try? opened.read(count: SegmentFooter.size, at: size - SegmentFooter.size),
            let footer = trailer.withUnsafeBytes({ SegmentFooter.decode(trailer: $0, fileSize: size) })
        else { return false }
        let checksum = StreamingChecksum()
        let end = size - SegmentFooter.size
        var offset = 0
        while offset < end {
            guard let chunk = try? opened.read(count: min(4 << 20, end - offset), at: offset), !chunk.isEmpty else {
                return false
            }
            chunk.withUnsafeBytes { checksum.update($0) }
            offset += chunk.count
        }
        return checksum.digest == footer.fileChecksum
    }
}
