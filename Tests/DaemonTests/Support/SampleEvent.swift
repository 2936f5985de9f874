import Foundation
import Ingest
import SegmentStore

/// One event the end-to-end tests publish, with the fields the daemon is expected to store for
/// it, so a query's answer can be checked against a model of the published events.
struct SampleEvent {
    /// The body shapes in use on the bus.
    enum Shape: CaseIterable {
        case envelope, legacy, cloudEvent
    }

    var shape: Shape
    var id: String
    var eventType: String
    /// The stored `source`; an envelope is published with it split into `app@host`.
    var source: String
    var target: String?
    var sessionId: String?
    var correlationId: String?
    var timestamp: EventTimestamp
    /// The event's own data: `payload` of an envelope, `data` of the other shapes.
    var payload: [String: Any]
    var routingKey: String
    var properties: AMQPMessageProperties
    /// The body as published: the bytes `/events/{id}/raw` must give back.
    var body: [UInt8]

    /// Builds the event and renders its body in `shape`.
    init(
        shape: Shape, id: String, eventType: String, source: String, target: String? = nil,
        sessionId: String? = nil, correlationId: String? = nil, timestamp: EventTimestamp,
        payload: [String: Any], routingKey: String? = nil, properties: AMQPMessageProperties? = nil
    ) {
        self.shape = shape
        self.id = id
        self.eventType = eventType
        self.source = source
        self.target = target
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.timestamp = timestamp
        self.payload = payload
        self.routingKey = routingKey ?? eventType
        self.properties =
            properties ?? (shape == .envelope ? .persistentJSON(messageId: id) : .persistentJSON())
        body = []
        body = render()
    }

    /// The body, laid out the way each kind of producer writes it.
    private func render() -> [UInt8] {
        var object: [String: Any] = [:]
        switch shape {
        case .envelope:
            let parts = source.split(separator: "@", maxSplits: 1).map(String.init)
            object["event_id"] = id
            object["event_type"] = eventType
            object["timestamp"] = timestamp.rfc3339
            object["version"] = "1.0.0"
            object["source"] = ["app": parts[0], "host": parts.count > 1 ? parts[1] : "", "type": "agent"]
            object["correlation_ids"] = correlationId.map { [$0] } ?? []
            object["agent_context"] = sessionId.map { ["type": "claude-code", "instance_id": $0] } ?? NSNull()
            object["payload"] = payload
        case .legacy:
            object["id"] = id
            object["event_type"] = eventType
            object["ts"] = Self.withOffset(timestamp)
            object["source"] = source
            object["correlation_id"] = correlationId
            object["session_id"] = sessionId
            object["data"] = payload
        case .cloudEvent:
            object["specversion"] = "1.0"
            object["id"] = id
            object["type"] = eventType
            object["source"] = source
            object["time"] = Self.milliseconds(timestamp)
            object["datacontenttype"] = "application/json"
            object["correlationid"] = correlationId
            object["sessionid"] = sessionId
            object["data"] = payload
        }
        object["target"] = target
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data)
    }

    /// The instant written with a `+02:00` offset and whole seconds or milliseconds, as some
    /// legacy producers do; it must still be answered in UTC.
    static func withOffset(_ instant: EventTimestamp) -> String {
        let shifted = EventTimestamp(microseconds: instant.microseconds + 2 * 3_600_000_000)
        return milliseconds(shifted).replacingOccurrences(of: "Z", with: "+02:00")
    }

    /// The instant in RFC 3339 UTC with milliseconds (the sub-millisecond part must be zero).
    static func milliseconds(_ instant: EventTimestamp) -> String {
        precondition(instant.microseconds % 1_000 == 0, "\(instant) has microseconds")
        let text = instant.rfc3339
        guard let dot = text.firstIndex(of: ".") else { return text }
        return String(text[..<text.index(dot, offsetBy: 4)]) + "Z"
    }
}

/// A varied set of events for checking filters, ordering and paging against a model.
///
/// Publish order and time order differ (timestamps are a permutation of the publish order),
/// some events share a timestamp (ties are broken newest sequence first), and every filtered
/// field has missing values as well as repeated ones.
enum SampleSet {
    static let eventTypes = [
        "transcription.voice.completed", "agent.session.started", "llm.prompt", "system.heartbeat.tick",
    ]
    static let sources = ["whisperlivekit@studio-mac", "tonny@studio-mac", "hooks@build-box"]
    static let targets = ["tonny", "candybar"]
    static let sessions = ["session-a", "session-b", "session-c", "session-d"]
    /// 2026-01-27T10:00:00Z.
    static let baseTime = EventTimestamp(microseconds: 1_769_508_000_000_000)

    /// `count` events; ids carry `run` so that sets of different tests never mix.
    static func make(_ count: Int, run: String) -> [SampleEvent] {
        var events: [SampleEvent] = []
        for index in 0..<count {
            // A permutation of 0..<count (7 919 is prime and larger than any count used here),
            // and every twentieth event shares the previous one's time.
            var slot = (index * 7_919) % count
            if index % 20 == 19 { slot = (((index - 1) * 7_919) % count) }
            let timestamp = EventTimestamp(microseconds: baseTime.microseconds + Int64(slot) * 60_000_000 + 250_000)
            let shape = SampleEvent.Shape.allCases[index % 3]
            events.append(
                SampleEvent(
                    shape: shape, id: "\(run)-\(index)", eventType: eventTypes[index % eventTypes.count],
                    source: sources[(index / 2) % sources.count],
                    target: index % 5 == 0 ? nil : targets[index % targets.count],
                    sessionId: index % 7 == 3 ? nil : sessions[(index / 3) % sessions.count],
                    correlationId: index % 11 == 5 ? nil : "corr-\(run)-\(index / 10)", timestamp: timestamp,
                    payload: ["index": index, "text": "événement \(index) ✓", "nested": ["ok": true]],
                    routingKey: index % 9 == 4 ? "command.tonny.\(index).ack" : nil))
        }
        return events
    }

    /// The events the daemon should answer for a query, newest first (time, then publish order).
    ///
    /// - Parameter published: Events in publish order (so in sequence order).
    static func expected(
        _ published: [SampleEvent], eventType: String? = nil, source: String? = nil, target: String? = nil,
        sessionId: String? = nil, correlationId: String? = nil, start: EventTimestamp? = nil,
        end: EventTimestamp? = nil
    ) -> [SampleEvent] {
        let matching = published.enumerated().filter { _, event in
            (eventType == nil || event.eventType == eventType) && (source == nil || event.source == source)
                && (target == nil || event.target == target) && (sessionId == nil || event.sessionId == sessionId)
                && (correlationId == nil || event.correlationId == correlationId)
                && (start.map { event.timestamp >= $0 } ?? true) && (end.map { event.timestamp <= $0 } ?? true)
        }
        return matching.sorted { left, right in
            left.element.timestamp != right.element.timestamp
                ? left.element.timestamp > right.element.timestamp : left.offset > right.offset
        }.map(\.element)
    }
}
