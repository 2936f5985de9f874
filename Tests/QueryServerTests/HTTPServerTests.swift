import Foundation
import QueryServer
import Synchronization
import Testing

@Suite struct HTTPServerTests {
    @Test func reportsTheBoundPortAndServesARequest() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        #expect(server.port != 0)
        let response = try RawHTTPClient.request("GET", "/events?limit=5", port: server.port)
        #expect(response.status == 200)
        #expect(response.header("X-Echo") == "yes")
        #expect(response.header("Content-Length") == String(response.body.count))
        let echoed = try response.jsonObject()
        #expect(echoed["method"] as? String == "GET")
        #expect(echoed["path"] as? String == "/events")
        #expect(echoed["version"] as? String == "HTTP/1.1")
    }

    @Test func workersTakeTheConfiguredNiceValueAndTheRestOfTheProcessKeepsItsOwn() throws {
        let callerNiceness = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let server = try startTestServer(NicenessHandler()) { $0.workerNiceness = callerNiceness + 3 }
        defer { server.stop() }
        for _ in 0..<4 {
            let response = try RawHTTPClient.request("GET", "/niceness", port: server.port)
            #expect(String(decoding: response.body, as: UTF8.self) == String(callerNiceness + 3))
        }
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == callerNiceness)
    }

    @Test func keepsConnectionsAliveBetweenRequests() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let responses = try RawHTTPClient.sequential(["/one", "/two", "/three"], port: server.port)
        #expect(responses.map(\.status) == [200, 200, 200])
        #expect(try responses.map { try $0.jsonObject()["path"] as? String } == ["/one", "/two", "/three"])
        #expect(responses.allSatisfy { $0.header("Connection")?.lowercased() != "close" })
    }

    @Test func decodesQueryArgumentsAndKeepsTheirOrder() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let target = "/p?a=1&b=hello%20world&c=x+y&empty=&flag&a=2&utf=%C3%A9"
        let echoed = try RawHTTPClient.request("GET", target, port: server.port).jsonObject()
        let query = echoed["query"] as? [[String]]
        #expect(
            query == [
                ["a", "1"], ["b", "hello world"], ["c", "x y"], ["empty", ""], ["flag", ""], ["a", "2"],
                ["utf", "é"],
            ])
    }

    @Test func decodesThePath() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let echoed = try RawHTTPClient.request("GET", "/events/a%20b", port: server.port).jsonObject()
        #expect(echoed["path"] as? String == "/events/a b")
    }

    @Test func passesHeadersThrough() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let response = try RawHTTPClient.request(
            "GET", "/", port: server.port, headers: [("Origin", "http://ui.local"), ("X-Thing", "a b")])
        let headers = try response.jsonObject()["headers"] as? [[String]] ?? []
        #expect(headers.contains(["origin", "http://ui.local"]))
        #expect(headers.contains(["x-thing", "a b"]))
    }

    @Test func answersHeadWithoutABody() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let response = try RawHTTPClient.request("HEAD", "/x", port: server.port)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test func answersARequestWithABodyAndKeepsServing() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let body = [UInt8](repeating: 0x41, count: 200_000)
        let response = try RawHTTPClient.request("POST", "/events", port: server.port, body: body)
        #expect(response.status == 200)
        #expect(try response.jsonObject()["method"] as? String == "POST")
        #expect(try RawHTTPClient.request("GET", "/after", port: server.port).status == 200)
    }

    @Test func rejectsAnOversizedURLAndKeepsServing() throws {
        let server = try startTestServer(EchoHandler()) { $0.connectionMemoryLimit = 16_384 }
        defer { server.stop() }
        let target = "/events?session_id=" + String(repeating: "x", count: 40_000)
        let response = try RawHTTPClient.request("GET", target, port: server.port)
        #expect(response.status == 414)
        #expect(try RawHTTPClient.request("GET", "/after", port: server.port).status == 200)
    }

    @Test func rejectsOversizedHeadersAndKeepsServing() throws {
        let server = try startTestServer(EchoHandler()) { $0.connectionMemoryLimit = 16_384 }
        defer { server.stop() }
        let headers = (0..<40).map { ("X-Filler-\($0)", String(repeating: "v", count: 1_000)) }
        let response = try RawHTTPClient.request("GET", "/events", port: server.port, headers: headers)
        #expect(response.status == 431)
        #expect(try RawHTTPClient.request("GET", "/after", port: server.port).status == 200)
    }

    @Test(arguments: ["GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /x HTTP/9.9\r\nHost: a\r\n\r\n"])
    func answersMalformedRequestsWithAClientErrorOrACleanClose(raw: String) throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let descriptor = try RawHTTPClient.connect(port: server.port)
        defer { close(descriptor) }
        let bytes = Array(raw.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        var received = [UInt8](repeating: 0, count: 4_096)
        let count = received.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
        if count > 0 {
            let response = try RawHTTPResponse(parsing: Array(received[0..<count]))
            #expect((400..<500).contains(response.status) || response.status == 505, "got \(response.status)")
        } else {
            #expect(count == 0, "expected a response or an orderly close, got errno \(errno)")
        }
        #expect(try RawHTTPClient.request("GET", "/after", port: server.port).status == 200)
    }

    @Test func closesIdleConnectionsAfterTheTimeout() throws {
        let server = try startTestServer(EchoHandler()) { $0.connectionTimeoutSeconds = 1 }
        defer { server.stop() }
        let descriptor = try RawHTTPClient.connect(port: server.port)
        defer { close(descriptor) }
        _ = Array("GET /slow".utf8).withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        var received = [UInt8](repeating: 0, count: 1_024)
        let count = received.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
        #expect(count == 0, "the server should close a connection that stays silent")
    }

    @Test func servesAnHTTP11RequestWithoutHost() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let response = try RawHTTPClient.exchange(
            Array("GET /x HTTP/1.1\r\nConnection: close\r\n\r\n".utf8), port: server.port)
        #expect(response.status == 200)
    }

    @Test func passesUnknownMethodsToTheHandler() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let response = try RawHTTPClient.request("BREW", "/pot", port: server.port)
        #expect(try response.jsonObject()["method"] as? String == "BREW")
    }

    @Test func servesManyClientsAtOnce() throws {
        let server = try startTestServer(EchoHandler())
        defer { server.stop() }
        let port = server.port
        let failures = ManagedCount()
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let response = try? RawHTTPClient.request("GET", "/c/\(index)", port: port)
            if response?.status != 200 { failures.add() }
        }
        #expect(failures.value == 0)
    }

    @Test func twoServersRunSideBySide() throws {
        let first = try startTestServer(EchoHandler())
        let second = try startTestServer(EchoHandler())
        defer {
            first.stop()
            second.stop()
        }
        #expect(first.port != second.port)
        #expect(try RawHTTPClient.request("GET", "/1", port: first.port).status == 200)
        #expect(try RawHTTPClient.request("GET", "/2", port: second.port).status == 200)
    }

    @Test func aBusyPortIsAnErrorThatNamesTheProblem() throws {
        let first = try startTestServer(EchoHandler())
        defer { first.stop() }
        #expect {
            _ = try startTestServer(EchoHandler()) { $0.port = first.port }
        } throws: { error in
            guard let error = error as? HTTPServerError else { return false }
            return error.code == .listenFailed && error.errnoValue == EADDRINUSE
                && error.message.contains("\(first.port)") && error.message.contains("bind")
        }
    }

    @Test func anUnresolvableHostIsAnError() {
        #expect(throws: HTTPServerError.self) {
            _ = try startTestServer(EchoHandler()) { $0.host = "no-such-host.invalid" }
        }
    }

    @Test func outOfRangeOptionsAreRejected() {
        #expect(throws: HTTPServerError.self) {
            _ = try startTestServer(EchoHandler()) { $0.threadCount = 0 }
        }
    }

    @Test func stopClosesTheListenerAndCanBeRepeated() throws {
        let server = try startTestServer(EchoHandler())
        let port = server.port
        #expect(try RawHTTPClient.request("GET", "/", port: port).status == 200)
        server.stop()
        server.stop()
        #expect(throws: RawHTTPClient.Failure.self) {
            _ = try RawHTTPClient.connect(port: port)
        }
    }
}

/// A thread-safe tally for concurrent test loops.
final class ManagedCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Answers with the nice value of the worker thread that handles the request.
private struct NicenessHandler: HTTPHandler {
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let niceness = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        return HTTPResponse(status: 200, body: Array(String(niceness).utf8))
    }
}
