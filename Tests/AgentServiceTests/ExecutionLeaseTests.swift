import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import AgentService

/// A `running` execution holds its idempotency key only while its lease runs: a retry of one whose
/// process died (simulated by putting a finished row back to `running`) takes it over once.
@Suite struct ExecutionLeaseTests {
    private func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    private func designerBody(key: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try AgentJSON.text(AgentExecutionRequest(idempotencyKey: key, input: try AgentJSON.encode(DesignerInput(spec: CRMFixture.spec)))))
    }

    private func result(_ response: TestResponse) throws -> AgentExecutionResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(AgentExecutionResult.self, from: Data(buffer: response.body))
    }

    /// Puts the recorded execution of `key` back to `running` with a lease that ends `seconds`
    /// from now on the database clock (negative: already expired), as a dead process leaves it.
    private func leaveRunning(tenant: UUID, key: String, leaseSeconds seconds: Int) async throws {
        let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { pool.close() }
        try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
            try await session.execute("""
                UPDATE agent_executions SET status = 'running', output = NULL, finished_at = NULL,
                    lease_expires_at = clock_timestamp() + \(seconds) * interval '1 second'
                WHERE idempotency_key = \(key)
                """)
        }
    }

    @Test func aRetryTakesOverAnExpiredClaimExactlyOnceAndALiveOneStaysAborted() async throws {
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: try AgentTestEnvironment.providerConfig(), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in
            let tenant = UUID()
            let token = AgentTestEnvironment.serviceToken(tenant: tenant)
            let uri = "/internal/v1/agents/system_designer/execute"

            let live = UUID().uuidString
            _ = try await client.execute(uri: uri, method: .post, headers: headers(token), body: try designerBody(key: live)) { try result($0) }
            try await leaveRunning(tenant: tenant, key: live, leaseSeconds: 60)
            try await client.execute(uri: uri, method: .post, headers: headers(token), body: try designerBody(key: live)) { response in
                #expect(response.status == .conflict)
                #expect(response.wireError?.code == .aborted)
                #expect(response.headers[.retryAfter] == "1")
            }

            let expired = UUID().uuidString
            let dead = try await client.execute(uri: uri, method: .post, headers: headers(token), body: try designerBody(key: expired)) { try result($0) }
            try await leaveRunning(tenant: tenant, key: expired, leaseSeconds: -1)
            let outcomes = try await withThrowingTaskGroup(of: (Int, AgentExecutionResult?).self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await client.execute(uri: uri, method: .post, headers: headers(token), body: try designerBody(key: expired)) { response in
                            (response.status.code, try? result(response))
                        }
                    }
                }
                return try await group.reduce(into: [(Int, AgentExecutionResult?)]()) { $0.append($1) }
            }
            let reRun = try #require(outcomes.first { $0.0 == 201 }?.1, "no retry re-ran the execution: \(outcomes.map(\.0))")
            #expect(outcomes.filter { $0.0 == 201 }.count == 1, "two retries took the claim over: \(outcomes.map(\.0))")
            #expect(outcomes.allSatisfy { [200, 201, 409].contains($0.0) })
            #expect(!reRun.replayed)
            #expect(reRun.executionID != dead.executionID, "a takeover is a new execution")
            #expect(reRun.output == dead.output)
            try await client.execute(uri: uri, method: .post, headers: headers(token), body: try designerBody(key: expired)) { response in
                #expect(response.status == .ok)
                let replay = try result(response)
                #expect(replay.executionID == reRun.executionID)
            }
        }
    }

    @Test func anAgentOverrunningItsDeadlineIsCancelledAndItsClaimDropped() async throws {
        let plan = try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec))
        var files = try ScaffoldRenderer().render(plan)
        files["app/seed.py"] = "import time\ntime.sleep(3600)\n"
        let diff = try await CodegenEngineer.diff(files, over: nil)
        let run = "overrun-\(UUID().uuidString.prefix(8).lowercased())"
        let tenant = UUID()
        let key = UUID().uuidString
        let app = try buildApplication(config: try AgentTestEnvironment.config(), logger: AgentTestEnvironment.logger, providerConfig: try AgentTestEnvironment.providerConfig(), sandbox: try AgentTestEnvironment.sandbox())
        try await app.test(.live) { client in
            let token = AgentTestEnvironment.serviceToken(tenant: tenant)
            let body = ByteBuffer(bytes: try AgentJSON.text(AgentExecutionRequest(idempotencyKey: key, input: try AgentJSON.encode(DevOpsInput(runID: run, iteration: 1, diff: diff)))))
            var hurried = headers(token)
            hurried[.grpcTimeout] = "2S"
            let started = ContinuousClock.now
            try await client.execute(uri: "/internal/v1/agents/devops/execute", method: .post, headers: hurried, body: body) { response in
                #expect(response.status == .gatewayTimeout)
                #expect(response.wireError?.code == .deadlineExceeded)
            }
            #expect(ContinuousClock.now - started < .seconds(15), "the hung seed ran on past the deadline")
            try await client.execute(uri: "/internal/v1/sandboxes/\(run)/cleanup", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"failed": false}"#)) { response in
                #expect(response.status == .ok)
            }
        }
        let pool = PostgresPool(config: DatabaseConfig(url: try AgentTestEnvironment.require("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { pool.close() }
        let rows = try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
            try await session.query("SELECT count(*) AS n FROM agent_executions WHERE idempotency_key = \(key)")
        }
        #expect(try rows[0].decode("n", as: Int.self) == 0, "the claim is dropped, so a retry runs again")
    }
}
