/// An error answer of the API: a status and the JSON body that says what is wrong.
///
/// The text here is shown to clients; what goes to the log is kept apart by the caller.
struct APIError: Error, Sendable {
    /// The HTTP status.
    var status: Int
    /// The JSON body.
    var body: [UInt8]
    /// Extra headers, such as `Allow` on 405 or `Retry-After` on 503.
    var headers: [HTTPHeader] = []

    /// 404 with `{"detail": message}`.
    static func notFound(_ message: String = "Not Found") -> APIError {
        APIError(status: 404, body: JSONBytes.detail(message))
    }

    /// 405 with the methods the path does accept.
    static func methodNotAllowed(allow: String) -> APIError {
        APIError(
            status: 405, body: JSONBytes.detail("Method Not Allowed"),
            headers: [HTTPHeader(name: "Allow", value: allow)])
    }

    /// 422 listing every invalid parameter.
    static func invalidParameters(_ problems: [ValidationProblem]) -> APIError {
        APIError(status: 422, body: ValidationProblem.render(problems))
    }

    /// 503 while the service is not ready to answer.
    static func unavailable(_ message: String) -> APIError {
        APIError(
            status: 503, body: JSONBytes.detail(message), headers: [HTTPHeader(name: "Retry-After", value: "1")])
    }

    /// 500 for a failure on the server's side; the body does not leak internals.
    static func internalFailure() -> APIError {
        APIError(status: 500, body: JSONBytes.detail("The store could not read the event; the server log has details."))
    }

    /// The error as a response.
    var response: HTTPResponse {
        var response = HTTPResponse.json(status: status, body: body)
        response.headers.append(contentsOf: headers)
        return response
    }
}
