import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// Record and replay on the real mesh: every step's output is recorded content-addressed; a
    /// replay re-executes an ended run (its agents, DevOps applying and QA evaluating for real)
    /// and must reproduce every step — byte-identical diffs, the same reports — or fail naming
    /// the first step that diverged, with the lines that differ.
    @Suite(.serialized) struct ReplayTests {
        static let api = "/api/meta/v2"

        @Test func aReplayReproducesEveryStepAndAChangedRecordingIsNamedWithItsDiff() async throws {
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            try await RunMesh.with { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: RunLoopTests.helpdesk)
                // A run with a fix iteration: Codegen, DevOps, QA (failing), Auto-Fixer, DevOps, QA, Reviewer.
                let source = try await mesh.waitForRun(try #require(try await mesh.startRun(spec: spec, token: owner, body: #"{"fault":"wrong_route"}"#).json?["id"]?.stringValue), token: owner)
                try #require(source["status"]?.stringValue == "succeeded", "\(source)")
                let sourceID = try #require(source["id"]?.stringValue)

                // Every step is recorded in the artifact store under the sha256 of its output.
                let recorded = try await Self.recordings(of: sourceID, tenant: tenant)
                #expect(recorded.count == 7, "\(recorded)")
                let store = ArtifactStore(root: mesh.artifactRoot)
                for step in recorded {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: store.path(of: step.sha256)))
                    #expect(Digest.sha256Hex(bytes) == step.sha256, "\(step.role)")
                }

                // Refusals: roles, tenants, a run without a finished loop, a body with other fields.
                let replay = "\(Self.api)/runs/\(sourceID)/replay"
                #expect(try await mesh.call("POST", replay, token: RunMesh.token(tenant: tenant, role: .viewer), body: "{}").status == 403)
                #expect(try await mesh.call("POST", replay, token: RunMesh.token(tenant: UUID(), role: .owner), body: "{}").status == 404)
                let bad = try await mesh.call("POST", replay, token: owner, body: #"{"max_iterations":2}"#)
                #expect(bad.status == 400 && bad.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "max_iterations", "\(bad.text)")
                let paused = try #require(try await mesh.startRun(spec: spec, token: owner, body: #"{"token_budget":1000}"#).json?["id"]?.stringValue)
                _ = try await mesh.waitForRun(paused, token: owner)
                #expect(try await mesh.call("POST", "\(Self.api)/runs/\(paused)/replay", token: owner, body: "{}").status == 412)
                _ = try await mesh.call("POST", "\(Self.api)/runs/\(paused)/cancel", token: owner)

                // The replay reproduces every step; the diffs are byte-identical (the same recording).
                let started = try await mesh.call("POST", replay, token: owner, body: "{}")
                #expect(started.status == 202 && started.json?["replay_of"]?.stringValue == sourceID, "\(started.text)")
                let replayed = try await mesh.waitForRun(try #require(started.json?["id"]?.stringValue), token: owner)
                #expect(replayed["status"]?.stringValue == "succeeded", "\(replayed)")
                let replayedID = try #require(replayed["id"]?.stringValue)
                let roles = { (run: JSONValue) in run["steps"]?.array?.map { "\($0["iteration"]?.int ?? 0) \($0["role"]?.stringValue ?? "")" } ?? [] }
                #expect(roles(replayed) == roles(source))
                #expect(replayed["artifacts"] == .array([]) && replayed["branch"] == .null, "a replay delivers nothing")
                let again = try await Self.recordings(of: replayedID, tenant: tenant)
                for role in ["codegen_engineer", "auto_fixer"] {
                    #expect(again.first { $0.role == role }?.sha256 == recorded.first { $0.role == role }?.sha256, "\(role)")
                }

                // A recording that no longer matches what the agents produce (as a template change
                // would make it) fails the replay at that step, with the lines that differ.
                try await RunTestDatabase.withPool { pool in
                    try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                        try await session.execute("""
                            UPDATE run_steps SET output = jsonb_set(output, '{diff}', to_jsonb(regexp_replace(output->>'diff', 'tickets', 'issues')))
                            WHERE run_id = \(sourceID)::uuid AND role = 'codegen_engineer'
                            """)
                    }
                }
                let diverging = try #require(try await mesh.call("POST", replay, token: owner, body: #"{"wait":true}"#, timeout: .seconds(120)).json)
                let diverged = try await mesh.waitForRun(try #require(diverging["id"]?.stringValue), token: owner)
                #expect(diverged["status"]?.stringValue == "failed" && diverged[path: "failure", "reason"]?.stringValue == "replay_diverged", "\(diverged)")
                let detail = diverged[path: "failure", "detail"]?.stringValue ?? ""
                #expect(detail.hasPrefix("codegen_engineer (iteration 1) differs from the recording of run \(sourceID)"), "\(detail)")
                #expect(detail.contains("\n- ") && detail.contains("\n+ ") && detail.contains("issues"), "\(detail)")
                #expect(diverged["steps"]?.array?.count == 1, "it stops at the first step that diverged")
            }
        }

        /// The recorded steps of a run: role and sha256, in the order they ran.
        static func recordings(of run: String, tenant: UUID) async throws -> [(role: String, sha256: String)] {
            try await RunTestDatabase.withPool { pool in
                try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                    "SELECT role, recording_sha256 FROM run_steps WHERE run_id = \(run)::uuid AND status = 'succeeded' ORDER BY started_at, id",
                ])[0].map { (try $0.decode("role"), try $0.decode("recording_sha256")) }
            }
        }
    }
}
