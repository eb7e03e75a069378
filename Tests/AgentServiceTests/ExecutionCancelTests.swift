import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshTestSupport
import Shared
import Testing
@testable import AgentService

/// `POST /internal/v1/executions/cancel` over real HTTP: a run's QA evaluation in flight (real
/// pytest subprocesses) is cancelled at once, its subprocesses killed, and it ends CANCELLED,
/// recorded as failed; another tenant's call with the same prefix touches nothing.
@Suite struct ExecutionCancelTests {
    private func withAgentService(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: try AgentTestEnvironment.providerConfig(), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in try await test(client) }
    }

    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    private func cancel(_ client: any TestClientProtocol, token: String, body: String) async throws -> (status: HTTPResponse.Status, cancelled: JSONValue?, error: WireError?) {
        try await client.execute(uri: "/internal/v1/executions/cancel", method: .post, headers: headers(token), body: ByteBuffer(string: body)) { response in
            (response.status, (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body)))?["cancelled"], response.wireError)
        }
    }

    /// A CRM scaffold prepared by DevOps whose suite has a test that never returns: the
    /// evaluation stays in pytest for as long as the per-test limit allows (40 s here).
    private func hungWorkspace(run: String) async throws -> (ScaffoldPlan, DevOpsOutput) {
        let registry = try AgentTestEnvironment.registry()
        let spec = try ProductArchitect().design(ArchitectInput(title: "CRM", description: "A CRM with contacts that have a name and an email.", mode: .freeform))
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let generated = try AgentJSON.decode(CodegenOutput.self, from: try await registry.agent(for: .codegenEngineer).runDeterministic(try AgentJSON.encode(CodegenInput(plan: plan))), field: "output")
        let devOps = try await registry.agent(for: .devOps).runDeterministic(try AgentJSON.encode(DevOpsInput(runID: run, iteration: 1, diff: generated.diff)))
        let prepared = try AgentJSON.decode(DevOpsOutput.self, from: devOps, field: "output")
        try #require(prepared.ready)
        let suite = URL(fileURLWithPath: prepared.workspace + "/tests/test_contacts.py")
        let hanging = "\n\ndef test_hangs_forever():\n    import time\n    time.sleep(3600)\n"
        try (try String(contentsOf: suite, encoding: .utf8) + hanging).write(to: suite, atomically: true, encoding: .utf8)
        return (plan, prepared)
    }

    @Test func cancellingARunsPrefixEndsItsQAEvaluationAtOnceAndKillsItsSubprocesses() async throws {
        let runID = UUID().uuidString.lowercased()
        let run = "cancel-\(runID.prefix(8))"
        let (plan, prepared) = try await hungWorkspace(run: run)
        let runDirectory = URL(fileURLWithPath: prepared.workspace).deletingLastPathComponent().resolvingSymlinksInPath().path
        let tenant = UUID()
        let token = AgentTestEnvironment.serviceToken(tenant: tenant)
        let otherToken = AgentTestEnvironment.serviceToken(tenant: UUID())
        let key = "run:\(runID):1:qa_evaluator"
        let prefix = #"{"key_prefix": "run:\#(runID):"}"#
        let qa = AgentExecutionRequest(idempotencyKey: key, input: try AgentJSON.encode(QAInput(runID: run, iteration: 1, plan: plan, workspace: prepared.workspace, timeoutSeconds: 120)))
        let qaBody = ByteBuffer(bytes: try AgentJSON.text(qa))
        let qaHeaders: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json", .grpcTimeout: "120S"]
        try await withAgentService { client in
            // The execution on a connection of its own (the test client's answers come in order),
            // with room for the 40 s it would take if the cancel did nothing.
            let port = try #require(client.port)
            async let executed = TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))) { own in
                let response = try await own.execute(.init("/internal/v1/agents/qa_evaluator/execute", method: .post, headers: qaHeaders, body: qaBody))
                return (response.status, response.body.flatMap { WireError.decode(from: Data(buffer: $0)) })
            }
            let inPytest = await eventually(within: .seconds(90), every: .milliseconds(50)) {
                await processes(under: runDirectory).contains { $0.command.contains("pytest") }
            }
            try #require(inPytest, "the evaluation reached pytest in the run's workspace")

            let untouched = try await cancel(client, token: otherToken, body: prefix)
            #expect(untouched.status == .ok)
            #expect(untouched.cancelled == .number(0), "another tenant's call cancels nothing")
            let stillRunning = await processes(under: runDirectory)
            #expect(stillRunning.contains { $0.command.contains("pytest") }, "the evaluation still runs")

            let started = ContinuousClock.now
            let cancelled = try await cancel(client, token: token, body: prefix)
            let took = ContinuousClock.now - started
            #expect(cancelled.status == .ok)
            #expect(cancelled.cancelled == .number(1))
            #expect(took < .seconds(5), "answered at once, not after the hung test's 40 s: \(took)")
            let left = await processes(under: runDirectory)
            #expect(left.isEmpty, "no subprocess of the evaluation outlives the cancel: \(left)")

            let (status, error) = try await executed
            #expect(status.code == 499)
            #expect(error?.code == .cancelled)
            #expect(error?.message == "cancelled by its caller")

            let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { pool.close() }
            let rows = try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
                try await session.query("SELECT status, error->>'code' AS code, duration_ms FROM agent_executions WHERE role = 'qa_evaluator' AND idempotency_key = \(key)")
            }
            let row = try #require(rows.first, "the execution is recorded")
            #expect(try row.decode("status", as: String.self) == "failed")
            #expect(try row.decode("code", as: String.self) == "CANCELLED")
            #expect(try row.decode("duration_ms", as: Int.self) > 0, "the usage so far is recorded")

            let again = try await cancel(client, token: token, body: prefix)
            #expect(again.status == .ok)
            #expect(again.cancelled == .number(0), "idempotent")
            try await client.execute(uri: "/internal/v1/agents/qa_evaluator/execute", method: .post, headers: qaHeaders, body: qaBody) { response in
                #expect(response.status.code == 499, "a retry with the key answers the recorded cancellation")
                #expect(response.wireError?.code == .cancelled)
            }
            try await client.execute(uri: "/internal/v1/sandboxes/\(run)/cleanup", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"failed": false}"#)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aMalformedCancelIsRefusedNamingTheField() async throws {
        try await withAgentService { client in
            let token = AgentTestEnvironment.serviceToken(tenant: UUID())
            let refused: [(body: String, field: String?)] = [
                ("{}", "key_prefix"),
                (#"{"key_prefix": ""}"#, "key_prefix"),
                (#"{"key_prefix": 7}"#, "key_prefix"),
                (#"{"key_prefix": null}"#, "key_prefix"),
                (#"{"key_prefix": "\#(String(repeating: "k", count: 201))"}"#, "key_prefix"),
                (#"{"key_prefix": "run:\u0000"}"#, "key_prefix"),
                (#"{"key_prefix": "run:", "tenant_id": "someone-else"}"#, "tenant_id"),
                ("[]", nil),
                ("not json", nil),
            ]
            for (body, field) in refused {
                let answer = try await cancel(client, token: token, body: body)
                #expect(answer.status == .badRequest, "\(body)")
                #expect(answer.error?.code == .invalidArgument, "\(body)")
                #expect(answer.error?.details.first?.field == field, "\(body): \(String(describing: answer.error))")
            }
            let longest = try await cancel(client, token: token, body: #"{"key_prefix": "\#(String(repeating: "k", count: 200))"}"#)
            #expect(longest.status == .ok)
            #expect(longest.cancelled == .number(0))
            try await client.execute(uri: "/internal/v1/executions/cancel", method: .post, headers: headers(AgentTestEnvironment.userToken(tenant: UUID())), body: ByteBuffer(string: #"{"key_prefix": "run:"}"#)) { response in
                #expect(response.status == .unauthorized, "service tokens only")
            }
        }
    }
}

/// The processes whose working directory lies under `directory`, with their command lines
/// (a zombie has no working directory left).
private func processes(under directory: String) async -> [(pid: Int32, command: String)] {
    await FileSystemLane.run {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (pid: Int32, command: String)? in
            guard let pid = Int32(entry),
                  let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd"),
                  cwd == directory || cwd.hasPrefix(directory + "/")
            else { return nil }
            let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline"))) ?? Data()
            return (pid, String(decoding: commandLine.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self))
        }
    }
}
