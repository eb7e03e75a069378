import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Server-side request forgery: nothing a tenant sends and no address the platform is given
    /// makes a service open a local file or connect into its own network. An internal port
    /// (`SilentPort`: it counts the connections made to it) stands for what must not be reached.
    /// - `target_repository` pointing at files, other schemes, loopback, private, link-local or
    ///   metadata addresses, or carrying credentials, is 400 naming the field, and no spec is made;
    /// - an agent-service given a `gopher://` or `file://` provider URL does not start (a
    ///   configuration error naming the variable);
    /// - a provider that answers with a redirect to the internal port is not followed: a run
    ///   built with that provider fails, and the port saw no connection.
    @Suite(.serialized) struct ReliabilityOutboundTests {
        @Test func noTenantInputOrConfiguredAddressReachesTheInternalNetwork() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "outbound", settings: settings)
            let internalPort = try SilentPort()
            let redirector = try Redirector(to: "http://127.0.0.1:\(internalPort.port)/v1/chat/completions")
            defer { redirector.stop() }
            let provider = ["META_BUILDER_OPENAI_BASE_URL": "http://127.0.0.1:\(redirector.port)/v1", "META_BUILDER_OPENAI_API_KEY": "sk-reliability"]
            try await RunMesh.with(environment: provider) { mesh in
                let token = RunMesh.token(tenant: UUID(), role: .owner)
                var failures: [String] = []
                let hostile = [
                    "file:///etc/passwd", "gopher://127.0.0.1:\(internalPort.port)/_FLUSHALL", "http://127.0.0.1:\(internalPort.port)/acme/crm",
                    "https://127.0.0.1:\(internalPort.port)/acme/crm", "https://localhost/acme/crm", "https://169.254.169.254/latest/meta-data",
                    "https://[::1]/acme/crm", "https://2130706433/acme/crm", "git@metadata.internal:acme/crm",
                    "https://user:secret@github.com/acme/crm", "ssh://git@github.com:\(internalPort.port)/acme/crm", "../../etc/passwd",
                ]
                for address in hostile {
                    let body = String(decoding: try JSONEncoder().encode(["title": "Tasks", "mode": "freeform", "description": SharedRunQueue.RunAPITests.tasks, "target_repository": address]), as: UTF8.self)
                    let answer = try await mesh.call("POST", "/api/meta/v2/specs", on: "spec", token: token, body: body)
                    if answer.status != 400 || answer.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue != "target_repository" {
                        failures.append("target_repository \(address): \(answer.status) \(answer.text.prefix(160))")
                    }
                }
                let specs = try await mesh.call("GET", "/api/meta/v2/specs", on: "spec", token: token).json?["specs"]?.array?.count
                if specs != 0 { failures.append("\(specs ?? -1) specs were made from refused addresses") }

                for url in ["gopher://127.0.0.1:\(internalPort.port)/_FLUSHALL", "file:///etc/passwd"] {
                    let (status, output) = try await Self.exitOfAgentService(mesh: mesh, environment: provider.merging(["META_BUILDER_OPENAI_BASE_URL": url]) { $1 })
                    if status == 0 || !output.contains("META_BUILDER_OPENAI_BASE_URL") {
                        failures.append("an agent-service with the provider at \(url) exited \(status.map(String.init) ?? "not at all"): \(output.suffix(300))")
                    }
                }

                let spec = try await mesh.createSpec(token: token, title: "Tasks", description: SharedRunQueue.RunAPITests.tasks)
                let run = try #require(try await mesh.startRun(spec: spec, token: token, body: #"{"provider":"openai"}"#).json?["id"]?.stringValue)
                let ended = try await mesh.waitForRun(run, token: token)
                if ended["status"]?.stringValue != "failed" { failures.append("a run whose provider redirects ended \(ended["status"]?.stringValue ?? "?")") }
                if redirector.requests == 0 { failures.append("the provider was never called: the redirect was not tried") }
                if internalPort.connectionsMade != 0 { failures.append("the internal port saw \(internalPort.connectionsMade) connections") }
                report.check("no target_repository, provider URL or redirect reaches a file or the internal network (\(hostile.count) addresses, \(redirector.requests) redirects)", failures: failures)
                report.count("ssrf_reached", internalPort.connectionsMade)
            }
            try report.finish()
        }

        /// Starts an agent-service of the mesh with `environment` added and waits (up to 20 s)
        /// for it to exit: its status (nil if it kept running, then killed) and output.
        private static func exitOfAgentService(mesh: RunMesh, environment: [String: String]) async throws -> (Int32?, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try RequiredEnvironment.value("META_BUILDER_BIN_DIR")).appendingPathComponent("agent-service")
            process.environment = try mesh.environment(of: "agent-service", port: try LoopbackPort.free()).merging(environment) { $1 }
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("agent-exit-\(UUID().uuidString.prefix(8)).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: log) }
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            let status: Int32? = process.isRunning ? nil : process.terminationStatus
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }
}
