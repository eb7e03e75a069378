import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// Runs paused at a cap (`awaiting_budget`) on the real mesh: who may raise a cap and how
    /// bad extensions are refused, the hourly limit of extensions, `wait` answering at a pause,
    /// cancelling a paused run, and a pause that expires untouched.
    @Suite(.serialized) struct BudgetPauseTests {
        static let api = "/api/meta/v2"

        /// Starts a run whose token budget cannot hold one agent call: it pauses at once, before
        /// any step.
        static func pausedRun(_ mesh: RunMesh, spec: String, token: String) async throws -> String {
            let started = try await mesh.startRun(spec: spec, token: token, body: #"{"token_budget":1000}"#)
            let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
            let run = try await mesh.waitForRun(id, token: token)
            try #require(run["status"]?.stringValue == "awaiting_budget", "\(run)")
            return id
        }

        @Test func onlyOwnersAndAdminsRaiseAPausedRunsCapAndBadExtensionsNameTheField() async throws {
            try await RunMesh.with(environment: ["META_BUILDER_RATE_LIMIT_EXTENSIONS": "1000"]) { mesh in
                let (tenant, other) = (UUID(), UUID())
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: owner, title: "Tasks", description: RunAPITests.tasks)
                let id = try await Self.pausedRun(mesh, spec: spec, token: owner)
                let extend = "\(Self.api)/runs/\(id)/extend"

                for role in [Role.member, .viewer] {
                    let refused = try await mesh.call("POST", extend, token: RunMesh.token(tenant: tenant, role: role), body: #"{"token_budget":2000000}"#)
                    #expect(refused.status == 403, "\(role): \(refused.text)")
                }
                // Another tenant's run is not found, with the body of a random id's 404.
                let randomID = UUID().lowercaseText
                let stranger = try await mesh.call("POST", extend, token: RunMesh.token(tenant: other, role: .owner), body: #"{"token_budget":2000000}"#)
                let random = try await mesh.call("POST", "\(Self.api)/runs/\(randomID)/extend", token: RunMesh.token(tenant: other, role: .owner), body: #"{"token_budget":2000000}"#)
                #expect(stranger.status == 404 && random.status == 404)
                #expect(stranger.text.replacingOccurrences(of: id, with: "ID") == random.text.replacingOccurrences(of: randomID, with: "ID"), "\(stranger.text) vs \(random.text)")

                let bad: [(String, String?)] = [
                    (#"{}"#, nil),
                    (#"{"token_budget":"more"}"#, "token_budget"),
                    (#"{"token_budget":20000001}"#, "token_budget"),
                    (#"{"token_budget":999}"#, "token_budget"),
                    (#"{"token_budget":50000}"#, "token_budget"),
                    (#"{"max_iterations":6}"#, "token_budget"),
                    (#"{"max_iterations":1,"token_budget":2000000}"#, "max_iterations"),
                    (#"{"timeout_s":0,"token_budget":2000000}"#, "timeout_s"),
                    (#"{"token_budget":2000000,"status":"queued"}"#, "status"),
                    (#"[2000000]"#, nil),
                ]
                for (body, field) in bad {
                    let answer = try await mesh.call("POST", extend, token: owner, body: body)
                    #expect(answer.status == 400, "\(body): \(answer.text)")
                    #expect(answer.json?[path: "error", "code"]?.stringValue == "INVALID_ARGUMENT", "\(body)")
                    if let field {
                        let fields = answer.json?[path: "error", "details"]?.array?.compactMap { $0["field"]?.stringValue } ?? []
                        #expect(fields.contains(field), "\(body) should name \(field): \(answer.text)")
                    }
                }
                let malformed = try await mesh.call("POST", extend, token: owner, body: #"{"token_budget": 2"#)
                #expect(malformed.status == 400)
                // Nothing changed: still paused, same caps, no extension counted.
                let still = try #require(try await mesh.call("GET", "\(Self.api)/runs/\(id)", token: owner).json)
                #expect(still["status"]?.stringValue == "awaiting_budget" && still[path: "caps", "token_budget"]?.int == 1000 && still["extensions"]?.int == 0, "\(still)")

                // An admin raises it; the run builds; a run that is not paused is 412.
                let admin = RunMesh.token(tenant: tenant, role: .admin, user: "admin-1")
                let extended = try await mesh.call("POST", extend, token: admin, body: #"{"token_budget":2000000,"max_iterations":5}"#)
                #expect(extended.status == 200, "\(extended.text)")
                #expect(extended.json?[path: "caps", "max_iterations"]?.int == 5)
                let again = try await mesh.call("POST", extend, token: owner, body: #"{"token_budget":3000000}"#)
                #expect(again.status == 412, "\(again.text)")
                #expect(again.json?[path: "error", "code"]?.stringValue == "FAILED_PRECONDITION")
                let built = try await mesh.waitForRun(id, token: owner)
                #expect(built["status"]?.stringValue == "succeeded", "\(built)")
                #expect(try await mesh.call("POST", extend, token: owner, body: #"{"token_budget":3000000}"#).status == 412)
                let events = try await RunTestDatabase.events(of: id, tenant: tenant)
                let extendedEvent = try #require(events.first { $0.type == "run.extended" })
                #expect(extendedEvent.data["cap"]?.stringValue == "tokens")
                #expect(extendedEvent.data[path: "caps", "token_budget"]?.int == 2_000_000)
                #expect(try await RunTestDatabase.auditActions(of: id, tenant: tenant).filter { $0 == "run.extend" }.count == 1)
            }
        }

        @Test func extensionsAreLimitedPerHourAndAWaitingStartAnswersAtThePause() async throws {
            try await RunMesh.with(environment: ["META_BUILDER_RATE_LIMIT_EXTENSIONS": "2"]) { mesh in
                let tenant = UUID()
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: owner, title: "Tasks", description: RunAPITests.tasks)
                // `wait` answers once the run waits for a person: here, for a larger budget.
                let waited = try await mesh.startRun(spec: spec, token: owner, body: #"{"token_budget":1000,"wait":true}"#, timeout: .seconds(60))
                #expect(waited.status == 200, "\(waited.text)")
                #expect(waited.json?["status"]?.stringValue == "awaiting_budget")
                let id = try #require(waited.json?["id"]?.stringValue)
                // Two extensions an hour: a refused one counts too.
                for _ in 0..<2 {
                    #expect(try await mesh.call("POST", "\(Self.api)/runs/\(id)/extend", token: owner, body: #"{"token_budget":1001}"#).status == 400)
                }
                let limited = try await mesh.call("POST", "\(Self.api)/runs/\(id)/extend", token: owner, body: #"{"token_budget":2000000}"#)
                #expect(limited.status == 429, "\(limited.text)")
                #expect(Int(limited.header("Retry-After") ?? "") ?? 0 > 0)
                #expect(limited.json?[path: "error", "code"]?.stringValue == "RESOURCE_EXHAUSTED")
                // Another tenant is not held back.
                let neighbour = RunMesh.token(tenant: UUID(), role: .owner)
                let neighbourSpec = try await mesh.createSpec(token: neighbour, title: "Tasks", description: RunAPITests.tasks)
                let theirs = try await Self.pausedRun(mesh, spec: neighbourSpec, token: neighbour)
                #expect(try await mesh.call("POST", "\(Self.api)/runs/\(theirs)/extend", token: neighbour, body: #"{"token_budget":2000000}"#).status == 200)

                // A paused run is cancelled like any other: its pause and its sandbox go with it.
                let cancelled = try await mesh.call("POST", "\(Self.api)/runs/\(id)/cancel", token: owner)
                #expect(cancelled.status == 200 && cancelled.json?["status"]?.stringValue == "cancelled", "\(cancelled.text)")
                #expect(cancelled.json?["budget"] == nil)
                #expect(try await RunTestDatabase.pauseCount(of: id) == 0)
            }
        }

        @Test func anUntouchedPauseExpiresAndTheRunFailsWithItsCapsReason() async throws {
            try await RunMesh.with(environment: ["META_BUILDER_BUDGET_PAUSE_SECONDS": "2"]) { mesh in
                let tenant = UUID()
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: RunLoopTests.helpdesk)
                // Paused after building (one failing evaluation), so it has a workspace to remove.
                let started = try await mesh.startRun(spec: spec, token: owner, body: #"{"fault":"wrong_route","max_iterations":1}"#)
                let id = try #require(started.json?["id"]?.stringValue)
                let paused = try await mesh.waitForRun(id, token: owner)
                #expect(paused["status"]?.stringValue == "awaiting_budget", "\(paused)")
                let ended = try await mesh.waitForRun(id, token: owner, timeout: .seconds(60)) { $0["status"]?.stringValue == "failed" }
                #expect(ended[path: "failure", "reason"]?.stringValue == "iteration_cap", "\(ended)")
                #expect(ended[path: "failure", "detail"]?.stringValue?.contains("before its pause expired") == true, "\(ended)")
                #expect(ended["budget"] == nil)
                #expect(try await mesh.sandboxRemoved(id))
                #expect(try await RunTestDatabase.auditActions(of: id, tenant: tenant).suffix(1) == ["run.budget_expired"])
                let events = try await RunTestDatabase.events(of: id, tenant: tenant).map(\.type)
                #expect(events.suffix(2) == ["run.awaiting_budget", "run.failed"], "\(events)")
                // Too late to raise it now.
                #expect(try await mesh.call("POST", "\(Self.api)/runs/\(id)/extend", token: owner, body: #"{"max_iterations":3}"#).status == 412)
                let metrics = try await mesh.call("GET", "/metrics", token: nil).text
                #expect(metrics.contains(#"meta_builder_run_budget_pauses_total{cap="iterations"} 1"#), "\(metrics)")
            }
        }
    }
}
