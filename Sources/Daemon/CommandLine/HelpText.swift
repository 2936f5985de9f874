/// The text of `candystore --help` and `candystore <command> --help`.
enum HelpText {
    static func general() -> String {
        var text = """
            Candystore \(CandystoreVersion.current): the audit-trail store of the Bloodbank event bus.

            Usage: candystore <command> [options]

            Commands:

            """
        for spec in CommandSpec.all {
            text += "  " + pad(spec.name, to: 10) + spec.summary + "\n"
        }
        text += """

            Run 'candystore <command> --help' for the options of a command.
            Settings come from defaults, then ./.env, then the environment, then flags, each
            overriding the one before; .env.example lists them all.

            """
        return text
    }

    static func command(_ spec: CommandSpec) -> String {
        let flags = spec.flags.map { "[\($0.name) \($0.placeholder)]" }.joined(separator: " ")
        var text = "Usage: candystore \(spec.name)\(flags.isEmpty ? "" : " " + flags)\n\n\(spec.summary).\n"
        if !spec.flags.isEmpty {
            text += "\nOptions:\n"
            for flag in spec.flags {
                let left = pad("\(flag.name) \(flag.placeholder)", to: 22)
                text += "  \(left)\(flag.key.summary) (sets \(flag.key.rawValue), default \(flag.key.defaultValue))\n"
            }
        }
        text += "  " + pad("-h, --help", to: 22) + "Show this help\n"
        if spec.name == "serve" {
            text += "\nSettings without a flag are read from ./.env and the environment:\n"
            let flagged = Set(spec.flags.map(\.key))
            for key in SettingKey.allCases where !flagged.contains(key) {
                text += "  " + pad(key.rawValue, to: 22) + "\(key.summary) (default \(key.defaultValue))\n"
            }
        }
        return text
    }

    private static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
