/// Answers HTTP requests for an ``HTTPServer``.
///
/// The server calls `handle(_:)` on its own worker threads, several at once, so implementations
/// must be thread-safe and must not block for long. Whatever a client sends, a handler answers
/// with a response; it has no way to fail the connection, and it must never trap on input.
public protocol HTTPHandler: Sendable {
    /// The response to `request`.
    ///
    /// - Parameter request: The parsed request line, query and headers; the body is not read.
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
