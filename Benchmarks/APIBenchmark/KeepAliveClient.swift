import Foundation

/// A minimal HTTP/1.1 client on one kept-alive connection to 127.0.0.1, for measuring the
/// server rather than connection set-up. Not thread-safe: one per load thread.
final class KeepAliveClient {
    private let port: UInt16
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 256 * 1_024)

    init(port: UInt16) {
        self.port = port
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    /// Sends `GET target` and reads the whole answer.
    ///
    /// - Returns: The status and the body's length.
    func get(_ target: String) throws -> (status: Int, bodyBytes: Int) {
        if socket < 0 { try connect() }
        let request = Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        do {
            try send(request)
            return try readAnswer()
        } catch {
            // The server may have closed an idle connection; one retry on a new one.
            close(socket)
            socket = -1
            buffer.removeAll()
            try connect()
            try send(request)
            return try readAnswer()
        }
    }

    private func connect() throws {
        let descriptor = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw BenchmarkError("cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        socket = descriptor
    }

    private func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes {
                Foundation.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw BenchmarkError("send failed: errno \(errno)") }
            sent += written
        }
    }

    private func fill() throws {
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw BenchmarkError("the server closed the connection (errno \(errno))") }
        buffer.append(contentsOf: chunk[0..<count])
    }

    private func readAnswer() throws -> (status: Int, bodyBytes: Int) {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd = buffer.firstRange(of: separator)
        while headerEnd == nil {
            try fill()
            headerEnd = buffer.firstRange(of: separator)
        }
        let head = String(decoding: buffer[..<headerEnd!.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let total = headerEnd!.upperBound + length
        while buffer.count < total { try fill() }
        buffer.removeFirst(total)
        return (status, length)
    }
}

/// Something in the benchmark's set-up failed.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
