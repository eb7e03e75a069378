import Foundation
import MeshTestSupport
import Testing

/// The `mbctl` binary (`META_BUILDER_BIN_DIR`) as a real subprocess: its environment is only
/// what a test gives it (plus `PATH` and a `HOME` of its own, so no user's config file is read),
/// its output goes to files, and its exit is awaited, not waited for.
final class MbctlProcess: Sendable {
    /// What one invocation left: exit status, standard output and standard error.
    struct Outcome: Sendable, CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String

        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    private let process: Process
    private let directory: URL
    private let exit: Task<Int32, any Error>

    /// Starts `mbctl arguments…` with `environment`; `onTerminal` runs it under `script(1)`, so
    /// its standard output is a pseudo-terminal (arguments must need no shell quoting).
    init(_ arguments: [String], environment: [String: String], onTerminal: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbctl-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        let binary = URL(fileURLWithPath: try RequiredEnvironment.value("META_BUILDER_BIN_DIR")).appendingPathComponent("mbctl")
        if onTerminal {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", ([binary.path] + arguments).joined(separator: " "), "/dev/null"]
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.environment = environment.merging([
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
        ]) { old, _ in old }
        for name in ["stdout", "stderr"] { FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        self.process = process
        exit = Task { for await status in stream { return status }; throw CancellationError() }
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// What it wrote to standard output so far.
    var stdout: String { (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// What it wrote to standard error so far.
    var stderr: String { (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// Waits for it to exit (killing it after `timeout`); what it left.
    func outcome(timeout: Duration = .seconds(180)) async throws -> Outcome {
        let watchdog = Task { [process] in
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        let status = try await exit.value
        return Outcome(status: status, stdout: stdout, stderr: stderr)
    }

    /// Runs `mbctl arguments…` to its end.
    static func run(_ arguments: [String], environment: [String: String], onTerminal: Bool = false, timeout: Duration = .seconds(180)) async throws -> Outcome {
        try await MbctlProcess(arguments, environment: environment, onTerminal: onTerminal).outcome(timeout: timeout)
    }
}
