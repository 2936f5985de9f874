import Foundation

/// The samples of a Prometheus text scrape, parsed just enough to read counters back.
struct MetricsScrape {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]

    /// Parses `text`; comment lines are skipped.
    init(_ text: String) throws {
        samples = try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(Self.sample)
    }

    /// The value of the sample named `name` with exactly `labels`, if there is one.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample named `name`, keyed by its labels.
    func series(_ name: String) -> [[String: String]: Double] {
        Dictionary(samples.filter { $0.name == name }.map { ($0.labels, $0.value) }, uniquingKeysWith: +)
    }

    /// One `name{label="value",...} number` line.
    private static func sample(_ line: Substring) throws -> Sample {
        let characters = Array(line)
        var index = 0
        var name = ""
        while index < characters.count, characters[index] != "{", characters[index] != " " {
            name.append(characters[index])
            index += 1
        }
        var labels: [String: String] = [:]
        if index < characters.count, characters[index] == "{" {
            index += 1
            while index < characters.count, characters[index] != "}" {
                var key = ""
                while index < characters.count, characters[index] != "=" {
                    key.append(characters[index])
                    index += 1
                }
                index += 2  // `="`
                var value = ""
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count {
                        index += 1
                        value.append(characters[index] == "n" ? "\n" : characters[index])
                    } else {
                        value.append(characters[index])
                    }
                    index += 1
                }
                index += 1  // closing quote
                if index < characters.count, characters[index] == "," { index += 1 }
                labels[key.trimmingCharacters(in: .whitespaces)] = value
            }
            index += 1  // `}`
        }
        let rest = String(characters[min(index, characters.count)...]).trimmingCharacters(in: .whitespaces)
        guard let number = rest.split(separator: " ").first.flatMap({ Double($0) }) else {
            throw HTTPClientError("not a sample line: \(line)")
        }
        return Sample(name: name, labels: labels, value: number)
    }
}

/// `promtool check metrics`, Prometheus' own parser and linter, over a scrape.
enum PromtoolCheck {
    /// The one finding the kept names force: the replaced service's gauge
    /// `candystore_storage_latency_milliseconds` is not in base units, and keeps its name anyway.
    static let acceptedFinding =
        #"candystore_storage_latency_milliseconds use base unit "seconds" instead of "milliseconds""#

    /// Runs promtool over `text`.
    ///
    /// - Returns: Its exit status and each line it printed.
    /// - Throws: When promtool is not installed (Debian's `prometheus` package has it).
    static func check(_ text: String) throws -> (status: ChildProcess.ExitStatus, findings: [String]) {
        let path = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let path else {
            throw ChildProcessError("promtool is not installed; install Debian's prometheus package")
        }
        let input = NSTemporaryDirectory() + "candystore-e2e-scrape-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        defer { unlink(input) }
        let (status, output) = try ChildProcess.run(path, ["check", "metrics"], input: input, within: .seconds(60))
        let findings = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return (status, findings.filter { !$0.isEmpty })
    }
}
