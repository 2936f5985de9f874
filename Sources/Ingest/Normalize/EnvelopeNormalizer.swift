import Observability
import SegmentStore

/// Turns a broker message into a `StoredEvent`, recognising every body shape in use on Bloodbank
/// (EventEnvelope, legacy, CloudEvents, anything else) and mapping each to the stored fields.
///
/// The mapping, field by field, per shape (first match wins; empty strings count as absent):
///
/// - id: EventEnvelope `event_id`; legacy and CloudEvents `id`; other `event_id`, then `id`.
/// - event_type: `event_type`; CloudEvents `type`; other `event_type`, then `type`.
/// - source: EventEnvelope `app@host` of the `source` object (`unknown@host` without an app);
///   the others a string `source`.
/// - timestamp: EventEnvelope `timestamp`; legacy `ts`; CloudEvents `time`; other `timestamp`,
///   `ts`, then `time`.
/// - payload: EventEnvelope `payload`; legacy and CloudEvents `data`; other `payload`, then `data`.
/// - correlation_id: EventEnvelope the first of `correlation_ids`, then `correlation_id`; legacy
///   `correlation_id`; CloudEvents `correlationid`; other `correlation_id`, then `correlationid`.
/// - session_id: EventEnvelope `session_id`, then `agent_context.session_id`, then
///   `agent_context.instance_id`; legacy and other `session_id`; CloudEvents `sessionid`.
/// - target: `target` in every shape.
///
/// Then, for every shape: an id falls back to the AMQP `message_id`, then to `DerivedEventID` of
/// the body; the event type to the routing key; the source to `unknown`; a missing or unparseable
/// timestamp to the time of receipt; a missing payload to the whole body. Only string values count
/// for text fields. Timestamps are RFC 3339 with `Z` or any offset, stored in UTC microseconds.
/// The payload is the chosen value's JSON with insignificant whitespace removed; the body itself
/// is kept byte for byte in `StoredEvent.original`.
public struct EnvelopeNormalizer: Sendable {
    /// Bodies larger than this are rejected as `tooLarge` (`MAX_EVENT_BYTES`, default 1 MiB).
    public var maxEventBytes: Int

    /// Creates a normaliser.
    ///
    /// - Parameter maxEventBytes: the largest body accepted as an event.
    public init(maxEventBytes: Int = 1 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Normalises one message.
    ///
    /// - Returns: `.event` with the stored event (sequence and `storedAt` unset), or `.rejected`
    ///   with the quarantine reason.
    /// - Complexity: O(n) in the body's size.
    public func normalize(_ message: IncomingMessage) -> NormalizationResult {
        let body = message.body
        func reject(_ reason: QuarantineReason, _ detail: String) -> NormalizationResult {
            .rejected(
                RejectedMessage(
                    reason: reason, detail: detail, id: DerivedEventID.make(for: body), original: message.original,
                    receivedAt: message.receivedAt))
        }

        guard body.count <= maxEventBytes else {
            return reject(.tooLarge, "body of \(body.count) bytes exceeds the limit of \(maxEventBytes)")
        }
        if let offset = UTF8Validation.firstInvalidOffset(in: body) {
            return reject(.invalidUTF8, "invalid UTF-8 at byte \(offset)")
        }
        let reader = JSONReader(bytes: body)
        let fields: KnownFields
        do {
            fields = try KnownFields(validating: reader)
        } catch {
            return reject(.invalidJSON, error.description)
        }
        let root = fields.root
        guard root.kind == .object else {
            return reject(.notAnObject, "the body is a JSON \(root.kind), not an object")
        }

        let shape = fields.shape
        let mapped = fields.mapping(for: shape)

        let id = mapped.id ?? nonEmpty(message.properties.messageId) ?? DerivedEventID.make(for: body)
        let eventType = mapped.eventType ?? message.routingKey
        let payload: [UInt8]
        if let name = mapped.payload, let span = fields[name] {
            payload = reader.minified(span, knownCompact: fields.isCompact(name))
        } else {
            payload = reader.minified(root, knownCompact: fields.rootIsCompact)
        }
        let limit = FrameCodec.maximumShortFieldBytes
        func tooLong(_ name: String, _ value: String?) -> NormalizationResult? {
            guard let count = value?.utf8.count, count > limit else { return nil }
            return reject(.fieldTooLong, "\(name) of \(count) bytes exceeds \(limit)")
        }
        if let rejected = tooLong("id", id) ?? tooLong("event_type", eventType) ?? tooLong("source", mapped.source)
            ?? tooLong("target", mapped.target) ?? tooLong("session_id", mapped.sessionId)
            ?? tooLong("correlation_id", mapped.correlationId)
        {
            return rejected
        }
        let event = StoredEvent(
            id: id, eventType: eventType, source: mapped.source ?? "unknown", target: mapped.target,
            sessionId: mapped.sessionId, correlationId: mapped.correlationId,
            timestamp: mapped.timestamp ?? message.receivedAt, receivedAt: message.receivedAt, payload: payload,
            original: message.original)
        return .event(event, shape)
    }
}

func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}
