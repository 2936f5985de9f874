import Foundation
import QueryServer
import Testing

/// Random requests must always get a well-formed client answer: never a 500, never a trap.
@Suite struct EventsAPIRobustnessTests {
    /// SplitMix64: small, fast and reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "", "events", "health", "raw", "evt-1", "%", "%zz", "..", ".", "é", "\u{0}", "\n", "events\r\nX: y",
        String(repeating: "a", count: 3_000), "💥", "{id}", "?", "#",
    ]
    static let values = [
        "", "0", "1", "-1", "1000", "1001", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "abc", "1e9", "0x1f", "  7  ", "2026-01-27T10:00:00Z", "2026-01-27T10:00:00+25:00", "2026-02-29",
        "2024-02-29", "\u{0}", "\"", "\\", "seq-3", "seq-", "seq-99999999999999999999", "💥", "NaN", "inf",
        String(repeating: "9", count: 400),
    ]
    static let names = [
        "limit", "offset", "cursor", "start_time", "end_time", "session_id", "event_type", "source", "target",
        "correlation_id", "other",
    ]

    @Test(arguments: [1, 2, 3, 4])
    func randomRequestsNeverFailTheServer(seed: UInt64) throws {
        var random = Generator(state: seed)
        let api = EventsAPI(service: InMemoryQueryService(events: Fixtures.sample), version: "1")
        let methods = ["GET", "GET", "GET", "HEAD", "OPTIONS", "POST", "DELETE", "", "get", "G E T"]
        for _ in 0..<2_000 {
            let depth = Int.random(in: 0...4, using: &random)
            let path =
                "/" + (0..<depth).map { _ in Self.fragments.randomElement(using: &random)! }.joined(separator: "/")
            let query = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                HTTPQueryItem(
                    name: Self.names.randomElement(using: &random)!, value: Self.values.randomElement(using: &random)!)
            }
            var headers: [HTTPHeader] = []
            if Bool.random(using: &random) { headers.append(HTTPHeader(name: "Origin", value: "http://x")) }
            if Bool.random(using: &random) {
                headers.append(
                    HTTPHeader(name: "Access-Control-Request-Method", value: Self.values.randomElement(using: &random)!)
                )
            }
            let request = HTTPRequest(
                method: methods.randomElement(using: &random)!, path: path, queryItems: query, headers: headers)
            let response = api.handle(request)
            #expect([200, 204, 400, 404, 405, 422].contains(response.status), "\(request) → \(response.status)")
            if response.header("Content-Type") == "application/json" {
                #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: Data(response.body)) }
            }
        }
    }
}
