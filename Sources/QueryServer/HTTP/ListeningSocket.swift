import Foundation

/// A bound, listening, non-blocking TCP socket, made with plain POSIX calls so that the server
/// knows the port it got (for port 0) and reports bind failures with their errno.
///
/// This file owns every raw socket call of the server; libmicrohttpd takes the descriptor over.
struct ListeningSocket {
    /// The listening descriptor.
    let descriptor: Int32
    /// The port actually bound.
    let port: UInt16

    /// Resolves `host`, then binds and listens on the first address that works.
    ///
    /// - Throws: `HTTPServerError` naming the host, port and failed system call.
    static func open(host: String, port: UInt16, backlog: Int) throws(HTTPServerError) -> ListeningSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard lookup == 0, let first = list else {
            let reason = String(cString: gai_strerror(lookup))
            throw HTTPServerError(
                .addressUnavailable, "cannot listen on \(host):\(port): the host does not resolve (\(reason))")
        }
        defer { freeaddrinfo(first) }

        var lastError = HTTPServerError(.addressUnavailable, "cannot listen on \(host):\(port): no usable address")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            switch bindAndListen(current.pointee, backlog: backlog, host: host, port: port) {
            case .success(let socket): return socket
            case .failure(let error): lastError = error
            }
            entry = current.pointee.ai_next
        }
        throw lastError
    }

    /// Closes the descriptor; only for a socket that was never handed to the daemon.
    func close() {
        _ = Foundation.close(descriptor)
    }

    private static func bindAndListen(
        _ address: addrinfo, backlog: Int, host: String, port: UInt16
    ) -> Result<ListeningSocket, HTTPServerError> {
        let descriptor = socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failure(.system("socket", errno: errno, host: host, port: port)) }
        func fail(_ call: String) -> Result<ListeningSocket, HTTPServerError> {
            let code = errno
            _ = Foundation.close(descriptor)
            return .failure(.system(call, errno: code, host: host, port: port))
        }

        var enabled: Int32 = 1
        var disabled: Int32 = 0
        let size = socklen_t(MemoryLayout<Int32>.size)
        guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enabled, size) == 0 else { return fail("setsockopt") }
        if address.ai_family == AF_INET6 {
            // One socket for both families when binding the IPv6 wildcard.
            _ = setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &disabled, size)
        }
        guard bind(descriptor, address.ai_addr, address.ai_addrlen) == 0 else { return fail("bind") }
        guard listen(descriptor, Int32(clamping: backlog)) == 0 else { return fail("listen") }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else { return fail("fcntl") }

        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return fail("getsockname") }
        let family = Int32(bound.ss_family)
        let boundPort: UInt16 = withUnsafePointer(to: &bound) { pointer in
            if family == AF_INET6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        }
        return .success(ListeningSocket(descriptor: descriptor, port: boundPort))
    }
}
