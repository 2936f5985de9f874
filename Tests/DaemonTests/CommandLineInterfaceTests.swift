import Daemon
import Testing

@Suite struct CommandLineInterfaceTests {
    @Test func serveTakesEveryFlagInBothSpellings() throws {
        let command = try CommandLineInterface.parse([
            "serve", "--host", "127.0.0.1", "--port=9000", "--data-dir", "/srv/data", "--metrics-port=9100",
        ])
        #expect(
            command
                == .serve(overrides: [
                    SettingOverride(key: .apiHost, flag: "--host", value: "127.0.0.1"),
                    SettingOverride(key: .apiPort, flag: "--port", value: "9000"),
                    SettingOverride(key: .dataDirectory, flag: "--data-dir", value: "/srv/data"),
                    SettingOverride(key: .metricsPort, flag: "--metrics-port", value: "9100"),
                ]))
    }

    @Test func serveWithoutFlags() throws {
        #expect(try CommandLineInterface.parse(["serve"]) == .serve(overrides: []))
    }

    @Test func initDatabaseTakesTheDataDirectory() throws {
        #expect(
            try CommandLineInterface.parse(["init-db", "--data-dir", "d"])
                == .initDatabase(overrides: [SettingOverride(key: .dataDirectory, flag: "--data-dir", value: "d")]))
    }

    @Test(arguments: [["version"], ["--version"], ["-V"]])
    func versionSpellings(arguments: [String]) throws {
        #expect(try CommandLineInterface.parse(arguments) == .version)
    }

    @Test(arguments: [[], ["--help"], ["-h"], ["help"]])
    func generalHelp(arguments: [String]) throws {
        guard case .help(let text) = try CommandLineInterface.parse(arguments) else {
            Issue.record("expected help")
            return
        }
        #expect(text.contains("Usage: candystore <command>"))
        for command in ["serve", "init-db", "version"] { #expect(text.contains("  \(command) ")) }
    }

    @Test(arguments: [["serve", "--help"], ["serve", "--port", "1", "-h"], ["help", "serve"]])
    func serveHelpListsFlagsAndSettings(arguments: [String]) throws {
        guard case .help(let text) = try CommandLineInterface.parse(arguments) else {
            Issue.record("expected help")
            return
        }
        #expect(
            text.hasPrefix("Usage: candystore serve [--host HOST] [--port PORT] [--data-dir DIR] [--metrics-port PORT]")
        )
        for key in SettingKey.allCases { #expect(text.contains(key.rawValue), "\(key)") }
    }

    @Test func initDatabaseHelp() throws {
        guard case .help(let text) = try CommandLineInterface.parse(["init-db", "--help"]) else {
            Issue.record("expected help")
            return
        }
        #expect(text.hasPrefix("Usage: candystore init-db [--data-dir DIR]"))
    }

    @Test(arguments: [
        (["serve", "--verbose"], "candystore serve: unknown option '--verbose'; see 'candystore serve --help'"),
        (["serve", "--port"], "candystore serve: --port needs a value (PORT); see 'candystore serve --help'"),
        (
            ["serve", "--port", "--host", "h"],
            "candystore serve: --port needs a value (PORT); see 'candystore serve --help'"
        ),
        (["serve", "--port="], "candystore serve: --port needs a non-empty value (PORT)"),
        (["serve", "extra"], "candystore serve: unexpected argument 'extra'; see 'candystore serve --help'"),
        (["init-db", "--port", "1"], "candystore init-db: unknown option '--port'; see 'candystore init-db --help'"),
        (["version", "--host", "x"], "candystore version: unknown option '--host'; see 'candystore version --help'"),
        (["launch"], "candystore: unknown command 'launch'; see 'candystore --help'"),
        (["--verbose"], "candystore: unknown option '--verbose'; see 'candystore --help'"),
        (["help", "launch"], "candystore: unknown command 'launch'; see 'candystore --help'"),
    ])
    func mistakesAreOneLineErrorsWithExitStatusTwo(arguments: [String], message: String) {
        #expect {
            _ = try CommandLineInterface.parse(arguments)
        } throws: { error in
            guard let error = error as? CommandLineError else { return false }
            return error.message == message && error.exitCode == 2 && !error.message.contains("\n")
        }
    }
}
