/// Writing the Prometheus text exposition format, version 0.0.4.
///
/// One family reads: a `# HELP` line, a `# TYPE` line, then one sample per line as
/// `name{label="value",…} number`. Help text escapes backslash and line feed; label values also
/// escape the double quote.
enum PrometheusText {
    /// The `Content-Type` of a scrape response in this format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Appends the `# HELP` and `# TYPE` lines of a family.
    static func appendHeader(name: String, help: String, type: String, to text: inout String) {
        text += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    /// Appends one sample line.
    ///
    /// - Parameters:
    ///   - name: The sample name (with `_bucket`, `_sum` or `_count` for histogram parts).
    ///   - labels: Label names and values in order; an extra `le` goes last for buckets.
    ///   - value: The sample value.
    static func appendSample(name: String, labels: [(String, String)], value: Double, to text: inout String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, label) in labels.enumerated() {
                if index > 0 { text += "," }
                text += label.0
                text += "=\""
                text += escapeLabelValue(label.1)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += format(value)
        text += "\n"
    }

    /// A number as the format writes it: integers without a fraction, `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Help text with `\` and line feeds escaped.
    static func escapeHelp(_ help: String) -> String {
        guard help.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A }) else { return help }
        var escaped = ""
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A label value with `\`, `"` and line feeds escaped.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x22 }) else { return value }
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"": escaped += "\\\""
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        isValidIdentifier(name, allowColon: true)
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    static func isValidLabelName(_ name: String) -> Bool {
        isValidIdentifier(name, allowColon: false) && !name.hasPrefix("__")
    }

    private static func isValidIdentifier(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
                || (allowColon && byte == 0x3A)
        }
        guard isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
