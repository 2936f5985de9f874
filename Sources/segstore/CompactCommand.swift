import Foundation
import SegmentStore

/// `segstore compact`: merges and recompresses sealed segments, drops duplicates, and retires
/// old events on request.
enum CompactCommand {
    static let help = """
        usage: segstore compact [--data-dir DIR] [--older-than DURATION | --before TIMESTAMP]
                                [--archive FILE] [--yes] [--dry-run] [--segment-bytes N]

        Rewrites the sealed segments into fewer, denser ones: merges small segments up to the
        segment size, packs their events into full frames compressed with LZ4 HC, and drops any
        record whose event id an earlier record already has. The active (newest) segment is never
        touched. Sequence numbers, ids and stored_at are kept, so cursors stay valid.

        Retention is never implied:
          --older-than DURATION  retire events whose timestamp is older than now minus DURATION
                                 (for example 90d, 12h, 30m, 2w)
          --before TIMESTAMP     retire events whose timestamp is before an RFC 3339 instant
          --archive FILE         first write the retired events to FILE as JSON lines (synced);
                                 segstore import reads it back. FILE must not exist.
          --yes                  retire without an archive (the count is printed first)

        Other options:
          --dry-run              print what would happen and change nothing
          --segment-bytes N      target size of a compacted segment (default $SEGMENT_BYTES,
                                 else 256M; K, M and G suffixes allowed)

        The daemon must be stopped: compaction takes the data directory's lock and refuses while
        another process holds it. Progress goes to stderr, the summary to stdout. Exits 0 on
        success, 1 when it refuses or fails (with one line saying why), 2 on bad arguments.

        """

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try CommandArguments.parse(
            arguments, valued: ["--older-than", "--before", "--archive", "--segment-bytes"],
            flags: ["--yes", "--dry-run"], help: help)
        if parsed.helpRequested { return 0 }
        guard parsed.positional.isEmpty else {
            throw UsageError("compact takes no file argument ('\(parsed.positional[0])'); see --help")
        }
        var options = CompactionOptions(directory: parsed.dataDirectory)
        options.dryRun = parsed.flags.contains("--dry-run")
        options.archivePath = parsed.values["--archive"]
        options.retireBefore = try retentionBound(parsed)
        if options.archivePath != nil && options.retireBefore == nil {
            throw UsageError("--archive needs --older-than or --before: only retired events are archived")
        }
        let segmentText = parsed.values["--segment-bytes"] ?? ProcessInfo.processInfo.environment["SEGMENT_BYTES"]
        if let segmentText, !segmentText.isEmpty {
            guard let bytes = ArgumentValues.byteCount(segmentText), bytes >= 1 << 16 else {
                throw UsageError("--segment-bytes must be a size of at least 64K, not '\(segmentText)'")
            }
            options.segmentBytes = bytes
        }
        options.progress = { line in FileHandle.standardError.write(Data("compact: \(line)\n".utf8)) }

        let started = Date()
        let compactor = try StoreCompactor.open(options)
        defer { compactor.close() }
        FileHandle.standardError.write(Data("compact: planning (reading the indexed fields of every segment)\n".utf8))
        let plan = try compactor.plan()
        let bound = options.retireBefore.map { " older than \($0.rfc3339)" } ?? ""

        if options.dryRun {
            printDryRun(plan, bound: bound, archive: options.archivePath, directory: options.directory)
            return 0
        }
        if plan.eventsToRetire > 0 && options.archivePath == nil && !parsed.flags.contains("--yes") {
            print(
                "compaction would retire \(plan.eventsToRetire) events\(bound) without an archive; "
                    + "pass --yes to remove them, or --archive FILE to keep a copy (nothing was changed)")
            return 1
        }
        if plan.isEmpty {
            print(
                "nothing to compact: \(plan.segmentsBefore) segments, \(plan.eventsBefore) events; no segment changed")
            return 0
        }
        if plan.eventsToRetire > 0 {
            let destination =
                options.archivePath.map { "archiving them to \($0) first" } ?? "without an archive (--yes)"
            FileHandle.standardError.write(
                Data("compact: retiring \(plan.eventsToRetire) events\(bound), \(destination)\n".utf8))
        }
        let report = try compactor.run(plan)
        printSummary(report, archive: options.archivePath, seconds: Date().timeIntervalSince(started))
        return 0
    }

    private static func retentionBound(_ parsed: CommandArguments) throws -> EventTimestamp? {
        let olderThan = parsed.values["--older-than"]
        let before = parsed.values["--before"]
        if olderThan != nil && before != nil { throw UsageError("give either --older-than or --before, not both") }
        if let olderThan {
            guard let micros = ArgumentValues.durationMicroseconds(olderThan) else {
                throw UsageError("--older-than needs a duration such as 90d, 12h, 30m or 2w, not '\(olderThan)'")
            }
            return EventTimestamp(microseconds: EventTimestamp.now().microseconds - micros)
        }
        if let before {
            guard let instant = EventTimestamp(rfc3339: before) else {
                throw UsageError("--before needs an RFC 3339 timestamp such as 2026-01-01T00:00:00Z, not '\(before)'")
            }
            return instant
        }
        return nil
    }

    private static func printDryRun(_ plan: CompactionPlan, bound: String, archive: String?, directory: String) {
        let eventsAfter = plan.eventsBefore - plan.eventsToRetire - plan.duplicatesToDrop
        print("dry run: nothing was changed")
        print("            before          after")
        print("segments    \(pad(plan.segmentsBefore))\(plan.estimatedSegmentsAfter)")
        print("events      \(pad(plan.eventsBefore))\(eventsAfter)")
        print("bytes       \(pad(plan.bytesBefore))about \(plan.estimatedBytesAfter) (estimated from a sample)")
        print(
            "would rewrite \(plan.segmentsToRewrite) sealed segments into \(plan.compactedSegments), "
                + "remove \(plan.segmentsToRemove) fully retired, leave \(plan.segmentsUntouched) as they are "
                + "(the active segment included)")
        print("would retire \(plan.eventsToRetire) events\(bound)\(archive.map { ", archived to \($0)" } ?? "")")
        print("would drop \(plan.duplicatesToDrop) duplicate records")
        if StoreCompactor.isDirectoryInUse(directory) {
            print("note: a daemon holds the data directory now; the real run refuses until it is stopped")
        }
    }

    private static func printSummary(_ report: CompactionReport, archive: String?, seconds: Double) {
        let ratio = report.bytesAfter > 0 ? Double(report.bytesBefore) / Double(report.bytesAfter) : 0
        let throughput = Double(report.rawBytesRewritten) / 1e6 / max(report.seconds, 1e-6)
        var archived = ""
        if let archive {
            archived =
                report.eventsArchived > 0
                ? " (\(report.eventsArchived) archived to \(archive))" : " (nothing to archive; \(archive) not created)"
        }
        print(
            "compacted: \(report.segmentsBefore) segments, \(ArgumentValues.megabytes(report.bytesBefore)) -> "
                + "\(report.segmentsAfter) segments, \(ArgumentValues.megabytes(report.bytesAfter)) "
                + String(format: "(%.2fx smaller)", ratio))
        print(
            "events: \(report.eventsRewritten) rewritten, \(report.eventsRetired) retired\(archived), "
                + "\(report.duplicatesDropped) duplicates dropped")
        print(
            String(
                format: "time: %.2f s; %.1f MB/s of raw events, %.1f MB/s of segment files read", seconds, throughput,
                Double(report.bytesRead) / 1e6 / max(report.seconds, 1e-6)))
    }

    private static func pad(_ value: Int) -> String {
        let text = String(value)
        return text + String(repeating: " ", count: max(1, 16 - text.count))
    }
}
