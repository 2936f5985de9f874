/// The subcommands and the flags each accepts.
struct CommandSpec: Sendable {
    /// A flag that sets one setting.
    struct Flag: Sendable {
        var name: String
        var placeholder: String
        var key: SettingKey
    }

    var name: String
    var summary: String
    var flags: [Flag]

    static let serve = CommandSpec(
        name: "serve", summary: "Consume events from the broker and answer queries over HTTP",
        flags: [
            Flag(name: "--host", placeholder: "HOST", key: .apiHost),
            Flag(name: "--port", placeholder: "PORT", key: .apiPort),
            Flag(name: "--data-dir", placeholder: "DIR", key: .dataDirectory),
            Flag(name: "--metrics-port", placeholder: "PORT", key: .metricsPort),
        ])

    static let initDatabase = CommandSpec(
        name: "init-db", summary: "Create the data directory and check that it is writable",
        flags: [Flag(name: "--data-dir", placeholder: "DIR", key: .dataDirectory)])

    static let version = CommandSpec(name: "version", summary: "Print the version", flags: [])

    static let all = [serve, initDatabase, version]
}
