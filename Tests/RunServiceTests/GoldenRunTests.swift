import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// The recorded golden runs (`GoldenRuns/*.json`) replayed on the real mesh: each must be
    /// reproduced step by step — byte-identical diffs, the same reports, the same pull request —
    /// so any change of what the loop produces fails here with the first lines that differ.
    ///
    /// After an intended change (templates, agents), record them again from their descriptions:
    /// `META_BUILDER_RECORD_GOLDEN=1 swift test --filter GoldenRunTests` writes the files anew.
    @Suite(.serialized) struct GoldenRunTests {
        /// One golden run as recorded: what was asked, the plan copy and caps it was built from,
        /// and each step's provider and output, the recorded run's id written `{run}`.
        struct Golden: Codable {
            var title: String
            var description: String
            var body: String
            var planID: String
            var planVersion: Int
            var plan: JSONValue
            var planRiskScore: Int
            var caps: [String: Int]
            var fault: String?
            var steps: [Step]

            struct Step: Codable {
                var iteration: Int
                var role: String
                var provider: String?
                var model: String?
                var output: JSONValue
            }
        }

        /// The runs to record: shapes the loop takes (one iteration; a failing evaluation fixed).
        static let recipes: [(name: String, title: String, description: String, body: String)] = [
            ("tasks", "Tasks", RunAPITests.tasks, "{}"),
            ("helpdesk-fixed", "Helpdesk", RunLoopTests.helpdesk, #"{"fault":"wrong_route"}"#),
        ]

        static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GoldenRuns")

        @Test func recordedGoldenRunsReplayStepByStep() async throws {
            if ProcessInfo.processInfo.environment["META_BUILDER_RECORD_GOLDEN"] == "1" {
                try await Self.record()
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".json") }.sorted()
            #expect(files == Self.recipes.map { "\($0.name).json" }.sorted(), "the golden runs on disk are the recipes'")
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            try await RunMesh.with { mesh in
                for file in files {
                    let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Self.directory.appendingPathComponent(file)))
                    let source = try await Self.seed(golden, tenant: tenant)
                    let started = try await mesh.call("POST", "/api/meta/v2/runs/\(source.lowercaseText)/replay", token: owner, body: "{}")
                    let replay = try await mesh.waitForRun(try #require(started.json?["id"]?.stringValue, "\(file): \(started.text)"), token: owner)
                    #expect(replay["status"]?.stringValue == "succeeded", "\(file) no longer replays: \(replay[path: "failure", "detail"]?.stringValue ?? "\(replay)")")
                    #expect(replay["steps"]?.array?.count == golden.steps.count, "\(file)")
                }
            }
        }

        /// Inserts the golden run as an ended run of `tenant`, its outputs under its new id; its id.
        static func seed(_ golden: Golden, tenant: UUID) async throws -> UUID {
            let id = UUID()
            try await RunTestDatabase.withPool { pool in
                try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                    try await session.execute("""
                        INSERT INTO runs (id, tenant_id, spec_id, plan_id, plan_version, plan, plan_risk_score, status, iteration, max_iterations,
                                          token_budget, timeout_seconds, fault, created_by, started_at, finished_at)
                        VALUES (\(id), \(tenant), \(UUID()), \(UUID(text: golden.planID) ?? UUID()), \(golden.planVersion), \(try JSONText(encoding: golden.plan))::jsonb,
                                \(golden.planRiskScore), 'succeeded', \(golden.steps.map(\.iteration).max() ?? 1), \(golden.caps["max_iterations"] ?? 4),
                                \(golden.caps["token_budget"] ?? 2_000_000), \(golden.caps["timeout_s"] ?? 900), \(golden.fault), 'golden', now(), now())
                        """)
                    for (index, step) in golden.steps.enumerated() {
                        let text = String(decoding: try JSONEncoder().encode(step.output), as: UTF8.self).replacingOccurrences(of: "{run}", with: id.lowercaseText)
                        try await session.execute("""
                            INSERT INTO run_steps (id, tenant_id, run_id, iteration, role, step_key, status, fencing, output, provider, model, started_at, finished_at)
                            VALUES (\(UUID()), \(tenant), \(id), \(step.iteration), \(step.role), \("golden:\(id.lowercaseText):\(index)"), 'succeeded', 1,
                                    \(JSONText(text))::jsonb, \(step.provider), \(step.model), now() + \(index) * interval '1 second', now() + \(index) * interval '1 second')
                            """)
                    }
                }
            }
            return id
        }

        /// What a golden run keeps of a step's output: all of it for the steps a replay may
        /// answer from it (Codegen, Auto-Fixer, Reviewer), and for DevOps and QA only what a
        /// replay compares — not workspace paths, durations, output tails or the sandbox, which
        /// describe the machine that recorded it.
        static func kept(_ output: JSONValue, role: String) -> JSONValue {
            guard case .object(let fields) = output else { return output }
            switch role {
            case "devops":
                return .object(["ready": fields["ready"] ?? .null, "workspace": .string("{workspace}")])
            case "qa_evaluator":
                var kept = fields.filter { ["run_id", "iteration", "score", "tests_passed", "tests_failed", "checks_passed", "checks_failed", "failing_files"].contains($0.key) }
                if case .array(let checks)? = fields["checks"] {
                    kept["checks"] = .array(checks.map { .object(["name": $0["name"] ?? .null, "status": $0["status"] ?? .null, "files": $0["files"] ?? .array([])]) })
                }
                return .object(kept)
            default:
                return output
            }
        }

        /// Builds each recipe fresh and writes its golden run.
        static func record() async throws {
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            try await RunMesh.with { mesh in
                for recipe in recipes {
                    let spec = try await mesh.createSpec(token: owner, title: recipe.title, description: recipe.description)
                    let started = try await mesh.startRun(spec: spec, token: owner, body: recipe.body)
                    let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                    let run = try await mesh.waitForRun(id, token: owner)
                    try #require(run["status"]?.stringValue == "succeeded", "\(recipe.name): \(run)")
                    let golden = try await RunTestDatabase.withPool { pool in
                        let results = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                            "SELECT plan_id, plan_version, plan::text AS plan, plan_risk_score, max_iterations, token_budget, timeout_seconds, fault FROM runs WHERE id = \(id)::uuid",
                            "SELECT iteration, role, provider, model, output::text AS output FROM run_steps WHERE run_id = \(id)::uuid AND status = 'succeeded' ORDER BY started_at, id",
                        ])
                        let row = results[0][0]
                        return Golden(
                            title: recipe.title, description: recipe.description, body: recipe.body,
                            planID: try row.decode("plan_id", as: UUID.self).lowercaseText, planVersion: try row.decode("plan_version"),
                            plan: try row.decode("plan", as: JSONText.self).decode(JSONValue.self), planRiskScore: try row.decode("plan_risk_score"),
                            caps: ["max_iterations": try row.decode("max_iterations"), "token_budget": try row.decode("token_budget"), "timeout_s": try row.decode("timeout_seconds")],
                            fault: try row.decode("fault"),
                            steps: try results[1].map { step in
                                let role: String = try step.decode("role")
                                let text = (try step.decode("output", as: String.self)).replacingOccurrences(of: id, with: "{run}")
                                return Golden.Step(iteration: try step.decode("iteration"), role: role, provider: try step.decode("provider"),
                                                   model: try step.decode("model"), output: Self.kept(try JSONValue(parsing: Data(text.utf8)), role: role))
                            }
                        )
                    }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                    try (encoder.encode(golden) + Data("\n".utf8)).write(to: directory.appendingPathComponent("\(recipe.name).json"))
                }
            }
        }
    }
}
