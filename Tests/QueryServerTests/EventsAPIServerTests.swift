import Foundation
import Observability
import QueryServer
import Testing

/// The API and the metrics endpoint behind real servers, spoken to over sockets.
@Suite struct EventsAPIServerTests {
    let metrics = CandystoreMetrics()

    private func startAPI() throws -> HTTPServer {
        var events = Fixtures.sample
        events.append(Fixtures.event(13, id: "binary", body: [0x00, 0x01, 0xFF, 0x0D, 0x0A, 0x7B], properties: "{}"))
        let api = EventsAPI(
            service: InMemoryQueryService(events: events), version: "0.1.0", cors: .allowAll, metrics: metrics)
        return try startTestServer(api)
    }

    @Test func filtersAndPagesOverTheWire() throws {
        let server = try startAPI()
        defer { server.stop() }
        let response = try RawHTTPClient.request(
            "GET", "/events?session_id=s-1&start_time=2026-01-27T12:03:00%2B02:00&limit=2", port: server.port)
        #expect(response.status == 200)
        #expect(response.header("Access-Control-Allow-Origin") == "*")
        let body = try response.jsonObject()
        #expect(body["total"] as? Int == 4)
        #expect(body["has_more"] as? Bool == true)
        #expect((body["events"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["evt-6", "evt-5"])
    }

    @Test func rawBodiesArriveByteForByte() throws {
        let server = try startAPI()
        defer { server.stop() }
        let response = try RawHTTPClient.request("GET", "/events/binary/raw", port: server.port)
        #expect(response.status == 200)
        #expect(response.body == [0x00, 0x01, 0xFF, 0x0D, 0x0A, 0x7B])
        #expect(response.header("Content-Type") == "application/octet-stream")
        #expect(response.header("X-Candystore-Routing-Key") == "transcription.voice.completed")
    }

    @Test func clientErrorsOverTheWire() throws {
        let server = try startAPI()
        defer { server.stop() }
        let notFound = try RawHTTPClient.request("GET", "/nope", port: server.port)
        #expect(notFound.status == 404)
        #expect(try notFound.jsonObject()["detail"] as? String == "Not Found")
        let wrongMethod = try RawHTTPClient.request("DELETE", "/events/evt-1", port: server.port)
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD, OPTIONS")
        let badLimit = try RawHTTPClient.request("GET", "/events?limit=5000", port: server.port)
        #expect(badLimit.status == 422)
        let tooLong = try RawHTTPClient.request(
            "GET", "/events?cursor=" + String(repeating: "z", count: 200_000), port: server.port)
        #expect(tooLong.status == 414)
    }

    @Test func headMatchesGetWithoutTheBody() throws {
        let server = try startAPI()
        defer { server.stop() }
        let full = try RawHTTPClient.request("GET", "/events/evt-1", port: server.port)
        let head = try RawHTTPClient.request("HEAD", "/events/evt-1", port: server.port)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(full.body.count))
    }

    @Test func preflightOverTheWire() throws {
        let server = try startAPI()
        defer { server.stop() }
        let response = try RawHTTPClient.request(
            "OPTIONS", "/events", port: server.port,
            headers: [("Origin", "http://candybar.local"), ("Access-Control-Request-Method", "GET")])
        #expect(response.status == 204)
        #expect(response.header("Access-Control-Allow-Origin") == "*")
        #expect(response.header("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS")
    }

    @Test func metricsEndpointServesAValidScrapeThatCountsRequests() throws {
        let api = try startAPI()
        let scrape = try startTestServer(MetricsEndpoint(metrics: metrics))
        defer {
            api.stop()
            scrape.stop()
        }
        for _ in 0..<3 { _ = try RawHTTPClient.request("GET", "/events?limit=1", port: api.port) }
        _ = try RawHTTPClient.request("GET", "/not/a/route", port: api.port)

        let response = try RawHTTPClient.request("GET", "/metrics", port: scrape.port)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text
        #expect(text.contains(#"candystore_api_requests_total{method="GET",endpoint="/events",status="200"} 3"#))
        #expect(text.contains(#"candystore_api_requests_total{method="GET",endpoint="other",status="404"} 1"#))
        #expect(text.contains("candystore_query_results_total 3\n"))
        #expect(try RawHTTPClient.request("GET", "/elsewhere", port: scrape.port).status == 404)
        #expect(try RawHTTPClient.request("POST", "/metrics", port: scrape.port).status == 405)

        guard
            let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            Issue.record("promtool is not installed: install Debian's prometheus package (make test does)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: response.body)
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // The seed's millisecond gauge keeps its name, so promtool's unit lint about it is expected.
        let problems = printed.split(separator: "\n").filter {
            !$0.hasPrefix("candystore_storage_latency_milliseconds use base unit")
        }
        #expect(problems.isEmpty, "promtool: \(problems)")
    }
}
