import Foundation
import QueryServer

/// A handler that describes the request it got, as JSON, so tests can see what the server parsed.
struct EchoHandler: HTTPHandler {
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let description: [String: Any] = [
            "method": request.method,
            "path": request.path,
            "version": request.version,
            "query": request.queryItems.map { [$0.name, $0.value] },
            "headers": request.headers.map { [$0.name.lowercased(), $0.value] },
        ]
        let body = (try? JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])) ?? Data()
        var response = HTTPResponse.json(status: 200, body: Array(body))
        response.headers.append(HTTPHeader(name: "X-Echo", value: "yes"))
        response.headers.append(HTTPHeader(name: "Content-Length", value: "999"))
        return response
    }
}

/// Starts a server on a free loopback port for one test.
func startTestServer(
    _ handler: any HTTPHandler, configure: (inout HTTPServerOptions) -> Void = { _ in }
) throws -> HTTPServer {
    var options = HTTPServerOptions(host: "127.0.0.1", port: 0)
    options.threadCount = 2
    options.name = "test"
    configure(&options)
    return try HTTPServer.start(options, handler: handler)
}
