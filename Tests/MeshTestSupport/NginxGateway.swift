import Foundation
import Shared
import Testing

/// The local gateway of `scripts/gateway` (Debian's nginx with the routing file compose uses,
/// `compose/gateway/routes.conf`) in a directory of its own on a free loopback port, in front of
/// the services a test started. The script writes the config, tests it (`nginx -t`) and starts
/// nginx; this type asks it to, reads what the gateway logged, and stops it. A missing nginx
/// fails the test that asked for it: `scripts/install-deps` installs it.
public final class NginxGateway: Sendable {
    /// The gateway's base URL, `http://127.0.0.1:<port>`.
    public let url: String
    /// The gateway's directory: `nginx.conf`, `access.log`, `error.log`, `gateway.env`.
    public let directory: String
    private let environment: [String: String]

    /// The repository's root (this file lives in `Tests/MeshTestSupport/`).
    public static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Starts a gateway whose upstreams are the given base URLs (`run` may list several
    /// run-service instances) and waits until it answers.
    public static func start(spec: String, run: [String], agent: String, approval: String) async throws -> NginxGateway {
        let gateway = try NginxGateway(spec: spec, run: run, agent: agent, approval: approval)
        let started = try await script(["start"], environment: gateway.environment)
        guard started.status == 0 else {
            try? FileManager.default.removeItem(atPath: gateway.directory)
            throw Failure(description: "scripts/gateway start failed (\(started.status)):\n\(started.output)")
        }
        return gateway
    }

    private init(spec: String, run: [String], agent: String, approval: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-gateway-\(UUID().uuidString.prefix(8).lowercased())").path
        let port = try LoopbackPort.free()
        url = "http://127.0.0.1:\(port)"
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
            "META_BUILDER_GATEWAY_DIR": directory,
            "META_BUILDER_GATEWAY_PORT": String(port),
            "META_BUILDER_SPEC_URL": spec,
            "META_BUILDER_RUN_URL": run.joined(separator: ","),
            "META_BUILDER_AGENT_URL": agent,
            "META_BUILDER_APPROVAL_URL": approval,
        ]
    }

    /// Runs `body` with a gateway in front of the given services; stops it whatever happens.
    public static func with<T: Sendable>(spec: String, run: [String], agent: String, approval: String, _ body: (NginxGateway) async throws -> T) async throws -> T {
        let gateway = try await start(spec: spec, run: run, agent: agent, approval: approval)
        do {
            let result = try await body(gateway)
            await gateway.stop()
            return result
        } catch {
            await gateway.stop()
            throw error
        }
    }

    /// Stops nginx and removes the gateway's directory.
    public func stop() async {
        _ = try? await Self.script(["stop"], environment: environment)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `nginx -t` on the config the gateway runs with: its exit status and output.
    public func configTest() async throws -> (status: Int32, output: String) {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "nginx"
        return try await Self.run(nginx, ["-t", "-p", directory + "/", "-e", directory + "/nginx-t.log", "-c", directory + "/nginx.conf"], environment: environment)
    }

    /// The generated config.
    public var config: String { (try? String(contentsOfFile: directory + "/nginx.conf", encoding: .utf8)) ?? "" }

    /// The access log's lines (`<client> "<request line>" <status> <bytes> <time> upstream=<addr> request_id=<id>`).
    public var accessLog: [String] {
        ((try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The last lines of the error log.
    public func errorLogTail(lines: Int = 30) -> String {
        ((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "").split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The upstream address (`127.0.0.1:<port>`) that answered the request carrying
    /// `X-Request-Id: requestID`; `-` when the gateway answered itself; nil when no such request
    /// was logged (within a second: nginx logs right after it answered).
    public func upstream(ofRequestID requestID: String) async throws -> String? {
        for _ in 0..<40 {
            if let line = accessLog.last(where: { $0.hasSuffix(" request_id=\(requestID)") }),
                let field = line.split(separator: " ").first(where: { $0.hasPrefix("upstream=") })
            {
                return String(field.dropFirst("upstream=".count))
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }

    /// A failure of the gateway script.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `scripts/gateway` with `arguments`.
    public static func script(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        try await run("/bin/bash", [repositoryRoot + "/scripts/gateway"] + arguments, environment: environment)
    }

    private static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let result = try await ProcessRunner.run(executable, arguments, in: repositoryRoot, environment: environment, timeout: .seconds(30))
        return (result.timedOut ? -1 : result.exitCode, result.output)
    }
}
