import SegmentStore

/// The top-level names the normaliser reads, in every shape.
enum FieldName: Int, CaseIterable {
    case eventId, id, eventType, type, timestamp, ts, time, source, payload, data, correlationIds
    case correlationId, correlationid, sessionId, sessionid, agentContext, target, specversion
    case host, app, instanceId

    /// The name as it appears in bodies.
    var text: String {
        switch self {
        case .eventId: "event_id"
        case .id: "id"
        case .eventType: "event_type"
        case .type: "type"
        case .timestamp: "timestamp"
        case .ts: "ts"
        case .time: "time"
        case .source: "source"
        case .payload: "payload"
        case .data: "data"
        case .correlationIds: "correlation_ids"
        case .correlationId: "correlation_id"
        case .correlationid: "correlationid"
        case .sessionId: "session_id"
        case .sessionid: "sessionid"
        case .agentContext: "agent_context"
        case .target: "target"
        case .specversion: "specversion"
        case .host: "host"
        case .app: "app"
        case .instanceId: "instance_id"
        }
    }

    static let byText: [String: FieldName] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.text, $0) })
}

/// The stored fields a body supplies, before the fallbacks that do not depend on the body.
struct MappedFields {
    var id: String?
    var eventType: String?
    var source: String?
    var timestamp: EventTimestamp?
    var payload: JSONSpan?
    var correlationId: String?
    var sessionId: String?
    var target: String?
}

/// The members of one JSON object that the normaliser reads, found in a single pass over the
/// object (the last duplicate of a name wins, as in most JSON readers), with typed look-ups and the
/// per-shape mapping of `EnvelopeNormalizer`.
struct KnownFields {
    let reader: JSONReader
    private var spans: [JSONSpan?]

    init(reader: JSONReader, members: [JSONMember]) {
        self.reader = reader
        spans = Array(repeating: nil, count: FieldName.allCases.count)
        for member in members {
            if let name = FieldName.byText[reader.string(member.key)] {
                spans[name.rawValue] = member.value
            }
        }
    }

    subscript(_ name: FieldName) -> JSONSpan? { spans[name.rawValue] }

    /// The first of `names` that holds a non-empty string.
    func string(_ names: FieldName...) -> String? {
        for name in names {
            if let span = self[name], span.kind == .string, let text = nonEmpty(reader.string(span)) { return text }
        }
        return nil
    }

    /// The first of `names` that holds a parseable RFC 3339 string.
    func timestamp(_ names: FieldName...) -> EventTimestamp? {
        for name in names {
            if let span = self[name], span.kind == .string {
                let inner = (span.range.lowerBound + 1)..<(span.range.upperBound - 1)
                let value = reader.bytes[inner].contains(UInt8(ascii: "\\"))
                    ? EventTimestamp(rfc3339: reader.string(span)) : EventTimestamp(rfc3339UTF8: reader.bytes[inner])
                if let value { return value }
            }
        }
        return nil
    }

    /// The first of `names` that is present at all, whatever its value (`null` included).
    func present(_ names: FieldName...) -> JSONSpan? {
        for name in names {
            if let span = self[name] { return span }
        }
        return nil
    }

    /// The known members of a nested object.
    func object(_ name: FieldName) -> KnownFields? {
        guard let span = self[name], span.kind == .object else { return nil }
        return KnownFields(reader: reader, members: reader.members(of: span))
    }

    var shape: EnvelopeShape {
        if self[.specversion]?.kind == .string { return .cloudEvents }
        if self[.source]?.kind == .object { return .eventEnvelope }
        if string(.eventId) != nil, self[.payload] != nil { return .eventEnvelope }
        if string(.id) != nil, string(.eventType) != nil, self[.ts] != nil || self[.data] != nil { return .legacy }
        return .other
    }

    func mapping(for shape: EnvelopeShape) -> MappedFields {
        switch shape {
        case .eventEnvelope:
            let agent = object(.agentContext)
            return MappedFields(
                id: string(.eventId), eventType: string(.eventType), source: envelopeSource,
                timestamp: timestamp(.timestamp), payload: present(.payload),
                correlationId: firstCorrelationId ?? string(.correlationId),
                sessionId: string(.sessionId) ?? agent?.string(.sessionId, .instanceId), target: string(.target))
        case .legacy:
            return MappedFields(
                id: string(.id), eventType: string(.eventType), source: string(.source), timestamp: timestamp(.ts),
                payload: present(.data), correlationId: string(.correlationId), sessionId: string(.sessionId),
                target: string(.target))
        case .cloudEvents:
            return MappedFields(
                id: string(.id), eventType: string(.type), source: string(.source), timestamp: timestamp(.time),
                payload: present(.data), correlationId: string(.correlationid), sessionId: string(.sessionid),
                target: string(.target))
        case .other:
            return MappedFields(
                id: string(.eventId, .id), eventType: string(.eventType, .type), source: string(.source),
                timestamp: timestamp(.timestamp, .ts, .time), payload: present(.payload, .data),
                correlationId: string(.correlationId, .correlationid), sessionId: string(.sessionId),
                target: string(.target))
        }
    }

    /// `app@host` from a `source` object (`unknown@host` without an app), or a string `source` as is.
    private var envelopeSource: String? {
        guard let source = object(.source) else { return string(.source) }
        let host = source.string(.host)
        let app = source.string(.app)
        switch (app, host) {
        case (let app?, let host?): return app + "@" + host
        case (nil, let host?): return "unknown@" + host
        case (let app?, nil): return app
        case (nil, nil): return nil
        }
    }

    private var firstCorrelationId: String? {
        guard let list = self[.correlationIds], list.kind == .array,
            let first = reader.elements(of: list).first, first.kind == .string
        else { return nil }
        return nonEmpty(reader.string(first))
    }
}
