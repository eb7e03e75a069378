import Foundation
import MeshTestSupport
import Shared
import Testing

/// The real service binaries start, become ready, and exit 0 on SIGTERM.
@Suite struct GracefulShutdownTests {
    @Test(arguments: ServiceEnvironment.services.map(\.name))
    func serviceExitsCleanlyOnSIGTERM(name: String) async throws {
        let service = try #require(ServiceEnvironment.services.first { $0.name == name })
        let binDir = try ServiceEnvironment.require("META_BUILDER_BIN_DIR")
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDir).appendingPathComponent(service.name)
        process.environment = try ServiceEnvironment.variables(for: service.key, port: port)
            .merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? await SharedHTTP.status(of: "http://127.0.0.1:\(port)/readyz")) == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "\(service.name) did not become ready")
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "\(service.name) did not stop within 20 s of SIGTERM")
        #expect(process.terminationStatus == 0)
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // JSON log lines, one object each.
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })
    }

}
