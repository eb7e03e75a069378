import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// The run-service's API contract on the real mesh: roles, tenant isolation on every route,
    /// bad options naming their field, idempotent starts, the hourly limit, `wait`.
    @Suite(.serialized) struct RunAPITests {
        static let tasks = "A project tracker with projects and tasks. Each task has a title, a due date, a priority (low, medium, high) and a status (todo, doing, done) and belongs to a project."

        @Test func rolesTenantsAndBadInputGetClearErrors() async throws {
            try await RunMesh.with { mesh in
                let (tenant, other) = (UUID(), UUID())
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: owner, title: "Tasks", description: Self.tasks)

                // Only owners and admins start runs; everybody reads.
                for role in [Role.member, .viewer] {
                    let refused = try await mesh.startRun(spec: spec, token: RunMesh.token(tenant: tenant, role: role))
                    #expect(refused.status == 403, "\(role)")
                    #expect(refused.json?[path: "error", "code"]?.stringValue == "PERMISSION_DENIED")
                }
                let unauthenticated = try await mesh.call("GET", "/api/meta/v2/runs", token: nil)
                #expect(unauthenticated.status == 401)

                // Bad options: 400 naming the field, and no run is made.
                let bad: [(String, String)] = [
                    (#"{"max_iterations":0}"#, "max_iterations"), (#"{"max_iterations":11}"#, "max_iterations"),
                    (#"{"token_budget":"lots"}"#, "token_budget"), (#"{"token_budget":20000001}"#, "token_budget"),
                    (#"{"timeout_s":-1}"#, "timeout_s"), (#"{"provider":"skynet"}"#, "provider"),
                    (#"{"plan_id":"not-a-uuid"}"#, "plan_id"), (#"{"fault":"everything"}"#, "fault"),
                    (#"{"base_repository":"https://example.com/x.git"}"#, "base_repository"),
                    (#"{"max_iteration":2}"#, "max_iteration"), (#"{"wait":"yes"}"#, "wait"),
                ]
                for (body, field) in bad {
                    let answer = try await mesh.startRun(spec: spec, token: owner, body: body)
                    #expect(answer.status == 400, "\(body): \(answer.text)")
                    #expect(answer.json?[path: "error", "code"]?.stringValue == "INVALID_ARGUMENT")
                    let fields = answer.json?[path: "error", "details"]?.array?.compactMap { $0["field"]?.stringValue } ?? []
                    #expect(fields.contains { $0 == field || $0.hasPrefix(field) }, "\(body) should name \(field): \(answer.text)")
                }
                let malformed = try await mesh.startRun(spec: spec, token: owner, body: #"{"max_iterations": 2"#)
                #expect(malformed.status == 400)
                let listBad = try await mesh.call("GET", "/api/meta/v2/runs?status=done", token: owner)
                #expect(listBad.status == 400)
                let dateBad = try await mesh.call("GET", "/api/meta/v2/runs?created_after=yesterday", token: owner)
                #expect(dateBad.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "created_after")
                let listedNothing = try await mesh.call("GET", "/api/meta/v2/runs", token: owner)
                #expect(listedNothing.json?["runs"]?.array?.isEmpty == true)

                // Unknown spec, unknown plan.
                let unknown = try await mesh.startRun(spec: UUID().lowercaseText, token: owner)
                #expect(unknown.status == 404, "\(unknown.text)")
                let unknownPlan = try await mesh.startRun(spec: spec, token: owner, body: #"{"plan_id":"\#(UUID().lowercaseText)"}"#)
                #expect(unknownPlan.status == 404)

                // A run of this tenant is another tenant's 404 on every route.
                let started = try await mesh.startRun(spec: spec, token: owner, body: #"{"max_iterations":2}"#)
                #expect(started.status == 202, "\(started.text)")
                let id = try #require(started.json?["id"]?.stringValue)
                let stranger = RunMesh.token(tenant: other, role: .owner)
                #expect(try await mesh.startRun(spec: spec, token: stranger).status == 404)
                #expect(try await mesh.call("GET", "/api/meta/v2/runs/\(id)", token: stranger).status == 404)
                #expect(try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: stranger).status == 404)
                #expect(try await mesh.call("GET", "/api/meta/v2/runs", token: stranger).json?["runs"]?.array?.isEmpty == true)
                #expect(try await mesh.call("GET", "/api/meta/v2/runs/not-a-uuid", token: owner).status == 404)
                // A viewer of the tenant reads it.
                let viewer = try await mesh.call("GET", "/api/meta/v2/runs/\(id)", token: RunMesh.token(tenant: tenant, role: .viewer))
                #expect(viewer.status == 200)
                #expect(viewer.json?[path: "caps", "max_iterations"]?.int == 2)
                let settled = try await mesh.waitForRun(id, token: owner)
                #expect(settled["status"]?.stringValue == "succeeded", "\(settled)")
            }
        }

        @Test func startsAreIdempotentLimitedPerHourAndCanWait() async throws {
            try await RunMesh.with(environment: ["META_BUILDER_RATE_LIMIT_RUNS": "3"]) { mesh in
                let tenant = UUID()
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: owner, title: "Tasks", description: Self.tasks)

                // wait: answers once the run settled (200).
                // (The client sends its deadline as Grpc-Timeout.)
                let waited = try await mesh.startRun(spec: spec, token: owner, body: #"{"wait":true}"#, timeout: .seconds(120))
                #expect(waited.status == 200, "\(waited.text)")
                #expect(waited.json?["status"]?.stringValue == "succeeded")

                // The same key and body replay the first answer without spending quota.
                let key = [("Idempotency-Key", "start-\(UUID().lowercaseText)")]
                let first = try await mesh.startRun(spec: spec, token: owner, body: #"{"max_iterations":3}"#, headers: key)
                #expect(first.status == 202)
                let replay = try await mesh.startRun(spec: spec, token: owner, body: #"{ "max_iterations" : 3 }"#, headers: key)
                #expect(replay.status == 202)
                #expect(replay.header("Idempotent-Replayed") == "true")
                #expect(replay.json?["id"] == first.json?["id"])
                let reused = try await mesh.startRun(spec: spec, token: owner, body: #"{"max_iterations":2}"#, headers: key)
                #expect(reused.status == 409)
                #expect(reused.json?[path: "error", "code"]?.stringValue == "ALREADY_EXISTS")
                let firstID = try #require(first.json?["id"]?.stringValue)
                #expect(try await mesh.call("POST", "/api/meta/v2/runs/\(firstID)/cancel", token: owner).status == 200)

                // wait with too little time: 202 with the run as it stands, never 504.
                let hurried = try await mesh.startRun(spec: spec, token: owner, body: #"{"wait":true}"#, timeout: .seconds(2))
                #expect(hurried.status == 202, "\(hurried.text)")
                #expect(hurried.json?["status"]?.stringValue != "succeeded")
                let hurriedID = try #require(hurried.json?["id"]?.stringValue)
                #expect(try await mesh.call("POST", "/api/meta/v2/runs/\(hurriedID)/cancel", token: owner).status == 200)

                // The hour's fourth start is refused with Retry-After; a replay still answers.
                let over = try await mesh.startRun(spec: spec, token: owner)
                #expect(over.status == 429, "\(over.text)")
                #expect(over.json?[path: "error", "code"]?.stringValue == "RESOURCE_EXHAUSTED")
                #expect(Int(over.header("Retry-After") ?? "") ?? 0 > 0)
                #expect(try await mesh.startRun(spec: spec, token: owner, body: #"{"max_iterations":3}"#, headers: key).status == 202)
                // Another tenant has its own hour.
                let other = RunMesh.token(tenant: UUID(), role: .owner)
                let otherSpec = try await mesh.createSpec(token: other, title: "Tasks", description: Self.tasks)
                let theirs = try await mesh.startRun(spec: otherSpec, token: other)
                #expect(theirs.status == 202)
                _ = try await mesh.call("POST", "/api/meta/v2/runs/\(theirs.json?["id"]?.stringValue ?? "")/cancel", token: other)
            }
        }
    }
}
