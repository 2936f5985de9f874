import Foundation
import Observability

/// The archive of retired events: newline-delimited JSON, one stored event per line, with every
/// field the store keeps, so that `segstore import` (or any JSON-lines tool) can read it back.
///
/// A line holds `sequence`, `id`, `event_type`, `source`, `target`, `session_id`,
/// `correlation_id` (the last three `null` when absent), `timestamp`, `received_at` and
/// `stored_at` (RFC 3339, UTC, microseconds), `exchange`, `routing_key`, `properties` (the AMQP
/// properties object), `payload` (the normalised payload, a JSON value) and `body_base64` (the
/// original message body, byte for byte, in base64). `properties` and `payload` are written as
/// they are stored, byte for byte; one that is not a single-line JSON value is written as
/// `properties_base64` or `payload_base64` instead, so every line is valid JSON and every byte
/// survives the round trip.
public enum EventArchive {
    /// One archive line for `event`, newline included.
    public static func line(for event: StoredEvent) -> [UInt8] {
        var line = [UInt8]()
        line.reserveCapacity(event.original.body.count * 2 + event.payload.count + 512)
        func key(_ name: String) {
            line.append(line.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            JSONText.appendQuoted(name, to: &line)
            line.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String?) {
            key(name)
            if let value {
                JSONText.appendQuoted(value, to: &line)
            } else {
                line.append(contentsOf: Array("null".utf8))
            }
        }
        func json(_ name: String, _ value: [UInt8]) {
            if isSingleLineJSON(value) {
                key(name)
                line.append(contentsOf: value)
            } else {
                string(name + "_base64", Data(value).base64EncodedString())
            }
        }
        key("sequence")
        line.append(contentsOf: Array(String(event.sequence).utf8))
        string("id", event.id)
        string("event_type", event.eventType)
        string("source", event.source)
        string("target", event.target)
        string("session_id", event.sessionId)
        string("correlation_id", event.correlationId)
        string("timestamp", event.timestamp.rfc3339)
        string("received_at", event.receivedAt.rfc3339)
        string("stored_at", event.storedAt.rfc3339)
        string("exchange", event.original.exchange)
        string("routing_key", event.original.routingKey)
        json("properties", event.original.properties)
        json("payload", event.payload)
        string("body_base64", Data(event.original.body).base64EncodedString())
        line.append(UInt8(ascii: "}"))
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// Reads every event of an archive file.
    ///
    /// Blank lines are skipped. The events keep the sequence numbers and `stored_at` of the
    /// archive; `segstore import` decides what they become.
    ///
    /// - Throws: `CompactionError.invalidArchive` naming the first line that cannot be read.
    public static func read(path: String) throws(CompactionError) -> [StoredEvent] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CompactionError(.invalidArchive, "cannot read the archive \(path): \(error.localizedDescription)")
        }
        var events = [StoredEvent]()
        var number = 0
        let bytes = [UInt8](data)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            number += 1
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                events.append(try ArchiveLine.event(from: Array(line)))
            } catch {
                throw CompactionError(.invalidArchive, "\(path) line \(number): \(error.reason)")
            }
        }
        return events
    }

    /// Whether `value` can go into a line as it is: one JSON value, no line break, no leading or
    /// trailing whitespace (which a reader would not give back).
    static func isSingleLineJSON(_ value: [UInt8]) -> Bool {
        guard let first = value.first, let last = value.last else { return false }
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard !whitespace.contains(first), !whitespace.contains(last), !value.contains(0x0A), !value.contains(0x0D)
        else { return false }
        return (try? JSONSerialization.jsonObject(with: Data(value), options: [.fragmentsAllowed])) != nil
    }
}

/// Writes archive lines to a new file and syncs it and its directory.
final class ArchiveWriter {
    private let file: SystemFile
    private let path: String
    private var buffer: [UInt8] = []
    private var written = 0
    /// Events written so far.
    private(set) var count = 0

    /// Creates the archive file; it must not exist.
    ///
    /// - Throws: `CompactionError.archiveExists` if it does, `.storeFailure` if it cannot be created.
    init(path: String) throws(CompactionError) {
        guard !SystemFile.exists(path) else {
            throw CompactionError(
                .archiveExists, "the archive \(path) exists already; choose a new file name (nothing was changed)")
        }
        do {
            file = try SystemFile(path: path, create: true, exclusive: true, faults: nil)
        } catch {
            throw CompactionError(.storeFailure, "cannot create the archive: \(error) (nothing was changed)")
        }
        self.path = path
    }

    func append(_ event: StoredEvent) throws(StoreError) {
        buffer.append(contentsOf: EventArchive.line(for: event))
        count += 1
        if buffer.count >= 4 << 20 { try flush() }
    }

    /// Writes what is buffered, syncs the file, then syncs its directory so the file itself
    /// survives a crash.
    func finish() throws(StoreError) {
        try flush()
        try file.syncData()
        let parent = (path as NSString).deletingLastPathComponent
        try SystemFile.syncDirectory(parent.isEmpty ? "." : parent)
    }

    private func flush() throws(StoreError) {
        guard !buffer.isEmpty else { return }
        try file.write(buffer, at: written)
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
