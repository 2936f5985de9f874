import Observability

/// The routes of the query API, matched from a decoded path.
enum APIRoute: Hashable {
    /// `/health`
    case health
    /// `/events`
    case events
    /// `/events/{id}`
    case event(id: String)
    /// `/events/{id}/raw`
    case rawEvent(id: String)
    /// Anything else.
    case unknown

    /// The route for `path`; one trailing slash is ignored (`/events/` is `/events`).
    static func match(_ path: String) -> APIRoute {
        var trimmed = Substring(path)
        if trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].isEmpty else { return .unknown }
        switch (parts.count, parts[1]) {
        case (2, "health"): return .health
        case (2, "events"): return .events
        case (3, "events") where !parts[2].isEmpty: return .event(id: String(parts[2]))
        case (4, "events") where !parts[2].isEmpty && parts[3] == "raw": return .rawEvent(id: String(parts[2]))
        default: return .unknown
        }
    }

    /// The bounded `endpoint` label of the request metrics.
    var metricLabel: APIEndpointLabel {
        switch self {
        case .health: .health
        case .events: .events
        case .event: .event
        case .rawEvent: .rawEvent
        case .unknown: .other
        }
    }
}
