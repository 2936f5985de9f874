import Foundation
import Testing

/// Every way a client can get a request wrong, against the real daemon: each gets a 4xx with a
/// JSON body that says what is wrong, and none produces a 500 or stops the server. Also CORS.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EndToEndErrorTests {
    @Test("invalid parameters are 422s that name the parameter")
    func invalidParameters() throws {
        try StockedDaemon.with("invalid", count: 5) { stocked in
            let cases: [(query: String, parameters: [String])] = [
                ("limit=0", ["limit"]), ("limit=1001", ["limit"]), ("limit=-5", ["limit"]), ("limit=ten", ["limit"]),
                ("limit=1.5", ["limit"]), ("limit=99999999999999999999999", ["limit"]),
                ("offset=-1", ["offset"]), ("offset=abc", ["offset"]), ("offset=1e3", ["offset"]),
                ("start_time=yesterday", ["start_time"]), ("end_time=2026-13-45T99:00:00Z", ["end_time"]),
                ("start_time=2026-01-28T00:00:00Z&end_time=2026-01-27T00:00:00Z", ["start_time"]),
                ("cursor=not-a-cursor", ["cursor"]), ("cursor=" + String(repeating: "A", count: 2_000), ["cursor"]),
                ("limit=0&offset=-1&start_time=x", ["limit", "offset", "start_time"]),
            ]
            for (query, parameters) in cases {
                let reply = try stocked.daemon.api("/events?" + query)
                #expect(reply.status == 422, "\(query.prefix(80)): \(reply)")
                #expect(reply.header("Content-Type") == "application/json")
                let problems = try reply.object()["detail"] as? [[String: Any]] ?? []
                let named = problems.compactMap { ($0["loc"] as? [String])?.last }
                #expect(named.sorted() == parameters.sorted(), "\(query.prefix(80)): \(reply)")
                #expect(problems.allSatisfy { ($0["msg"] as? String)?.isEmpty == false }, "\(query.prefix(80))")
            }
            // The edges of the valid ranges are accepted.
            for query in ["limit=1", "limit=1000", "offset=0", "offset=1000000"] {
                #expect(try stocked.daemon.api("/events?" + query).status == 200, "\(query)")
            }
        }
    }

    @Test("unknown paths are 404, other methods on known paths 405 with Allow")
    func unknownPathsAndMethods() throws {
        try StockedDaemon.with("routes", count: 3) { stocked in
            let id = stocked.events[0].id
            for path in ["/", "/nope", "/healthz", "/events/\(id)/raw/more", "/events/\(id)/body", "/v1/events"] {
                let reply = try stocked.daemon.api(path)
                #expect(reply.status == 404, "\(path): \(reply)")
                #expect(try reply.object()["detail"] as? String == "Not Found", "\(path)")
            }
            for path in ["/health", "/events", "/events/\(id)", "/events/\(id)/raw"] {
                for method in ["POST", "PUT", "DELETE", "PATCH", "BREW"] {
                    let reply = try stocked.daemon.api(path, method: method)
                    #expect(reply.status == 405, "\(method) \(path): \(reply)")
                    #expect(reply.header("Allow") == "GET, HEAD, OPTIONS", "\(method) \(path)")
                    #expect(try reply.object()["detail"] is String, "\(method) \(path)")
                }
                let options = try stocked.daemon.api(path, method: "OPTIONS")
                #expect((200..<300).contains(options.status), "OPTIONS \(path): \(options)")
                #expect(options.header("Allow") == "GET, HEAD, OPTIONS")
            }
            // A request with a body is answered too (the body is read and dropped).
            let body = "{\"event_type\":\"x\"}"
            let post = try LoopbackHTTP.exchange(
                port: stocked.daemon.apiPort,
                Array(
                    ("POST /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8))
            #expect(post.status == 405)
        }
    }

    @Test("oversized URLs and headers are refused with 414 and 431; garbage with 400; the daemon lives on")
    func oversizedAndMalformedRequests() throws {
        try StockedDaemon.with("oversized", count: 3) { stocked in
            let daemon = stocked.daemon
            let longURL = "/events?session_id=" + String(repeating: "s", count: 70_000)
            #expect(try daemon.api(longURL).status == 414)
            let bigHeader = try daemon.api("/events", headers: [("X-Filler", String(repeating: "h", count: 70_000))])
            #expect(bigHeader.status == 431)
            let manyHeaders = (0..<3_000).map { ("X-Many-\($0)", "value-\($0)") }
            #expect(try daemon.api("/health", headers: manyHeaders).status == 431)

            let garbage: [[UInt8]] = [
                Array("GARBAGE\r\n\r\n".utf8), Array("GET\r\n\r\n".utf8), Array("GET /events HTTP/9.9\r\n\r\n".utf8),
                Array("GET /events HTTP/1.1\r\nHost x\r\n\r\n".utf8), [0xFF, 0xFE, 0x00, 0x0D, 0x0A, 0x0D, 0x0A],
            ]
            for bytes in garbage {
                // Either a 4xx/505 answer or a closed connection; never a 500.
                if let reply = try? LoopbackHTTP.exchange(port: daemon.apiPort, bytes) {
                    #expect((400..<500).contains(reply.status) || reply.status == 505, "\(bytes.prefix(20)): \(reply)")
                }
            }
            // Odd but valid input is answered normally.
            #expect(try daemon.api("/events?session_id=%FF%FE&event_type=%00").status == 200)
            #expect(try daemon.api("/events?limit=2&limit=3&&=&x").status == 200)
            #expect(try daemon.api("/events/" + String(repeating: "i", count: 4_000)).status == 404)

            #expect(daemon.process?.exitStatus == nil, "the daemon is still running")
            let health = try daemon.api("/health")
            #expect(health.status == 200)
            #expect(try daemon.total() == 3)
            let scrape = try MetricsScrape(daemon.scrape())
            // /health says 503 while the daemon starts up; nothing else may answer 5xx.
            let failures = scrape.series("candystore_api_requests_total").keys.filter {
                $0["status"]?.hasPrefix("5") == true && !($0["endpoint"] == "/health" && $0["status"] == "503")
            }
            #expect(failures.isEmpty, "answered with a 5xx: \(failures)")
        }
    }

    @Test("CORS: any origin by default, preflight answered")
    func corsAnyOrigin() throws {
        try StockedDaemon.with("cors-any", count: 2) { stocked in
            let daemon = stocked.daemon
            let plain = try daemon.api("/events", headers: [("Origin", "http://candybar.local:3000")])
            #expect(plain.status == 200)
            #expect(plain.header("Access-Control-Allow-Origin") == "*")
            #expect(plain.header("Access-Control-Expose-Headers")?.contains("X-Candystore-Routing-Key") == true)
            let error = try daemon.api("/events?limit=0", headers: [("Origin", "http://candybar.local:3000")])
            #expect(error.status == 422)
            #expect(error.header("Access-Control-Allow-Origin") == "*", "error answers carry CORS headers too")

            let preflight = try daemon.api(
                "/events", method: "OPTIONS",
                headers: [
                    ("Origin", "http://candybar.local:3000"), ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", "X-Requested-With, Content-Type"),
                ])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "*")
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("GET") == true)
            #expect(preflight.header("Access-Control-Allow-Headers") == "X-Requested-With, Content-Type")
            #expect(preflight.header("Access-Control-Max-Age") != nil)
        }
    }

    @Test("CORS: with CORS_ORIGINS only the listed origins are allowed")
    func corsListedOrigins() throws {
        let settings = ["CORS_ORIGINS": "http://candybar.local:3000, https://ui.example/"]
        try StockedDaemon.with("cors-listed", count: 2, settings: settings) { stocked in
            let daemon = stocked.daemon
            for origin in ["http://candybar.local:3000", "https://ui.example"] {
                let reply = try daemon.api("/events/\(stocked.events[0].id)", headers: [("Origin", origin)])
                #expect(reply.status == 200)
                #expect(reply.header("Access-Control-Allow-Origin") == origin)
                #expect(reply.header("Vary") == "Origin")
                let preflight = try daemon.api(
                    "/events", method: "OPTIONS",
                    headers: [("Origin", origin), ("Access-Control-Request-Method", "GET")])
                #expect(preflight.status == 204)
                #expect(preflight.header("Access-Control-Allow-Origin") == origin)
            }
            let stranger = try daemon.api("/events", headers: [("Origin", "https://evil.example")])
            #expect(stranger.status == 200)
            #expect(stranger.header("Access-Control-Allow-Origin") == nil)
            let strangerPreflight = try daemon.api(
                "/events", method: "OPTIONS",
                headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET")])
            #expect(strangerPreflight.header("Access-Control-Allow-Origin") == nil)
            #expect(strangerPreflight.status < 500)
        }
    }
}
