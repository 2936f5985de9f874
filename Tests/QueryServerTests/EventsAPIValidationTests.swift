import QueryServer
import Testing

@Suite struct EventsAPIValidationTests {
    let service = InMemoryQueryService(events: Fixtures.sample)
    var api: EventsAPI { EventsAPI(service: service, version: "0.1.0") }

    /// The single problem of a 422 answer: its type, parameter and message.
    private func problem(_ query: [(String, String)]) throws -> (type: String, location: [String], message: String) {
        let response = api.handle(Fixtures.get("/events", query))
        #expect(response.status == 422)
        let detail = try #require(try Fixtures.json(response)["detail"] as? [[String: Any]])
        #expect(detail.count == 1)
        let first = try #require(detail.first)
        return (first["type"] as? String ?? "", first["loc"] as? [String] ?? [], first["msg"] as? String ?? "")
    }

    @Test(arguments: [
        ("0", "greater_than_equal"), ("-5", "greater_than_equal"), ("1001", "less_than_equal"),
        ("abc", "int_parsing"), ("1.5", "int_parsing"), ("99999999999999999999999", "int_parsing"),
        ("1e3", "int_parsing"),
    ])
    func limitOutsideItsRangeIsRejected(value: String, type: String) throws {
        let found = try problem([("limit", value)])
        #expect(found.type == type)
        #expect(found.location == ["query", "limit"])
        #expect(!found.message.isEmpty)
        #expect(service.receivedQueries.isEmpty)
    }

    @Test(arguments: ["1", "1000", " 50 ", "+7"])
    func limitWithinItsRangeIsAccepted(value: String) {
        #expect(api.handle(Fixtures.get("/events", [("limit", value)])).status == 200)
    }

    @Test(arguments: [("-1", "greater_than_equal"), ("x", "int_parsing"), ("0x10", "int_parsing")])
    func badOffsetIsRejected(value: String, type: String) throws {
        let found = try problem([("offset", value)])
        #expect(found.type == type)
        #expect(found.location == ["query", "offset"])
    }

    @Test func hugeOffsetIsAnEmptyPage() throws {
        let response = api.handle(Fixtures.get("/events", [("offset", "9223372036854775807")]))
        #expect(response.status == 200)
        #expect(try Fixtures.ids(response).isEmpty)
    }

    @Test(arguments: ["yesterday", "2026-13-01T00:00:00Z", "2026-01-27T25:00:00Z", "2026-02-30", "12:00", "--"])
    func unparseableTimesAreRejected(value: String) throws {
        for name in ["start_time", "end_time"] {
            let found = try problem([(name, value)])
            #expect(found.type == "datetime_parsing")
            #expect(found.location == ["query", name])
        }
    }

    @Test func startAfterEndIsRejected() throws {
        let found = try problem([("start_time", "2026-01-27T11:00:00Z"), ("end_time", "2026-01-27T10:00:00Z")])
        #expect(found.type == "value_error")
        #expect(found.message.contains("start_time"))
    }

    @Test func equalStartAndEndIsAccepted() {
        let instant = "2026-01-27T10:05:00Z"
        #expect(api.handle(Fixtures.get("/events", [("start_time", instant), ("end_time", instant)])).status == 200)
    }

    @Test func aCursorTheEngineRejectsIsA422() throws {
        let found = try problem([("cursor", "not-a-cursor")])
        #expect(found.type == "invalid_cursor")
        #expect(found.location == ["query", "cursor"])
    }

    @Test func anAbsurdlyLongCursorIsRejectedBeforeTheEngine() throws {
        let found = try problem([("cursor", String(repeating: "c", count: 5_000))])
        #expect(found.type == "invalid_cursor")
        #expect(service.receivedQueries.isEmpty)
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let response = api.handle(Fixtures.get("/events", [("limit", "0"), ("offset", "-1"), ("start_time", "soon")]))
        #expect(response.status == 422)
        let detail = try #require(try Fixtures.json(response)["detail"] as? [[String: Any]])
        let parameters = detail.compactMap { ($0["loc"] as? [String])?.last }
        #expect(parameters == ["limit", "offset", "start_time"])
        #expect(detail.allSatisfy { $0["input"] is String })
    }
}
