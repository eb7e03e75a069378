import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import AgentService

/// DevOps and QA execute things: asked to run on the OpenAI-compatible provider they still run
/// their real implementation (the model is never called), the execution says so, and so does the
/// catalogue.
@Suite struct ExecutingRolesTests {
    private func withAgentService(baseURL: String, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: try AgentTestEnvironment.providerConfig(baseURL: baseURL), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in try await test(client) }
    }

    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    private func body(_ input: some Encodable, provider: String?) throws -> ByteBuffer {
        ByteBuffer(bytes: try AgentJSON.text(AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(input), provider: provider, model: "a-model")))
    }

    @Test func devOpsAndQAIgnoreAnOpenAIOverrideAndNeverCallTheModel() async throws {
        let server = FakeChatServer([], fallback: .status(500))
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let diff = try await CodegenEngineer.diff(try ScaffoldRenderer().render(plan), over: nil)
        let run = "executing-\(UUID().uuidString.prefix(8).lowercased())"
        try await server.run { baseURL in
            try await withAgentService(baseURL: baseURL) { client in
                let token = AgentTestEnvironment.serviceToken(tenant: UUID())
                try await client.execute(uri: "/internal/v1/agents/devops/execute", method: .post, headers: headers(token), body: try body(DevOpsInput(runID: run, iteration: 1, diff: diff), provider: "openai")) { response in
                    #expect(response.status == .created)
                    let decoder = JSONDecoder()
                    decoder.dateDecodingStrategy = .iso8601
                    let result = try decoder.decode(AgentExecutionResult.self, from: Data(buffer: response.body))
                    #expect(result.usage.provider == "deterministic")
                    #expect(result.usage.model == "rules-v1")
                    #expect(try result.output(as: DevOpsOutput.self).ready)
                }
                let qa = QAInput(runID: run, iteration: 1, plan: plan, workspace: "/etc", timeoutSeconds: 30)
                try await client.execute(uri: "/internal/v1/agents/qa_evaluator/execute", method: .post, headers: headers(token), body: try body(qa, provider: "openai")) { response in
                    #expect(response.status == .badRequest, "the real evaluator checked the workspace")
                    #expect(response.wireError?.details.first?.field == "input.workspace")
                }
                try await client.execute(uri: "/internal/v1/sandboxes/\(run)/cleanup", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"failed": false}"#)) { response in
                    #expect(response.status == .ok)
                }
            }
        }
        #expect(server.calls.isEmpty, "the model was asked to play \(server.calls.count) executing role(s)")
    }

    @Test func qaThroughTheExecuteEndpointRecordsItsEvalReportInTheExecution() async throws {
        let spec = try ProductArchitect().design(ArchitectInput(title: "CRM", description: "A CRM with contacts that have a name and an email.", mode: .freeform))
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let diff = try await CodegenEngineer.diff(try ScaffoldRenderer().render(plan), over: nil)
        let run = "recorded-\(UUID().uuidString.prefix(8).lowercased())"
        let tenant = UUID()
        try await withAgentService(baseURL: "http://127.0.0.1:9/v1") { client in
            let token = AgentTestEnvironment.serviceToken(tenant: tenant)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let prepared = try await client.execute(uri: "/internal/v1/agents/devops/execute", method: .post, headers: headers(token), body: try body(DevOpsInput(runID: run, iteration: 1, diff: diff), provider: nil)) { response in
                try decoder.decode(AgentExecutionResult.self, from: Data(buffer: response.body)).output(as: DevOpsOutput.self)
            }
            let qa = try body(QAInput(runID: run, iteration: 1, plan: plan, workspace: prepared.workspace, timeoutSeconds: 120), provider: nil)
            let executed = try await client.execute(uri: "/internal/v1/agents/qa_evaluator/execute", method: .post, headers: headers(token), body: qa) { response in
                #expect(response.status == .created)
                return try decoder.decode(AgentExecutionResult.self, from: Data(buffer: response.body))
            }
            let report = try executed.output(as: EvalReport.self)
            #expect(report.score == 100, "\(report.checks.filter { !$0.passed }.map(\.name))")
            let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { pool.close() }
            let rows = try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
                try await session.query("SELECT status, (output->>'score')::int AS score, jsonb_array_length(output->'checks') AS checks FROM agent_executions WHERE id = \(executed.executionID.uuid)")
            }
            let row = try #require(rows.first)
            #expect(try row.decode("status", as: String.self) == "succeeded")
            #expect(try row.decode("score", as: Int.self) == report.score)
            #expect(try row.decode("checks", as: Int.self) == report.checks.count)
            try await client.execute(uri: "/internal/v1/agents/qa_evaluator/execute", method: .post, headers: headers(token), body: qa) { response in
                #expect(response.status == .ok)
                let replay = try decoder.decode(AgentExecutionResult.self, from: Data(buffer: response.body))
                #expect(try replay.output(as: EvalReport.self) == report, "the replay answers the recorded report")
            }
            try await client.execute(uri: "/internal/v1/sandboxes/\(run)/cleanup", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"failed": false}"#)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func theCatalogueListsOnlyTheDeterministicProviderForTheExecutingRoles() async throws {
        try await withAgentService(baseURL: "http://127.0.0.1:9/v1") { client in
            try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: UUID(), role: .viewer))) { response in
                let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                guard case .array(let roles)? = catalogue["roles"] else { Issue.record("roles missing"); return }
                func providers(_ role: AgentRole) -> JSONValue? { roles.first { $0["role"]?.stringValue == role.rawValue }?["providers"] }
                #expect(providers(.devOps) == .array([.string("deterministic")]))
                #expect(providers(.qaEvaluator) == .array([.string("deterministic")]))
                #expect(providers(.autoFixer) == .array([.string("deterministic"), .string("openai")]))
                #expect(providers(.reviewer) == .array([.string("deterministic"), .string("openai")]))
            }
        }
    }
}
