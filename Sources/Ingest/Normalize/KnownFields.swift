import Foundation
import Observability
import SegmentStore

/// The top-level names the normaliser reads, in every shape.
enum FieldName: Int, CaseIterable {
    case eventId, id, eventType, type, timestamp, ts, time, source, payload, data, correlationIds
    case correlationId, correlationid, sessionId, sessionid, agentContext, target, specversion
    case host, app, instanceId

    /// The name spelled by `key` (the bytes between a key's quotes), without building a string.
    init?(key: UnsafeBufferPointer<UInt8>) {
        func matches(_ name: StaticString) -> Bool {
            name.utf8CodeUnitCount == key.count && memcmp(name.utf8Start, key.baseAddress!, key.count) == 0
        }
        guard key.count >= 2 else { return nil }
        let found: FieldName?
        switch key[0] {
        case UInt8(ascii: "a"): found = matches("agent_context") ? .agentContext : matches("app") ? .app : nil
        case UInt8(ascii: "c"):
            found =
                matches("correlation_ids")
                ? .correlationIds
                : matches("correlation_id") ? .correlationId : matches("correlationid") ? .correlationid : nil
        case UInt8(ascii: "d"): found = matches("data") ? .data : nil
        case UInt8(ascii: "e"): found = matches("event_id") ? .eventId : matches("event_type") ? .eventType : nil
        case UInt8(ascii: "h"): found = matches("host") ? .host : nil
        case UInt8(ascii: "i"): found = matches("id") ? .id : matches("instance_id") ? .instanceId : nil
        case UInt8(ascii: "p"): found = matches("payload") ? .payload : nil
        case UInt8(ascii: "s"):
            found =
                matches("source")
                ? .source
                : matches("session_id")
                    ? .sessionId
                    : matches("sessionid") ? .sessionid : matches("specversion") ? .specversion : nil
        case UInt8(ascii: "t"):
            found =
                matches("type")
                ? .type
                : matches("timestamp")
                    ? .timestamp
                    : matches("ts")
                        ? .ts
                        : matches("time") ? .time : matches("target") ? .target : nil
        default: found = nil
        }
        guard let found else { return nil }
        self = found
    }
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
        var spans = [JSONSpan?](repeating: nil, count: FieldName.allCases.count)
        reader.bytes.withUnsafeBufferPointer { buffer in
            for member in members {
                let inner = (member.key.range.lowerBound + 1)..<(member.key.range.upperBound - 1)
                let key = UnsafeBufferPointer(rebasing: buffer[inner])
                // A key spelled with escapes is decoded first; plain keys are matched as bytes.
                let name: FieldName?
                if key.contains(UInt8(ascii: "\\")) {
                    var text = reader.string(member.key)
                    name = text.withUTF8 { FieldName(key: $0) }
                } else {
                    name = FieldName(key: key)
                }
                if let name { spans[name.rawValue] = member.value }
            }
        }
        self.spans = spans
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
                let text =
                    reader.bytes[inner].contains(UInt8(ascii: "\\"))
                    ? Array(reader.string(span).utf8) : Array(reader.bytes[inner])
                let value = EventTimestamp(rfc3339Bytes: text)
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
