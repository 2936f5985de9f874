import Foundation
import SegmentStore

@testable import Ingest

/// A body to publish and what the store must hold for it.
struct PublishedEvent {
    var body: [UInt8]
    var messageId: String?
    var id: String
    var eventType: String
    var source: String
    var sessionId: String?
    var correlationId: String?
    var timestamp: String?
}

/// Bodies of every shape Bloodbank carries, numbered so each is distinct.
enum EventBodies {
    static func envelope(_ number: Int, run: String) -> PublishedEvent {
        let id = "\(run)-envelope-\(number)"
        let body = """
            {"event_id": "\(id)", "event_type": "transcription.voice.completed",
             "timestamp": "2026-01-27T10:30:00.\(String(format: "%06d", number))Z", "version": "1.0.0",
             "source": {"host": "studio-mac", "type": "manual", "app": "whisperlivekit"},
             "correlation_ids": ["parent-\(number)"],
             "agent_context": {"type": "claude-code", "name": "tonny", "instance_id": "session-\(number % 7)"},
             "payload": {"text": "utterance \(number)", "confidence": 0.95}}
            """
        return PublishedEvent(
            body: Array(body.utf8), messageId: id, id: id, eventType: "transcription.voice.completed",
            source: "whisperlivekit@studio-mac", sessionId: "session-\(number % 7)", correlationId: "parent-\(number)",
            timestamp: "2026-01-27T10:30:00.\(String(format: "%06d", number))Z")
    }

    static func legacy(_ number: Int, run: String) -> PublishedEvent {
        let id = "\(run)-legacy-\(number)"
        let body = """
            {"id": "\(id)", "ts": "2025-10-02T10:00:00+02:00", "event_type": "llm.prompt", "source": "cli/claude",
             "target": "tonny", "correlation_id": "legacy-parent", "session_id": "legacy-session",
             "data": {"prompt": "question \(number)"}}
            """
        return PublishedEvent(
            body: Array(body.utf8), id: id, eventType: "llm.prompt", source: "cli/claude", sessionId: "legacy-session",
            correlationId: "legacy-parent", timestamp: "2025-10-02T08:00:00.000000Z")
    }

    static func cloudEvent(_ number: Int, run: String) -> PublishedEvent {
        let id = "\(run)-ce-\(number)"
        let body = """
            {"specversion": "1.0", "id": "\(id)", "type": "bloodbank.v1.agent.session.started",
             "source": "urn:33god:agent:claude-code", "time": "2026-08-04T05:32:12.345Z",
             "datacontenttype": "application/json", "correlationid": "ce-parent", "producer": "claude-code",
             "data": {"n": \(number)}}
            """
        return PublishedEvent(
            body: Array(body.utf8), id: id, eventType: "bloodbank.v1.agent.session.started",
            source: "urn:33god:agent:claude-code", correlationId: "ce-parent", timestamp: "2026-08-04T05:32:12.345000Z")
    }

    /// A bridge body without an id; the AMQP message id names it.
    static func bridgeWithMessageId(_ number: Int, run: String) -> PublishedEvent {
        let id = "\(run)-bridge-\(number)"
        let body = #"{"kind": "bridged", "value": \#(number), "timestamp": "2026-01-27T05:30:00-05:00"}"#
        return PublishedEvent(
            body: Array(body.utf8), messageId: id, id: id, eventType: "bridge.\(run)", source: "unknown",
            timestamp: "2026-01-27T10:30:00.000000Z")
    }

    /// A body with no id anywhere: the id is derived from its bytes.
    static func anonymous(_ number: Int, run: String) -> PublishedEvent {
        let body = Array(#"{"anonymous": "\#(run)", "n": \#(number)}"#.utf8)
        return PublishedEvent(
            body: body, id: DerivedEventID.make(for: body), eventType: "bridge.\(run)", source: "unknown")
    }
}
