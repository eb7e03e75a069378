import Foundation
import Logging
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Gates opened from real runs: a high-risk run parks in `awaiting_approval`, the
    /// approval-service (a real process beside the mesh) opens its gate exactly once — from the
    /// `run.awaiting_approval` event alone, or from the run-service's request, the event and
    /// more requests at once — with the evidence read from the run-service and the spec-service,
    /// and the decision on it finishes the run.
    @Suite(.serialized) struct ApprovalGateTests {
        /// Runs `body` with the mesh (`runServices` run-services, `runServiceApprovalURL` set as
        /// their approval peer: the approval-service's own, or one where nobody listens) and an
        /// approval-service process whose peers are the mesh's; `environment` goes to every
        /// process.
        static func withApprovalMesh<T: Sendable>(
            approvalPort: Int, runServiceApprovalURL: String, runServices: Int = 1, environment: [String: String] = [:],
            _ body: (RunMesh, ServiceProcess, MeshClient, PostgresPool) async throws -> T
        ) async throws -> T {
            try await RunMesh.with(runServices: runServices, environment: environment.merging(["META_BUILDER_APPROVAL_URL": runServiceApprovalURL]) { $1 }) { mesh in
                let approval = ServiceProcess(name: "approval-service", port: approvalPort, environment: try approvalEnvironment(mesh).merging(environment) { $1 }, logPath: "\(mesh.logDirectory)/approval-service.log")
                defer { approval.stop() }
                try await approval.start()
                let pool = PostgresPool(
                    config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_APPROVAL_DATABASE_URL"), poolSize: 2),
                    applicationName: "approval-gate-tests", logger: RunMesh.logger
                )
                defer { pool.close() }
                return try await body(mesh, approval, MeshClient(jwtSecret: RunMesh.jwtSecret), pool)
            }
        }

        /// The environment of an approval-service whose peers are the mesh's services.
        static func approvalEnvironment(_ mesh: RunMesh) throws -> [String: String] {
            try ServiceDatabase.environment("APPROVAL").merging([
                "META_BUILDER_REDIS_URL": try RequiredEnvironment.value("META_BUILDER_REDIS_URL"),
                "META_BUILDER_JWT_SECRET": RunMesh.jwtSecret,
                "META_BUILDER_RUN_URL": "http://127.0.0.1:\(mesh.runPorts[0])",
                "META_BUILDER_SPEC_URL": "http://127.0.0.1:\(mesh.specPort)",
                "META_BUILDER_AGENT_URL": "http://127.0.0.1:\(mesh.agentPort)",
                "META_BUILDER_OUTBOX_POLL_MS": "20",
            ]) { $1 }.merging(MeshKeys.environment(for: "approval-service")) { $1 }
        }

        /// The ids of the gates the approval-service stored for a run.
        static func gates(of run: String, tenant: UUID, _ pool: PostgresPool) async throws -> [String] {
            try await pool.batch(tenant: tenant, deadline: .after(.seconds(15)), ["SELECT id FROM gates WHERE run_id = \(run)::uuid"])[0]
                .map { try $0.decode("id", as: UUID.self).lowercaseText }
        }

        /// The types of the events the approval-service wrote about a gate.
        static func events(of gate: String, _ pool: PostgresPool) async throws -> [String] {
            try await pool.work("SELECT event_type FROM outbox WHERE payload -> 'data' ->> 'gate_id' = \(gate) ORDER BY created_at", deadline: .after(.seconds(15)))
                .map { try $0.decode("event_type") }
        }

        /// Polls `condition` until it holds or `timeout` passes; whether it held.
        static func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
            let giveUp = ContinuousClock.now + timeout
            while ContinuousClock.now < giveUp {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return try await condition()
        }

        @Test func theEventAloneOpensOneGateWithTheRunsEvidenceAndTheApprovalFinishesTheRun() async throws {
            let (approvalPort, nowhere) = (try LoopbackPort.free(), try ClosedPort())
            defer { withExtendedLifetime(nowhere) {} }
            try await Self.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: nowhere.url) { mesh, approval, client, pool in
                let tenant = UUID()
                let creator = RunMesh.token(tenant: tenant, role: .owner, user: "creator")
                let spec = try await mesh.createSpec(token: creator, title: "Synced CRM", description: RunLoopTests.syncedCRM)
                // The injected fault makes a second iteration: the gate reviews both diffs.
                let started = try await mesh.startRun(spec: spec, token: creator, body: #"{"fault":"missing_column"}"#)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                let run = try await mesh.waitForRun(id, token: creator)
                try #require(run["status"]?.stringValue == "awaiting_approval", "\(run)")
                let iteration = try #require(run["iteration"]?.int)

                // The run-service cannot reach the approval-service: only the event asks.
                let viewer = client.token(tenant: tenant, role: .viewer, user: "someone")
                var listed: JSONValue?
                let opened = try await Self.eventually {
                    listed = try await client.call("GET", "\(approval.url)/api/meta/v2/approvals", token: viewer).json?["approvals"]?.array?.first
                    return listed != nil
                }
                try #require(opened, "no gate was opened:\n\(approval.logTail())")
                let gateID = try #require(listed?["id"]?.stringValue)
                let gate = try #require(try await client.call("GET", "\(approval.url)/api/meta/v2/approvals/\(gateID)", token: viewer).json)
                #expect(gate["run_id"]?.stringValue == id)
                #expect(gate["status"]?.stringValue == "pending")
                #expect(gate["iteration"]?.int == iteration)
                #expect(gate["risk_score"]?.int == run[path: "risk", "score"]?.int)
                #expect(gate[path: "risk", "threshold"]?.int == 70)
                #expect(gate[path: "risk", "flags"]?.array?.isEmpty == false, "the plan's risk flags")
                #expect(gate["required_approvals"]?.int == 1)
                #expect(gate["self_approval_allowed"]?.bool == false)
                #expect(gate["run_created_by"]?.stringValue == "creator")
                #expect(gate[path: "pull_request", "title"] == run[path: "pull_request", "title"])
                #expect(gate[path: "pull_request", "markdown"] == run[path: "pull_request", "markdown"])
                let roles = gate[path: "diff_summary", "iterations"]?.array?.compactMap { $0["role"]?.stringValue }
                #expect(roles == ["codegen_engineer", "auto_fixer"], "\(gate[path: "diff_summary"].map { "\($0)" } ?? "")")
                #expect(gate[path: "diff_summary", "files"]?.array?.isEmpty == false)
                #expect((gate[path: "diff_summary", "additions"]?.int ?? 0) > 0)
                #expect(gate[path: "eval_summary", "iteration"]?.int == iteration)
                #expect(gate[path: "eval_summary", "passed"]?.bool == true)
                #expect(gate[path: "rollback", "status"]?.stringValue == "passed", "\(gate["rollback"].map { "\($0)" } ?? "")")
                #expect(gate[path: "rollback", "checks"]?.array?.compactMap { $0["name"]?.stringValue } == ["rollback:down", "rollback:up"])
                let tables = gate[path: "rollback_plan", "data_lost", "tables"]?.array?.compactMap(\.stringValue) ?? []
                #expect(tables.contains("deals") && tables.contains("contacts"), "\(tables)")
                let versions = gate[path: "rollback_plan", "down_migrations"]?.array?.compactMap { $0["version"]?.int } ?? []
                #expect(!versions.isEmpty && versions == versions.sorted(by: >))
                #expect(gate[path: "rollback_plan", "branch", "name"]?.stringValue == "meta-builder/run-\(id)")

                let contract = try await client.call("GET", "\(approval.url)/openapi.json", token: nil).text
                let shown = try await client.call("GET", "\(approval.url)/api/meta/v2/approvals/\(gateID)", token: viewer).text
                let violations = try await OpenAPISchemaCheck.violations(of: shown, schema: "Gate", document: contract)
                #expect(violations.isEmpty, "\(violations)")

                // Exactly one gate and one approval.requested, however long one waits.
                try await Task.sleep(for: .seconds(1))
                #expect(try await Self.gates(of: id, tenant: tenant, pool) == [gateID])
                #expect(try await Self.events(of: gateID, pool) == ["approval.requested"])

                // The creator may not approve; another owner does, and the run finalizes.
                let own = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(id)/approve", token: creator)
                #expect(own.status == 403, "\(own.text)")
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let approved = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(id)/approve", token: reviewer, body: #"{"comment":"rollback verified"}"#)
                #expect(approved.status == 200, "\(approved.text)")
                #expect(approved.json?["status"]?.stringValue == "approved")
                let finished = try await mesh.waitForRun(id, token: creator) { RunMesh.isSettled($0) && $0["status"]?.stringValue != "awaiting_approval" }
                #expect(finished["status"]?.stringValue == "succeeded", "\(finished)")
                #expect(finished[path: "approval", "gate_id"]?.stringValue == gateID)
                #expect(finished[path: "approval", "decided_by"]?.stringValue == "reviewer")
                #expect(try await Self.events(of: gateID, pool) == ["approval.requested", "approval.decided"])
            }
        }

        @Test func theRequestTheEventAndMoreRequestsAtOnceOpenOneGateUnderTheTenantsPolicy() async throws {
            let approvalPort = try LoopbackPort.free()
            try await Self.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, pool in
                let tenant = UUID()
                // The tenant's policy, set through the API, overrides the configuration's defaults.
                let creator = RunMesh.token(tenant: tenant, role: .owner, user: "creator")
                let policy = try await client.call("PUT", "\(approval.url)/api/meta/v2/approval-policy", token: creator, body: #"{"required_approvals":2,"self_approval_allowed":true,"gate_ttl_hours":1}"#)
                try #require(policy.status == 200, "\(policy.text)")
                let crm = try await mesh.createSpec(token: creator, title: "Synced CRM", description: RunLoopTests.syncedCRM)
                let tasks = try await mesh.createSpec(token: creator, title: "Tasks", description: RunAPITests.tasks)
                let id = try #require(try await mesh.startRun(spec: crm, token: creator).json?["id"]?.stringValue)
                let lowRisk = try #require(try await mesh.startRun(spec: tasks, token: creator).json?["id"]?.stringValue)
                let run = try await mesh.waitForRun(id, token: creator)
                try #require(run["status"]?.stringValue == "awaiting_approval", "\(run)")
                let iteration = try #require(run["iteration"]?.int)

                // As the run parks, the run-service asks, the event asks, and four more requests ask.
                let service = client.serviceToken(for: Principal(userID: "creator", tenantID: tenant, role: .owner), to: "approval-service")
                let body = #"{"run_id":"\#(id)","iteration":\#(iteration)}"#
                let answers = try await withThrowingTaskGroup(of: MeshClient.Answer.self) { group in
                    for _ in 0..<4 { group.addTask { try await client.call("POST", "\(approval.url)/internal/v1/gates", token: service, body: body) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.allSatisfy { [200, 201].contains($0.status) }, "\(answers.map(\.text))")
                #expect(answers.filter { $0.status == 201 }.count <= 1)
                let gateIDs = Set(answers.compactMap { $0.json?["id"]?.stringValue })
                #expect(gateIDs.count == 1)
                let gateID = try #require(gateIDs.first)
                try await Task.sleep(for: .seconds(2))
                #expect(try await Self.gates(of: id, tenant: tenant, pool) == [gateID], "\(approval.logTail())")
                #expect(try await Self.events(of: gateID, pool) == ["approval.requested"])
                let listed = try await client.call("GET", "\(approval.url)/internal/v1/gates?run_id=\(id)", token: service)
                #expect(listed.json?["gates"]?.array?.compactMap { $0["id"]?.stringValue } == [gateID])
                let gate = try #require(answers.first?.json)
                #expect(gate["required_approvals"]?.int == 2)
                #expect(gate["self_approval_allowed"]?.bool == true)

                // No gate for another tenant's run, nor for a run that does not wait for approval.
                let stranger = client.serviceToken(for: Principal(userID: "someone", tenantID: UUID(), role: .owner), to: "approval-service")
                let theirs = try await client.call("POST", "\(approval.url)/internal/v1/gates", token: stranger, body: body)
                #expect(theirs.status == 404, "\(theirs.text)")
                let finished = try await mesh.waitForRun(lowRisk, token: creator)
                #expect(finished["status"]?.stringValue == "succeeded", "\(finished)")
                let notWaiting = try await client.call("POST", "\(approval.url)/internal/v1/gates", token: service, body: #"{"run_id":"\#(lowRisk)","iteration":\#(finished["iteration"]?.int ?? 1)}"#)
                #expect(notWaiting.status == 412, "\(notWaiting.text)")
                #expect(notWaiting.json?[path: "error", "message"]?.stringValue?.contains("not awaiting_approval") == true)
                #expect(try await Self.gates(of: lowRisk, tenant: tenant, pool).isEmpty)

                // A reviewer's rejection ends the run rejected.
                let reviewer = client.token(tenant: tenant, role: .admin, user: "reviewer")
                let rejected = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(id)/reject", token: reviewer, body: #"{"comment":"syncing deals to Salesforce needs a data-processing agreement first"}"#)
                #expect(rejected.status == 200, "\(rejected.text)")
                #expect(rejected.json?["decision_reason"]?.stringValue == "rejected")
                let ended = try await mesh.waitForRun(id, token: creator) { $0["status"]?.stringValue != "awaiting_approval" }
                #expect(ended["status"]?.stringValue == "rejected", "\(ended)")
                #expect(ended[path: "approval", "reason"]?.stringValue == "rejected")
            }
        }
    }
}
