import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import AgentService

/// The agent-service over real HTTP, against its own schema in the real Postgres.
@Suite struct AgentEndpointTests {
    private func withAgentService(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: try AgentTestEnvironment.providerConfig(), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in try await test(client) }
    }

    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    private func designerBody(key: String, title: String = "CRM") throws -> ByteBuffer {
        var spec = CRMFixture.spec
        spec.title = title
        let request = AgentExecutionRequest(idempotencyKey: key, input: try AgentJSON.encode(DesignerInput(spec: spec)))
        return ByteBuffer(bytes: try AgentJSON.text(request))
    }

    private func result(_ response: TestResponse) throws -> AgentExecutionResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(AgentExecutionResult.self, from: Data(buffer: response.body))
    }

    @Test func serviceTokenRunsTheAgentAndRecordsUsage() async throws {
        try await withAgentService { client in
            let tenant = UUID()
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: try designerBody(key: UUID().uuidString)) { response in
                #expect(response.status == .created)
                let result = try result(response)
                #expect(result.role == .systemDesigner)
                #expect(!result.replayed)
                #expect(result.usage.provider == "deterministic")
                #expect(result.usage.promptTokens > 100)
                #expect(result.usage.completionTokens > 100)
                #expect(result.usage.costEstimateUSD == 0)
                let plan = try result.output(as: ScaffoldPlan.self)
                #expect(plan.migrations.count == 5)
            }
        }
    }

    @Test func replayWithTheSameKeyReturnsTheRecordedExecution() async throws {
        try await withAgentService { client in
            let tenant = UUID()
            let key = UUID().uuidString
            let token = AgentTestEnvironment.serviceToken(tenant: tenant)
            let first = try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(token), body: try designerBody(key: key)) { try result($0) }
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(token), body: try designerBody(key: key)) { response in
                #expect(response.status == .ok)
                let replay = try result(response)
                #expect(replay.executionID == first.executionID)
                #expect(replay.replayed)
                #expect(replay.output == first.output)
                #expect(replay.usage == first.usage)
            }
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(token), body: try designerBody(key: key, title: "Other")) { response in
                #expect(response.status == .conflict)
                #expect(response.wireError?.code == .alreadyExists)
            }
        }
    }

    @Test func concurrentCallsWithOneKeyRunOnce() async throws {
        try await withAgentService { client in
            let tenant = UUID()
            let key = UUID().uuidString
            let token = AgentTestEnvironment.serviceToken(tenant: tenant)
            let outcomes = try await withThrowingTaskGroup(of: (Int, ResourceID?).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(token), body: try designerBody(key: key)) { response in
                            (response.status.code, try? result(response).executionID)
                        }
                    }
                }
                return try await group.reduce(into: [(Int, ResourceID?)]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.0 == 201 }.count == 1)
            #expect(outcomes.allSatisfy { [200, 201, 409].contains($0.0) })
            #expect(Set(outcomes.compactMap(\.1)).count == 1)
        }
    }

    @Test func onlyTheServicesTheContractListsMayCallTheInternalEndpoints() async throws {
        try await withAgentService { client in
            let tenant = UUID()
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.userToken(tenant: tenant)), body: try designerBody(key: "k")) { response in
                #expect(response.status == .unauthorized)
                #expect(response.wireError?.code == .unauthenticated)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer ") == true)
            }
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, body: try designerBody(key: "k")) { response in
                #expect(response.status == .unauthorized)
            }
            // The spec-service may run agents but not cancel or clean up a run's work; no service
            // may call the agent-service as the agent-service, nor as the approval-service.
            let cancel = ByteBuffer(string: #"{"key_prefix":"run-1:"}"#)
            let refused: [(String, String, ByteBuffer)] = [
                ("spec-service", "/internal/v1/executions/cancel", cancel),
                ("agent-service", "/internal/v1/agents/system_designer/execute", try designerBody(key: "k")),
                ("approval-service", "/internal/v1/executions/cancel", cancel),
            ]
            for (issuer, uri, body) in refused {
                try await client.execute(uri: uri, method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant, from: issuer)), body: body) { response in
                    #expect(response.status == .unauthorized, "\(issuer) → \(uri)")
                }
            }
            try await client.execute(uri: "/internal/v1/executions/cancel", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: cancel) { response in
                #expect(response.status == .ok, "the run-service may cancel")
            }
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant, from: "spec-service")), body: try designerBody(key: UUID().uuidString)) { response in
                #expect(response.status == .created, "the spec-service may run agents")
            }
        }
    }

    @Test func anotherTenantsExecutionIsInvisible() async throws {
        try await withAgentService { client in
            let tenantA = UUID(), tenantB = UUID()
            let key = UUID().uuidString
            let a = try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenantA)), body: try designerBody(key: key)) { try result($0) }
            // Same key in tenant B: not a replay of A's execution.
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenantB)), body: try designerBody(key: key, title: "B's CRM")) { response in
                #expect(response.status == .created)
                let b = try result(response)
                #expect(b.executionID != a.executionID)
                #expect(!b.replayed)
            }
            try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: UUID(), role: .viewer))) { response in
                #expect(response.status == .ok)
                let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                guard case .array(let roles)? = catalogue["roles"] else { Issue.record("roles missing"); return }
                #expect(roles.count == 8)
                let designer = roles.first { $0["role"]?.stringValue == "system_designer" }
                #expect(designer?["statistics"]?["executions"] == .number(0))
            }
        }
    }

    @Test func statisticsCountTheTenantsExecutions() async throws {
        try await withAgentService { client in
            let tenant = UUID()
            for _ in 0..<3 {
                _ = try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: try designerBody(key: UUID().uuidString))
            }
            try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: tenant, role: .member))) { response in
                let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                guard case .array(let roles)? = catalogue["roles"] else { Issue.record("roles missing"); return }
                let designer = roles.first { $0["role"]?.stringValue == "system_designer" }
                #expect(designer?["statistics"]?["executions"] == .number(3))
                #expect(designer?["implemented"] == .bool(true))
                if case .number(let tokens)? = designer?["statistics"]?["prompt_tokens"] { #expect(tokens > 0) } else { Issue.record("prompt_tokens missing") }
                #expect(roles.allSatisfy { $0["implemented"] == .bool(true) })
                guard case .array(let providers)? = catalogue["providers"] else { Issue.record("providers missing"); return }
                #expect(providers.compactMap { $0["name"]?.stringValue } == ["deterministic", "openai"])
            }
        }
    }

    @Test func statisticsGiveLatencyPercentilesAndCacheHitRateOfTheSucceededExecutions() async throws {
        try await withAgentService { client in
            let tenant = UUID()
            let keys = (0..<6).map { _ in UUID().uuidString }
            for key in keys {
                _ = try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: try designerBody(key: key))
            }
            // Known figures: five succeeded executions, and a failed one that must not count in
            // the latency or the cache hit rate.
            let figures: [(duration: Int, cacheHit: Bool, status: String)] = [(100, true, "succeeded"), (200, false, "succeeded"), (300, false, "succeeded"), (400, false, "succeeded"), (1000, true, "succeeded"), (50_000, true, "failed")]
            let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { pool.close() }
            try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
                for (key, figure) in zip(keys, figures) {
                    try await session.execute("""
                        UPDATE agent_executions SET duration_ms = \(figure.duration), cache_hit = \(figure.cacheHit), status = \(figure.status)
                        WHERE idempotency_key = \(key)
                        """)
                }
            }
            try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: tenant, role: .viewer))) { response in
                let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                guard case .array(let roles)? = catalogue["roles"] else { Issue.record("roles missing"); return }
                let statistics = roles.first { $0["role"]?.stringValue == "system_designer" }?["statistics"]
                #expect(statistics?["executions"] == .number(5))
                #expect(statistics?["failed_executions"] == .number(1))
                #expect(statistics?["p50_ms"] == .number(300))
                // percentile_cont: 400 + 0.8 × (1000 − 400).
                if case .number(let p95)? = statistics?["p95_ms"] { #expect(abs(p95 - 880) < 0.001, "\(p95)") } else { Issue.record("p95_ms missing") }
                if case .number(let rate)? = statistics?["cache_hit_rate"] { #expect(abs(rate - 0.4) < 0.0001, "\(rate)") } else { Issue.record("cache_hit_rate missing") }
            }
        }
    }

    @Test func codegenRunsThroughTheExecuteEndpointAndCleanupRemovesTheSandbox() async throws {
        try await withAgentService { client in
            let token = AgentTestEnvironment.serviceToken(tenant: UUID())
            let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
            let request = AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(CodegenInput(plan: plan)))
            let run = "endpoint-\(UUID().uuidString.prefix(8).lowercased())"
            let codegen = try await client.execute(uri: "/internal/v1/agents/codegen_engineer/execute", method: .post, headers: headers(token), body: ByteBuffer(bytes: try AgentJSON.text(request))) { response in
                #expect(response.status == .created)
                return try result(response).output(as: CodegenOutput.self)
            }
            #expect(codegen.diff.contains("diff --git a/app/resources/deals.py b/app/resources/deals.py"))
            let devOps = AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(DevOpsInput(runID: run, iteration: 1, diff: codegen.diff)))
            let prepared = try await client.execute(uri: "/internal/v1/agents/devops/execute", method: .post, headers: headers(token), body: ByteBuffer(bytes: try AgentJSON.text(devOps))) { response in
                try result(response).output(as: DevOpsOutput.self)
            }
            #expect(prepared.ready)
            #expect(FileManager.default.fileExists(atPath: prepared.workspace + "/app/__init__.py"))
            try await client.execute(uri: "/internal/v1/sandboxes/\(run)/cleanup", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"failed": false}"#)) { response in
                #expect(response.status == .ok)
                let outcome = try JSONDecoder().decode(SandboxCleaner.Outcome.self, from: Data(buffer: response.body))
                #expect(outcome.removedWorkspaces)
                #expect(outcome.droppedSchema == prepared.schema)
            }
            #expect(!FileManager.default.fileExists(atPath: prepared.workspace))
            let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL"), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { pool.close() }
            let schemas = try await pool.query("SELECT count(*) AS n FROM pg_namespace WHERE nspname = \(prepared.schema)")
            #expect(try schemas[0].decode("n", as: Int.self) == 0)
            let roles = try #require(PreviewRoles(schema: prepared.schema))
            let left = try await pool.query("SELECT count(*) AS n FROM pg_roles WHERE rolname IN (\(roles.owner), \(roles.app))")
            #expect(try left[0].decode("n", as: Int.self) == 0, "the preview's roles are dropped with its schema")
        }
    }

    @Test func anOpenAIOverrideWithoutAnAPIKeyIsAFailedPreconditionAndSendsNothing() async throws {
        let server = FakeChatServer([], fallback: .reply(###"{"title":"x","markdown":"y"}"###))
        try await server.run { baseURL in
            let keyless = try ProviderConfig(reader: ConfigReader(["META_BUILDER_OPENAI_BASE_URL": baseURL]))
            let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: keyless, sandbox: try AgentTestEnvironment.sandbox())
            try await app.test(.live) { client in
                let tenant = UUID()
                let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
                let summary = RunSummary(runID: UUID().uuidString, plan: plan, files: ["a.py"], iterations: 1, testsPassed: 1, testsFailed: 0, score: 100)
                let request = AgentExecutionRequest(idempotencyKey: UUID().uuidString, input: try AgentJSON.encode(summary), provider: "openai")
                try await client.execute(uri: "/internal/v1/agents/reviewer/execute", method: .post, headers: headers(AgentTestEnvironment.serviceToken(tenant: tenant)), body: ByteBuffer(bytes: try AgentJSON.text(request))) { response in
                    #expect(response.status == .preconditionFailed)
                    #expect(response.wireError?.code == .failedPrecondition)
                    #expect(response.wireError?.message.contains("META_BUILDER_OPENAI_API_KEY") == true)
                    #expect(response.wireError?.details.first?.field == "provider")
                }
                try await client.execute(uri: "/api/meta/v2/agents", method: .get, headers: headers(AgentTestEnvironment.userToken(tenant: tenant, role: .viewer))) { response in
                    let catalogue = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                    guard case .array(let roles)? = catalogue["roles"] else { Issue.record("roles missing"); return }
                    let reviewer = roles.first { $0["role"]?.stringValue == "reviewer" }
                    #expect(reviewer?["statistics"]?["executions"] == .number(0), "refused up front: nothing recorded")
                }
            }
        }
        #expect(server.calls.isEmpty, "nothing was sent to the provider")
    }

    @Test func badInputNamesTheField() async throws {
        try await withAgentService { client in
            let token = AgentTestEnvironment.serviceToken(tenant: UUID())
            let body = ByteBuffer(string: #"{"idempotency_key":"k1","input":{"spec":{"title":"x"}}}"#)
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(token), body: body) { response in
                #expect(response.status == .badRequest)
                #expect(response.wireError?.details.first?.field?.hasPrefix("input.spec.") == true)
            }
            try await client.execute(uri: "/internal/v1/agents/nobody/execute", method: .post, headers: headers(token), body: try designerBody(key: "k2")) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/internal/v1/agents/system_designer/execute", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"idempotency_key":"","input":{}}"#)) { response in
                #expect(response.status == .badRequest)
            }
            let unknownProvider = ByteBuffer(string: #"{"idempotency_key":"k3","provider":"magic","input":{}}"#)
            try await client.execute(uri: "/internal/v1/agents/reviewer/execute", method: .post, headers: headers(token), body: unknownProvider) { response in
                #expect(response.wireError?.details.first?.field == "provider")
            }
        }
    }
}

extension TestResponse {
    /// The wire error in the body, if any.
    var wireError: WireError? { WireError.decode(from: Data(buffer: body)) }
}
