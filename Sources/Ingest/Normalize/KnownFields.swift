import Foundation
import Observability
import SegmentStore

/// The names the normaliser reads, in every shape: root members, and the members of the `source`
/// and `agent_context` objects.
enum FieldName: Int, CaseIterable {
    case eventId, id, eventType, type, timestamp, ts, time, source, payload, data, correlationIds
    case correlationId, correlationid, sessionId, sessionid, agentContext, target, specversion
    case host, app, instanceId

    /// The name a key of `reader`'s document spells, if any. Plain keys are matched as bytes; a
    /// key spelled with escapes is decoded first.
    @inline(__always)  // Inlined, the reader is borrowed rather than retained and released per key.
    init?(key: JSONSpan, in reader: JSONReader) {
        let inner = (key.range.lowerBound + 1)..<(key.range.upperBound - 1)
        var escaped = false
        // The closure captures only trivial values: one that used `reader` would retain its bytes.
        var name: FieldName? = reader.bytes.withUnsafeBufferPointer { buffer in
            let plain = UnsafeBufferPointer(rebasing: buffer[inner])
            escaped = plain.contains(UInt8(ascii: "\\"))
            return escaped ? nil : FieldName(key: plain)
        }
        if escaped {
            var text = reader.string(key)
            name = text.withUTF8 { FieldName(key: $0) }
        }
        guard let name else { return nil }
        self = name
    }

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
    /// The root member the payload is, when there is one.
    var payload: FieldName?
    var correlationId: String?
    var sessionId: String?
    var target: String?
}

/// The members of a body that the normaliser reads, found in the single validating pass: the root
/// object's known members, and `host` and `app` of `source`, `session_id` and `instance_id` of
/// `agent_context` (the last duplicate of a name wins, as in most JSON readers). With typed
/// look-ups and the per-shape mapping of `EnvelopeNormalizer`.
///
/// The spans sit in fixed-size inline arrays, so reading the fields of a body allocates nothing
/// but the strings it returns.
struct KnownFields {
    /// The nested members kept, by their place in `Members.nested`.
    private enum NestedField: Int, CaseIterable {
        case sourceHost, sourceApp, agentSessionId, agentInstanceId

        init?(parent: FieldName, name: FieldName) {
            switch (parent, name) {
            case (.source, .host): self = .sourceHost
            case (.source, .app): self = .sourceApp
            case (.agentContext, .sessionId): self = .agentSessionId
            case (.agentContext, .instanceId): self = .agentInstanceId
            default: return nil
            }
        }
    }

    /// What the validating pass keeps of the members it reads.
    private struct Members {
        /// The value of each root member, by `FieldName.rawValue`.
        var spans = InlineArray<21, JSONSpan?>(repeating: nil)
        /// Bit `FieldName.rawValue` is set when that root member's value holds no insignificant
        /// whitespace.
        var compact: UInt32 = 0
        /// The nested members of the last `source` and `agent_context` objects, by `NestedField`.
        var nested = InlineArray<4, JSONSpan?>(repeating: nil)
        /// The nested members of the object being read, moved to `nested` when its root member
        /// ends (a nested object is read before the member that holds it).
        var pendingNested = InlineArray<4, JSONSpan?>(repeating: nil)

        init() {
            assert(FieldName.allCases.count == spans.count, "one span for every field name")
            assert(NestedField.allCases.count == nested.count, "one span for every nested field")
        }

        mutating func record(_ visited: JSONReader.VisitedMember, in reader: JSONReader) {
            guard let name = FieldName(key: visited.member.key, in: reader) else { return }
            if let parentKey = visited.parentKey {
                guard let parent = FieldName(key: parentKey, in: reader),
                    let field = NestedField(parent: parent, name: name)
                else { return }
                pendingNested[field.rawValue] = visited.member.value
                return
            }
            spans[name.rawValue] = visited.member.value
            let bit: UInt32 = 1 << name.rawValue
            compact = visited.isCompact ? compact | bit : compact & ~bit
            // The object this member holds (if it is one) was read just now: its members win.
            switch name {
            case .source:
                commit(.sourceHost)
                commit(.sourceApp)
            case .agentContext:
                commit(.agentSessionId)
                commit(.agentInstanceId)
            default:
                break
            }
        }

        private mutating func commit(_ field: NestedField) {
            nested[field.rawValue] = pendingNested[field.rawValue]
            pendingNested[field.rawValue] = nil
        }
    }

    let reader: JSONReader
    /// The root value.
    let root: JSONSpan
    /// Whether the root value holds no insignificant whitespace.
    let rootIsCompact: Bool
    private let members: Members

    /// Validates the document of `reader` and keeps the members the normaliser reads, in one pass.
    ///
    /// - Throws: `JSONSyntaxError` when the body is not JSON.
    init(validating reader: JSONReader) throws(JSONSyntaxError) {
        var members = Members()
        (root, rootIsCompact) = try reader.validate { visited in members.record(visited, in: reader) }
        self.reader = reader
        self.members = members
    }

    subscript(_ name: FieldName) -> JSONSpan? { members.spans[name.rawValue] }

    private subscript(_ field: NestedField) -> JSONSpan? { members.nested[field.rawValue] }

    /// Whether the value of `name` holds no insignificant whitespace.
    func isCompact(_ name: FieldName) -> Bool { members.compact & (1 << name.rawValue) != 0 }

    /// The value of `name` when it is a non-empty string.
    func string(_ name: FieldName) -> String? { text(self[name]) }

    /// Whether `name` holds a non-empty string, without decoding it.
    func hasText(_ name: FieldName) -> Bool { isText(self[name]) }

    /// The value of `name` when it is a parseable RFC 3339 string.
    func timestamp(_ name: FieldName) -> EventTimestamp? {
        guard let span = self[name], span.kind == .string else { return nil }
        let inner = (span.range.lowerBound + 1)..<(span.range.upperBound - 1)
        let plain = reader.bytes.withUnsafeBufferPointer { buffer -> [UInt8]? in
            let text = UnsafeBufferPointer(rebasing: buffer[inner])
            return text.contains(UInt8(ascii: "\\")) ? nil : Array(text)
        }
        return EventTimestamp(rfc3339Bytes: plain ?? Array(reader.string(span).utf8))
    }

    /// `name` when the object has that member, whatever its value (`null` included).
    func present(_ name: FieldName) -> FieldName? {
        self[name] == nil ? nil : name
    }

    var shape: EnvelopeShape {
        if self[.specversion]?.kind == .string { return .cloudEvents }
        if self[.source]?.kind == .object { return .eventEnvelope }
        if hasText(.eventId), self[.payload] != nil { return .eventEnvelope }
        if hasText(.id), hasText(.eventType), self[.ts] != nil || self[.data] != nil { return .legacy }
        return .other
    }

    /// The stored fields for `shape`; where a field has several sources, the first that holds a
    /// usable value wins.
    func mapping(for shape: EnvelopeShape) -> MappedFields {
        switch shape {
        case .eventEnvelope:
            return MappedFields(
                id: string(.eventId), eventType: string(.eventType), source: envelopeSource,
                timestamp: timestamp(.timestamp), payload: present(.payload),
                correlationId: firstCorrelationId ?? string(.correlationId),
                sessionId: string(.sessionId) ?? agentSessionId, target: string(.target))
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
                id: string(.eventId) ?? string(.id), eventType: string(.eventType) ?? string(.type),
                source: string(.source), timestamp: timestamp(.timestamp) ?? timestamp(.ts) ?? timestamp(.time),
                payload: present(.payload) ?? present(.data),
                correlationId: string(.correlationId) ?? string(.correlationid), sessionId: string(.sessionId),
                target: string(.target))
        }
    }

    /// `app@host` from a `source` object (`unknown@host` without an app), or a string `source` as is.
    private var envelopeSource: String? {
        guard self[.source]?.kind == .object else { return string(.source) }
        switch (text(self[.sourceApp]), text(self[.sourceHost])) {
        case (let app?, let host?): return app + "@" + host
        case (nil, let host?): return "unknown@" + host
        case (let app?, nil): return app
        case (nil, nil): return nil
        }
    }

    /// `agent_context.session_id`, else `agent_context.instance_id`.
    private var agentSessionId: String? {
        guard self[.agentContext]?.kind == .object else { return nil }
        return text(self[.agentSessionId]) ?? text(self[.agentInstanceId])
    }

    private var firstCorrelationId: String? {
        guard let list = self[.correlationIds], list.kind == .array,
            let first = reader.firstElement(of: list), first.kind == .string
        else { return nil }
        return nonEmpty(reader.string(first))
    }

    /// Whether `span` is a non-empty string (an escape never decodes to nothing, so a string is
    /// empty exactly when nothing sits between its quotes).
    private func isText(_ span: JSONSpan?) -> Bool {
        guard let span, span.kind == .string else { return false }
        return span.range.count > 2
    }

    /// `span` decoded, when it is a non-empty string.
    private func text(_ span: JSONSpan?) -> String? {
        guard isText(span), let span else { return nil }
        return reader.string(span)
    }
}
