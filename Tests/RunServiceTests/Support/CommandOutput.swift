import Foundation

/// Runs a short command to its end and hands back what it printed (standard output, and
/// standard error when `withErrors`), for tests that ask the system something (`redis-cli`,
/// `nsenter`).
enum CommandOutput {
    /// The command's exit status and its output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, withErrors: Bool = false) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = withErrors ? output : FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
