import Observability

/// Small helpers for writing JSON by hand into a byte buffer, so that stored payloads can be
/// spliced in verbatim instead of being parsed and re-encoded.
enum JSONBytes {
    /// Appends `"key":`.
    static func appendKey(_ key: String, to output: inout [UInt8]) {
        JSONText.appendQuoted(key, to: &output)
        output.append(0x3A)
    }

    /// Appends a string literal, or `null`.
    static func appendString(_ value: String?, to output: inout [UInt8]) {
        guard let value else { return appendNull(to: &output) }
        JSONText.appendQuoted(value, to: &output)
    }

    /// Appends an integer.
    static func appendInteger(_ value: some BinaryInteger, to output: inout [UInt8]) {
        output.append(contentsOf: String(value).utf8)
    }

    /// Appends a number, or `null` when it is not finite (JSON has no infinity or NaN).
    static func appendNumber(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else { return appendNull(to: &output) }
        if value == value.rounded(), abs(value) < 1e15 {
            output.append(contentsOf: String(Int64(value)).utf8)
            output.append(contentsOf: ".0".utf8)
        } else {
            output.append(contentsOf: String(value).utf8)
        }
    }

    /// Appends `true` or `false`.
    static func appendBool(_ value: Bool, to output: inout [UInt8]) {
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Appends `null`.
    static func appendNull(to output: inout [UInt8]) {
        output.append(contentsOf: "null".utf8)
    }

    /// Appends `{"detail":"message"}`, the error shape of the service this one replaces.
    static func detail(_ message: String) -> [UInt8] {
        var output: [UInt8] = []
        output.append(0x7B)
        appendKey("detail", to: &output)
        appendString(message, to: &output)
        output.append(0x7D)
        return output
    }
}
