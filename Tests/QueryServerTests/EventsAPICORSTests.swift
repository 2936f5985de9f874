import QueryServer
import Testing

@Suite struct EventsAPICORSTests {
    private func api(_ origins: String) -> EventsAPI {
        EventsAPI(
            service: InMemoryQueryService(events: Fixtures.sample), version: "1", cors: CORSPolicy(parsing: origins))
    }

    @Test func anyOriginGetsAStar() {
        let response = api("*").handle(Fixtures.get("/events", headers: [("Origin", "http://a.local")]))
        #expect(response.header("Access-Control-Allow-Origin") == "*")
        #expect(response.header("Access-Control-Expose-Headers")?.contains("X-Candystore-Routing-Key") == true)
        #expect(response.header("Vary") == nil)
    }

    @Test func errorsCarryTheHeadersToo() {
        let response = api("*").handle(Fixtures.get("/nowhere", headers: [("Origin", "http://a.local")]))
        #expect(response.status == 404)
        #expect(response.header("Access-Control-Allow-Origin") == "*")
    }

    @Test func listedOriginsAreEchoedOneAtATime() {
        let api = api(" http://localhost:3000 , https://ui.example/ ")
        let allowed = api.handle(Fixtures.get("/events", headers: [("Origin", "https://ui.example")]))
        #expect(allowed.header("Access-Control-Allow-Origin") == "https://ui.example")
        #expect(allowed.header("Vary") == "Origin")
        let other = api.handle(Fixtures.get("/events", headers: [("Origin", "https://evil.example")]))
        #expect(other.status == 200)
        #expect(other.header("Access-Control-Allow-Origin") == nil)
    }

    @Test func preflightIsAnsweredWithMethodsAndRequestedHeaders() {
        let request = HTTPRequest(
            method: "OPTIONS", path: "/events",
            headers: [
                HTTPHeader(name: "Origin", value: "http://localhost:3000"),
                HTTPHeader(name: "Access-Control-Request-Method", value: "GET"),
                HTTPHeader(name: "Access-Control-Request-Headers", value: "content-type, x-trace"),
            ])
        let response = api("http://localhost:3000").handle(request)
        #expect(response.status == 204)
        #expect(response.header("Access-Control-Allow-Origin") == "http://localhost:3000")
        #expect(response.header("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS")
        #expect(response.header("Access-Control-Allow-Headers") == "content-type, x-trace")
        #expect(response.header("Access-Control-Max-Age") == "600")
    }

    @Test func preflightFromAnUnlistedOriginOrForAWriteIsRefused() {
        func preflight(origin: String, method: String) -> Int {
            api("http://localhost:3000").handle(
                HTTPRequest(
                    method: "OPTIONS", path: "/events/x",
                    headers: [
                        HTTPHeader(name: "Origin", value: origin),
                        HTTPHeader(name: "Access-Control-Request-Method", value: method),
                    ])
            ).status
        }
        #expect(preflight(origin: "https://evil.example", method: "GET") == 400)
        #expect(preflight(origin: "http://localhost:3000", method: "DELETE") == 400)
        #expect(preflight(origin: "http://localhost:3000", method: "get") == 204)
    }

    @Test func parsingDropsBlanks() {
        #expect(CORSPolicy(parsing: "a, ,b,").allowedOrigins == ["a", "b"])
        #expect(CORSPolicy(parsing: "*").allowsAnyOrigin)
        #expect(!CORSPolicy(parsing: "").allowsAnyOrigin)
    }
}
