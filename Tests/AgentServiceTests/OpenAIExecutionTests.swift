import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import AgentService

/// A per-run `"provider": "openai"` through the execute endpoint, against the local fake chat
/// server: what reaches the model, what a failure costs, what the logs hold.
@Suite struct OpenAIExecutionTests {
    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    /// A reviewer call on the openai provider, unique per call (so cache entries never collide).
    private func reviewerBody(model: String? = nil) throws -> ByteBuffer {
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let summary = RunSummary(runID: UUID().uuidString, plan: plan, files: ["a.py"], iterations: 1, testsPassed: 1, testsFailed: 0, score: 100)
        return ByteBuffer(bytes: try AgentJSON.text(AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(summary), provider: "openai", model: model)))
    }

    private func withAgentService(baseURL: String, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: try AgentTestEnvironment.providerConfig(baseURL: baseURL), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in try await test(client) }
    }

    private func reviewerStatistics(_ client: any TestClientProtocol, tenant: UUID) async throws -> JSONValue? {
        try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: tenant, role: .viewer))) { response in
            let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
            guard case .array(let roles)? = catalogue["roles"] else { return nil }
            return roles.first { $0["role"]?.stringValue == "reviewer" }?["statistics"]
        }
    }

    @Test func aFailedExecutionRecordsAndCountsTheTokensOfBothCompletions() async throws {
        let server = FakeChatServer([.reply("not json", promptTokens: 120, completionTokens: 30), .reply("still not json", promptTokens: 150, completionTokens: 40)])
        try await server.run { baseURL in
            try await withAgentService(baseURL: baseURL) { client in
                let tenant = UUID()
                let body = try reviewerBody()
                for attempt in ["first", "replay"] {
                    try await client.execute(uri: "/internal/v1/agents/reviewer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: body) { response in
                        #expect(response.status == .preconditionFailed, "\(attempt)")
                        #expect(response.wireError?.message.contains("stayed invalid after one repair attempt") == true, "\(attempt)")
                    }
                }
                let statistics = try await reviewerStatistics(client, tenant: tenant)
                #expect(statistics?["executions"] == .number(0))
                #expect(statistics?["failed_executions"] == .number(1))
                #expect(statistics?["prompt_tokens"] == .number(270))
                #expect(statistics?["completion_tokens"] == .number(70))
            }
        }
        #expect(server.calls.count == 2, "the replay of the recorded failure calls nothing")
    }
}
