import Foundation
import SegmentStore

/// `segstore import`: brings the events of a compaction archive back into a store.
enum ImportCommand {
    static let help = """
        usage: segstore import [--data-dir DIR] FILE

        Reads an archive that 'segstore compact --archive' wrote (JSON lines, one stored event a
        line) and adds every event whose id the store does not hold. An event goes back to its
        original sequence number when that number is free (a hole compaction left, or a range
        before the store's first segment), so cursors issued before it was retired find it again;
        any other event is appended with the next sequence numbers and a new stored_at. Importing
        the same archive twice adds nothing the second time.

        The daemon must be stopped (the command takes the data directory's lock). Exits 0 on
        success, 1 when it refuses or fails, 2 on bad arguments.

        """

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try CommandArguments.parse(arguments, valued: [], flags: [], help: help)
        if parsed.helpRequested { return 0 }
        guard parsed.positional.count == 1, let file = parsed.positional.first else {
            throw UsageError("import needs exactly one archive file; see --help")
        }
        var options = CompactionOptions(directory: parsed.dataDirectory)
        options.progress = { line in FileHandle.standardError.write(Data("import: \(line)\n".utf8)) }
        let events = try EventArchive.read(path: file)
        FileHandle.standardError.write(Data("import: \(events.count) events read from \(file)\n".utf8))
        let compactor = try StoreCompactor.open(options)
        defer { compactor.close() }
        let report = try compactor.importEvents(events)
        var lines = ["imported from \(file): \(report.eventsInArchive) events in the archive"]
        if report.repeatedInArchive > 0 {
            lines.append("  \(report.repeatedInArchive) lines repeat an earlier id: skipped")
        }
        lines.append("  \(report.alreadyPresent) already in the store: skipped")
        let restoredRange = report.restoredRange.map { " (sequences \($0.lowerBound)...\($0.upperBound))" } ?? ""
        lines.append(
            "  \(report.restoredInPlace) restored at their original sequence numbers\(restoredRange), "
                + "\(report.segmentsRewritten) segment(s) written")
        let appendedRange = report.appendedRange.map { " as sequences \($0.lowerBound)...\($0.upperBound)" } ?? ""
        lines.append("  \(report.appended) appended with new sequence numbers\(appendedRange)")
        lines.append(String(format: "  %.2f s", report.seconds))
        print(lines.joined(separator: "\n"))
        return 0
    }
}
