import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// A run built by a model provider (`"provider": "openai"`, against `ModelRelay`): the
    /// agent-service calls the model over HTTP for Codegen, the Auto-Fixer and the Reviewer; the
    /// Reviewer's raised risk reaches the gate with its reason; each model step carries its model
    /// and price; and a replay reproduces the run from its recording without calling the model.
    @Suite(.serialized) struct ModelRunTests {
        static let api = "/api/meta/v2"
        static let reason = "the scaffold keeps customers' contact details with no retention rule"

        @Test func aModelBuiltRunRaisesItsRiskForTheGateAndReplaysWithoutCallingTheModel() async throws {
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            let relay = try ModelRelay { role, output in
                guard role == "reviewer", case .object(var fields) = output else { return output }
                fields["risk"] = .object(["score": .number(92), "reason": .string(Self.reason)])
                return .object(fields)
            }
            try await relay.withMesh { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: RunLoopTests.helpdesk)
                // A fix iteration, so that all three model roles answer: Codegen, Auto-Fixer, Reviewer.
                let started = try await mesh.startRun(spec: spec, token: owner, body: #"{"provider":"openai","fault":"wrong_route"}"#)
                try #require(started.status == 202, "\(started.text)")
                let run = try await mesh.waitForRun(try #require(started.json?["id"]?.stringValue), token: owner)
                let runID = try #require(run["id"]?.stringValue)
                #expect(relay.calls == ["codegen_engineer", "auto_fixer", "reviewer"], "\(relay.calls)")

                // The model's score is above the rules', so the run waits for a person, with the reason.
                #expect(run["status"]?.stringValue == "awaiting_approval", "\(run)")
                #expect(run[path: "risk", "score"] == .number(92), "\(run["risk"] ?? .null)")
                let reasons = run[path: "risk", "reasons"]?.array?.compactMap(\.stringValue) ?? []
                #expect(reasons.contains { $0.hasPrefix("reviewer (+") && $0.hasSuffix(Self.reason) }, "\(reasons)")
                #expect(run[path: "gate", "risk_score"] == .number(92), "\(run["gate"] ?? .null)")

                // Each model step names its model and costs what its price says; the run sums them.
                let steps = run["steps"]?.array ?? []
                let modelSteps = steps.filter { ["codegen_engineer", "auto_fixer", "reviewer"].contains($0["role"]?.stringValue ?? "") }
                #expect(modelSteps.count == 3)
                #expect(modelSteps.allSatisfy { $0["provider"]?.stringValue == "openai" && $0["model"]?.stringValue == ModelRelay.model }, "\(modelSteps)")
                #expect((run[path: "spent", "cost_usd"]?.double ?? 0) > 0, "\(run["spent"] ?? .null)")

                // The replay answers the model's steps from the recording: no model call, the
                // same diffs byte for byte, the same raised risk (a replay never waits for a gate).
                let replay = try await mesh.call("POST", "\(Self.api)/runs/\(runID)/replay", token: owner, body: "{}")
                #expect(replay.status == 202, "\(replay.text)")
                let replayed = try await mesh.waitForRun(try #require(replay.json?["id"]?.stringValue), token: owner)
                #expect(replayed["status"]?.stringValue == "succeeded", "\(replayed)")
                #expect(relay.calls.count == 3, "the replay called the model: \(relay.calls)")
                let replayedSteps = replayed["steps"]?.array ?? []
                #expect(replayedSteps.map { $0["role"]?.stringValue } == steps.map { $0["role"]?.stringValue })
                #expect(replayedSteps.filter { $0["provider"]?.stringValue == "replay" }.count == 3, "\(replayedSteps)")
                #expect(replayed[path: "risk", "score"] == .number(92), "\(replayed["risk"] ?? .null)")
                let recorded = try await ReplayTests.recordings(of: runID, tenant: tenant)
                let again = try await ReplayTests.recordings(of: try #require(replayed["id"]?.stringValue), tenant: tenant)
                for role in ["codegen_engineer", "auto_fixer"] {
                    #expect(again.first { $0.role == role }?.sha256 == recorded.first { $0.role == role }?.sha256, "\(role)")
                }
            }
        }

        /// A run's own cost budget: agent calls are admitted until the run's cost (at the model's
        /// price) reached it; then the run pauses at `cost` until the budget is raised enough.
        @Test func aRunPausesAtItsCostBudgetAndGoesOnOnceItIsRaised() async throws {
            let tenant = UUID()
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            let relay = try ModelRelay()
            try await relay.withMesh(environment: ["META_BUILDER_APPROVAL_THRESHOLD": "101"]) { mesh in
                let spec = try await mesh.createSpec(token: owner, title: "Helpdesk", description: RunLoopTests.helpdesk)
                for value in ["0", "-1", "\"cheap\"", "2000000", "true"] {
                    let refused = try await mesh.startRun(spec: spec, token: owner, body: #"{"provider":"openai","cost_budget_usd":\#(value)}"#)
                    #expect(refused.status == 400 && refused.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "cost_budget_usd", "\(value): \(refused.text)")
                }

                // Codegen is admitted (nothing spent yet) and costs more than the budget: the next step waits.
                let started = try await mesh.startRun(spec: spec, token: owner, body: #"{"provider":"openai","cost_budget_usd":0.000001}"#)
                try #require(started.status == 202, "\(started.text)")
                let id = try #require(started.json?["id"]?.stringValue)
                let paused = try await mesh.waitForRun(id, token: owner)
                #expect(paused["status"]?.stringValue == "awaiting_budget", "\(paused)")
                #expect(paused[path: "budget", "cap"]?.stringValue == "cost" && paused[path: "budget", "raise"]?.stringValue == "cost_budget_usd", "\(paused["budget"] ?? .null)")
                #expect(paused[path: "caps", "cost_budget_usd"] == .number(0.000001))
                let spent = try #require(paused[path: "spent", "cost_usd"]?.double)
                #expect(spent > 0.000001)
                #expect(relay.calls == ["codegen_engineer"], "\(relay.calls)")

                // Refused: lowering it, raising it to no more than was spent, raising another cap only.
                let extend = "\(Self.api)/runs/\(id)/extend"
                for body in [#"{"cost_budget_usd":0.0000005}"#, #"{"cost_budget_usd":\#(spent)}"#, #"{"max_iterations":5}"#] {
                    let refused = try await mesh.call("POST", extend, token: owner, body: body)
                    #expect(refused.status == 400 && refused.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "cost_budget_usd", "\(body): \(refused.text)")
                }
                let extended = try await mesh.call("POST", extend, token: owner, body: #"{"cost_budget_usd":25}"#)
                #expect(extended.status == 200 && extended.json?[path: "caps", "cost_budget_usd"] == .number(25), "\(extended.text)")
                let finished = try await mesh.waitForRun(id, token: owner)
                #expect(finished["status"]?.stringValue == "succeeded", "\(finished)")
                #expect(relay.calls == ["codegen_engineer", "reviewer"], "the walk went on from the paused step: \(relay.calls)")
                #expect((finished[path: "spent", "cost_usd"]?.double ?? 0) > spent)
            }
        }
    }
}
