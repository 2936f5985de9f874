/// A setting whose value cannot be used; start-up stops with this one line.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The conventional exit status for a configuration error (`EX_CONFIG` from sysexits.h).
    public static let exitCode: Int32 = 78

    /// The setting at fault, for example `API_PORT`, or the `.env` file itself.
    public var setting: String
    /// What is wrong with it and what is accepted.
    public var problem: String
    /// Where the bad value came from.
    public var source: SettingSource

    /// Creates an error.
    public init(setting: String, problem: String, source: SettingSource) {
        self.setting = setting
        self.problem = problem
        self.source = source
    }

    /// One line: `API_PORT: 'http' is not a port number (0-65535) (from environment)`.
    public var description: String {
        "\(setting): \(problem) (from \(source))"
    }
}
