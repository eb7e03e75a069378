import Foundation
import Logging
import MeshTestSupport
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// The run-service's side of approvals on the real mesh: a decided gate, announced as the
    /// approval-service announces it (`approval.decided` on Redis), finalizes an approved run and
    /// rolls a rejected one back; a decision is applied once.
    @Suite(.serialized) struct RunApprovalTests {
        /// Publishes `approval.decided` for `run` as the approval-service does.
        static func announce(_ decision: String, run: String, tenant: UUID, iteration: Int, reason: String? = nil) async throws {
            let redis = RedisClient(config: try RedisConfig(url: try RequiredEnvironment.value("META_BUILDER_REDIS_URL")), logger: Logger(label: "approval-test"))
            var data: [String: JSONValue] = [
                "gate_id": .string(UUID().lowercaseText), "run_id": .string(run), "iteration": .number(Double(iteration)),
                "decision": .string(decision), "decided_by": .string("reviewer-1"),
            ]
            if let reason { data["reason"] = .string(reason) }
            let event = CloudEvent(source: "/meta-builder/approval-service", type: "approval.decided", subject: "runs/\(run)", tenantID: tenant, data: .object(data))
            let receivers = try await redis.publish(try event.encoded(), to: CloudEvent.channel(for: "approval.decided"))
            #expect(receivers >= 1, "a run-service should be subscribed")
        }

        @Test func anApprovedRunFinalizesAndARejectedOneEndsRolledBack() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "Synced CRM", description: RunLoopTests.syncedCRM)
                let approvedID = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                let rejectedID = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                for id in [approvedID, rejectedID] {
                    let parked = try await mesh.waitForRun(id, token: token)
                    try #require(parked["status"]?.stringValue == "awaiting_approval", "\(parked)")
                }
                let iteration = try #require(try await mesh.call("GET", "/api/meta/v2/runs/\(approvedID)", token: token).json?["iteration"]?.int)
                // A decision about another iteration is not this gate's: ignored.
                try await Self.announce("approved", run: approvedID, tenant: tenant, iteration: iteration + 1)
                // Delivered twice at once (a relay that published and died before marking, the
                // event and its redelivery): applied once.
                try await Self.announce("approved", run: approvedID, tenant: tenant, iteration: iteration)
                try await Self.announce("approved", run: approvedID, tenant: tenant, iteration: iteration)
                try await Self.announce("rejected", run: rejectedID, tenant: tenant, iteration: 1, reason: "expired")

                let approved = try await mesh.waitForRun(approvedID, token: token) { RunMesh.isSettled($0) && $0["status"]?.stringValue != "awaiting_approval" }
                #expect(approved["status"]?.stringValue == "succeeded", "\(approved)")
                #expect(approved[path: "approval", "decision"]?.stringValue == "approved")
                #expect(approved[path: "approval", "decided_by"]?.stringValue == "reviewer-1")
                #expect(approved[path: "gate", "status"]?.stringValue == "approved")
                let approvedEvents = try await RunTestDatabase.events(of: approvedID, tenant: tenant).map(\.type)
                #expect(Array(approvedEvents.suffix(3)) == ["run.awaiting_approval", "run.finalizing", "run.succeeded"])
                // No step ran again: the approved run only finalized.
                #expect(approvedEvents.filter { $0 == "run.step.started" }.count == 4)
                #expect(try await mesh.sandboxRemoved(approvedID))
                #expect(try await RunTestDatabase.auditActions(of: approvedID, tenant: tenant).filter { $0 == "run.approved" }.count == 1)

                let rejected = try await mesh.waitForRun(rejectedID, token: token) { $0["status"]?.stringValue != "awaiting_approval" }
                #expect(rejected["status"]?.stringValue == "rejected", "\(rejected)")
                #expect(rejected[path: "approval", "reason"]?.stringValue == "expired")
                #expect(rejected[path: "gate", "status"]?.stringValue == "rejected")
                #expect(rejected["finished_at"]?.stringValue != nil)
                // The rollback ran on the preview resources and is recorded; nothing was published.
                let rolledBack = try await mesh.waitForRun(rejectedID, token: token, timeout: .seconds(30)) { $0["rollback"] != nil && $0["rollback"] != .null }
                #expect(rolledBack[path: "rollback", "artifacts_published"]?.bool == false)
                #expect(rolledBack[path: "rollback", "sandbox", "removed_workspaces"]?.bool == true)
                #expect(try await mesh.sandboxRemoved(rejectedID))
                let rejectedEvents = try await RunTestDatabase.events(of: rejectedID, tenant: tenant).map(\.type)
                #expect(rejectedEvents.last == "run.rejected")
                #expect(rejectedEvents.filter { $0 == "run.rejected" }.count == 1)

                // Announced again, a decision changes nothing.
                try await Self.announce("rejected", run: approvedID, tenant: tenant, iteration: iteration)
                try await Self.announce("rejected", run: rejectedID, tenant: tenant, iteration: 1)
                try await Task.sleep(for: .seconds(1))
                #expect(try await mesh.call("GET", "/api/meta/v2/runs/\(approvedID)", token: token).json?["status"]?.stringValue == "succeeded")
                #expect(try await RunTestDatabase.events(of: rejectedID, tenant: tenant).map(\.type) == rejectedEvents)
            }
        }
    }
}
