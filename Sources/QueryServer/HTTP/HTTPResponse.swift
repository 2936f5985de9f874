/// What a handler answers: a status, headers and body bytes.
///
/// The server adds `Content-Length` and `Date` itself; a `Content-Length` set here is ignored.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, for example 200.
    public var status: Int
    /// Headers in the order they are sent.
    public var headers: [HTTPHeader]
    /// The body; for `HEAD` requests the server sends the headers only.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is JSON text.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - body: UTF-8 JSON text.
    public static func json(status: Int, body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader(name: "Content-Type", value: "application/json")], body: body)
    }

    /// A response whose body is plain text.
    ///
    /// - Parameters:
    ///   - status: The status code.
    ///   - text: The body.
    ///   - contentType: The `Content-Type`, plain UTF-8 text unless given.
    public static func text(
        status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [HTTPHeader(name: "Content-Type", value: contentType)], body: Array(text.utf8))
    }

    /// The value of the first header called `name`, compared without regard to case.
    ///
    /// - Parameter name: The header name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Replaces every header called `name` with one carrying `value`.
    ///
    /// - Parameters:
    ///   - name: The header name.
    ///   - value: The new value.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveEquals(name) }
        headers.append(HTTPHeader(name: name, value: value))
    }
}
