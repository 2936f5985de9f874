import Foundation
import Observability

/// Reads one archive line back into a `StoredEvent`.
///
/// `JSONReader` rather than `JSONSerialization`, because `properties` and `payload` must come
/// back byte for byte: the reader finds where each top-level value starts and ends, decodes the
/// strings, and the two embedded JSON values are handed over as the bytes they were.
enum ArchiveLine {
    /// Why a line cannot be read.
    struct Failure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The event on `line`.
    static func event(from line: [UInt8]) throws(Failure) -> StoredEvent {
        let (reader, fields) = try topLevelFields(of: line)
        func raw(_ name: String) -> ArraySlice<UInt8>? { fields[name].map { line[$0.range] } }
        func string(_ name: String) throws(Failure) -> String? {
            guard let value = fields[name], value.kind != .null else { return nil }
            guard value.kind == .string else { throw Failure("\"\(name)\" is not a string") }
            return reader.string(value)
        }
        func required(_ name: String) throws(Failure) -> String {
            guard let value = try string(name) else { throw Failure("\"\(name)\" is missing") }
            return value
        }
        func time(_ name: String) throws(Failure) -> EventTimestamp {
            let text = try required(name)
            guard let value = EventTimestamp(rfc3339: text) else {
                throw Failure("\"\(name)\" is not an RFC 3339 timestamp: \(text.prefix(40))")
            }
            return value
        }
        func bytes(_ name: String) throws(Failure) -> [UInt8] {
            if let value = raw(name) { return Array(value) }
            guard let encoded = try string(name + "_base64") else {
                throw Failure("neither \"\(name)\" nor \"\(name)_base64\" is present")
            }
            guard let data = Data(base64Encoded: encoded) else { throw Failure("\"\(name)_base64\" is not base64") }
            return [UInt8](data)
        }

        var sequence: UInt64 = 0
        if let value = raw("sequence"), !value.elementsEqual("null".utf8) {
            guard let number = UInt64(String(decoding: value, as: UTF8.self)) else {
                throw Failure("\"sequence\" is not a non-negative integer")
            }
            sequence = number
        }
        guard let body = Data(base64Encoded: try required("body_base64")) else {
            throw Failure("\"body_base64\" is not base64")
        }
        return StoredEvent(
            id: try required("id"), eventType: try required("event_type"), source: try required("source"),
            target: try string("target"), sessionId: try string("session_id"),
            correlationId: try string("correlation_id"), timestamp: try time("timestamp"),
            receivedAt: try time("received_at"), payload: try bytes("payload"),
            original: OriginalMessage(
                exchange: try required("exchange"), routingKey: try required("routing_key"),
                properties: try bytes("properties"), body: [UInt8](body)),
            sequence: sequence, storedAt: try time("stored_at"))
    }

    /// The byte range of each top-level member's value, by key, and the reader that decodes them.
    static func topLevelFields(of line: [UInt8]) throws(Failure) -> (JSONReader, [String: JSONSpan]) {
        let reader = JSONReader(bytes: line)
        let document: JSONReader.Validated
        do {
            document = try reader.validateCollectingRootMembers()
        } catch {
            throw Failure("not JSON: \(error)")
        }
        guard document.root.kind == .object else { throw Failure("not a JSON object") }
        var fields: [String: JSONSpan] = [:]
        for member in document.members {
            fields[reader.string(member.key)] = member.value
        }
        return (reader, fields)
    }
}
