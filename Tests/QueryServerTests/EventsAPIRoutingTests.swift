import Observability
import QueryServer
import Testing

@Suite struct EventsAPIRoutingTests {
    let api = EventsAPI(service: InMemoryQueryService(events: Fixtures.sample), version: "0.1.0")

    @Test(arguments: ["/", "/event", "/events/a/b", "/events/a/raw/x", "/health/x", "/metrics", "//events", "/EVENTS"])
    func unknownPathsAre404(path: String) throws {
        let response = api.handle(Fixtures.get(path))
        #expect(response.status == 404)
        #expect(try Fixtures.json(response)["detail"] as? String == "Not Found")
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "PATCH", "BREW"])
    func otherMethodsOnKnownPathsAre405(method: String) throws {
        for path in ["/events", "/events/evt-1", "/events/evt-1/raw", "/health"] {
            let response = api.handle(HTTPRequest(method: method, path: path))
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD, OPTIONS")
            #expect(try Fixtures.json(response)["detail"] as? String == "Method Not Allowed")
        }
    }

    @Test func otherMethodsOnUnknownPathsAre404() {
        #expect(api.handle(HTTPRequest(method: "POST", path: "/nothing")).status == 404)
    }

    @Test func headIsAnsweredLikeGet() {
        let response = api.handle(HTTPRequest(method: "HEAD", path: "/events"))
        #expect(response.status == 200)
    }

    @Test func plainOptionsListsTheMethods() {
        let response = api.handle(HTTPRequest(method: "OPTIONS", path: "/events"))
        #expect(response.status == 204)
        #expect(response.header("Allow") == "GET, HEAD, OPTIONS")
    }

    @Test func notReadyIs503AndStoreFailureIs500() throws {
        let service = InMemoryQueryService(events: Fixtures.sample)
        let api = EventsAPI(service: service, version: "1")
        service.failNext(with: EventQueryError(.notReady, "building"))
        let waiting = api.handle(Fixtures.get("/events"))
        #expect(waiting.status == 503)
        #expect(waiting.header("Retry-After") == "1")
        service.failNext(with: EventQueryError(.storeFailure, "frame 12 of segment 3 is corrupt"))
        let failed = api.handle(Fixtures.get("/events/evt-1"))
        #expect(failed.status == 500)
        let detail = try Fixtures.json(failed)["detail"] as? String ?? ""
        #expect(!detail.contains("segment 3"))
    }

    @Test func requestsAreCountedUnderBoundedEndpointLabels() {
        let metrics = CandystoreMetrics()
        let api = EventsAPI(service: InMemoryQueryService(events: Fixtures.sample), version: "1", metrics: metrics)
        _ = api.handle(Fixtures.get("/events", [("limit", "5")]))
        _ = api.handle(Fixtures.get("/events/evt-1"))
        _ = api.handle(Fixtures.get("/events/evt-2"))
        _ = api.handle(Fixtures.get("/events/evt-1/raw"))
        _ = api.handle(Fixtures.get("/health"))
        for index in 0..<50 { _ = api.handle(Fixtures.get("/random/\(index)")) }
        _ = api.handle(Fixtures.get("/events", [("limit", "0")]))
        #expect(metrics.apiRequests.labels("GET", "/events", "200").value == 1)
        #expect(metrics.apiRequests.labels("GET", "/events", "422").value == 1)
        #expect(metrics.apiRequests.labels("GET", "/events/{id}", "200").value == 2)
        #expect(metrics.apiRequests.labels("GET", "/events/{id}/raw", "200").value == 1)
        #expect(metrics.apiRequests.labels("GET", "/health", "200").value == 1)
        #expect(metrics.apiRequests.labels("GET", "other", "404").value == 50)
        #expect(metrics.queryResults.value == 5 + 3)
        #expect(metrics.apiRequestDuration.labels("GET", "/events").snapshot.count == 2)
        #expect(!metrics.exposition().contains("/random"))
    }
}
