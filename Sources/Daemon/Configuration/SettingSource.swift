/// Where a setting's value came from, named in errors so the operator knows what to fix.
public enum SettingSource: Sendable, Hashable, CustomStringConvertible {
    /// Nothing set it; the built-in default applies.
    case defaultValue
    /// A line of a `.env` file.
    case dotEnv(path: String, line: Int)
    /// The process environment.
    case environment
    /// A command-line flag.
    case commandLine(flag: String)

    /// The source as the error line names it, for example `flag --port` or `.env line 3`.
    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .dotEnv(let path, let line): "\(path) line \(line)"
        case .environment: "environment"
        case .commandLine(let flag): "flag \(flag)"
        }
    }
}
