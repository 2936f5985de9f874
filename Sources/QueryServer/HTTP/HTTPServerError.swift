import Foundation

/// Why an ``HTTPServer`` could not start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The host does not resolve to an address this machine can bind.
        case addressUnavailable = "address_unavailable"
        /// The socket could not be created, bound or put into listening state.
        case listenFailed = "listen_failed"
        /// libmicrohttpd refused to start its daemon.
        case startFailed = "start_failed"
        /// The options are out of range.
        case invalidOptions = "invalid_options"
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence that says what failed and what to do.
    public var message: String
    /// The system call that failed, if any.
    public var systemCall: String?
    /// The `errno` it set, if any.
    public var errnoValue: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, systemCall: String? = nil, errno errnoValue: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemCall = systemCall
        self.errnoValue = errnoValue
    }

    /// An error for a failed system call while preparing to listen on `host:port`.
    static func system(_ call: String, errno value: Int32, host: String, port: UInt16) -> HTTPServerError {
        let reason = String(cString: strerror(value))
        let advice: String
        switch value {
        case EADDRINUSE: advice = "another process listens there; stop it or choose another port"
        case EACCES: advice = "ports below 1024 need privileges; choose a higher port"
        case EADDRNOTAVAIL: advice = "the address is not on this machine; use 0.0.0.0 or a local address"
        default: advice = "check the host and port settings"
        }
        return HTTPServerError(
            .listenFailed, "cannot listen on \(host):\(port): \(call) failed: \(reason); \(advice)",
            systemCall: call, errno: value)
    }

    /// The message.
    public var description: String { message }
}
