import Foundation
import QueryServer
import SegmentStore
import Testing

@Suite struct EventsAPIHealthTests {
    @Test func healthyIs200WithTheOperatorFacts() throws {
        let service = InMemoryQueryService(events: [])
        service.setHealth(
            HealthReport(
                status: .healthy, eventsStored: 42, consumerConnected: true,
                lastEventTime: EventTimestamp(microseconds: Fixtures.baseTime), dataDirectoryBytes: 4_096))
        let response = EventsAPI(service: service, version: "0.1.0").handle(Fixtures.get("/health"))
        #expect(response.status == 200)
        let body = try Fixtures.json(response)
        #expect(body["status"] as? String == "healthy")
        #expect(body["version"] as? String == "0.1.0")
        #expect(body["database"] as? String == "segstore")
        #expect(body["events_stored"] as? Int == 42)
        #expect(body["consumer_connected"] as? Bool == true)
        #expect(body["last_event_time"] as? String == "2026-01-27T10:00:00.000000Z")
        #expect(body["data_dir_bytes"] as? Int == 4_096)
        #expect(body["reason"] == nil)
    }

    @Test(arguments: [
        (HealthReport.Status.starting("building indexes"), "starting", "building indexes"),
        (.degraded("consumer disconnected"), "degraded", "consumer disconnected"),
    ])
    func notHealthyIs503WithAReason(status: HealthReport.Status, name: String, reason: String) throws {
        let service = InMemoryQueryService(events: [])
        service.setHealth(HealthReport(status: status))
        let response = EventsAPI(service: service, version: "1").handle(Fixtures.get("/health"))
        #expect(response.status == 503)
        let body = try Fixtures.json(response)
        #expect(body["status"] as? String == name)
        #expect(body["reason"] as? String == reason)
        #expect(body["last_event_time"] is NSNull)
        #expect(body["data_dir_bytes"] is NSNull)
    }
}
