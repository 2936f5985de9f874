/// Parses `candystore`'s command line.
///
/// ```
/// candystore serve [--host H] [--port P] [--data-dir D] [--metrics-port M]
/// candystore init-db [--data-dir D]
/// candystore version
/// candystore --help | <command> --help | help [<command>]
/// ```
/// Flags take their value as the next argument or after `=` (`--port=8683`). Values are checked
/// later, by ``Configuration/load(overrides:environment:dotEnvPath:)``, so that every setting is
/// validated the same way wherever it comes from.
public enum CommandLineInterface {
    /// The command that `arguments` ask for.
    ///
    /// - Parameter arguments: The arguments after the program name.
    /// - Throws: `CommandLineError` for an unknown command or flag, or a flag without its value.
    public static func parse(_ arguments: [String]) throws(CommandLineError) -> Command {
        guard let first = arguments.first else { return .help(HelpText.general()) }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "-h", "--help":
            return .help(HelpText.general())
        case "--version", "-V":
            return .version
        case "help":
            guard let topic = rest.first else { return .help(HelpText.general()) }
            guard let spec = CommandSpec.all.first(where: { $0.name == topic }) else {
                throw CommandLineError("candystore: unknown command '\(topic)'; see 'candystore --help'")
            }
            return .help(HelpText.command(spec))
        default:
            guard let spec = CommandSpec.all.first(where: { $0.name == first }) else {
                let hint = first.hasPrefix("-") ? "option" : "command"
                throw CommandLineError("candystore: unknown \(hint) '\(first)'; see 'candystore --help'")
            }
            return try parse(rest, for: spec)
        }
    }

    /// The help text of the program, for callers that print it on other occasions.
    public static var generalHelp: String { HelpText.general() }

    private static func parse(_ arguments: [String], for spec: CommandSpec) throws(CommandLineError) -> Command {
        var overrides: [SettingOverride] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                return .help(HelpText.command(spec))
            }
            let name: String
            var value: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
            }
            guard let flag = spec.flags.first(where: { $0.name == name }) else {
                let what = argument.hasPrefix("-") ? "unknown option '\(name)'" : "unexpected argument '\(argument)'"
                throw CommandLineError("candystore \(spec.name): \(what); see 'candystore \(spec.name) --help'")
            }
            if value == nil {
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw CommandLineError(
                        "candystore \(spec.name): \(flag.name) needs a value (\(flag.placeholder)); "
                            + "see 'candystore \(spec.name) --help'")
                }
                value = arguments[index]
                index += 1
            }
            guard let value, !value.isEmpty else {
                throw CommandLineError(
                    "candystore \(spec.name): \(flag.name) needs a non-empty value (\(flag.placeholder))")
            }
            overrides.append(SettingOverride(key: flag.key, flag: flag.name, value: value))
        }
        switch spec.name {
        case CommandSpec.serve.name: return .serve(overrides: overrides)
        case CommandSpec.initDatabase.name: return .initDatabase(overrides: overrides)
        default: return .version
        }
    }
}
