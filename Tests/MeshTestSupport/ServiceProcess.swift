import Foundation
import Synchronization
import Testing

/// One service of the mesh as a process on loopback (the binary `swift build` made, found in
/// `META_BUILDER_BIN_DIR`), its output in a log file: started and waited for until `/readyz`
/// answers 200, stopped gracefully or killed, and started again on the same port.
public final class ServiceProcess: Sendable {
    /// The executable's name, e.g. `approval-service`.
    public let name: String
    /// The port it listens on.
    public let port: Int
    /// Where its output goes (appended across restarts).
    public let logPath: String
    private let environment: [String: String]
    private let process = Mutex<Process?>(nil)

    /// Describes the process; nothing starts until `start()`. `environment` is its whole
    /// environment but `PATH` and `META_BUILDER_PORT`, which are added.
    public init(name: String, port: Int, environment: [String: String], logPath: String) {
        self.name = name
        self.port = port
        self.environment = environment
        self.logPath = logPath
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the process and waits (up to 30 s) until it is ready; fails the test with its log
    /// when it is not.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try RequiredEnvironment.value("META_BUILDER_BIN_DIR")).appendingPathComponent(name)
        process.environment = environment.merging([
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "META_BUILDER_PORT": String(port),
        ]) { $1 }
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process.withLock { $0 = process }
        var ready = false
        for _ in 0..<600 where !ready && process.isRunning {
            ready = (try? await SharedHTTP.status(of: "\(url)/readyz")) == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        if !ready, !process.isRunning { process.waitUntilExit() }
        try #require(ready, "\(name) did not become ready:\n\(logTail())")
    }

    /// Stops the process with SIGTERM (a graceful shutdown) and waits for it to exit.
    public func stop() {
        signal(SIGTERM)
    }

    /// Kills the process with SIGKILL and waits for it to exit.
    public func kill() {
        signal(SIGKILL)
    }

    /// Whether the process is running.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// The last lines of its log.
    public func logTail(lines: Int = 60) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private func signal(_ signal: Int32) {
        guard let process = process.withLock({ $0 }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGCONT)
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}
