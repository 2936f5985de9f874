import Foundation
import Testing

@testable import SegmentStore

/// Stores for the compaction tests: many small sealed segments made of small group commits,
/// and an active segment with a few events, as a store restarted often under light load has.
enum CompactionFixture {
    /// Options that seal a segment every few kilobytes.
    static func smallSegments(_ directory: String) -> StoreOptions {
        var options = StoreOptions(directory: directory)
        options.segmentBytes = 6 << 10
        options.frameBytes = 4 << 10
        return options
    }

    /// Appends `count` events in batches of one to four, reopening the store now and then.
    ///
    /// - Parameters:
    ///   - timestamp: the event timestamp of the event numbered `n` (default: increasing).
    ///   - id: the id of the event numbered `n` (default: unique).
    static func fill(
        _ directory: String, count: Int, timestamp: ((Int) -> EventTimestamp)? = nil, id: ((Int) -> String)? = nil
    ) throws {
        var generator = SeededGenerator(seed: 99)
        var number = 0
        while number < count {
            let store = try EventStore.open(smallSegments(directory))
            let stop = min(count, number + 40 + Int(generator.next() % 40))
            while number < stop {
                let size = min(stop - number, 1 + Int(generator.next() % 4))
                let batch = (number..<(number + size)).map { value -> StoredEvent in
                    var event = Events.make(value, payloadBytes: 120 + Int(generator.next() % 300))
                    if let timestamp { event.timestamp = timestamp(value) }
                    if let id { event.id = id(value) }
                    return event
                }
                try store.append(batch)
                number += size
            }
            store.close()
        }
    }

    /// Every readable event, by sequence, read through a fresh read-only open.
    static func snapshot(_ directory: String) throws -> [UInt64: StoredEvent] {
        var options = StoreOptions(directory: directory)
        options.readOnly = true
        let store = try EventStore.open(options)
        defer { store.close() }
        var sequences = [UInt64]()
        try store.forEachIndexedFields { sequences.append($0.sequence) }
        let events = try store.events(at: sequences)
        return Dictionary(uniqueKeysWithValues: events.map { ($0.sequence, $0) })
    }

    /// The sequence numbers in the order the store lists them.
    static func listedSequences(_ directory: String) throws -> [UInt64] {
        var options = StoreOptions(directory: directory)
        options.readOnly = true
        let store = try EventStore.open(options)
        defer { store.close() }
        var sequences = [UInt64]()
        try store.forEachIndexedFields { sequences.append($0.sequence) }
        return sequences
    }

    /// Runs a whole compaction with `configure` applied to the options.
    @discardableResult
    static func compact(
        _ directory: String, _ configure: (inout CompactionOptions) -> Void = { _ in }
    ) throws
        -> CompactionReport
    {
        var options = CompactionOptions(directory: directory)
        options.segmentBytes = 48 << 10
        configure(&options)
        let compactor = try StoreCompactor.open(options)
        defer { compactor.close() }
        return try compactor.run(try compactor.plan())
    }

    /// The bytes of every file in `directory`, by name, but the lock file (which holds the pid
    /// of the last process that opened the store for writing).
    static func files(_ directory: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "candystore.lock" {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            result[name] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return result
    }

    /// Copies every file of `source` into `destination`.
    static func copy(_ source: String, to destination: String) throws {
        for (name, data) in try files(source) {
            try data.write(to: URL(fileURLWithPath: destination + "/" + name))
        }
    }

    /// Records a test issue naming the first few sequences whose events differ (the full
    /// events are too long to print usefully).
    static func expectSame(
        _ actual: [UInt64: StoredEvent], _ expected: [UInt64: StoredEvent], _ context: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let missing = Set(expected.keys).subtracting(actual.keys).sorted()
        let extra = Set(actual.keys).subtracting(expected.keys).sorted()
        let different = actual.keys.filter { expected[$0] != nil && expected[$0] != actual[$0] }.sorted()
        #expect(
            missing.isEmpty && extra.isEmpty && different.isEmpty,
            "\(context): missing \(missing.prefix(8)), unexpected \(extra.prefix(8)), different \(different.prefix(8))",
            sourceLocation: sourceLocation)
    }

    /// Verifies the store and records every problem as a test issue.
    static func expectIntact(
        _ directory: String, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let report = try StoreVerifier.verify(directory: directory)
        #expect(
            report.isIntact, "\(context): \(report.storeProblems + report.segments.flatMap(\.problems))",
            sourceLocation: sourceLocation)
    }
}

/// Runs the `segstore` executable built beside the test bundle.
enum SegstoreProcess {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The path of the `segstore` executable, which `swift build` puts next to the test bundle.
    static var executable: String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("segstore").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    static func run(_ arguments: [String]) throws -> Outcome {
        guard let executable else {
            Issue.record("the segstore executable was not built next to the tests (run swift build first)")
            return Outcome(status: -1, standardOutput: "", standardError: "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SEGMENT_BYTES"] = nil
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
