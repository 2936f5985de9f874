import Foundation
import Observability

extension AMQPMessageProperties {
    /// The properties as one compact JSON object, the form kept in `OriginalMessage.properties`.
    ///
    /// Keys are the AMQP names in snake case (`content_type`, `message_id`, `delivery_mode`, …,
    /// `headers`); absent properties are left out, so a message without properties renders as `{}`.
    /// Header values keep their structure: tables become objects (in wire order), arrays become
    /// arrays, integers and timestamps (seconds) become numbers, byte strings become
    /// `{"base64": "…"}`, and void becomes `null`.
    public var jsonBytes: [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(96)
        output.append(UInt8(ascii: "{"))
        var first = true

        func key(_ name: String) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendQuoted(name, to: &output)
            output.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONText.appendQuoted(value, to: &output)
        }
        func number(_ name: String, _ value: UInt64?) {
            guard let value else { return }
            key(name)
            output.append(contentsOf: String(value).utf8)
        }

        string("content_type", contentType)
        string("content_encoding", contentEncoding)
        string("message_id", messageId)
        number("delivery_mode", deliveryMode.map(UInt64.init))
        string("correlation_id", correlationId)
        string("reply_to", replyTo)
        string("expiration", expiration)
        string("type", type)
        string("app_id", appId)
        string("user_id", userId)
        number("timestamp", timestamp)
        number("priority", priority.map(UInt64.init))
        if let headers {
            key("headers")
            AMQPFieldValue.appendJSON(table: headers, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}

extension AMQPFieldValue {
    /// Appends the value as JSON (see `AMQPMessageProperties.jsonBytes` for the mapping).
    func appendJSON(to output: inout [UInt8]) {
        switch self {
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number):
            output.append(contentsOf: String(number).utf8)
        case .unsigned(let number), .timestamp(let number):
            output.append(contentsOf: String(number).utf8)
        case .double(let number):
            output.append(contentsOf: (number.isFinite ? "\(number)" : "null").utf8)
        case .decimal(let scale, let value):
            output.append(contentsOf: AMQPFieldValue.decimalText(scale: scale, value: value).utf8)
        case .string(let text):
            JSONText.appendQuoted(text, to: &output)
        case .bytes(let bytes):
            output.append(contentsOf: "{\"base64\":\"".utf8)
            output.append(contentsOf: Data(bytes).base64EncodedString().utf8)
            output.append(contentsOf: "\"}".utf8)
        case .table(let entries):
            AMQPFieldValue.appendJSON(table: entries, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.appendJSON(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .void:
            output.append(contentsOf: "null".utf8)
        }
    }

    static func appendJSON(table entries: [AMQPHeader], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        for (index, entry) in entries.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(entry.key, to: &output)
            output.append(UInt8(ascii: ":"))
            entry.value.appendJSON(to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// `value` × 10^-`scale` as a JSON number, for example scale 2, value 12345 → `123.45`.
    static func decimalText(scale: UInt8, value: UInt32) -> String {
        let digits = String(value)
        guard scale > 0 else { return digits }
        let places = Int(scale)
        let padded = String(repeating: "0", count: max(0, places + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -places)
        return padded[..<split] + "." + padded[split...]
    }
}
