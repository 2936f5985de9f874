import SegmentStore

/// The string fields of an event that have a secondary index and a filter of their own.
public enum IndexField: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// `event_type`.
    case eventType = 0
    /// `source`.
    case source = 1
    /// `target`.
    case target = 2
    /// `session_id`.
    case sessionId = 3
    /// `correlation_id`.
    case correlationId = 4

    /// The field's name in the query API.
    public var description: String {
        switch self {
        case .eventType: "event_type"
        case .source: "source"
        case .target: "target"
        case .sessionId: "session_id"
        case .correlationId: "correlation_id"
        }
    }

    /// The field's value in `fields`, if the event has one.
    func value(in fields: IndexedFields) -> String? {
        switch self {
        case .eventType: fields.eventType
        case .source: fields.source
        case .target: fields.target
        case .sessionId: fields.sessionId
        case .correlationId: fields.correlationId
        }
    }
}
