import Foundation

/// A tiny blocking HTTP/1.1 client over a POSIX socket, for tests.
///
/// It writes the request bytes exactly as given (so tests can send oversized lines, bad methods
/// and malformed requests), then reads until the server closes the connection or the announced
/// body length has arrived.
enum RawHTTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `GET`-style request `target` with `Connection: close` and returns the response.
    static func request(
        _ method: String = "GET", _ target: String, port: UInt16, headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws -> RawHTTPResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers {
            text += "\(name): \(value)\r\n"
        }
        if !body.isEmpty {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        return try exchange(Array(text.utf8) + body, port: port, expectBody: method != "HEAD")
    }

    /// Writes `bytes` to a fresh connection and reads one response.
    static func exchange(_ bytes: [UInt8], port: UInt16, expectBody: Bool = true) throws -> RawHTTPResponse {
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 && errno == EINTR { continue }
            // The server may answer and close before reading everything (oversized requests).
            if result <= 0 { break }
            sent += result
        }
        let received = try readResponse(descriptor, expectBody: expectBody)
        return try RawHTTPResponse(parsing: received)
    }

    /// Sends `GET` for each target in turn over one kept-alive connection.
    static func sequential(_ targets: [String], port: UInt16) throws -> [RawHTTPResponse] {
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        var responses: [RawHTTPResponse] = []
        for target in targets {
            let request = Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == request.count else { throw Failure(description: "send failed on a kept-alive connection") }
            responses.append(try RawHTTPResponse(parsing: try readResponse(descriptor, expectBody: true)))
        }
        return responses
    }

    /// Opens a connection to `127.0.0.1:port`, with a receive timeout so a broken server fails the
    /// test instead of hanging it.
    static func connect(port: UInt16) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(description: "connect to port \(port) failed: errno \(code)")
        }
        return descriptor
    }

    private static func readResponse(_ descriptor: Int32, expectBody: Bool) throws -> [UInt8] {
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let complete = completeLength(received, expectBody: expectBody), received.count >= complete {
                return received
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == ECONNRESET && !received.isEmpty { return received }
            if count < 0 { throw Failure(description: "recv failed: errno \(errno), got \(received.count) bytes") }
            if count == 0 { return received }
            received += chunk[0..<count]
        }
    }

    /// The total length of the response once its headers are in, if it announces one.
    private static func completeLength(_ bytes: [UInt8], expectBody: Bool) -> Int? {
        guard let end = RawHTTPResponse.headerEnd(bytes) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        if !expectBody { return end + 4 }
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            if let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
                return end + 4 + length
            }
        }
        return nil
    }
}

/// A parsed response: status, headers, body.
struct RawHTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(parsing bytes: [UInt8]) throws {
        guard let end = Self.headerEnd(bytes) else {
            throw RawHTTPClient.Failure(description: "no complete response head in \(bytes.count) bytes")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw RawHTTPClient.Failure(description: "bad status line \(lines[0])")
        }
        self.status = status
        self.headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        self.body = Array(bytes[(end + 4)...])
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object.
    func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw RawHTTPClient.Failure(description: "body is not a JSON object: \(text)")
        }
        return object
    }
}
