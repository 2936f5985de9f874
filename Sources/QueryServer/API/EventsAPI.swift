import Observability
import SegmentStore

/// The query API: `GET /health`, `GET /events`, `GET /events/{id}` and `GET /events/{id}/raw`,
/// with the shapes of the service Candystore replaces.
///
/// Every answer is JSON except the raw body. Client mistakes get a 4xx that says what is wrong:
/// 404 for unknown paths and ids, 405 with `Allow` for other methods on known paths, 422 for
/// invalid parameters. Every response carries the CORS headers of the policy, and preflight
/// requests are answered on any path. Each request is counted in the API metrics under a bounded
/// `endpoint` label.
public final class EventsAPI: HTTPHandler {
    private let service: any EventQueryService
    private let cors: CORSPolicy
    private let version: String
    private let metrics: CandystoreMetrics?
    private let logger: Logger

    /// Methods a known path answers.
    static let allowedMethods = "GET, HEAD, OPTIONS"

    /// Creates the API over `service`.
    ///
    /// - Parameters:
    ///   - service: Answers queries and lookups.
    ///   - version: The service version shown by `/health`.
    ///   - cors: Which browser origins may read.
    ///   - metrics: Where request counts and durations go, if anywhere.
    ///   - logger: Receives one debug line per request and errors from the store.
    public init(
        service: any EventQueryService, version: String, cors: CORSPolicy = .allowAll,
        metrics: CandystoreMetrics? = nil, logger: Logger = .disabled
    ) {
        self.service = service
        self.version = version
        self.cors = cors
        self.metrics = metrics
        self.logger = logger
    }

    /// Routes `request`, renders the answer, adds CORS headers and records the metrics.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = MonotonicClock.now()
        let route = APIRoute.match(request.path)
        var response = respond(to: request, route: route)
        if !isPreflight(request) {
            cors.decorate(&response, origin: request.header("Origin"))
        }
        let seconds = MonotonicClock.secondsSince(started)
        metrics?.recordAPIRequest(
            method: request.method, endpoint: route.metricLabel, status: response.status, seconds: seconds)
        logger.debug(
            "request",
            [
                "http.method": .string(request.method), "http.path": .string(request.path),
                "http.status": .int(Int64(response.status)), "http.duration_ms": .double(seconds * 1_000),
            ])
        return response
    }

    private func respond(to request: HTTPRequest, route: APIRoute) -> HTTPResponse {
        if isPreflight(request) {
            return cors.preflight(request)
        }
        if route == .unknown {
            return APIError.notFound().response
        }
        switch request.method {
        case "GET", "HEAD":
            break
        case "OPTIONS":
            return HTTPResponse(status: 204, headers: [HTTPHeader(name: "Allow", value: Self.allowedMethods)])
        default:
            return APIError.methodNotAllowed(allow: Self.allowedMethods).response
        }
        do {
            switch route {
            case .health: return health()
            case .events: return try events(request)
            case .event(let id): return try event(id: id)
            case .rawEvent(let id): return try rawEvent(id: id)
            case .unknown: return APIError.notFound().response
            }
        } catch {
            return error.response
        }
    }

    private func isPreflight(_ request: HTTPRequest) -> Bool {
        request.method == "OPTIONS" && request.header("Origin") != nil
            && request.header("Access-Control-Request-Method") != nil
    }

    private func health() -> HTTPResponse {
        let report = service.health()
        let status = report.status == .healthy ? 200 : 503
        return .json(status: status, body: EventJSON.health(report, version: version))
    }

    private func events(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let query = try EventQueryParser.parse(request.queryItems).get()
        let page: EventPage
        do {
            page = try service.query(query)
        } catch {
            throw translate(error, context: "query")
        }
        metrics?.queryResults.increment(by: page.events.count)
        return .json(status: 200, body: EventJSON.page(page, query: query))
    }

    private func event(id: String) throws(APIError) -> HTTPResponse {
        .json(status: 200, body: EventJSON.event(try lookUp(id)))
    }

    private func rawEvent(id: String) throws(APIError) -> HTTPResponse {
        RawEventResponse.make(for: try lookUp(id))
    }

    private func lookUp(_ id: String) throws(APIError) -> StoredEvent {
        let found: StoredEvent?
        do {
            found = try service.event(id: id)
        } catch {
            throw translate(error, context: "lookup")
        }
        guard let found else { throw APIError.notFound("Event \(id) not found") }
        metrics?.queryResults.increment()
        return found
    }

    private func translate(_ error: EventQueryError, context: String) -> APIError {
        switch error.code {
        case .invalidCursor:
            return .invalidParameters([
                ValidationProblem(type: "invalid_cursor", parameter: "cursor", message: error.message, input: nil)
            ])
        case .notReady:
            return .unavailable("The indexes are still being built; retry shortly")
        case .storeFailure:
            logger.error(
                "store read failed", ["api.operation": .string(context), "error": .string(error.message)])
            return .internalFailure()
        }
    }
}
