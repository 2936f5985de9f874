import IndexBuilder
import SegmentStore

/// The JSON shapes of the API, written by hand with each stored payload spliced in verbatim.
///
/// An event reads `{"id", "event_type", "source", "target", "routing_key", "timestamp",
/// "stored_at", "payload", "session_id", "correlation_id", "storage_latency_ms"}` with timestamps
/// in RFC 3339 UTC with `Z`, as in the service this one replaces.
enum EventJSON {
    /// One event object.
    static func event(_ event: StoredEvent) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(event.payload.count + 384)
        appendEvent(event, to: &output)
        return output
    }

    /// Appends one event object to `output`.
    static func appendEvent(_ event: StoredEvent, to output: inout [UInt8]) {
        output.append(0x7B)
        JSONBytes.appendKey("id", to: &output)
        JSONBytes.appendString(event.id, to: &output)
        appendField("event_type", event.eventType, to: &output)
        appendField("source", event.source, to: &output)
        appendField("target", event.target, to: &output)
        appendField("routing_key", event.routingKey, to: &output)
        appendField("timestamp", event.timestamp.rfc3339, to: &output)
        appendField("stored_at", event.storedAt.rfc3339, to: &output)
        output.append(0x2C)
        JSONBytes.appendKey("payload", to: &output)
        if event.payload.isEmpty {
            JSONBytes.appendNull(to: &output)
        } else {
            output.append(contentsOf: event.payload)
        }
        appendField("session_id", event.sessionId, to: &output)
        appendField("correlation_id", event.correlationId, to: &output)
        output.append(0x2C)
        JSONBytes.appendKey("storage_latency_ms", to: &output)
        JSONBytes.appendNumber(event.storageLatencyMilliseconds, to: &output)
        output.append(0x7D)
    }

    /// The `GET /events` body: `{"events", "total", "limit", "offset", "has_more", "next_cursor"}`.
    static func page(_ page: EventPage, query: EventQuery) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(page.events.reduce(128) { $0 + $1.payload.count + 384 })
        output.append(contentsOf: "{\"events\":[".utf8)
        for (index, event) in page.events.enumerated() {
            if index > 0 { output.append(0x2C) }
            appendEvent(event, to: &output)
        }
        output.append(contentsOf: "],\"total\":".utf8)
        JSONBytes.appendInteger(page.total, to: &output)
        output.append(contentsOf: ",\"limit\":".utf8)
        JSONBytes.appendInteger(query.limit, to: &output)
        output.append(contentsOf: ",\"offset\":".utf8)
        JSONBytes.appendInteger(query.offset, to: &output)
        output.append(contentsOf: ",\"has_more\":".utf8)
        JSONBytes.appendBool(page.hasMore, to: &output)
        appendField("next_cursor", page.nextCursor, to: &output)
        output.append(0x7D)
        return output
    }

    /// The `GET /health` body.
    static func health(_ report: HealthReport, version: String) -> [UInt8] {
        var output: [UInt8] = []
        output.append(0x7B)
        JSONBytes.appendKey("status", to: &output)
        JSONBytes.appendString(report.status.name, to: &output)
        appendField("version", version, to: &output)
        appendField("database", report.database, to: &output)
        if let reason = report.status.reason {
            appendField("reason", reason, to: &output)
        }
        output.append(contentsOf: ",\"events_stored\":".utf8)
        JSONBytes.appendInteger(report.eventsStored, to: &output)
        output.append(contentsOf: ",\"consumer_connected\":".utf8)
        JSONBytes.appendBool(report.consumerConnected, to: &output)
        appendField("last_event_time", report.lastEventTime?.rfc3339, to: &output)
        output.append(contentsOf: ",\"data_dir_bytes\":".utf8)
        if let bytes = report.dataDirectoryBytes {
            JSONBytes.appendInteger(bytes, to: &output)
        } else {
            JSONBytes.appendNull(to: &output)
        }
        output.append(0x7D)
        return output
    }

    /// Appends `,"key":"value"` (or `null`).
    private static func appendField(_ key: String, _ value: String?, to output: inout [UInt8]) {
        output.append(0x2C)
        JSONBytes.appendKey(key, to: &output)
        JSONBytes.appendString(value, to: &output)
    }
}
