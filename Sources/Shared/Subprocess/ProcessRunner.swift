import CSpawn
import Foundation
import Synchronization

/// What a finished subprocess did.
public struct ProcessResult: Sendable {
    /// The exit status (or 128 + signal when killed by a signal).
    public let exitCode: Int32
    /// True when it was killed because its time ran out.
    public let timedOut: Bool
    /// Standard output and error, interleaved, at most the last `ProcessRunner.outputLimit` bytes.
    public let output: String
    /// Wall time.
    public let duration: Duration

    /// True for exit status 0 within the time allowed.
    public var succeeded: Bool { exitCode == 0 && !timedOut }

    /// The last `lines` lines of output.
    public func tail(_ lines: Int = 40) -> String {
        output.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// Runs a subprocess the safe way: `posix_spawn` in a process group of its own (so a timeout or a
/// cancellation kills the whole tree: at the timeout SIGTERM, then SIGKILL after
/// `terminationGrace`, even for a child that closed its output and hangs), with only the
/// environment it is given (never the service's secrets), no inherited descriptors, stdin from
/// /dev/null, and its output read and its exit awaited on a dedicated thread (the blocking
/// `poll`/`waitpid` never run on the cooperative pool).
public enum ProcessRunner {
    /// Output kept per process (the tail).
    public static let outputLimit = 256 * 1024

    /// A minimal environment: PATH, HOME, LANG, plus `extra`.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"].merging(extra) { $1 }
    }

    /// Runs `executable` with `arguments` in `directory`, killed after `timeout`.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = ProcessRunner.environment(),
        timeout: Duration
    ) async throws -> ProcessResult {
        let process = try SpawnedProcess.spawn(executable, arguments, directory: directory, environment: environment)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: process.collect(timeout: timeout))
                }
                thread.name = "meta-builder.subprocess"
                thread.start()
            }
        } onCancel: {
            process.killGroup()
        }
    }
}

/// A long-running subprocess (e.g. a server under test), stopped with `stop()`.
public final class BackgroundProcess: Sendable {
    private let process: SpawnedProcess
    private let result: Task<ProcessResult, Never>

    /// Starts `executable`; it is killed at `timeout` if not stopped before.
    public init(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String], timeout: Duration) throws {
        let process = try SpawnedProcess.spawn(executable, arguments, directory: directory, environment: environment)
        self.process = process
        self.result = Task.detached {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: process.collect(timeout: timeout)) }
                thread.name = "meta-builder.background-process"
                thread.start()
            }
        }
    }

    /// Whether it has ended on its own or been stopped (its output then fully read).
    public var hasEnded: Bool { process.ended.withLock { $0 } }

    /// Sends SIGTERM to its process group and waits for it (SIGKILL after `grace`).
    public func stop(grace: Duration = .seconds(5)) async -> ProcessResult {
        kill(-process.pid, SIGTERM)
        let killer = Task {
            try await Task.sleep(for: grace)
            process.killGroup()
        }
        let outcome = await result.value
        killer.cancel()
        return outcome
    }
}

/// A spawned child and its output pipe.
///
/// `@unchecked Sendable`: `collect` runs on one dedicated thread; `killGroup` only sends a
/// signal to the process group, which is safe from any thread.
final class SpawnedProcess: @unchecked Sendable {
    let pid: pid_t
    private let outputFD: Int32
    private let started = ContinuousClock.now
    /// Set once `collect` has its result.
    let ended = Mutex(false)

    private init(pid: pid_t, outputFD: Int32) {
        self.pid = pid
        self.outputFD = outputFD
    }

    static func spawn(_ executable: String, _ arguments: [String], directory: String?, environment: [String: String]) throws -> SpawnedProcess {
        var pipeFDs: [Int32] = [0, 0]
        guard mb_pipe_cloexec(&pipeFDs) == 0 else { throw WireError(.internal, "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        mb_spawn_addclosefrom(&actions, 3)
        if let directory { mb_spawn_addchdir(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        // A session of its own (POSIX_SPAWN_SETSID, glibc's 0x80, not exported to Swift): no
        // controlling terminal to inject input into, and its process group is its pid, which
        // `killGroup` signals.
        let setSession: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(setSession | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        close(pipeFDs[1])
        guard status == 0 else {
            close(pipeFDs[0])
            throw WireError(.failedPrecondition, "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return SpawnedProcess(pid: pid, outputFD: pipeFDs[0])
    }

    /// How long a timed-out child's group has between SIGTERM and SIGKILL.
    static let terminationGrace: Duration = .seconds(2)

    /// Reads output until EOF or the timeout, then waits for the child until the timeout; a
    /// child still running then (even one that closed its output) has its process group
    /// terminated. Blocking: runs on the process's dedicated thread.
    func collect(timeout: Duration) -> ProcessResult {
        let deadline = started + timeout
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var timedOut = false
        while true {
            let left = deadline - .now
            if left <= .zero {
                timedOut = true
                break
            }
            var descriptor = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Self.milliseconds(min(.seconds(1), left)))
            if ready < 0, errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = read(outputFD, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            output.append(contentsOf: buffer[0..<count])
            if output.count > ProcessRunner.outputLimit * 2 { output.removeFirst(output.count - ProcessRunner.outputLimit) }
        }
        close(outputFD)
        var status = timedOut ? nil : reap(until: deadline)
        if status == nil {
            timedOut = true
            status = terminateGroup()
        }
        // A timed-out group may leave grandchildren: make sure the whole group is gone.
        if timedOut { killGroup() }
        let code = status ?? 0
        let exitCode: Int32 = (code & 0x7f) == 0 ? (code >> 8) & 0xff : 128 + (code & 0x7f)
        let text = String(decoding: output.suffix(ProcessRunner.outputLimit), as: UTF8.self)
        ended.withLock { $0 = true }
        return ProcessResult(exitCode: exitCode, timedOut: timedOut, output: text, duration: .now - started)
    }

    /// Polls `waitpid(WNOHANG)` until the child has exited (its wait status) or `deadline`
    /// passes (nil).
    private func reap(until deadline: ContinuousClock.Instant) -> Int32? {
        var pause = Duration.milliseconds(1)
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return status }
            // ECHILD: nothing left to wait for (as a plain waitpid would report).
            if reaped < 0, errno == ECHILD { return 0 }
            let left = deadline - .now
            if left <= .zero { return nil }
            usleep(UInt32(Self.milliseconds(min(pause, left))) * 1000)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// SIGTERM to the process group, SIGKILL if the child outlives `terminationGrace`; returns
    /// the child's wait status.
    private func terminateGroup() -> Int32 {
        kill(-pid, SIGTERM)
        if let status = reap(until: .now + Self.terminationGrace) { return status }
        killGroup()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status
    }

    /// Whole milliseconds of a duration, at least 1.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// SIGKILL to the child's process group.
    func killGroup() {
        kill(-pid, SIGKILL)
    }
}
