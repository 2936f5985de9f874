import Foundation

/// The arguments of a subcommand that takes options with values and positional arguments:
/// `--name VALUE` or `--name=VALUE`, bare flags, and everything else in order.
struct CommandArguments {
    var dataDirectory: String
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positional: [String] = []
    var helpRequested = false

    /// Parses `arguments`.
    ///
    /// - Parameters:
    ///   - valued: options that take a value (`--data-dir` always does).
    ///   - flags: options that take none.
    /// - Throws: `UsageError` for an unknown option, a missing value or a data directory that
    ///   does not exist.
    static func parse(
        _ arguments: [String], valued: Set<String>, flags allowed: Set<String>, help: String
    )
        throws -> CommandArguments
    {
        var parsed = CommandArguments(
            dataDirectory: ProcessInfo.processInfo.environment["DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
                ?? "./candystore-data")
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                print(help, terminator: "")
                parsed.helpRequested = true
                return parsed
            }
            guard argument.hasPrefix("--") else {
                parsed.positional.append(argument)
                continue
            }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            if name == "--data-dir" || valued.contains(name) {
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard index < arguments.count else { throw UsageError("\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                if name == "--data-dir" { parsed.dataDirectory = value } else { parsed.values[name] = value }
            } else if allowed.contains(name) && inline == nil {
                parsed.flags.insert(name)
            } else {
                throw UsageError("unknown option '\(argument)'; run with --help for the options")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parsed.dataDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw UsageError("data directory '\(parsed.dataDirectory)' does not exist")
        }
        return parsed
    }
}

/// Parsing of the human-friendly values the maintenance commands take.
enum ArgumentValues {
    /// A duration such as `90d`, `12h`, `30m`, `45s` or `2w`, in microseconds.
    static func durationMicroseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3_600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        default: return nil
        }
        let (micros, overflow) = count.multipliedReportingOverflow(by: seconds * 1_000_000)
        return overflow ? nil : micros
    }

    /// A byte count with an optional `K`, `M` or `G` suffix (powers of 1024).
    static func byteCount(_ text: String) -> Int? {
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.uppercased().last, let multiplier = multipliers[last] {
            return Int(text.dropLast()).map { $0 * multiplier }
        }
        return Int(text)
    }

    /// A byte count for people: `12.3 MB`.
    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
