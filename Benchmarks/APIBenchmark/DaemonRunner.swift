import Foundation

/// `candystore serve` from the same build directory as this benchmark, run as a child process on
/// a given data directory, with its API and metrics on ports the kernel picks (read back from
/// its JSON log).
final class DaemonRunner {
    let pid: pid_t
    let logPath: String
    private(set) var apiPort: UInt16 = 0
    private(set) var metricsPort: UInt16 = 0
    /// Seconds the daemon took to rebuild its indexes at start-up, from its log.
    private(set) var rebuildSeconds: Double?

    /// Starts the daemon.
    ///
    /// - Parameter settings: Environment settings (`DATA_DIR`, `RABBIT_URL`, …) on top of the
    ///   benchmark's environment.
    init(settings: [String: String], logPath: String) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("candystore").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchmarkError("no candystore beside the benchmark at \(executable); build it with -c release too")
        }
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in settings { environment[key] = value }
        self.logPath = logPath
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw BenchmarkError("cannot create the daemon's log file \(logPath)")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments: [String] = [executable, "serve"]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard status == 0 else {
            throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        self.pid = pid
    }

    /// Waits until the daemon serves queries with its consumer connected.
    func waitUntilReady(within seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw BenchmarkError("candystore exited at start-up (status \(status)); see \(logPath)")
            }
            readLog()
            if apiPort != 0, metricsPort != 0, rebuildSeconds != nil,
                let health = try? KeepAliveClient(port: apiPort).get("/health"), health.status == 200
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BenchmarkError("candystore was not ready within \(seconds) s; see \(logPath)")
    }

    private func readLog() {
        guard let data = FileManager.default.contents(atPath: logPath) else { return }
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if entry["message"] as? String == "listening", let port = entry["http.port"] as? Int {
                if entry["http.server"] as? String == "api" { apiPort = UInt16(port) }
                if entry["http.server"] as? String == "metrics" { metricsPort = UInt16(port) }
            }
            if entry["logger"] as? String == "candystore", entry["message"] as? String == "indexes rebuilt" {
                rebuildSeconds = entry["index.seconds"] as? Double
            }
        }
    }

    /// Sends SIGTERM and waits for the exit status (SIGKILL after 60 s).
    @discardableResult
    func stop() -> Int32 {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return status
    }
}
