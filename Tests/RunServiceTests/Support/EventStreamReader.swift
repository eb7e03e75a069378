import Foundation
import Shared

/// Reads an event stream with curl as it arrives (`--no-buffer`), sending exactly `headers`; the
/// body is not decoded, so a compressed stream would show as such. Directly from a run-service or
/// through the gateway.
final class EventStreamReader: Sendable {
    private let process = Process()
    private let directory: String

    init(url: String, headers: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("event-stream-\(UUID().lowercaseText)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--silent", "--no-buffer", "--max-time", "180", "--dump-header", directory + "/headers", "--output", directory + "/body"]
            + headers.flatMap { ["-H", $0] } + [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The body so far.
    var output: String { (try? String(contentsOfFile: directory + "/body", encoding: .utf8)) ?? "" }

    /// The response headers.
    var headers: String { (try? String(contentsOfFile: directory + "/headers", encoding: .utf8)) ?? "" }

    /// Waits until `text` arrived (at most 60 s); whether it did.
    func waitFor(_ text: String) async throws -> Bool {
        for _ in 0..<1200 where !output.contains(text) {
            try await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
    }

    /// Waits until curl exits (the stream ended); whether it ended cleanly in time.
    func waitForExit(timeout: Duration) async -> Bool {
        let giveUp = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < giveUp {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        try? await Task.sleep(for: .milliseconds(100))
        return !process.isRunning && process.terminationStatus == 0
    }
}
