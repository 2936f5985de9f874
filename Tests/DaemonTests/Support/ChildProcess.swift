import Foundation

/// A program the end-to-end tests run as a child process, started with `posix_spawn` and reaped
/// with `waitpid`, its output going to files.
///
/// Foundation's `Process` is avoided on purpose: on Linux its exit notification can be missed,
/// and a test that waits for it would then hang instead of failing.
final class ChildProcess: @unchecked Sendable {
    // Sendable: `ended` is guarded by `lock`; everything else is set in `init` and only read.
    private let lock = NSLock()
    private var ended: ExitStatus?

    /// The process id.
    let pid: pid_t
    /// The program, for messages.
    let executable: String

    /// How a child ended.
    enum ExitStatus: Equatable, CustomStringConvertible {
        /// `exit(code)`.
        case exited(Int32)
        /// Killed by a signal.
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exit code \(code)"
            case .signalled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Starts `executable`.
    ///
    /// - Parameters:
    ///   - executable: The program's path.
    ///   - arguments: Its arguments, without the program name.
    ///   - environment: Its whole environment.
    ///   - directory: Its working directory.
    ///   - output: Where standard output and standard error go (appended).
    ///   - input: What standard input reads.
    /// - Throws: `ChildProcessError` when the program cannot be started.
    init(
        executable: String, arguments: [String], environment: [String: String], directory: String,
        output: String, input: String = "/dev/null"
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // The test runner may ignore or block signals; the child starts with the defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // `env -C` changes the directory and then execs the program, which keeps this process id.
        let argv = (["/usr/bin/env", "-C", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        self.executable = executable
    }

    deinit {
        if exitStatus == nil {
            Foundation.kill(pid, SIGKILL)
            _ = waitForExit(within: .seconds(10))
        }
    }

    /// Sends `signal` to the child, if it still runs.
    func send(_ signal: Int32) {
        guard exitStatus == nil else { return }
        Foundation.kill(pid, signal)
    }

    /// How the child ended, or `nil` while it runs (reaps it if it just ended).
    var exitStatus: ExitStatus? {
        lock.lock()
        defer { lock.unlock() }
        if let ended { return ended }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return nil }
        let signal = status & 0x7F
        ended = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        return ended
    }

    /// Waits up to `limit` for the child to end.
    ///
    /// - Returns: How it ended, or `nil` if it still runs.
    func waitForExit(within limit: Duration) -> ExitStatus? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return exitStatus
    }

    /// Kills the child with SIGKILL and reaps it.
    func killAndReap() {
        send(SIGKILL)
        _ = waitForExit(within: .seconds(10))
    }

    /// Runs a short command to its end.
    ///
    /// - Parameters:
    ///   - executable: The program's path.
    ///   - arguments: Its arguments.
    ///   - environment: Its environment; the test runner's when `nil`.
    ///   - input: What standard input reads.
    ///   - limit: How long it may take; it is killed after that.
    /// - Returns: How it ended and everything it printed (standard output and error together).
    /// - Throws: `ChildProcessError` when it cannot be started or does not end in time.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: String = "/dev/null",
        within limit: Duration = .seconds(120)
    ) throws -> (status: ExitStatus, output: String) {
        let output = NSTemporaryDirectory() + "candystore-e2e-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(output) }
        let child = try ChildProcess(
            executable: executable, arguments: arguments,
            environment: environment ?? ProcessInfo.processInfo.environment,
            directory: FileManager.default.currentDirectoryPath, output: output, input: input)
        guard let status = child.waitForExit(within: limit) else {
            child.killAndReap()
            let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw ChildProcessError("\(executable) \(arguments.joined(separator: " ")) ran past \(limit): \(printed)")
        }
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}

/// A child process could not be started or did not behave.
struct ChildProcessError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Polls `condition` every 20 ms until it holds or `limit` passes.
///
/// - Returns: Whether the condition held before the deadline.
func eventually(within limit: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    repeat {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    } while ContinuousClock.now < deadline
    return try condition()
}
