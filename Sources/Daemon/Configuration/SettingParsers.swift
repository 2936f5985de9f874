import Foundation

/// Parsers for the kinds of values settings take; each returns `nil` for text it does not accept,
/// and the caller words the error.
enum SettingParsers {
    /// A decimal integer within `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else { return nil }
        return value
    }

    /// A byte count: an integer with an optional binary suffix `K`, `M` or `G` (also `KiB`, `MB`, …),
    /// within `range`.
    static func byteCount(_ text: String, in range: ClosedRange<Int>) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits.removeLast(suffix.count)
            break
        }
        var multiplier = 1
        switch digits.last {
        case "K": multiplier = 1 << 10
        case "M": multiplier = 1 << 20
        case "G": multiplier = 1 << 30
        default: break
        }
        if multiplier > 1 { digits.removeLast() }
        guard let base = Int(digits), base >= 0 else { return nil }
        let (value, overflow) = base.multipliedReportingOverflow(by: multiplier)
        guard !overflow, range.contains(value) else { return nil }
        return value
    }

    /// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any case.
    static func boolean(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }

    /// A name the broker accepts: 1-255 bytes of UTF-8 without control characters.
    static func brokerName(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 255, !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else { return nil }
        return text
    }
}
