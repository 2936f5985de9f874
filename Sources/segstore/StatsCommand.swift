import Foundation
import SegmentStore

/// `segstore stats`: a store's size at a glance.
enum StatsCommand {
    static let help = """
        usage: segstore stats [--data-dir DIR] [--json]

        Shows segments, events, bytes on disk, compression ratio, time span and quarantined
        messages of a data directory. Safe while the daemon writes.

        """

    static func run(dataDirectory: String, json: Bool) -> Int32 {
        do {
            let stats = try StoreStatisticsReport.collect(directory: dataDirectory)
            print(json ? stats.json : stats.text)
            return 0
        } catch {
            FileHandle.standardError.write(Data("segstore: \(error)\n".utf8))
            return 1
        }
    }
}

/// Figures gathered by opening the store read-only.
struct StoreStatisticsReport {
    var segments: Int
    var events: Int
    var bytes: Int
    var compressionRatio: Double
    var oldest: EventTimestamp?
    var newest: EventTimestamp?
    var quarantined: Int

    static func collect(directory: String) throws -> StoreStatisticsReport {
        var options = StoreOptions(directory: directory)
        options.readOnly = true
        let store = try EventStore.open(options)
        defer { store.close() }
        var oldest: EventTimestamp?
        var newest: EventTimestamp?
        try store.forEachIndexedFields { fields in
            oldest = min(oldest ?? fields.timestamp, fields.timestamp)
            newest = max(newest ?? fields.timestamp, fields.timestamp)
        }
        let verification = try StoreVerifier.verify(directory: directory)
        var quarantined = 0
        let quarantineDirectory = directory + "/quarantine"
        if FileManager.default.fileExists(atPath: quarantineDirectory) {
            var quarantineOptions = StoreOptions(directory: quarantineDirectory)
            quarantineOptions.readOnly = true
            let quarantine = try EventStore.open(quarantineOptions)
            quarantined = quarantine.statistics.eventCount
            quarantine.close()
        }
        let statistics = store.statistics
        return StoreStatisticsReport(
            segments: statistics.segmentCount, events: statistics.eventCount, bytes: statistics.bytesOnDisk,
            compressionRatio: verification.compressionRatio, oldest: oldest, newest: newest, quarantined: quarantined)
    }

    var text: String {
        """
        segments:          \(segments)
        events:            \(events)
        bytes on disk:     \(bytes)
        compression ratio: \(String(format: "%.2f", compressionRatio))
        oldest event:      \(oldest?.rfc3339 ?? "-")
        newest event:      \(newest?.rfc3339 ?? "-")
        quarantined:       \(quarantined)
        """
    }

    var json: String {
        let oldestText = oldest.map { "\"\($0.rfc3339)\"" } ?? "null"
        let newestText = newest.map { "\"\($0.rfc3339)\"" } ?? "null"
        return """
            {"segments":\(segments),"events":\(events),"bytes":\(bytes),\
            "compression_ratio":\(String(format: "%.3f", compressionRatio)),\
            "oldest":\(oldestText),"newest":\(newestText),"quarantined":\(quarantined)}
            """
    }
}
