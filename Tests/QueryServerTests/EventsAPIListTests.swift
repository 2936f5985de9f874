import Foundation
import IndexBuilder
import QueryServer
import SegmentStore
import Testing

@Suite struct EventsAPIListTests {
    let service = InMemoryQueryService(events: Fixtures.sample)
    var api: EventsAPI { EventsAPI(service: service, version: "0.1.0") }

    @Test func listHasTheShapeOfTheReplacedService() throws {
        let response = api.handle(Fixtures.get("/events"))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let body = try Fixtures.json(response)
        #expect(Set(body.keys) == ["events", "total", "limit", "offset", "has_more", "next_cursor"])
        #expect(body["total"] as? Int == 12)
        #expect(body["limit"] as? Int == 100)
        #expect(body["offset"] as? Int == 0)
        #expect(body["has_more"] as? Bool == false)
        #expect(body["next_cursor"] is NSNull)
        let first = try #require((body["events"] as? [[String: Any]])?.first)
        #expect(
            Set(first.keys) == [
                "id", "event_type", "source", "target", "routing_key", "timestamp", "stored_at", "payload",
                "session_id", "correlation_id", "storage_latency_ms",
            ])
    }

    @Test func listIsNewestFirst() throws {
        let ids = try Fixtures.ids(api.handle(Fixtures.get("/events")))
        #expect(ids == (1...12).reversed().map { "evt-\($0)" })
    }

    @Test(arguments: [
        ("session_id", "s-1", [6, 5, 4, 3, 2, 1]),
        ("event_type", "a.created", [12, 9, 6, 3]),
        ("source", "svc-even", [12, 10, 8, 6, 4, 2]),
        ("target", "tonny", [11, 10, 9, 7, 6, 5, 3, 2, 1]),
        ("correlation_id", "corr-5", [10, 5]),
        ("session_id", "nobody", []),
    ])
    func eachFilterAlone(name: String, value: String, expected: [Int]) throws {
        let ids = try Fixtures.ids(api.handle(Fixtures.get("/events", [(name, value)])))
        #expect(ids == expected.map { "evt-\($0)" })
    }

    @Test func filtersCombineWithAnd() throws {
        let response = api.handle(
            Fixtures.get("/events", [("session_id", "s-2"), ("source", "svc-even"), ("event_type", "a.created")]))
        #expect(try Fixtures.ids(response) == ["evt-12"])
        #expect(try Fixtures.json(response)["total"] as? Int == 1)
    }

    @Test func timeRangeIsInclusive() throws {
        let response = api.handle(
            Fixtures.get("/events", [("start_time", "2026-01-27T10:03:00Z"), ("end_time", "2026-01-27T10:05:00Z")]))
        #expect(try Fixtures.ids(response) == ["evt-5", "evt-4", "evt-3"])
    }

    @Test(arguments: [
        "2026-01-27T12:03:00+02:00", "2026-01-27T12:03:00 02:00", "2026-01-27T10:03:00", "2026-01-27 10:03:00Z",
        "2026-01-27T10:03:00.000000Z", "1769508180",
    ])
    func startTimeAcceptsCommonForms(text: String) throws {
        let response = api.handle(Fixtures.get("/events", [("start_time", text)]))
        #expect(response.status == 200)
        #expect(try Fixtures.ids(response).last == "evt-3")
    }

    @Test func aBareDateMeansMidnightUTC() throws {
        let response = api.handle(Fixtures.get("/events", [("end_time", "2026-01-27")]))
        #expect(try Fixtures.ids(response) == [])
        #expect(
            service.receivedQueries.last?.endTime == EventTimestamp(microseconds: Fixtures.baseTime - 36_000_000_000))
    }

    @Test func offsetPaginationWalksEveryEventOnce() throws {
        var seen: [String] = []
        var offset = 0
        while true {
            let response = api.handle(Fixtures.get("/events", [("limit", "5"), ("offset", String(offset))]))
            let body = try Fixtures.json(response)
            #expect(body["offset"] as? Int == offset)
            #expect(body["limit"] as? Int == 5)
            seen += try Fixtures.ids(response)
            offset += 5
            if body["has_more"] as? Bool != true { break }
        }
        #expect(seen == (1...12).reversed().map { "evt-\($0)" })
    }

    @Test func cursorPaginationWalksEveryEventOnce() throws {
        var seen: [String] = []
        var cursor: String?
        repeat {
            var query = [("limit", "5")]
            if let cursor { query.append(("cursor", cursor)) }
            let response = api.handle(Fixtures.get("/events", query))
            #expect(response.status == 200)
            let body = try Fixtures.json(response)
            seen += try Fixtures.ids(response)
            cursor = body["next_cursor"] as? String
            #expect((cursor != nil) == (body["has_more"] as? Bool == true))
        } while cursor != nil
        #expect(seen == (1...12).reversed().map { "evt-\($0)" })
    }

    @Test func unknownParametersAreIgnoredAndTheLastRepeatWins() throws {
        let response = api.handle(
            Fixtures.get("/events", [("limit", "2"), ("colour", "blue"), ("limit", "3"), ("source", "")]))
        #expect(response.status == 200)
        #expect(try Fixtures.ids(response).count == 3)
        #expect(service.receivedQueries.last == EventQuery(limit: 3))
    }

    @Test func trailingSlashIsTheSameRoute() throws {
        #expect(try Fixtures.ids(api.handle(Fixtures.get("/events/"))).count == 12)
    }

    @Test func eachEventRendersTheStoredFieldsExactly() throws {
        let payload = #"{"b" : [1, 2.50, "x\u00e9"],  "a":null}"#
        let event = Fixtures.event(
            7, id: "id-\"quoted\"", type: "t.x", source: "src", target: nil, session: nil, correlation: "c-1",
            payload: payload, routingKey: "rk.custom")
        let api = EventsAPI(service: InMemoryQueryService(events: [event]), version: "0.1.0")
        let text = String(decoding: api.handle(Fixtures.get("/events")).body, as: UTF8.self)
        let expected =
            #"{"id":"id-\"quoted\"","event_type":"t.x","source":"src","target":null,"routing_key":"rk.custom","#
            + #""timestamp":"2026-01-27T10:00:00.000000Z","stored_at":"2026-01-27T10:00:00.006200Z","#
            + #""payload":\#(payload),"session_id":null,"correlation_id":"c-1","storage_latency_ms":5.2}"#
        #expect(
            text == #"{"events":["# + expected
                + #"],"total":1,"limit":100,"offset":0,"has_more":false,"next_cursor":null}"#)
    }
}
