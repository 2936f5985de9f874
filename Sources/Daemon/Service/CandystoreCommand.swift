import Foundation
import Observability

/// The `candystore` command line: parses the arguments, loads the configuration and runs the
/// chosen command.
public enum CandystoreCommand {
    /// Runs the command `arguments` name and returns the process exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        let command: Command
        do {
            command = try CommandLineInterface.parse(arguments)
        } catch {
            FileHandle.standardError.write(Data("candystore: \(error)\n".utf8))
            return CommandLineError.exitCode
        }
        switch command {
        case .version:
            print("candystore \(CandystoreVersion.current)")
            return 0
        case .help(let text):
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return 0
        case .initDatabase(let overrides):
            guard let configuration = load(overrides) else { return ConfigurationError.exitCode }
            do {
                let directory = try configuration.prepareDataDirectory()
                print("data directory \(directory) is ready")
                return 0
            } catch {
                FileHandle.standardError.write(Data("candystore: \(error)\n".utf8))
                return ConfigurationError.exitCode
            }
        case .serve(let overrides):
            guard let configuration = load(overrides) else { return ConfigurationError.exitCode }
            let logger = Logger(label: "candystore", level: configuration.logLevel, format: configuration.logFormat)
            for warning in configuration.warnings { logger.warning(warning) }
            return CandystoreService.serve(configuration, logger: logger)
        }
    }

    private static func load(_ overrides: [SettingOverride]) -> Configuration? {
        do {
            return try Configuration.load(overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("candystore: \(error)\n".utf8))
            return nil
        }
    }
}
