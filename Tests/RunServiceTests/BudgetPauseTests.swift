import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// Runs paused at a cap (`awaiting_budget`) on the real mesh: who may raise a cap and how
    /// bad extensions are refused, the hourly limit of extensions, `wait` answering at a pause,
    /// cancelling a paused run, a pause that expires untouched, and the tenant's monthly budgets.
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

        @Test func aTenantsMonthlyBudgetsPauseItsRunsUntilTheyAreRaised() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let viewer = RunMesh.token(tenant: tenant, role: .viewer)
                let budget = "\(Self.api)/budget"
                let month = Date().formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month())

                // Every role reads the budgets; none are set: unlimited, nothing used.
                let none = try #require(try await mesh.call("GET", budget, token: viewer).json)
                #expect(none == .object([
                    "monthly_tokens": .null, "monthly_cost_usd": .null, "month": .string(month),
                    "used": .object(["tokens": .number(0), "cost_usd": .number(0)]), "paused_runs": .number(0),
                ]), "\(none)")
                // Only owners and admins set them; bad bodies name their field and change nothing.
                for role in [Role.member, .viewer] {
                    #expect(try await mesh.call("PUT", budget, token: RunMesh.token(tenant: tenant, role: role), body: #"{"monthly_tokens":50000}"#).status == 403)
                }
                let bad: [(String, String?)] = [
                    ("{}", nil), (#"{"monthly_tokens":0}"#, "monthly_tokens"), (#"{"monthly_tokens":"lots"}"#, "monthly_tokens"),
                    (#"{"monthly_tokens":1.5}"#, "monthly_tokens"), (#"{"monthly_cost_usd":-1}"#, "monthly_cost_usd"),
                    (#"{"monthly_cost_usd":0}"#, "monthly_cost_usd"), (#"{"monthly_tokens":5,"tenant_id":"x"}"#, "tenant_id"), ("[1]", nil),
                ]
                for (body, field) in bad {
                    let answer = try await mesh.call("PUT", budget, token: owner, body: body)
                    #expect(answer.status == 400, "\(body): \(answer.text)")
                    if let field {
                        #expect(answer.json?[path: "error", "details"]?.array?.contains { $0["field"]?.stringValue == field } == true, "\(body): \(answer.text)")
                    }
                }
                #expect(try await mesh.call("GET", budget, token: viewer).json?["monthly_tokens"] == .null)

                // Tokens: a budget below one call's ceiling pauses the run before its first step.
                let set = try await mesh.call("PUT", budget, token: owner, body: #"{"monthly_tokens":50000}"#)
                #expect(set.status == 200 && set.json?["monthly_tokens"]?.int == 50_000, "\(set.text)")
                let spec = try await mesh.createSpec(token: owner, title: "Tasks", description: RunAPITests.tasks)
                let started = try await mesh.startRun(spec: spec, token: owner)
                let id = try #require(started.json?["id"]?.stringValue)
                let paused = try await mesh.waitForRun(id, token: owner)
                #expect(paused["status"]?.stringValue == "awaiting_budget" && paused[path: "budget", "cap"]?.stringValue == "monthly_tokens", "\(paused)")
                #expect(paused[path: "budget", "raise"]?.stringValue == "monthly_tokens")
                #expect(paused["steps"]?.array?.isEmpty == true && paused[path: "spent", "tokens_reserved"]?.int == 0)
                let extend = try await mesh.call("POST", "\(Self.api)/runs/\(id)/extend", token: owner, body: #"{"token_budget":3000000}"#)
                #expect(extend.status == 412 && extend.text.contains("PUT /api/meta/v2/budget"), "\(extend.text)")
                #expect(try await mesh.call("GET", budget, token: viewer).json?["paused_runs"]?.int == 1)
                let analytics = try #require(try await mesh.call("GET", "\(Self.api)/analytics", token: viewer).json)
                #expect(analytics[path: "budget", "monthly_tokens"]?.int == 50_000 && analytics[path: "budget", "paused_runs"]?.int == 1, "\(analytics)")
                // Lifting the budget queues the run again; it builds, and the month counts its tokens.
                let lifted = try await mesh.call("PUT", budget, token: owner, body: #"{"monthly_tokens":null}"#)
                #expect(lifted.status == 200 && lifted.json?["monthly_tokens"] == .null, "\(lifted.text)")
                let built = try await mesh.waitForRun(id, token: owner)
                #expect(built["status"]?.stringValue == "succeeded", "\(built)")
                let used = try #require(try await mesh.call("GET", budget, token: viewer).json)
                // What the calls reported, overruns of a call's ceiling included (the run's `spent` charges at most the ceiling).
                let reported = built["steps"]?.array?.reduce(0) { $0 + ($1["tokens"]?.int ?? 0) } ?? -1
                #expect(used[path: "used", "tokens"]?.int == reported && reported >= (built[path: "spent", "tokens"]?.int ?? .max), "\(used) vs \(reported)")
                #expect(used["paused_runs"]?.int == 0)
                #expect(try await RunTestDatabase.auditActions(of: id, tenant: tenant).contains("run.extend") == false)

                // Cost: this month already spent 2 USD (a step of another run); a budget of 1 USD
                // pauses the next run until it is raised past what was spent.
                try await AnalyticsSeed.insert([
                    AnalyticsSeed.Run(status: .succeeded, createdAt: Date(), seconds: 10, steps: [AnalyticsSeed.Step(role: "codegen_engineer", tokens: 100, costUSD: 2)]),
                ], tenant: tenant)
                #expect(try await mesh.call("PUT", budget, token: owner, body: #"{"monthly_cost_usd":1}"#).status == 200)
                let costly = try #require(try await mesh.startRun(spec: spec, token: owner).json?["id"]?.stringValue)
                let costPaused = try await mesh.waitForRun(costly, token: owner)
                #expect(costPaused["status"]?.stringValue == "awaiting_budget" && costPaused[path: "budget", "cap"]?.stringValue == "monthly_cost", "\(costPaused)")
                #expect(try await mesh.call("PUT", budget, token: RunMesh.token(tenant: tenant, role: .admin), body: #"{"monthly_cost_usd":5}"#).status == 200)
                #expect(try await mesh.waitForRun(costly, token: owner)["status"]?.stringValue == "succeeded")
                let final = try #require(try await mesh.call("GET", budget, token: viewer).json)
                #expect(final["monthly_cost_usd"] == .number(5) && final[path: "used", "cost_usd"] == .number(2), "\(final)")
            }
        }
    }
}
