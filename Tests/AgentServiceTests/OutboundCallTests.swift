import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import AgentService

/// Calls that leave the mesh, made by the service as `buildApplication` wires it and driven
/// through its internal endpoint with a service token: the generated app under evaluation and
/// the model provider see neither the mesh's service token nor its internal headers.
@Suite struct OutboundCallTests {
    private static let meshHeaders: [HTTPField.Name] = [.traceparent, .xRequestID, .grpcTimeout]

    private func withAgentService(providerConfig: ProviderConfig, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: providerConfig, sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in try await test(client) }
    }

    private func execute(_ client: any TestClientProtocol, role: AgentRole, input: some Encodable, provider: String? = nil) async throws -> (HTTPResponse.Status, JSONValue) {
        let request = AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(input), provider: provider)
        let headers: HTTPFields = [.authorization: "Bearer \(AgentTestEnvironment.serviceToken(tenant: UUID()))", .contentType: "application/json"]
        return try await client.execute(uri: "/internal/v1/agents/\(role.rawValue)/execute", method: .post, headers: headers, body: ByteBuffer(bytes: try AgentJSON.text(request))) { response in
            (response.status, try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body)))
        }
    }

    /// A stand-in for a generated app: answers `/health`, 404 to the rest, and writes every
    /// request's path and headers to `received.jsonl` in its workspace; it listens where QA
    /// tells it to (`--host unix://…` in the sandbox, else `--host` and `--port`).
    private static let recordingApp = """
        import json, sys
        from http.server import BaseHTTPRequestHandler, HTTPServer

        class Recorder(BaseHTTPRequestHandler):
            def answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with open("received.jsonl", "a") as log:
                    log.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\\n")
                status, body = (200, b'{"status":"ok"}') if self.path == "/health" else (404, b"{}")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        host = sys.argv[sys.argv.index("--host") + 1]
        if host.startswith("unix://"):
            from socketserver import UnixStreamServer
            server = UnixStreamServer(host[len("unix://"):], Recorder)
        else:
            server = HTTPServer((host, int(sys.argv[sys.argv.index("--port") + 1])), Recorder)
        server.serve_forever()

        """

    @Test func theGeneratedAppUnderEvaluationSeesNoMeshTokenOrHeaders() async throws {
        let sandbox = try AgentTestEnvironment.sandbox()
        let run = "outbound-\(UUID().uuidString.prefix(8).lowercased())"
        let workspace = ScaffoldWorkspace(root: sandbox.workspaceRoot).path(run: run, iteration: 1)
        defer { try? FileManager.default.removeItem(atPath: "\(sandbox.workspaceRoot)/\(run)") }
        try FileManager.default.createDirectory(atPath: workspace + "/app", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: workspace + "/app/__init__.py"))
        try Data(Self.recordingApp.utf8).write(to: URL(fileURLWithPath: workspace + "/app/__main__.py"))
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))

        try await withAgentService(providerConfig: try AgentTestEnvironment.providerConfig()) { client in
            let (status, report) = try await execute(client, role: .qaEvaluator, input: QAInput(runID: run, iteration: 1, plan: plan, workspace: workspace, timeoutSeconds: 120))
            #expect(status == .created)
            guard case .array(let checks)? = report["output"]?["checks"] else { Issue.record("no checks in \(report)"); return }
            #expect(checks.contains { $0["name"]?.stringValue == "smoke" && $0["status"]?.stringValue == "failed" }, "the stand-in app answers 404 to the create")
        }
        let log = try String(contentsOfFile: workspace + "/received.jsonl", encoding: .utf8)
        let requests = try log.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        let health = requests.filter { $0["path"]?.stringValue == "/health" }
        #expect(!health.isEmpty)
        for request in health {
            #expect(request["headers"]?["authorization"] == nil, "the probe of /health carried \(request["headers"]?["authorization"]?.stringValue ?? "")")
        }
        let create = try #require(requests.first { $0["path"]?.stringValue?.hasPrefix("/api/") == true })
        let bearer = try #require(create["headers"]?["authorization"]?.stringValue)
        let meshVerifier = Authenticator(config: AgentTestEnvironment.auth, serviceName: "agent-service")
        #expect((try? meshVerifier.authenticate(authorization: bearer)) == nil, "only a token of the app's own key")
        for request in requests {
            for name in Self.meshHeaders {
                #expect(request["headers"]?[name.canonicalName] == nil, "\(request["path"]?.stringValue ?? ""): \(name)")
            }
        }
    }

    @Test func theModelProviderSeesItsKeyAndNoMeshHeaders() async throws {
        let reply = ###"{"title":"Scaffold: CRM","markdown":"## Summary\nok\n"}"###
        let server = FakeChatServer([.reply(reply)])
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let summary = RunSummary(runID: UUID().uuidString, plan: plan, files: ["a.py"], iterations: 1, testsPassed: 1, testsFailed: 0, score: 100)
        try await server.run { baseURL in
            try await withAgentService(providerConfig: try AgentTestEnvironment.providerConfig(baseURL: baseURL)) { client in
                let (status, _) = try await execute(client, role: .reviewer, input: summary, provider: "openai")
                #expect(status == .created)
            }
        }
        let headers = try #require(server.headers.first)
        #expect(headers[.authorization] == "Bearer sk-test-not-a-real-key")
        for name in Self.meshHeaders {
            #expect(headers[name] == nil, "\(name) reached the provider")
        }
    }
}
