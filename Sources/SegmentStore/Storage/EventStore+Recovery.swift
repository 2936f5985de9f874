import Foundation
import Observability

extension EventStore {
    /// Opens (or creates) the store in `options.directory` and recovers it.
    ///
    /// Sealed segments whose trailer validates are trusted and opened from their frame table
    /// without reading their frames. The active segment (the newest) and any segment without a
    /// valid trailer are scanned frame by frame; the active one is cut at its first invalid frame
    /// and synced before it is mapped or appended to. Damage in any other segment is reported in
    /// `recovery.damage` and never deletes or changes a byte; everything else stays readable.
    ///
    /// - Throws: `StoreError.locked` if another process writes the directory, `.unavailable` if it
    ///   cannot be created or read, `.ioFailure` if recovery cannot truncate or sync.
    public static func open(_ options: StoreOptions, logger: Logger = .disabled) throws(StoreError) -> EventStore {
        let directory = options.directory
        if options.readOnly {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw StoreError(
                    .unavailable, "data directory does not exist; pass the directory the daemon writes", path: directory
                )
            }
        } else {
            try SystemFile.createDirectory(directory)
        }
        let lock = options.readOnly ? nil : try DirectoryLock(directory: directory)

        var report = RecoveryReport()
        var records: [SegmentRecord] = []
        var active: ActiveSegment?
        let files = try settleCompactionLeftovers(
            segmentFiles(in: directory), directory: directory, readOnly: options.readOnly, logger: logger)
        report.segmentCount = files.count
        for (position, file) in files.enumerated() {
            let isLast = position == files.count - 1
            let expected = records.last?.endSequence ?? file.firstSequence
            if file.firstSequence != expected {
                report.damage.append(
                    SegmentDamage(
                        path: file.path, offset: 0,
                        reason:
                            "sequence gap: segment starts at \(file.firstSequence), previous ends before \(expected)"))
            }
            if let sealed = try openSealed(file, options: options) {
                records.append(sealed)
                continue
            }
            let (record, recovered) = try recoverUnsealed(
                file, truncate: isLast && !options.readOnly, options: options, report: &report, logger: logger)
            records.append(record)
            if isLast && !options.readOnly { active = recovered }
        }

        if !options.readOnly && active == nil {
            let next = records.last?.endSequence ?? 1
            let created = try ActiveSegment.create(directory: directory, firstSequence: next, options: options)
            records.append(
                SegmentRecord(
                    path: created.path, firstSequence: next, frames: [], endSequence: next,
                    durableLength: created.length, mapping: try created.mapping(covering: created.length),
                    sealed: false, damage: nil, fileSize: created.length))
            active = created
        }

        let catalog = SegmentCatalog()
        catalog.state.withLock { state in
            state.segments = records
            state.firstSequence = records.first?.firstSequence ?? 1
            state.lastDurableSequence = (records.last?.endSequence ?? 1) - 1
        }
        var writer: SegmentWriter?
        if let active {
            writer = SegmentWriter(
                options: options, catalog: catalog, active: active,
                nextSequence: records.last!.endSequence, logger: logger)
            writer!.start()
        }
        for damage in report.damage {
            logger.error("segment damaged; the rest of the store is served", ["damage": .string(damage.description)])
        }
        logger.info(
            "store opened",
            [
                "store.directory": .string(directory), "store.segments": .int(Int64(records.count)),
                "store.last_sequence": .int(Int64((records.last?.endSequence ?? 1) - 1)),
                "recovery.truncated_bytes": .int(Int64(report.truncatedBytes)),
                "recovery.dropped_frames": .int(Int64(report.droppedFrames)),
            ])
        return EventStore(
            options: options, recovery: report, catalog: catalog, writer: writer, lock: lock, logger: logger)
    }

    struct SegmentFileEntry {
        var path: String
        var firstSequence: UInt64
    }

    /// The segment files of `directory`, in sequence order.
    static func segmentFiles(in directory: String) throws(StoreError) -> [SegmentFileEntry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError(
                .unavailable, "cannot list the data directory: \(error.localizedDescription)", path: directory)
        }
        return names.compactMap { name in
            SegmentName.firstSequence(of: name).map {
                SegmentFileEntry(path: directory + "/" + name, firstSequence: $0)
            }
        }.sorted { $0.firstSequence < $1.firstSequence }
    }

    /// Opens a segment whose header and trailer validate, from its frame table; `nil` if it has no
    /// valid trailer.
    private static func openSealed(
        _ entry: SegmentFileEntry, options: StoreOptions
    ) throws(StoreError) -> SegmentRecord? {
        let file = try SystemFile(path: entry.path, create: false, readOnly: true, faults: nil)
        let size = try file.size()
        guard size >= SegmentHeader.size + SegmentFooter.size else { return nil }
        let headerBytes = try file.read(count: SegmentHeader.size, at: 0)
        let trailerBytes = try file.read(count: SegmentFooter.size, at: size - SegmentFooter.size)
        guard let header = try? headerBytes.withUnsafeBytes({ try SegmentHeader.decode($0) }),
            header.firstSequence == entry.firstSequence
        else { return nil }
        guard let footer = trailerBytes.withUnsafeBytes({ SegmentFooter.decode(trailer: $0, fileSize: size) }),
            footer.firstSequence == header.firstSequence,
            Int(footer.frameTableOffset) + Int(footer.frameCount) * 16 == size - SegmentFooter.size
        else { return nil }

        let table = try file.read(count: Int(footer.frameCount) * 16, at: Int(footer.frameTableOffset))
        guard Checksum.hash(table) == footer.frameTableChecksum else { return nil }
        var frames = [FrameLocation]()
        frames.reserveCapacity(Int(footer.frameCount))
        let valid = table.withUnsafeBytes { raw -> Bool in
            var reader = ByteReader(raw)
            var entries = [(UInt64, Int)]()
            for _ in 0..<footer.frameCount {
                guard let sequence = try? reader.read(UInt64.self), let offset = try? reader.read(UInt64.self) else {
                    return false
                }
                entries.append((sequence, Int(offset)))
            }
            for (position, entry) in entries.enumerated() {
                let nextOffset = position + 1 < entries.count ? entries[position + 1].1 : Int(footer.frameTableOffset)
                let nextSequence = position + 1 < entries.count ? entries[position + 1].0 : footer.lastSequence + 1
                guard nextOffset > entry.1, nextSequence > entry.0, nextSequence - entry.0 <= UInt64(UInt32.max) else {
                    return false
                }
                frames.append(
                    FrameLocation(
                        firstSequence: entry.0, recordCount: UInt32(nextSequence - entry.0), offset: entry.1,
                        length: nextOffset - entry.1))
            }
            return true
        }
        guard valid else { return nil }
        let mapping = try MappedRegion(descriptor: file.descriptor, length: size, path: entry.path)
        return SegmentRecord(
            path: entry.path, firstSequence: header.firstSequence, frames: frames,
            endSequence: footer.lastSequence &+ 1, durableLength: size, mapping: mapping, sealed: true, damage: nil,
            fileSize: size,
            missingSequences: header.allowsSequenceGaps
                ? footer.lastSequence &+ 1 &- footer.firstSequence &- footer.recordCount : 0)
    }

    /// Scans a segment without a valid trailer; if `truncate` is set (the active segment), cuts it
    /// at the first invalid frame, syncs it and returns it ready for appending.
    private static func recoverUnsealed(
        _ entry: SegmentFileEntry, truncate: Bool, options: StoreOptions, report: inout RecoveryReport, logger: Logger
    ) throws(StoreError) -> (SegmentRecord, ActiveSegment?) {
        let file = try SystemFile(path: entry.path, create: false, readOnly: !truncate, faults: options.faults)
        let size = try file.size()
        let contents = try file.read(count: size, at: 0)

        var header: SegmentHeader?
        if size >= SegmentHeader.size {
            header = try? contents.withUnsafeBytes { try SegmentHeader.decode($0) }
        }
        if header == nil || header?.firstSequence != entry.firstSequence {
            if truncate && size < SegmentHeader.size {
                // The segment was being created when the process stopped: it never held an event.
                let fresh = SegmentHeader(firstSequence: entry.firstSequence, createdAt: .now()).encoded()
                try file.truncate(to: 0)
                try file.write(fresh, at: 0)
                try file.syncData()
                report.truncatedBytes += size
                logger.warning("recovered a segment whose header was torn", ["segment.path": .string(entry.path)])
                let checksum = StreamingChecksum()
                fresh.withUnsafeBytes { checksum.update($0) }
                let active = ActiveSegment(
                    path: entry.path, firstSequence: entry.firstSequence, file: file, length: fresh.count, frames: [],
                    minTimestamp: .max, maxTimestamp: .min, checksum: checksum, options: options)
                let record = SegmentRecord(
                    path: entry.path, firstSequence: entry.firstSequence, frames: [], endSequence: entry.firstSequence,
                    durableLength: fresh.count, mapping: try active.mapping(covering: fresh.count), sealed: false,
                    damage: nil, fileSize: fresh.count)
                return (record, active)
            }
            let damage = SegmentDamage(path: entry.path, offset: 0, reason: "segment header is missing or invalid")
            report.damage.append(damage)
            let record = SegmentRecord(
                path: entry.path, firstSequence: entry.firstSequence, frames: [], endSequence: entry.firstSequence,
                durableLength: 0, mapping: nil, sealed: true, damage: damage, fileSize: size)
            if truncate {
                throw StoreError(
                    .corrupt,
                    "the active segment's header is invalid; move the file aside (it is kept for inspection) "
                        + "and restart",
                    path: entry.path, offset: 0)
            }
            return (record, nil)
        }

        let checksum = StreamingChecksum()
        let scan = contents.withUnsafeBytes { raw -> FrameScanner.Result in
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[0..<SegmentHeader.size]))
            return FrameScanner.scan(
                raw, from: SegmentHeader.size, limit: size, expectedSequence: entry.firstSequence, depth: .checksums,
                checksum: checksum, allowsGaps: header?.allowsSequenceGaps ?? false)
        }
        report.scannedFrames += scan.frames.count
        var damage: SegmentDamage?
        if let stop = scan.stop {
            if truncate {
                let dropped = contents.withUnsafeBytes { countFrames($0, from: scan.validEnd) }
                try file.truncate(to: scan.validEnd)
                try file.syncData()
                report.truncatedBytes += size - scan.validEnd
                report.droppedFrames += dropped
                logger.warning(
                    "recovery cut a torn tail off the active segment",
                    [
                        "segment.path": .string(entry.path), "recovery.offset": .int(Int64(scan.validEnd)),
                        "recovery.dropped_bytes": .int(Int64(size - scan.validEnd)),
                        "recovery.dropped_frames": .int(Int64(dropped)), "recovery.reason": .string(stop.reason),
                    ])
            } else {
                damage = SegmentDamage(path: entry.path, offset: stop.offset, reason: stop.reason)
                report.damage.append(damage!)
            }
        }

        let validLength = truncate ? scan.validEnd : scan.validEnd
        if truncate {
            let active = ActiveSegment(
                path: entry.path, firstSequence: entry.firstSequence, file: file, length: validLength,
                frames: scan.frames, minTimestamp: scan.minTimestamp, maxTimestamp: scan.maxTimestamp,
                checksum: checksum, options: options)
            let record = SegmentRecord(
                path: entry.path, firstSequence: entry.firstSequence, frames: scan.frames,
                endSequence: scan.endSequence,
                durableLength: validLength, mapping: try active.mapping(covering: validLength), sealed: false,
                damage: nil, fileSize: validLength)
            return (record, active)
        }
        let mapping = size > 0 ? try MappedRegion(descriptor: file.descriptor, length: size, path: entry.path) : nil
        let record = SegmentRecord(
            path: entry.path, firstSequence: entry.firstSequence, frames: scan.frames, endSequence: scan.endSequence,
            durableLength: validLength, mapping: mapping, sealed: damage != nil, damage: damage, fileSize: size)
        return (record, nil)
    }

    /// How many frames, whole or partial, the bytes from `offset` on appear to hold.
    private static func countFrames(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Int {
        var count = 0
        var position = offset
        while position < bytes.count {
            count += 1
            guard let header = FrameHeader.read(UnsafeRawBufferPointer(rebasing: bytes[position...])),
                header.frameLength >= UInt32(FrameHeader.size)
            else { break }
            position += Int(header.frameLength)
        }
        return count
    }
}
