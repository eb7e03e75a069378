import Foundation
import Logging
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// How a gate's end reaches a real run when the message is lost or nobody decides: the
    /// `approval.decided` event published while no run-service listened, applied by the
    /// run-service's reconciler once one runs again; a reviewer's rejection and an expiry
    /// across an approval-service restart ending runs `rejected`, their preview schemas dropped
    /// from the preview database.
    @Suite(.serialized) struct ApprovalReconciliationTests {
        static let decidedChannel = CloudEvent.channel(for: "approval.decided")

        @Test func aDecisionWhoseEventNobodyReceivedIsAppliedByTheReconciler() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, pool in
                let tenant = UUID()
                let creator = RunMesh.token(tenant: tenant, role: .owner, user: "creator")
                let spec = try await mesh.createSpec(token: creator, title: "Synced CRM", description: RunLoopTests.syncedCRM)
                let id = try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue)
                let parked = try await mesh.waitForRun(id, token: creator)
                try #require(parked["status"]?.stringValue == "awaiting_approval", "\(parked)")
                var gateIDs: [String] = []
                let opened = try await ApprovalGateTests.eventually {
                    gateIDs = try await ApprovalGateTests.gates(of: id, tenant: tenant, pool)
                    return !gateIDs.isEmpty
                }
                try #require(opened, "no gate was opened:\n\(approval.logTail())")
                let gateID = try #require(gateIDs.first)

                // The only run-service stops: nobody subscribes to approval.decided any more.
                mesh.signal(runService: 0, SIGTERM)
                let redis = RedisClient(config: try RedisConfig(url: try RequiredEnvironment.value("META_BUILDER_REDIS_URL")), logger: RunMesh.logger)
                let unheard = try await ApprovalGateTests.eventually(timeout: .seconds(120)) { try await Self.subscribers(redis) == 0 }
                try #require(unheard, "another process on this Redis subscribes to \(Self.decidedChannel); the event cannot be dropped on purpose")

                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let approved = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(id)/approve", token: reviewer, body: #"{"comment":"rollback verified"}"#)
                #expect(approved.status == 200, "\(approved.text)")
                #expect(approved.json?["status"]?.stringValue == "approved")
                // The approval-service published approval.decided, and nobody listened: it is lost.
                let relayed = try await ApprovalGateTests.eventually { try await Self.published("approval.decided", gate: gateID, pool) }
                #expect(relayed, "the approval-service's relay publishes approval.decided:\n\(approval.logTail())")
                #expect(try await Self.subscribers(redis) == 0)
                #expect(try await Self.stored(id, tenant: tenant) == "awaiting_approval")

                // A run-service starts again; its reconciler finds the decision and the run finalizes.
                try await mesh.startRunService(0)
                let finished = try await mesh.waitForRun(id, token: creator) { RunMesh.isSettled($0) && $0["status"]?.stringValue != "awaiting_approval" }
                #expect(finished["status"]?.stringValue == "succeeded", "\(finished)")
                #expect(finished[path: "approval", "decision"]?.stringValue == "approved")
                #expect(finished[path: "approval", "gate_id"]?.stringValue == gateID)
                #expect(finished[path: "approval", "decided_by"]?.stringValue == "reviewer")
                #expect(finished[path: "gate", "status"]?.stringValue == "approved")
                #expect(finished["artifacts"]?.array?.compactMap { $0["kind"]?.stringValue } == ["manifest", "pull_request", "zip"], "\(finished)")
                let events = try await RunTestDatabase.events(of: id, tenant: tenant).map(\.type)
                #expect(Array(events.suffix(3)) == ["run.awaiting_approval", "run.finalizing", "run.succeeded"], "\(events)")

                // It was the reconciler that applied it, never the event.
                let applied = try Self.logLines(mesh.logDirectory + "/run-service-0.log").filter {
                    $0["msg"]?.stringValue == "applied an approval decision" && $0["run.id"]?.stringValue == id
                }
                #expect(applied.compactMap { $0["approval.source"]?.stringValue } == ["reconciler"], "\(mesh.logTail("run-service-0"))")
                let metrics = try await mesh.call("GET", "/metrics", token: nil).text
                #expect(Self.sample(#"meta_builder_run_approval_decisions_applied_total{source="reconciler"}"#, in: metrics).map { $0 >= 1 } == true, "\(metrics)")
            }
        }

        @Test func aRejectionAndAnExpiryAcrossARestartEndRunsRejectedWithoutTheirPreviewSchemas() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, pool in
                let preview = PostgresPool(
                    config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_PREVIEW_DATABASE_URL"), poolSize: 1),
                    applicationName: "approval-reconciliation-tests", logger: RunMesh.logger
                )
                defer { preview.close() }
                let tenant = UUID()
                let creator = RunMesh.token(tenant: tenant, role: .owner, user: "creator")
                let spec = try await mesh.createSpec(token: creator, title: "Synced CRM", description: RunLoopTests.syncedCRM)
                let rejectedID = try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue)
                let expiringID = try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue)
                var gates: [String: String] = [:]
                var schemas: [String: String] = [:]
                for id in [rejectedID, expiringID] {
                    let parked = try await mesh.waitForRun(id, token: creator)
                    try #require(parked["status"]?.stringValue == "awaiting_approval", "\(parked)")
                    var ids: [String] = []
                    let opened = try await ApprovalGateTests.eventually {
                        ids = try await ApprovalGateTests.gates(of: id, tenant: tenant, pool)
                        return !ids.isEmpty
                    }
                    try #require(opened, "no gate was opened for \(id):\n\(approval.logTail())")
                    gates[id] = ids.first
                    // A waiting run keeps its preview schema for the reviewer.
                    let found = try await Self.previewSchemas(of: id, preview)
                    try #require(found.count == 1, "the preview schema of \(id): \(found)")
                    schemas[id] = found.first
                }

                // A reviewer rejects: the run ends rejected and its preview schema is dropped.
                let reviewer = client.token(tenant: tenant, role: .admin, user: "reviewer")
                let rejected = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(rejectedID)/reject", token: reviewer, body: #"{"comment":"no data-processing agreement with Salesforce yet"}"#)
                #expect(rejected.status == 200, "\(rejected.text)")
                let ended = try await mesh.waitForRun(rejectedID, token: creator, timeout: .seconds(60)) { $0["rollback"] != nil && $0["rollback"] != .null }
                #expect(ended["status"]?.stringValue == "rejected", "\(ended)")
                #expect(ended[path: "approval", "reason"]?.stringValue == "rejected")
                #expect(ended[path: "approval", "decided_by"]?.stringValue == "reviewer")
                #expect(ended[path: "rollback", "sandbox", "dropped_schema"]?.stringValue == schemas[rejectedID])
                #expect(ended[path: "rollback", "artifacts_published"]?.bool == false)
                #expect(ended["artifacts"]?.array?.isEmpty ?? true, "\(ended)")
                #expect(try await Self.previewSchemas(of: rejectedID, preview) == [])
                #expect(try await Self.previewSchemas(of: expiringID, preview) == [schemas[expiringID]].compactMap { $0 }, "another run's schema stays")

                // The approval-service is down when the other gate's time runs out (as on an
                // operator's clock: its expiry moved to the past), and closes it once it is back.
                let expiringGate = try #require(gates[expiringID])
                approval.stop()
                let moved = try await pool.withTenant(tenant, deadline: .after(.seconds(15))) { session in
                    let gate = try await session.query("""
                        UPDATE gates SET expires_at = clock_timestamp() - interval '1 minute' WHERE id = \(expiringGate)::uuid AND status = 'pending' RETURNING id
                        """)
                    let expiry = try await session.query("""
                        UPDATE gate_expiries SET expires_at = clock_timestamp() - interval '1 minute' WHERE gate_id = \(expiringGate)::uuid RETURNING gate_id
                        """)
                    return gate.count + expiry.count
                }
                try #require(moved == 2, "the pending gate and its expiry row")
                let logBeforeRestart = try Self.logLines(approval.logPath).count
                try await approval.start()
                let expired = try await mesh.waitForRun(expiringID, token: creator, timeout: .seconds(60)) { $0["rollback"] != nil && $0["rollback"] != .null }
                #expect(expired["status"]?.stringValue == "rejected", "\(expired)\n\(approval.logTail())")
                #expect(expired[path: "approval", "decision"]?.stringValue == "rejected")
                #expect(expired[path: "approval", "reason"]?.stringValue == "expired")
                #expect(expired[path: "approval", "decided_by"]?.stringValue == "service:approval-service")
                #expect(expired[path: "approval", "gate_id"]?.stringValue == expiringGate)
                #expect(expired[path: "rollback", "sandbox", "dropped_schema"]?.stringValue == schemas[expiringID])
                #expect(try await Self.previewSchemas(of: expiringID, preview) == [])
                let viewer = client.token(tenant: tenant, role: .viewer, user: "someone")
                let gate = try await client.call("GET", "\(approval.url)/api/meta/v2/approvals/\(expiringGate)", token: viewer).json
                #expect(gate?["status"]?.stringValue == "expired")
                #expect(gate?["decision_reason"]?.stringValue == "expired")
                #expect(try await ApprovalGateTests.events(of: expiringGate, pool) == ["approval.requested", "approval.decided"])
                // The restarted process's sweeper closed it.
                let sweptAfterRestart = try Self.logLines(approval.logPath).dropFirst(logBeforeRestart).contains {
                    $0["msg"]?.stringValue == "gate expired" && $0["gate.id"]?.stringValue == expiringGate
                }
                #expect(sweptAfterRestart, "\(approval.logTail())")
            }
        }

        /// How many connections subscribe to `approval.decided` on the Redis server.
        static func subscribers(_ redis: RedisClient) async throws -> Int {
            let reply = try await redis.command("PUBSUB", "NUMSUB", decidedChannel)
            guard case .array(let pair) = reply, pair.count == 2, case .integer(let count) = pair[1] else {
                Issue.record("PUBSUB NUMSUB answered \(reply)")
                return -1
            }
            return count
        }

        /// Whether the approval-service's relay published its `type` event about `gate`.
        static func published(_ type: String, gate: String, _ pool: PostgresPool) async throws -> Bool {
            try await pool.work("""
                SELECT 1 FROM outbox WHERE event_type = \(type) AND payload -> 'data' ->> 'gate_id' = \(gate) AND published_at IS NOT NULL
                """, deadline: .after(.seconds(15))).count == 1
        }

        /// The status the run-service stored for a run (read from its schema, in the tenant).
        static func stored(_ run: String, tenant: UUID) async throws -> String? {
            try await RunTestDatabase.withPool(poolSize: 1) { pool in
                try await pool.batch(tenant: tenant, deadline: .after(.seconds(15)), ["SELECT status FROM runs WHERE id = \(run)::uuid"])[0]
                    .first.map { try $0.decode("status", as: String.self) }
            }
        }

        /// The schemas of the preview database that belong to a run: the agent-service names
        /// them `preview_<run id, '-' as '_'>_<hash>`.
        static func previewSchemas(of run: String, _ preview: PostgresPool) async throws -> [String] {
            let prefix = "preview_\(run.lowercased().replacingOccurrences(of: "-", with: "_"))_"
            return try await preview.query("SELECT nspname::text AS nspname FROM pg_namespace WHERE starts_with(nspname::text, \(prefix)) ORDER BY 1", deadline: .after(.seconds(15)))
                .map { try $0.decode("nspname") }
        }

        /// A process's JSON log, one value per line (lines that are not JSON left out).
        static func logLines(_ path: String) throws -> [JSONValue] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        }

        /// The value of one Prometheus sample (`name{labels}`) in an exposition.
        static func sample(_ series: String, in exposition: String) -> Double? {
            exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                .flatMap { Double($0.dropFirst(series.count + 1)) }
        }
    }
}
