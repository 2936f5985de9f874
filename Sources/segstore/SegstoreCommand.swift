import Foundation
import SegmentStore

/// The `segstore` command line: parses the subcommand and its flags, runs it, and returns the exit
/// status (0 success, 1 the store is damaged or the work failed, 2 bad usage).
enum SegstoreCommand {
    static let usage = """
        usage: segstore <command> [options]

        commands:
          verify   check every segment of a data directory, byte for byte
          stats    show segments, events, bytes and compression of a data directory
          compact  merge and recompress sealed segments; retire old events (--older-than)
          import   bring the events of a compaction archive back into a store

        options:
          --data-dir DIR   the data directory (default: $DATA_DIR, else ./candystore-data)
          --json           (stats) print one JSON object
          -h, --help       show help for a command

        """

    static func run(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "verify":
                let options = try CommandOptions.parse(rest, flags: [], help: VerifyCommand.help)
                return options.helpRequested ? 0 : VerifyCommand.run(dataDirectory: options.dataDirectory)
            case "stats":
                let options = try CommandOptions.parse(rest, flags: ["--json"], help: StatsCommand.help)
                return options.helpRequested
                    ? 0 : StatsCommand.run(dataDirectory: options.dataDirectory, json: options.flags.contains("--json"))
            case "compact":
                return try CompactCommand.run(rest)
            case "import":
                return try ImportCommand.run(rest)
            case "-h", "--help", "help":
                print(usage, terminator: "")
                return 0
            default:
                throw UsageError("unknown command '\(command)'; run 'segstore --help' for the list")
            }
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("segstore: \(error.message)\n".utf8))
            return 2
        } catch let error as CompactionError {
            FileHandle.standardError.write(Data("segstore \(command): \(error.message)\n".utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("segstore: \(error)\n".utf8))
            return 1
        }
    }
}

/// A mistake in how the command was called.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The flags every subcommand shares.
struct CommandOptions {
    var dataDirectory: String
    var flags: Set<String> = []
    var helpRequested = false

    static func parse(_ arguments: [String], flags allowed: Set<String>, help: String) throws -> CommandOptions {
        var options = CommandOptions(
            dataDirectory: ProcessInfo.processInfo.environment["DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
                ?? "./candystore-data")
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                print(help, terminator: "")
                options.helpRequested = true
                return options
            case "--data-dir":
                guard index + 1 < arguments.count else { throw UsageError("--data-dir needs a directory") }
                options.dataDirectory = arguments[index + 1]
                index += 1
            case _ where argument.hasPrefix("--data-dir="):
                options.dataDirectory = String(argument.dropFirst("--data-dir=".count))
            case _ where allowed.contains(argument):
                options.flags.insert(argument)
            default:
                throw UsageError("unknown option '\(argument)'; run with --help for the options")
            }
            index += 1
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.dataDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw UsageError("data directory '\(options.dataDirectory)' does not exist")
        }
        return options
    }
}
