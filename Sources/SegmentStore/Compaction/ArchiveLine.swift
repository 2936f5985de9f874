import Foundation

/// Reads one archive line back into a `StoredEvent`.
///
/// A small JSON scanner rather than `JSONSerialization`, because `properties` and `payload`
/// must come back byte for byte: the scanner finds where each top-level value starts and ends,
/// decodes the strings, and hands the two embedded JSON values over as the bytes they were.
enum ArchiveLine {
    /// Why a line cannot be read.
    struct Failure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The event on `line`.
    static func event(from line: [UInt8]) throws(Failure) -> StoredEvent {
        let fields = try topLevelFields(of: line)
        func raw(_ name: String) -> ArraySlice<UInt8>? { fields[name].map { line[$0] } }
        func string(_ name: String) throws(Failure) -> String? {
            guard let value = raw(name) else { return nil }
            if value.elementsEqual("null".utf8) { return nil }
            return try decodeString(value, field: name)
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

    /// The byte range of each top-level member's value, by key.
    static func topLevelFields(of line: [UInt8]) throws(Failure) -> [String: Range<Int>] {
        var scanner = Scanner(bytes: line)
        var fields: [String: Range<Int>] = [:]
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.position += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let keyStart = scanner.position
                try scanner.skipString()
                let key = try decodeString(line[keyStart..<scanner.position], field: "a key")
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                let valueStart = scanner.position
                try scanner.skipValue(depth: 0)
                fields[key] = valueStart..<scanner.position
                scanner.skipWhitespace()
                if scanner.peek == UInt8(ascii: ",") {
                    scanner.position += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.position == line.count else { throw Failure("text after the JSON object") }
        return fields
    }

    /// Decodes a JSON string literal, quotes included.
    static func decodeString(_ literal: ArraySlice<UInt8>, field: String) throws(Failure) -> String {
        guard literal.count >= 2, literal.first == 0x22, literal.last == 0x22 else {
            throw Failure("\(field) is not a string")
        }
        var output = [UInt8]()
        output.reserveCapacity(literal.count)
        var index = literal.startIndex + 1
        let end = literal.endIndex - 1
        func hex4(_ at: Int) throws(Failure) -> UInt32 {
            guard at + 4 <= end, let value = UInt32(String(decoding: literal[at..<(at + 4)], as: UTF8.self), radix: 16)
            else { throw Failure("\(field) has a bad \\u escape") }
            return value
        }
        while index < end {
            let byte = literal[index]
            guard byte == 0x5C else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < end else { throw Failure("\(field) ends inside an escape") }
            let escaped = literal[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 6 <= end, literal[index] == 0x5C, literal[index + 1] == UInt8(ascii: "u") else {
                        throw Failure("\(field) has an unpaired surrogate")
                    }
                    let low = try hex4(index + 2)
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure("\(field) has an unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let character = Unicode.Scalar(scalar) else {
                    throw Failure("\(field) has an invalid \\u escape")
                }
                output.append(contentsOf: Array(String(Character(character)).utf8))
            default:
                throw Failure("\(field) has an unknown escape")
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Walks JSON text without building values.
    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard peek == byte else {
                throw Failure("expected '\(Character(Unicode.Scalar(byte)))' at column \(position + 1)")
            }
            position += 1
        }

        mutating func skipString() throws(Failure) {
            try expect(0x22)
            while let byte = peek {
                position += 1
                if byte == 0x5C {
                    position += 1
                } else if byte == 0x22 {
                    return
                }
            }
            throw Failure("a string is not closed")
        }

        mutating func skipValue(depth: Int) throws(Failure) {
            guard depth < 512 else { throw Failure("values nest too deeply") }
            guard let byte = peek else { throw Failure("a value is missing at the end of the line") }
            switch byte {
            case 0x22:
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                position += 1
                skipWhitespace()
                if peek == close {
                    position += 1
                    return
                }
                while true {
                    skipWhitespace()
                    if close == UInt8(ascii: "}") {
                        try skipString()
                        skipWhitespace()
                        try expect(UInt8(ascii: ":"))
                        skipWhitespace()
                    }
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    if peek == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    try expect(close)
                    return
                }
            default:
                let start = position
                while let next = peek,
                    !(next == UInt8(ascii: ",") || next == UInt8(ascii: "}")
                        || next == UInt8(ascii: "]") || next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D)
                {
                    position += 1
                }
                guard position > start else { throw Failure("a value is missing at column \(start + 1)") }
            }
        }
    }
}
