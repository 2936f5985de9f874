/// What the command line asks for.
public enum Command: Sendable, Hashable {
    /// `candystore serve`: run the daemon, with settings from flags layered on top.
    case serve(overrides: [SettingOverride])
    /// `candystore init-db`: create and check the data directory.
    case initDatabase(overrides: [SettingOverride])
    /// `candystore version`: print the version.
    case version
    /// `--help` anywhere: print this text to standard output and exit 0.
    case help(String)
}

/// A command line that cannot be understood; print ``description`` to standard error and exit
/// with ``exitCode``.
public struct CommandLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The exit status for usage errors, as most Unix tools use.
    public static let exitCode: Int32 = 2

    /// One line saying what is wrong and where to look.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The exit status to use.
    public var exitCode: Int32 { Self.exitCode }
}
