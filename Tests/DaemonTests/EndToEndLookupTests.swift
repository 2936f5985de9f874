import Foundation
import Ingest
import SegmentStore
import Testing

/// `GET /events/{id}` and `GET /events/{id}/raw` against the real daemon: the stored event in
/// the list's shape, and the original message byte for byte with its routing key, exchange and
/// properties.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EndToEndLookupTests {
    /// Bodies whose bytes a JSON re-encoding would change: spacing, key order, escapes, a
    /// timestamp with microseconds, and AMQP properties with headers.
    private static func unusual(_ run: String) -> [SampleEvent] {
        var spaced = SampleEvent(
            shape: .envelope, id: "\(run) id with spaces ✓", eventType: "agent.cack.message.received",
            source: "cack@studio-mac", timestamp: EventTimestamp(rfc3339: "2026-01-27T10:30:00.123456Z")!,
            payload: [:], routingKey: "command.cack.reply.ack",
            properties: AMQPMessageProperties(
                contentType: "application/vnd.bloodbank+json", contentEncoding: "utf-8",
                headers: [AMQPHeader("x-origin", .string("bridge")), AMQPHeader("x-attempt", .int(3))],
                deliveryMode: 2, correlationId: "amqp-corr-1", messageId: "\(run)-message-id", appId: "bridge"))
        let text = """
            {
              "event_id" : "\(run) id with spaces ✓",   "event_type":"agent.cack.message.received",
              "timestamp":"2026-01-27T10:30:00.123456Z",
              "source":{"host":"studio-mac","app":"cack","type":"agent","meta":null},
              "correlation_ids":[], "agent_context":null,
              "payload":{"text":"line\\nbreak \\u00e9 \\"quoted\\"","n":1.50, "list":[1, 2 ,3]}
            }

            """
        spaced.body = Array(text.utf8)
        spaced.payload = ["text": "line\nbreak é \"quoted\"", "n": 1.5, "list": [1, 2, 3]]
        return [spaced]
    }

    @Test("lookup by id gives the event exactly as the list shows it; unknown ids are 404")
    func lookupByID() throws {
        try StockedDaemon.with("lookup", count: 12, extra: Self.unusual("lookup")) { stocked in
            let listed = try stocked.daemon.json("/events?limit=1000")["events"] as? [[String: Any]] ?? []
            #expect(listed.count == stocked.events.count)
            for event in stocked.events {
                let reply = try stocked.daemon.api("/events/" + event.id.queryEncoded)
                #expect(reply.status == 200, "\(event.id): \(reply)")
                #expect(reply.header("Content-Type") == "application/json")
                let json = try reply.object()
                let inList = try #require(listed.first { $0["id"] as? String == event.id })
                #expect(NSDictionary(dictionary: json) == NSDictionary(dictionary: inList), "\(event.id)")
                #expect((json["payload"] as? NSDictionary) == (event.payload as NSDictionary), "\(event.id)")
                #expect(json["timestamp"] as? String == event.timestamp.rfc3339)
            }
            for unknown in ["no-such-event", "\(stocked.run)-9999", "%E2%9C%93"] {
                let reply = try stocked.daemon.api("/events/\(unknown)")
                #expect(reply.status == 404, "\(unknown)")
                let detail = try reply.object()["detail"] as? String
                #expect(detail?.isEmpty == false, "\(unknown): \(reply)")
            }
        }
    }

    @Test("the raw body comes back byte for byte, with its content type, routing key, exchange and properties")
    func rawBodies() throws {
        try StockedDaemon.with("raw", count: 6, extra: Self.unusual("raw")) { stocked in
            for event in stocked.events {
                let reply = try stocked.daemon.api("/events/\(event.id.queryEncoded)/raw")
                #expect(reply.status == 200, "\(event.id): \(reply)")
                #expect(reply.body == event.body, "\(event.id): body changed")
                #expect(reply.header("Content-Type") == event.properties.contentType)
                #expect(reply.header("X-Candystore-Event-Id") == event.id)
                #expect(reply.header("X-Candystore-Routing-Key") == event.routingKey)
                #expect(reply.header("X-Candystore-Exchange") == stocked.daemon.exchange)
                #expect(reply.header("X-Candystore-Content-Encoding") == event.properties.contentEncoding)
                #expect(reply.header("X-Candystore-Stored-At").flatMap { EventTimestamp(rfc3339: $0) } != nil)
                let propertiesText = try #require(reply.header("X-Candystore-Properties"), "\(event.id)")
                let properties = try #require(
                    try JSONSerialization.jsonObject(with: Data(propertiesText.utf8)) as? [String: Any])
                #expect(properties["content_type"] as? String == event.properties.contentType)
                #expect(properties["delivery_mode"] as? Int == 2)
                #expect(properties["message_id"] as? String == event.properties.messageId)
                #expect(Data(event.properties.jsonBytes) == Data(propertiesText.utf8), "\(event.id)")
            }
            let unusual = try #require(stocked.events.last)
            let reply = try stocked.daemon.api("/events/\(unusual.id.queryEncoded)/raw")
            let properties =
                try JSONSerialization.jsonObject(
                    with: Data((reply.header("X-Candystore-Properties") ?? "{}").utf8)) as? [String: Any]
            let headers = properties?["headers"] as? [String: Any]
            #expect(headers?["x-origin"] as? String == "bridge")
            #expect(headers?["x-attempt"] as? Int == 3)
            #expect(properties?["app_id"] as? String == "bridge")
            #expect(properties?["correlation_id"] as? String == "amqp-corr-1")

            // HEAD answers the same headers without a body.
            let head = try stocked.daemon.api("/events/\(unusual.id.queryEncoded)/raw", method: "HEAD")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == String(unusual.body.count))
            #expect(head.header("X-Candystore-Routing-Key") == unusual.routingKey)

            let missing = try stocked.daemon.api("/events/no-such-event/raw")
            #expect(missing.status == 404)
            #expect(try missing.object()["detail"] is String)
        }
    }
}
