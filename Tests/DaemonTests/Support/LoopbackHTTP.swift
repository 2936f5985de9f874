import Foundation

/// One HTTP answer as it came off the wire.
struct HTTPReply: CustomStringConvertible {
    /// The status code of the status line.
    var status: Int
    /// The header fields in the order they came, names as sent.
    var headers: [(name: String, value: String)]
    /// The body bytes, exactly as received (after `Content-Length` framing).
    var body: [UInt8]

    /// The value of the first header called `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object.
    func object() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw HTTPClientError("expected a JSON object, got: \(text.prefix(300))")
        }
        return object
    }

    var description: String { "HTTP \(status): \(text.prefix(500))" }
}

/// A deliberately small HTTP/1.1 client over a plain socket to 127.0.0.1, one request per
/// connection, so the tests see exactly what the server sends: status line, every header and the
/// body bytes, with nothing rewritten by a client library.
enum LoopbackHTTP {
    /// Sends `GET target` (path and query, already encoded) and reads the answer.
    ///
    /// - Parameters:
    ///   - port: The server's port on 127.0.0.1.
    ///   - target: For example `/events?limit=5`.
    ///   - method: The request method.
    ///   - headers: Extra request headers.
    static func request(
        port: UInt16, _ target: String, method: String = "GET", headers: [(String, String)] = []
    ) throws -> HTTPReply {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return try exchange(port: port, Array(text.utf8), bodyless: method == "HEAD")
    }

    /// Sends `bytes` as they are and parses whatever comes back.
    ///
    /// The server may answer (and close) before it has read everything, as it does for oversized
    /// requests; a failed send is therefore not an error as long as an answer arrives.
    ///
    /// - Parameter bodyless: Whether the answer has no body whatever its `Content-Length` says
    ///   (the answer to `HEAD`).
    static func exchange(
        port: UInt16, _ bytes: [UInt8], bodyless: Bool = false, timeout seconds: Int = 15
    ) throws -> HTTPReply {
        let socket = try connect(port: port, timeout: seconds)
        defer { close(socket) }
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { break }
            sent += written
        }
        shutdown(socket, Int32(SHUT_WR))
        return try parse(readAll(socket), bodyless: bodyless)
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted.
    static func probe(port: UInt16) throws -> Bool {
        guard let socket = try? connect(port: port, timeout: 2) else { return false }
        close(socket)
        return true
    }

    private static func connect(port: UInt16, timeout seconds: Int) throws -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw HTTPClientError("socket() failed: errno \(errno)") }
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(socket)
            throw HTTPClientError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(code)))")
        }
        return socket
    }

    /// Reads until the server closes the connection (or a reset after its answer).
    private static func readAll(_ socket: Int32) throws -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: chunk[0..<count])
            } else if count == 0 || errno == ECONNRESET {
                return received
            } else if errno != EINTR {
                throw HTTPClientError(
                    "reading the answer failed after \(received.count) bytes: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Splits a complete answer into status, headers and body.
    static func parse(_ bytes: [UInt8], bodyless: Bool = false) throws -> HTTPReply {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.firstRange(of: separator) else {
            let text = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw HTTPClientError("no complete header block in \(bytes.count) bytes: \(text)")
        }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw HTTPClientError("not an HTTP status line: \(head.prefix(100))")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[end.upperBound...])
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
        if bodyless {
            body = []
        } else if let length {
            guard body.count >= length else {
                throw HTTPClientError("body cut short: \(body.count) of \(length) bytes")
            }
            body = Array(body.prefix(length))
        }
        return HTTPReply(status: status, headers: headers, body: body)
    }
}

/// The HTTP exchange failed before an answer could be read.
struct HTTPClientError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

extension String {
    /// The text percent-encoded for use as one query-string value.
    var queryEncoded: String {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return addingPercentEncoding(withAllowedCharacters: unreserved) ?? self
    }
}
