import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import Testing
@testable import AgentService

/// A per-run `"provider": "openai"` through the execute endpoint, against the local fake chat
/// server: what reaches the model, what a failure costs, what the logs hold.
@Suite struct OpenAIExecutionTests {
    private static let apiKey = "sk-test-not-a-real-key"

    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    /// A reviewer call on the openai provider, unique per call (so cache entries never collide).
    private func reviewerBody(model: String? = nil) throws -> ByteBuffer {
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        let summary = RunSummary(runID: UUID().uuidString, plan: plan, files: ["a.py"], iterations: 1, testsPassed: 1, testsFailed: 0, score: 100)
        return ByteBuffer(bytes: try AgentJSON.text(AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(summary), provider: "openai", model: model)))
    }

    private func withAgentService(baseURL: String, logger: Logger = AgentTestEnvironment.logger, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: logger, providerConfig: try AgentTestEnvironment.providerConfig(baseURL: baseURL), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in try await test(client) }
    }

    private func reviewerStatistics(_ client: any TestClientProtocol, tenant: UUID) async throws -> JSONValue? {
        try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: tenant, role: .viewer))) { response in
            let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
            guard case .array(let roles)? = catalogue["roles"] else { return nil }
            return roles.first { $0["role"]?.stringValue == "reviewer" }?["statistics"]
        }
    }

    @Test func theOverrideReachesTheModelWithTheRequestedModel() async throws {
        let server = FakeChatServer([.reply(###"{"title":"Scaffold: CRM","markdown":"## Summary\nok\n"}"###, promptTokens: 210, completionTokens: 34)])
        try await server.run { baseURL in
            try await withAgentService(baseURL: baseURL) { client in
                try await client.execute(uri: "/internal/v1/agents/reviewer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: UUID())), body: try reviewerBody(model: "override-model")) { response in
                    #expect(response.status == .created)
                    let usage = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))["usage"]
                    #expect(usage?["provider"]?.stringValue == "openai")
                    #expect(usage?["prompt_tokens"] == .number(210))
                    #expect(usage?["completion_tokens"] == .number(34))
                }
            }
        }
        #expect(server.calls.count == 1)
        #expect(server.calls.first?.contains(#""model":"override-model""#) == true)
        #expect(server.calls.first?.contains("Reviewer of Meta-Builder") == true)
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

    @Test func tokensPaidBeforeAProviderOutageStillCountWhileTheKeyIsFreedForARetry() async throws {
        let server = FakeChatServer([.reply("not json", promptTokens: 120, completionTokens: 30)], fallback: .status(503))
        try await server.run { baseURL in
            try await withAgentService(baseURL: baseURL) { client in
                let tenant = UUID()
                let body = try reviewerBody()
                for attempt in ["first", "retry"] {
                    try await client.execute(uri: "/internal/v1/agents/reviewer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: body) { response in
                        #expect(response.status == .serviceUnavailable, "\(attempt): the retry runs again, it is neither ABORTED nor a replay")
                    }
                }
                let statistics = try await reviewerStatistics(client, tenant: tenant)
                #expect(statistics?["executions"] == .number(0))
                #expect(statistics?["failed_executions"] == .number(0), "a dependency failure is not recorded as the execution's outcome")
                #expect(statistics?["prompt_tokens"] == .number(120))
                #expect(statistics?["completion_tokens"] == .number(30))
            }
        }
    }

    @Test func theAPIKeyNeverAppearsInTheLogs() async throws {
        let sink = LogSink.memory()
        let logger = Logger(label: "agent-service") { label in JSONLogHandler(label: label, level: .trace, sink: sink) }
        let server = FakeChatServer([
            .reply(#"{"title":"Scaffold: CRM","markdown":"ok"}"#),
            .reply("not json"), .reply("not json"),
            .status(401),
            .reply("not json"), .status(503),
        ], fallback: .status(503))
        try await server.run { baseURL in
            try await withAgentService(baseURL: baseURL, logger: logger) { client in
                let token = AgentTestEnvironment.serviceToken(tenant: UUID())
                for expected in [HTTPResponse.Status.created, .preconditionFailed, .preconditionFailed, .serviceUnavailable] {
                    try await client.execute(uri: "/internal/v1/agents/reviewer/execute", method: .post, headers: headers(token), body: try reviewerBody()) { response in
                        #expect(response.status == expected)
                    }
                }
            }
        }
        #expect(server.headers.contains { $0[.authorization] == "Bearer \(Self.apiKey)" }, "the key was sent to the provider")
        let lines = sink.captured
        #expect(lines.contains { $0.contains("agent executed") }, "the executions were logged")
        #expect(lines.contains { $0.contains("model reply failed validation") })
        let leaking = lines.filter { $0.contains(Self.apiKey) || $0.contains("not-a-real-key") }
        #expect(leaking.isEmpty, "\(leaking)")
    }
}
