/// The `endpoint` label of the API request metrics: one value per route, so that the number of
/// series stays fixed however many different paths clients request.
public enum APIEndpointLabel: String, Sendable, CaseIterable {
    /// `GET /events`, the filtered list.
    case events = "/events"
    /// `GET /events/{id}`, one event.
    case event = "/events/{id}"
    /// `GET /events/{id}/raw`, the original message body.
    case rawEvent = "/events/{id}/raw"
    /// `GET /health`.
    case health = "/health"
    /// `GET /metrics`, the scrape.
    case metrics = "/metrics"
    /// Every path that matches no route.
    case other = "other"
}
