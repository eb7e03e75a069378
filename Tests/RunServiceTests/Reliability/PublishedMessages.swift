import Foundation
import MeshTestSupport

/// Every message published on the test Redis while it runs, on every channel: `redis-cli
/// psubscribe '*'` writing to a file (the password goes in its environment, not its arguments).
final class PublishedMessages: Sendable {
    private let process = Process()
    private let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("published-\(UUID().uuidString.prefix(8)).txt").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        process.executableURL = URL(fileURLWithPath: RedisCLI.executable)
        process.arguments = try RedisCLI.arguments(["--raw", "psubscribe", "*"])
        process.environment = try RedisCLI.environment()
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// What was published so far: for each message its pattern, channel and payload, a line each.
    var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// How many messages were published so far on `channel` whose payload contains `text`.
    func count(on channel: String, containing text: String) -> Int {
        let lines = self.text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.indices.filter { index in
            lines[index] == "pmessage" && index + 3 < lines.count && lines[index + 2] == channel && lines[index + 3].contains(text)
        }.count
    }

    /// How many messages were published so far.
    var count: Int { text.components(separatedBy: "pmessage\n").count - 1 }

    /// Stops listening (SIGKILL: a child of the test runner inherits its blocked SIGTERM) and
    /// removes the file.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
