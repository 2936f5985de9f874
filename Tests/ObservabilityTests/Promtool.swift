import Foundation

/// Runs `promtool check metrics` (Prometheus' own parser and linter) over scrape text.
///
/// `make test` installs promtool (Debian's `prometheus` package); when it is missing, the checks
/// fail with a message that says so instead of passing silently.
enum Promtool {
    /// What promtool said about one input.
    struct Verdict {
        var exitCode: Int32
        /// Lines promtool printed, one problem each.
        var problems: [String]
    }

    /// Problems promtool reports that the names of the replaced service force on us: the seed's
    /// `candystore_storage_latency_milliseconds` gauge keeps its name, so the unit lint stays.
    static let acceptedProblems: Set<String> = [
        #"candystore_storage_latency_milliseconds use base unit "seconds" instead of "milliseconds""#
    ]

    /// The path of the promtool executable, if one is installed.
    static var executable: String? {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":").map { "\($0)/promtool" } + ["/usr/bin/promtool"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let missingMessage =
        "promtool is not installed: install Debian's prometheus package (make test does) to check the scrape format"

    /// Feeds `text` to `promtool check metrics` on standard input.
    static func check(_ text: String) throws -> Verdict {
        guard let executable else { throw PromtoolMissing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try input.fileHandleForWriting.close()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: printed, as: UTF8.self).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return Verdict(exitCode: process.terminationStatus, problems: lines.filter { !$0.isEmpty })
    }

    struct PromtoolMissing: Error, CustomStringConvertible {
        var description: String { Promtool.missingMessage }
    }
}
