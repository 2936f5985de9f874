import Foundation
import QueryServer
import SegmentStore
import Testing

@Suite struct EventsAPILookupTests {
    @Test func eventByIdHasTheListShape() throws {
        let api = EventsAPI(service: InMemoryQueryService(events: Fixtures.sample), version: "0.1.0")
        let response = api.handle(Fixtures.get("/events/evt-4"))
        #expect(response.status == 200)
        let body = try Fixtures.json(response)
        #expect(body["id"] as? String == "evt-4")
        #expect(body["timestamp"] as? String == "2026-01-27T10:04:00.000000Z")
        #expect(body["stored_at"] as? String == "2026-01-27T10:04:00.006200Z")
        #expect(body["storage_latency_ms"] as? Double == 5.2)
        #expect((body["payload"] as? [String: Any])?["text"] as? String == "Hello world")
    }

    @Test func unknownIdIs404WithADetail() throws {
        let api = EventsAPI(service: InMemoryQueryService(events: Fixtures.sample), version: "0.1.0")
        for path in ["/events/nope", "/events/nope/raw"] {
            let response = api.handle(Fixtures.get(path))
            #expect(response.status == 404)
            #expect(try Fixtures.json(response)["detail"] as? String == "Event nope not found")
        }
    }

    @Test func rawReturnsTheOriginalBodyAndMessageFacts() throws {
        let body: [UInt8] = Array(#"{"event_id": "x",  "payload": {}}"#.utf8) + [0x0A]
        let event = Fixtures.event(
            3, id: "raw-1", body: body,
            properties:
                #"{"content_type":"application/vnd.bloodbank+json","content_encoding":"utf-8","delivery_mode":2}"#,
            routingKey: "command.tonny.run.ack")
        let api = EventsAPI(service: InMemoryQueryService(events: [event]), version: "0.1.0")
        let response = api.handle(Fixtures.get("/events/raw-1/raw"))
        #expect(response.status == 200)
        #expect(response.body == body)
        #expect(response.header("Content-Type") == "application/vnd.bloodbank+json")
        #expect(response.header("X-Candystore-Routing-Key") == "command.tonny.run.ack")
        #expect(response.header("X-Candystore-Exchange") == "bloodbank.events.v1")
        #expect(response.header("X-Candystore-Event-Id") == "raw-1")
        #expect(response.header("X-Candystore-Content-Encoding") == "utf-8")
        #expect(response.header("Content-Encoding") == nil)
        #expect(response.header("X-Candystore-Properties")?.contains(#""delivery_mode":2"#) == true)
    }

    @Test func rawWithoutAContentTypeIsOctetStream() {
        let event = Fixtures.event(1, id: "bin", body: [0x00, 0xFF, 0xFE, 0x80], properties: "{}")
        let response = EventsAPI(service: InMemoryQueryService(events: [event]), version: "1").handle(
            Fixtures.get("/events/bin/raw"))
        #expect(response.body == [0x00, 0xFF, 0xFE, 0x80])
        #expect(response.header("Content-Type") == "application/octet-stream")
    }

    @Test func rawHeadersNeverCarryLineBreaks() {
        let event = Fixtures.event(
            1, id: "crlf", properties: "{\"content_type\":\"text/plain\",\n \"headers\": {\"a\": \"b\"}}",
            routingKey: "key\r\nInjected: yes")
        let response = EventsAPI(service: InMemoryQueryService(events: [event]), version: "1").handle(
            Fixtures.get("/events/crlf/raw"))
        for header in response.headers {
            #expect(!header.value.contains("\n") && !header.value.contains("\r"), "\(header.name)")
        }
        #expect(response.header("Injected") == nil)
    }

    @Test func hugePropertiesAreLeftOutOfTheHeaders() {
        let big =
            "{\"content_type\":\"application/json\",\"headers\":{\"x\":\"" + String(repeating: "y", count: 20_000)
            + "\"}}"
        let event = Fixtures.event(1, id: "big", properties: big)
        let response = EventsAPI(service: InMemoryQueryService(events: [event]), version: "1").handle(
            Fixtures.get("/events/big/raw"))
        #expect(response.header("X-Candystore-Properties") == nil)
        #expect(response.header("X-Candystore-Properties-Omitted") != nil)
        #expect(response.header("Content-Type") == "application/json")
    }

    @Test func anEmptyPayloadRendersAsNull() throws {
        let event = Fixtures.event(1, id: "empty", payload: "")
        let response = EventsAPI(service: InMemoryQueryService(events: [event]), version: "1").handle(
            Fixtures.get("/events/empty"))
        #expect(try Fixtures.json(response)["payload"] is NSNull)
    }
}
