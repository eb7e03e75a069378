import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// `GET /analytics` on a real run-service (and agent-service): exact figures over runs and
    /// steps seeded with known outcomes, durations, iterations and tokens; the window and the
    /// tenant bound what is counted; bad windows name their field; an agent-service outage
    /// leaves the run figures standing.
    @Suite(.serialized) struct AnalyticsTests {
        typealias Run = AnalyticsSeed.Run
        typealias Step = AnalyticsSeed.Step

        @Test func figuresOverAWindowAreExactAndOnlyTheTenants() async throws {
            try await RunMesh.with { mesh in
                let (tenant, other) = (UUID(), UUID())
                let from = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 20 * 86_400).rounded(.down))
                let to = from.addingTimeInterval(10 * 86_400)
                func hour(_ n: Double) -> Date { from.addingTimeInterval(n * 3600) }
                try await AnalyticsSeed.insert([
                    Run(status: .succeeded, createdAt: from, iteration: 1, tokens: 1000, seconds: 60, costUSD: 0.01, steps: [
                        Step(role: "codegen_engineer", durationMilliseconds: 1000, tokens: 10),
                        Step(role: "qa_evaluator", durationMilliseconds: 100),
                        Step(role: "reviewer", durationMilliseconds: 700, cacheHit: true, tokens: 7),
                    ]),
                    Run(status: .succeeded, createdAt: hour(1), iteration: 2, tokens: 3000, seconds: 120, costUSD: 0.02, steps: [
                        Step(role: "codegen_engineer", durationMilliseconds: 2000, cacheHit: true, tokens: 20),
                        Step(role: "qa_evaluator", durationMilliseconds: 300),
                    ]),
                    Run(status: .succeeded, createdAt: hour(2), iteration: 3, tokens: 5000, seconds: 300, costUSD: 0.03, steps: [
                        Step(role: "codegen_engineer", durationMilliseconds: 3000, tokens: 30),
                    ]),
                    Run(status: .failed, createdAt: hour(3), iteration: 4, tokens: 8000, seconds: 600, failureReason: "iteration_cap", costUSD: 0.05, steps: [
                        Step(role: "codegen_engineer", durationMilliseconds: 4000, tokens: 40),
                        Step(role: "auto_fixer", iteration: 2, status: "failed", durationMilliseconds: 10, tokens: 3),
                    ]),
                    Run(status: .failed, createdAt: hour(4), iteration: 1, tokens: 200, seconds: 30, failureReason: "agent_error", steps: [
                        Step(role: "codegen_engineer", status: "failed", durationMilliseconds: 50_000, tokens: 5),
                    ]),
                    Run(status: .cancelled, createdAt: hour(5), iteration: 1, tokens: 100, seconds: 90, steps: [
                        Step(role: "qa_evaluator", status: "cancelled", durationMilliseconds: 5),
                    ]),
                    // Cancelled before any worker claimed it: ended, no duration, no iteration.
                    Run(status: .cancelled, createdAt: hour(6), iteration: 0),
                    // Paused for 1,000 s before it was rejected: the pause is not its duration.
                    Run(status: .rejected, createdAt: hour(7), iteration: 2, tokens: 2000, seconds: 240, pausedSeconds: 1000),
                    Run(status: .awaitingApproval, createdAt: hour(8), iteration: 2, tokens: 4000),
                    Run(status: .generating, createdAt: hour(9), iteration: 1, tokens: 50, steps: [
                        Step(role: "qa_evaluator", status: "running"),
                    ]),
                    Run(status: .queued, createdAt: hour(10), iteration: 0),
                    Run(status: .awaitingBudget, createdAt: hour(11), iteration: 1, tokens: 900, costUSD: 0.004, steps: [
                        Step(role: "qa_evaluator", status: "interrupted", durationMilliseconds: 70),
                    ]),
                    // Outside the window: a second before it, and at its (exclusive) end.
                    Run(status: .succeeded, createdAt: from.addingTimeInterval(-1), tokens: 99_999, seconds: 5000, steps: [
                        Step(role: "codegen_engineer", durationMilliseconds: 999_999),
                    ]),
                    Run(status: .succeeded, createdAt: to, tokens: 77_777, seconds: 7000),
                ], tenant: tenant)
                try await AnalyticsSeed.insert([
                    Run(status: .succeeded, createdAt: hour(3), tokens: 55_555, seconds: 9999, steps: [
                        Step(role: "codegen_engineer", durationMilliseconds: 888_888),
                    ]),
                ], tenant: other)
                try await AnalyticsSeed.insert([
                    .init(role: "reviewer", durationMilliseconds: 100, promptTokens: 10, completionTokens: 5),
                    .init(role: "reviewer", durationMilliseconds: 300, cacheHit: true, promptTokens: 20, completionTokens: 7),
                ], tenant: tenant)

                let path = "/api/meta/v2/analytics?from=\(Self.text(from))&to=\(Self.text(to))"
                let answer = try await mesh.call("GET", path, token: RunMesh.token(tenant: tenant, role: .owner))
                #expect(answer.status == 200, "\(answer.text)")
                let json = try #require(answer.json)
                #expect(json[path: "window", "from"]?.stringValue == Self.text(from))
                #expect(json[path: "window", "to"]?.stringValue == Self.text(to))

                // Runs by outcome.
                let runs = try #require(json["runs"])
                #expect(runs["total"]?.int == 12)
                #expect(runs["succeeded"]?.int == 3)
                #expect(runs[path: "failed", "total"]?.int == 2)
                #expect(runs[path: "failed", "by_reason"] == .object(["iteration_cap": .number(1), "agent_error": .number(1)]))
                #expect(runs["cancelled"]?.int == 2)
                #expect(runs["rejected"]?.int == 1)
                #expect(runs["awaiting_approval"]?.int == 1)
                #expect(runs["awaiting_budget"]?.int == 1)
                #expect(runs["in_progress"]?.int == 2)
                #expect(runs["ended"]?.int == 8)

                // Over the 8 ended runs: 3 succeeded; 4 needed more than one iteration (14 in
                // all); the 7 that started took 30, 60, 90, 120, 240, 300 and 600 s.
                #expect(json["success_rate"] == .number(0.375))
                #expect(json["autofix_rate"] == .number(0.5))
                #expect(json["mean_iterations"] == .number(1.75))
                #expect(json["duration_seconds"] == .object(["p50": .number(120), "p95": .number(510), "runs": .number(7)]))
                #expect(json["tokens_spent"]?.int == 1000 + 3000 + 5000 + 8000 + 200 + 100 + 2000 + 4000 + 50 + 900)

                // Cost per working app (a succeeded run): everything spent over the 3 that work.
                // Build seconds: 60 + 120 + 300 succeeded, 600 + 30 failed, 90 cancelled, 240
                // rejected (its pause left out), 60 paused so far; runs still building count 0.
                let cost = try #require(json["cost"])
                #expect(cost["runs"]?.int == 12 && cost["working_apps"]?.int == 3, "\(cost)")
                #expect(cost["spent"] == .object(["tokens": .number(24_250), "cost_usd": .number(0.114), "build_seconds": .number(1500)]), "\(cost)")
                #expect(cost["per_working_app"] == .object(["tokens": .number(8083.3), "cost_usd": .number(0.038), "build_seconds": .number(500)]), "\(cost)")
                #expect(cost["working_app_mean"] == .object(["tokens": .number(3000), "cost_usd": .number(0.02), "build_seconds": .number(160)]), "\(cost)")
                // By month of creation (UTC): the seeded runs' months, adding up to the window.
                let months = try #require(cost["months"]?.array)
                let monthFormat = Date.ISO8601FormatStyle(timeZone: .gmt).year().month()
                let seededMonths = Set((0...11).map { hour(Double($0)).formatted(monthFormat) })
                #expect(months.compactMap { $0["month"]?.stringValue } == seededMonths.sorted(), "\(months)")
                #expect(months.reduce(0) { $0 + ($1["runs"]?.int ?? 0) } == 12)
                #expect(abs(months.reduce(0) { $0 + ($1[path: "spent", "cost_usd"]?.double ?? 0) } - 0.114) < 1e-9)

                // Per role, from the run-service's own steps; durations over succeeded steps.
                let roles = try #require(json["roles"]?.array)
                #expect(roles.compactMap { $0["role"]?.stringValue } == ["auto_fixer", "codegen_engineer", "qa_evaluator", "reviewer"])
                #expect(roles[0] == Self.role("auto_fixer", steps: 1, failed: 1, duration: (nil, nil, nil), cacheHitRate: 0, tokens: 3))
                #expect(roles[1] == Self.role("codegen_engineer", steps: 5, succeeded: 4, failed: 1, duration: (2500, 3850, 2500), cacheHitRate: 0.25, tokens: 105))
                #expect(roles[2] == Self.role("qa_evaluator", steps: 5, succeeded: 2, cancelled: 1, running: 1, interrupted: 1, duration: (200, 290, 200), cacheHitRate: 0, tokens: 0))
                #expect(roles[3] == Self.role("reviewer", steps: 1, succeeded: 1, duration: (700, 700, 700), cacheHitRate: 1, tokens: 7))

                // The agent-service's own statistics, under their own key.
                #expect(json[path: "agent_service", "available"]?.bool == true)
                let agentRoles = try #require(json[path: "agent_service", "roles"]?.array)
                #expect(Set(agentRoles.compactMap { $0["role"]?.stringValue }) == Set(AgentRole.allCases.map(\.rawValue)))
                let reviewer = try #require(agentRoles.first { $0["role"]?.stringValue == "reviewer" }?["statistics"])
                #expect(reviewer["executions"]?.int == 2)
                #expect(reviewer["p50_ms"] == .number(200))
                #expect(reviewer["cache_hit_rate"] == .number(0.5))
                #expect(reviewer["prompt_tokens"]?.int == 30)
                #expect(reviewer["completion_tokens"]?.int == 12)

                // The answer is what the served contract documents.
                let contract = try await mesh.call("GET", "/openapi.json", token: nil)
                let violations = try await OpenAPISchemaCheck.violations(of: answer.text, schema: "Analytics", document: contract.text)
                #expect(violations.isEmpty, "\(violations)")

                // A viewer reads the same figures; the other tenant sees only its own run.
                let viewer = try await mesh.call("GET", path, token: RunMesh.token(tenant: tenant, role: .viewer))
                #expect(viewer.status == 200)
                #expect(viewer.json?[path: "runs", "total"]?.int == 12)
                let theirs = try #require(try await mesh.call("GET", path, token: RunMesh.token(tenant: other, role: .member)).json)
                #expect(theirs[path: "runs", "total"]?.int == 1)
                #expect(theirs["tokens_spent"]?.int == 55_555)
                #expect(theirs["roles"]?.array?.first?[path: "duration_ms", "p50"] == .number(888_888))
            }
        }

        @Test func defaultWindowEmptyTenantsAndBadWindows() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let owner = RunMesh.token(tenant: tenant, role: .owner)
                let now = Date()

                // A tenant without runs: zeros and nulls, the last 30 days up to now.
                let empty = try await mesh.call("GET", "/api/meta/v2/analytics", token: owner)
                #expect(empty.status == 200, "\(empty.text)")
                let figures = try #require(empty.json)
                #expect(figures["runs"] == .object([
                    "total": .number(0), "succeeded": .number(0), "failed": .object(["total": .number(0), "by_reason": .object([:])]),
                    "cancelled": .number(0), "rejected": .number(0), "awaiting_approval": .number(0), "awaiting_budget": .number(0), "in_progress": .number(0),
                    "ended": .number(0),
                ]))
                #expect(figures["success_rate"] == .number(0))
                #expect(figures["autofix_rate"] == .number(0))
                #expect(figures["mean_iterations"] == .null)
                #expect(figures["duration_seconds"] == .object(["p50": .null, "p95": .null, "runs": .number(0)]))
                #expect(figures["tokens_spent"]?.int == 0)
                #expect(figures["roles"] == .array([]))
                let zero: JSONValue = .object(["tokens": .number(0), "cost_usd": .number(0), "build_seconds": .number(0)])
                #expect(figures["cost"] == .object([
                    "runs": .number(0), "working_apps": .number(0), "spent": zero, "per_working_app": .null, "working_app_mean": .null, "months": .array([]),
                ]), "\(figures)")
                let windowFrom = try #require(figures[path: "window", "from"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
                let windowTo = try #require(figures[path: "window", "to"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
                #expect(abs(windowTo.timeIntervalSince(now)) < 60)
                #expect(windowTo.timeIntervalSince(windowFrom) == 30 * 86_400)

                // By default runs of the last 30 days count, older ones do not.
                try await AnalyticsSeed.insert([
                    Run(status: .succeeded, createdAt: now.addingTimeInterval(-3600), tokens: 10, seconds: 60),
                    Run(status: .failed, createdAt: now.addingTimeInterval(-29 * 86_400), tokens: 20, seconds: 900, failureReason: "time_budget"),
                    Run(status: .succeeded, createdAt: now.addingTimeInterval(-31 * 86_400), tokens: 40, seconds: 60),
                ], tenant: tenant)
                let recent = try #require(try await mesh.call("GET", "/api/meta/v2/analytics", token: owner).json)
                #expect(recent[path: "runs", "total"]?.int == 2)
                #expect(recent[path: "runs", "failed", "by_reason"] == .object(["time_budget": .number(1)]))
                #expect(recent["tokens_spent"]?.int == 30)
                #expect(recent["success_rate"] == .number(0.5))
                // Only `to`: the 30 days before it (the runs of 29 and 31 days ago, not of an hour ago).
                let before = try #require(try await mesh.call("GET", "/api/meta/v2/analytics?to=\(Self.text(now.addingTimeInterval(-2 * 86_400)))", token: owner).json)
                #expect(before[path: "runs", "total"]?.int == 2)
                #expect(before["tokens_spent"]?.int == 60)

                // Bad windows: 400 naming the field.
                let bad: [(String, String)] = [
                    ("from=yesterday", "from"), ("to=not-a-time", "to"), ("from=2026-01-01", "from"), ("from=", "from"),
                    ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                    ("from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                    ("from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:00Z", "from"),
                    ("from=\(Self.text(now.addingTimeInterval(3600)))", "from"),
                ]
                for (query, field) in bad {
                    let answer = try await mesh.call("GET", "/api/meta/v2/analytics?\(query)", token: owner)
                    #expect(answer.status == 400, "\(query): \(answer.text)")
                    #expect(answer.json?[path: "error", "code"]?.stringValue == "INVALID_ARGUMENT")
                    #expect(answer.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == field, "\(query): \(answer.text)")
                }
                // A window of exactly 366 days, with offsets and fractions, is fine.
                let leap = try await mesh.call("GET", "/api/meta/v2/analytics?from=2024-01-01T00:00:00.250%2B02:00&to=2025-01-01T00:00:00.250%2B02:00", token: owner)
                #expect(leap.status == 200, "\(leap.text)")
                #expect(leap.json?[path: "window", "from"]?.stringValue == "2023-12-31T22:00:00.250Z")
                #expect(try await mesh.call("GET", "/api/meta/v2/analytics", token: nil).status == 401)
            }
        }

        @Test func anUnreachableAgentServiceLeavesTheRunFiguresStanding() async throws {
            let nobody = try ClosedPort()
            defer { withExtendedLifetime(nobody) {} }
            try await RunMesh.with(environment: ["META_BUILDER_AGENT_URL": nobody.url]) { mesh in
                let tenant = UUID()
                try await AnalyticsSeed.insert([Run(status: .succeeded, createdAt: Date().addingTimeInterval(-60), tokens: 5, seconds: 30)], tenant: tenant)
                let answer = try await mesh.call("GET", "/api/meta/v2/analytics", token: RunMesh.token(tenant: tenant, role: .viewer))
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.json?[path: "runs", "succeeded"]?.int == 1)
                #expect(answer.json?["success_rate"] == .number(1))
                #expect(answer.json?[path: "agent_service", "available"]?.bool == false)
                #expect(answer.json?[path: "agent_service", "error", "code"]?.stringValue == "UNAVAILABLE")
                #expect(answer.json?[path: "agent_service", "roles"] == nil)
                let contract = try await mesh.call("GET", "/openapi.json", token: nil)
                let violations = try await OpenAPISchemaCheck.violations(of: answer.text, schema: "Analytics", document: contract.text)
                #expect(violations.isEmpty, "\(violations)")
            }
        }

        @Test func windowsDefaultToTheLast30DaysAndRefuseBadBoundsNamingTheField() throws {
            let now = Date(timeIntervalSince1970: 1_780_000_000.75)
            let standard = try AnalyticsWindow(from: nil, to: nil, now: now)
            #expect(standard.to == Date(timeIntervalSince1970: 1_780_000_000))
            #expect(standard.to.timeIntervalSince(standard.from) == 30 * 86_400)
            let upTo = try AnalyticsWindow(from: nil, to: "2026-03-31T00:00:00Z", now: now)
            #expect(Self.text(upTo.from) == "2026-03-01T00:00:00Z")
            let fractional = try AnalyticsWindow(from: "2026-01-01T00:00:00.5+01:00", to: "2026-01-02T00:00:00Z", now: now)
            #expect(String(decoding: try JSONCoding.encode(fractional), as: UTF8.self) == #"{"from":"2025-12-31T23:00:00.500Z","to":"2026-01-02T00:00:00Z"}"#)
            for (from, to, field) in [
                ("2026-01-01", nil, "from"), (nil, "soon", "to"), ("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", "from"),
                ("2025-01-01T00:00:00Z", "2026-01-03T00:00:00Z", "from"), ("2026-06-01T00:00:00Z", nil, "from"),
            ] as [(String?, String?, String)] {
                #expect { try AnalyticsWindow(from: from, to: to, now: now) } throws: { error in
                    (error as? WireError)?.details.first?.field == field
                }
            }
        }

        /// A time as the query and the answer write it: RFC 3339 UTC, whole seconds.
        static func text(_ date: Date) -> String {
            date.formatted(.iso8601)
        }

        /// A role's figures as the answer writes them.
        static func role(
            _ role: String, steps: Int, succeeded: Int = 0, failed: Int = 0, cancelled: Int = 0, running: Int = 0, interrupted: Int = 0,
            duration: (p50: Double?, p95: Double?, mean: Double?), cacheHitRate: Double, tokens: Int
        ) -> JSONValue {
            func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
            return .object([
                "role": .string(role), "steps": .number(Double(steps)), "succeeded": .number(Double(succeeded)),
                "failed": .number(Double(failed)), "cancelled": .number(Double(cancelled)), "running": .number(Double(running)),
                "interrupted": .number(Double(interrupted)),
                "duration_ms": .object(["p50": number(duration.p50), "p95": number(duration.p95), "mean": number(duration.mean)]),
                "cache_hit_rate": .number(cacheHitRate), "tokens": .number(Double(tokens)),
            ])
        }
    }
}
