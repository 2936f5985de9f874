import Foundation
import SegmentStore
import Testing

@testable import Ingest

/// One body and the stored fields it must map to.
struct ShapeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var body: String
    var routingKey = "fallback.routing.key"
    var messageId: String?
    var shape: EnvelopeShape
    var id: String?
    var eventType: String
    var source: String
    var target: String?
    var sessionId: String?
    var correlationId: String?
    /// The expected timestamp in UTC, or `nil` for "the time of receipt".
    var timestamp: String?
    var payload: String

    var testDescription: String { name }
}

let receivedAt = EventTimestamp(rfc3339: "2026-02-01T12:00:00.000001Z")!

private func normalize(
    _ body: String, routingKey: String = "fallback.routing.key", messageId: String? = nil, limit: Int = 1 << 20
) -> NormalizationResult {
    EnvelopeNormalizer(maxEventBytes: limit).normalize(
        IncomingMessage(
            body: Array(body.utf8), routingKey: routingKey, exchange: "bloodbank.events.v1",
            properties: .persistentJSON(messageId: messageId), receivedAt: receivedAt))
}

private func event(_ result: NormalizationResult) -> (StoredEvent, EnvelopeShape)? {
    if case .event(let event, let shape) = result { return (event, shape) }
    return nil
}

@Suite struct EnvelopeNormalizerTests {
    static let shapes: [ShapeCase] = [
        ShapeCase(
            name: "EventEnvelope, complete",
            body: """
                {"event_id": "4d6f0a5e-2b1c-4c1e-9a51-0f3c2d9e7b10",
                 "event_type": "transcription.voice.completed",
                 "timestamp": "2026-01-27T10:30:00.123456Z", "version": "1.0.0",
                 "source": {"host": "studio-mac", "type": "manual", "app": "whisperlivekit", "meta": null},
                 "correlation_ids": ["9b2e7c44-0d7a-4f0e-8c1b-5a6d3e2f1a00"],
                 "agent_context": {"type": "claude-code", "name": "tonny", "instance_id": "session-123"},
                 "payload": {"text": "Hello world", "confidence": 0.95}}
                """,
            shape: .eventEnvelope, id: "4d6f0a5e-2b1c-4c1e-9a51-0f3c2d9e7b10",
            eventType: "transcription.voice.completed", source: "whisperlivekit@studio-mac",
            sessionId: "session-123", correlationId: "9b2e7c44-0d7a-4f0e-8c1b-5a6d3e2f1a00",
            timestamp: "2026-01-27T10:30:00.123456Z", payload: #"{"text":"Hello world","confidence":0.95}"#),
        ShapeCase(
            name: "EventEnvelope without app, empty correlation list, single correlation_id",
            body: """
                {"event_id": "e-2", "event_type": "system.heartbeat.tick", "timestamp": "2026-01-27T10:30:00Z",
                 "source": {"host": "box", "type": "heartbeat"}, "correlation_ids": [],
                 "correlation_id": "parent-1", "agent_context": null, "payload": {}}
                """,
            shape: .eventEnvelope, id: "e-2", eventType: "system.heartbeat.tick", source: "unknown@box",
            correlationId: "parent-1", timestamp: "2026-01-27T10:30:00.000000Z", payload: "{}"),
        ShapeCase(
            name: "EventEnvelope with session_id at the top and in agent_context",
            body: """
                {"event_id": "e-3", "event_type": "agent.cack.message.received",
                 "timestamp": "2026-01-27T12:30:00+02:00",
                 "source": {"host": "h", "type": "agent", "app": "cack"}, "session_id": "top-level",
                 "agent_context": {"session_id": "ctx-session", "instance_id": "ctx-instance"},
                 "target": "tonny", "payload": [1, 2, 3]}
                """,
            shape: .eventEnvelope, id: "e-3", eventType: "agent.cack.message.received", source: "cack@h",
            target: "tonny", sessionId: "top-level", timestamp: "2026-01-27T10:30:00.000000Z", payload: "[1,2,3]"),
        ShapeCase(
            name: "EventEnvelope with agent_context.session_id before instance_id",
            body: """
                {"event_id": "e-4", "event_type": "t", "timestamp": "2026-01-27T10:30:00.5Z",
                 "source": {"host": "h", "app": "a"},
                 "agent_context": {"instance_id": "ctx-instance", "session_id": "ctx-session"}, "payload": null}
                """,
            shape: .eventEnvelope, id: "e-4", eventType: "t", source: "a@h", sessionId: "ctx-session",
            timestamp: "2026-01-27T10:30:00.500000Z", payload: "null"),
        ShapeCase(
            name: "legacy",
            body: """
                {"id": "1f0c-legacy", "ts": "2025-10-02T08:00:00Z", "event_type": "llm.prompt",
                 "source": "cli/claude", "target": "tonny", "correlation_id": "c-1",
                 "session_id": "session-123", "data": {"prompt": "a  b"}}
                """,
            shape: .legacy, id: "1f0c-legacy", eventType: "llm.prompt", source: "cli/claude", target: "tonny",
            sessionId: "session-123", correlationId: "c-1", timestamp: "2025-10-02T08:00:00.000000Z",
            payload: #"{"prompt":"a  b"}"#),
        ShapeCase(
            name: "CloudEvents 1.0 structured",
            body: """
                {"specversion": "1.0", "id": "0b9e-ce", "type": "bloodbank.v1.agent.session.started",
                 "source": "urn:33god:agent:claude-code", "subject": "bloodbank.evt.v1.agent.session.started",
                 "time": "2026-08-04T05:32:12.345Z", "datacontenttype": "application/json",
                 "correlationid": "a28a", "causationid": null, "producer": "claude-code",
                 "service": "agent-hooks", "domain": "agent", "kind": "event",
                 "actor": {"type": "agent_cli", "agent_id": "bloodbank.agent.claude"},
                 "ordering_key": "session:abc", "sessionid": "ce-session", "target": "ce-target", "data": {}}
                """,
            shape: .cloudEvents, id: "0b9e-ce", eventType: "bloodbank.v1.agent.session.started",
            source: "urn:33god:agent:claude-code", target: "ce-target", sessionId: "ce-session",
            correlationId: "a28a", timestamp: "2026-08-04T05:32:12.345000Z", payload: "{}"),
        ShapeCase(
            name: "CloudEvents without data or time",
            body: #"{"specversion":"1.0","id":"ce-2","type":"x.y","source":"s"}"#,
            shape: .cloudEvents, id: "ce-2", eventType: "x.y", source: "s",
            payload: #"{"specversion":"1.0","id":"ce-2","type":"x.y","source":"s"}"#),
        ShapeCase(
            name: "other: no id, string source, offset timestamp, payload",
            body: """
                {"type": "bridge.thing", "source": "bridge", "time": "2026-01-01T00:00:00-05:30",
                 "payload": {"k": 1}}
                """,
            messageId: "amqp-message-id", shape: .other, id: "amqp-message-id", eventType: "bridge.thing",
            source: "bridge", timestamp: "2026-01-01T05:30:00.000000Z", payload: #"{"k":1}"#),
        ShapeCase(
            name: "other: nothing recognisable",
            body: #"{"hello": "world", "n": [1, {"a": true}]}"#, routingKey: "some.bridge.key", shape: .other,
            eventType: "some.bridge.key", source: "unknown", payload: #"{"hello":"world","n":[1,{"a":true}]}"#),
        ShapeCase(
            name: "other: event_id and data, source object missing, unparseable timestamp",
            body: #"{"event_id": "o-1", "event_type": "a.b", "timestamp": "yesterday", "data": "text"}"#,
            shape: .other, id: "o-1", eventType: "a.b", source: "unknown", payload: #""text""#),
        ShapeCase(
            name: "a source object makes an envelope; a numeric id and missing fields fall back",
            body: #"{"id": 42, "source": {"not": "an envelope"}, "ts": "2026-01-27T10:30:00.123456789Z"}"#,
            messageId: "m-9", shape: .eventEnvelope, id: "m-9", eventType: "fallback.routing.key",
            source: "unknown",
            payload: #"{"id":42,"source":{"not":"an envelope"},"ts":"2026-01-27T10:30:00.123456789Z"}"#),
        ShapeCase(
            name: "other: empty strings count as absent",
            body: #"{"event_id": "", "id": "fallback-id", "event_type": "", "source": "", "session_id": ""}"#,
            routingKey: "rk", shape: .other, id: "fallback-id", eventType: "rk", source: "unknown",
            payload: #"{"event_id":"","id":"fallback-id","event_type":"","source":"","session_id":""}"#),
        ShapeCase(
            name: "escapes in strings are decoded, duplicate keys keep the last",
            body: #"""
                {"event_id": "caf\u00e9-\ud83d\ude00", "event_type": "first", "event_type": "a\/b\n",
                 "payload": {"s": "x\"y"}}
                """#,
            shape: .eventEnvelope, id: "café-😀", eventType: "a/b\n", source: "unknown",
            payload: #"{"s":"x\"y"}"#),
    ]

    @Test("maps every shape to the stored fields", arguments: shapes)
    func mapsShape(_ testCase: ShapeCase) throws {
        let result = normalize(testCase.body, routingKey: testCase.routingKey, messageId: testCase.messageId)
        let (stored, shape) = try #require(event(result))

        #expect(shape == testCase.shape)
        if let id = testCase.id {
            #expect(stored.id == id)
        } else {
            #expect(stored.id == DerivedEventID.make(for: Array(testCase.body.utf8)))
        }
        #expect(stored.eventType == testCase.eventType)
        #expect(stored.source == testCase.source)
        #expect(stored.target == testCase.target)
        #expect(stored.sessionId == testCase.sessionId)
        #expect(stored.correlationId == testCase.correlationId)
        #expect(stored.timestamp.rfc3339 == (testCase.timestamp ?? receivedAt.rfc3339))
        #expect(String(decoding: stored.payload, as: UTF8.self) == testCase.payload)
        #expect(stored.receivedAt == receivedAt)
        #expect(stored.original.body == Array(testCase.body.utf8))
        #expect(stored.original.routingKey == testCase.routingKey)
        #expect(stored.original.exchange == "bloodbank.events.v1")
        #expect(stored.sequence == 0)
    }

    @Test("payloads are valid JSON equal to the chosen value", arguments: shapes)
    func payloadIsJSON(_ testCase: ShapeCase) throws {
        let (stored, _) = try #require(event(normalize(testCase.body, messageId: testCase.messageId)))
        let payload = try JSONSerialization.jsonObject(with: Data(stored.payload), options: .fragmentsAllowed)
        #expect(JSONSerialization.isValidJSONObject([payload]))
    }

    static let timestamps: [(String, String)] = [
        ("2026-01-27T10:30:00Z", "2026-01-27T10:30:00.000000Z"),
        ("2026-01-27T10:30:00.1Z", "2026-01-27T10:30:00.100000Z"),
        ("2026-01-27T10:30:00.123Z", "2026-01-27T10:30:00.123000Z"),
        ("2026-01-27T10:30:00.123456Z", "2026-01-27T10:30:00.123456Z"),
        ("2026-01-27T10:30:00.1234567Z", "2026-01-27T10:30:00.123456Z"),
        ("2026-01-27T12:30:00+02:00", "2026-01-27T10:30:00.000000Z"),
        ("2026-01-27T05:00:00.25-05:30", "2026-01-27T10:30:00.250000Z"),
        ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000000Z"),
        ("2026-01-27t10:30:00z", "2026-01-27T10:30:00.000000Z"),
    ]

    @Test("timestamps with any offset become UTC microseconds", arguments: timestamps)
    func timestampOffsets(_ input: String, _ expected: String) throws {
        let body = #"{"event_id":"t","event_type":"t","timestamp":"\#(input)","source":{"host":"h"},"payload":1}"#
        let (stored, _) = try #require(event(normalize(body)))
        #expect(stored.timestamp.rfc3339 == expected)
    }

    @Test(
        "unparseable or missing timestamps fall back to the time of receipt",
        arguments: [#""2026-13-01T00:00:00Z""#, #""2026-01-27 10:30""#, "1706351400", "null", #""""#])
    func unparseableTimestamp(_ value: String) throws {
        let body = #"{"event_id":"t","event_type":"t","timestamp":\#(value),"source":{"host":"h"},"payload":1}"#
        let (stored, _) = try #require(event(normalize(body)))
        #expect(stored.timestamp == receivedAt)
    }

    @Test("the derived id depends on the body bytes only and is UUID-shaped")
    func derivedIdentifiers() throws {
        let body = #"{"no": "id here"}"#
        let (first, _) = try #require(event(normalize(body, routingKey: "a")))
        let (again, _) = try #require(event(normalize(body, routingKey: "b")))
        let (other, _) = try #require(event(normalize(#"{"no": "id there"}"#)))

        #expect(first.id == again.id)
        #expect(first.id != other.id)
        let parts = first.id.split(separator: "-").map(\.count)
        #expect(parts == [8, 4, 4, 4, 12])
        #expect(Array(first.id)[14] == "8")
        #expect("89ab".contains(Array(first.id)[19]))
        #expect(first.id.allSatisfy { "0123456789abcdef-".contains($0) })
    }

    @Test("a message id property wins over the derived id, never over a body id")
    func messageIdPrecedence() throws {
        let (withBodyId, _) = try #require(event(normalize(#"{"id":"body-id","type":"x"}"#, messageId: "prop-id")))
        let (withoutBodyId, _) = try #require(event(normalize(#"{"type":"x"}"#, messageId: "prop-id")))
        #expect(withBodyId.id == "body-id")
        #expect(withoutBodyId.id == "prop-id")
    }

    @Test("the original body is kept byte for byte, whitespace and all")
    func originalKept() throws {
        let body = "{ \"event_id\" : \"x\" ,\n\t\"payload\" : { \"a\" : [ 1 , 2 ] } }  \n"
        let (stored, _) = try #require(event(normalize(body)))
        #expect(stored.original.body == Array(body.utf8))
        #expect(String(decoding: stored.payload, as: UTF8.self) == #"{"a":[1,2]}"#)
        let properties = try #require(
            try JSONSerialization.jsonObject(with: Data(stored.original.properties)) as? [String: Any])
        #expect(properties["content_type"] as? String == "application/json")
        #expect(properties["delivery_mode"] as? Int == 2)
    }
}
