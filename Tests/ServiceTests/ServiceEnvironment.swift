import Foundation
import MeshTestSupport
import Logging
import Shared
import Testing

/// The environment `scripts/test` prepares for the four services: each its own role and schema.
enum ServiceEnvironment {
    /// A variable that must be set (missing fails the test loudly).
    static func require(_ key: String) throws -> String {
        try RequiredEnvironment.value(key)
    }

    /// The four services: name, `@main` module prefix of the env keys, schema.
    static let services: [(name: String, key: String, schema: String)] = [
        ("spec-service", "SPEC", "spec"),
        ("run-service", "RUN", "run"),
        ("agent-service", "AGENT", "agent"),
        ("approval-service", "APPROVAL", "approval"),
    ]

    /// The test secret of user tokens (at least 32 bytes).
    static let jwtSecret = "service-tests-user-secret-0123456789abcdef"

    /// The environment a service process (or `ServiceConfig`) reads.
    static func variables(for key: String, port: Int) throws -> [String: String] {
        let name = services.first { $0.key == key }?.name ?? key
        return try ServiceDatabase.environment(key).merging([
            "META_BUILDER_REDIS_URL": try require("META_BUILDER_REDIS_URL"),
            "META_BUILDER_JWT_SECRET": jwtSecret,
            "META_BUILDER_PORT": String(port),
            "META_BUILDER_LOG_LEVEL": "info",
            // A run-service here only boots: its workers must not claim the runs other suites build.
            "META_BUILDER_RUN_WORKERS": "0",
            // Its background loops must end on SIGTERM, not at their next round an hour later.
            "META_BUILDER_APPROVAL_RECONCILE_SECONDS": "3600",
        ]) { $1 }.merging(MeshKeys.environment(for: name)) { $1 }
    }

    /// The configuration of a service on a free port.
    static func config(name: String, key: String) throws -> ServiceConfig {
        try ServiceConfig(serviceName: name, defaultPort: 0, reader: ConfigReader(try variables(for: key, port: 0)))
    }

    /// Starts a service binary and waits until its `/readyz` answers 200 (migrations applied).
    static func launchUntilReady(_ name: String, key: String, port: Int? = nil, environment: [String: String] = [:], output: Pipe? = nil) async throws -> Process {
        let port = try port ?? LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ServiceEnvironment.require("META_BUILDER_BIN_DIR")).appendingPathComponent(name)
        process.environment = try ServiceEnvironment.variables(for: key, port: port)
            .merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { $1 }
            .merging(environment) { $1 }
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = output ?? FileHandle.nullDevice
        try process.run()
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? await SharedHTTP.status(of: "http://127.0.0.1:\(port)/readyz")) == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        if !ready { process.terminate() }
        try #require(ready, "\(name) did not become ready")
        return process
    }

    /// A logger that drops everything.
    static let logger = Logger(label: "service-tests") { _ in SwiftLogNoOpLogHandler() }
}
