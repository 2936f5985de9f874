/// Which browser origins may read the API, from the `CORS_ORIGINS` setting.
///
/// `*` lets every origin read; otherwise the listed origins are echoed back one at a time, with
/// `Vary: Origin` so caches keep them apart. Preflight requests are answered for `GET`, `HEAD` and
/// `OPTIONS` with whatever request headers the browser asks for.
public struct CORSPolicy: Sendable, Hashable {
    /// The allowed origins, or `["*"]` for any.
    public var allowedOrigins: [String]

    /// Methods a cross-origin request may use.
    static let allowedMethods = "GET, HEAD, OPTIONS"
    /// Response headers a browser script may read, besides the simple ones.
    static let exposedHeaders =
        "X-Candystore-Event-Id, X-Candystore-Routing-Key, X-Candystore-Exchange, X-Candystore-Properties"

    /// A policy allowing exactly `allowedOrigins`; include `*` to allow any.
    ///
    /// - Parameter allowedOrigins: Origins such as `https://candybar.local:3000`.
    public init(allowedOrigins: [String]) {
        self.allowedOrigins = allowedOrigins
    }

    /// Any origin may read.
    public static let allowAll = CORSPolicy(allowedOrigins: ["*"])

    /// A policy from a comma-separated list, as `CORS_ORIGINS` holds it; blanks are dropped and a
    /// trailing `/` on an origin is ignored.
    ///
    /// - Parameter list: For example `*` or `http://localhost:3000, https://ui.example`.
    public init(parsing list: String) {
        allowedOrigins = list.split(separator: ",").map { entry in
            var origin = entry.trimmingASCIISpacesSubstring()
            if origin.hasSuffix("/") { origin.removeLast() }
            return origin
        }.filter { !$0.isEmpty }
    }

    /// Whether every origin is allowed.
    public var allowsAnyOrigin: Bool { allowedOrigins.contains("*") }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, or `nil` for none.
    ///
    /// - Parameter origin: The request's `Origin` header, if it had one.
    func allowOriginValue(for origin: String?) -> String? {
        if allowsAnyOrigin { return "*" }
        guard let origin, allowedOrigins.contains(origin) else { return nil }
        return origin
    }

    /// Adds the CORS headers that a normal (not preflight) response carries.
    func decorate(_ response: inout HTTPResponse, origin: String?) {
        guard let allowed = allowOriginValue(for: origin) else { return }
        response.headers.append(HTTPHeader(name: "Access-Control-Allow-Origin", value: allowed))
        response.headers.append(HTTPHeader(name: "Access-Control-Expose-Headers", value: Self.exposedHeaders))
        if allowed != "*" {
            response.headers.append(HTTPHeader(name: "Vary", value: "Origin"))
        }
    }

    /// The answer to a preflight request: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    func preflight(_ request: HTTPRequest) -> HTTPResponse {
        let origin = request.header("Origin")
        guard let allowed = allowOriginValue(for: origin) else {
            return HTTPResponse.json(status: 400, body: JSONBytes.detail("Disallowed CORS origin"))
        }
        let method = request.header("Access-Control-Request-Method")?.trimmingASCIISpaces().uppercased() ?? ""
        guard ["GET", "HEAD", "OPTIONS"].contains(method) else {
            return HTTPResponse.json(status: 400, body: JSONBytes.detail("Disallowed CORS method"))
        }
        var response = HTTPResponse(status: 204)
        response.headers.append(HTTPHeader(name: "Access-Control-Allow-Origin", value: allowed))
        response.headers.append(HTTPHeader(name: "Access-Control-Allow-Methods", value: Self.allowedMethods))
        let requested = request.header("Access-Control-Request-Headers").map(HeaderText.sanitized) ?? ""
        if !requested.isEmpty {
            response.headers.append(HTTPHeader(name: "Access-Control-Allow-Headers", value: requested))
        }
        response.headers.append(HTTPHeader(name: "Access-Control-Max-Age", value: "600"))
        if allowed != "*" {
            response.headers.append(HTTPHeader(name: "Vary", value: "Origin"))
        }
        return response
    }
}

extension Substring {
    /// The text without leading and trailing ASCII spaces and tabs, as a `String`.
    func trimmingASCIISpacesSubstring() -> String {
        String(self).trimmingASCIISpaces()
    }
}
