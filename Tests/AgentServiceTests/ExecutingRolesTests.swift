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
