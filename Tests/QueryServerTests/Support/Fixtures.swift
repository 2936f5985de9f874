import Foundation
import QueryServer
import SegmentStore

/// Events and requests shared by the API tests.
enum Fixtures {
    /// 2026-01-27T10:00:00Z in microseconds.
    static let baseTime: Int64 = 1_769_508_000_000_000

    static func event(
        _ sequence: UInt64, id: String? = nil, type: String = "transcription.voice.completed",
        source: String = "whisperlivekit", target: String? = "tonny", session: String? = "session-123",
        correlation: String? = nil, minutes: Int64 = 0, payload: String = #"{"text":"Hello world","confidence":0.95}"#,
        body: [UInt8]? = nil, properties: String = #"{"content_type":"application/json","content_encoding":"utf-8"}"#,
        routingKey: String? = nil
    ) -> StoredEvent {
        let timestamp = EventTimestamp(microseconds: baseTime + minutes * 60_000_000)
        let original = OriginalMessage(
            exchange: "bloodbank.events.v1", routingKey: routingKey ?? type, properties: Array(properties.utf8),
            body: body ?? Array(payload.utf8))
        return StoredEvent(
            id: id ?? "evt-\(sequence)", eventType: type, source: source, target: target, sessionId: session,
            correlationId: correlation, timestamp: timestamp,
            receivedAt: EventTimestamp(microseconds: timestamp.microseconds + 1_000),
            payload: Array(payload.utf8), original: original, sequence: sequence,
            storedAt: EventTimestamp(microseconds: timestamp.microseconds + 6_200))
    }

    /// Twelve events over twelve minutes with two sessions, three types and two sources.
    static let sample: [StoredEvent] = (1...12).map { index in
        let n = Int64(index)
        return event(
            UInt64(index), type: ["a.created", "b.updated", "c.deleted"][index % 3],
            source: index % 2 == 0 ? "svc-even" : "svc-odd", target: index % 4 == 0 ? nil : "tonny",
            session: index <= 6 ? "s-1" : "s-2", correlation: index % 5 == 0 ? "corr-5" : nil, minutes: n)
    }

    static func get(_ path: String, _ query: [(String, String)] = [], headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(
            method: "GET", path: path, queryItems: query.map { HTTPQueryItem(name: $0.0, value: $0.1) },
            headers: headers.map { HTTPHeader(name: $0.0, value: $0.1) })
    }

    static func json(_ response: HTTPResponse) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw RawHTTPClient.Failure(
                description: "not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }

    /// The `id`s of a list response, in order.
    static func ids(_ response: HTTPResponse) throws -> [String] {
        let events = try json(response)["events"] as? [[String: Any]] ?? []
        return events.compactMap { $0["id"] as? String }
    }
}
