import Foundation
import MeshTestSupport
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
            let agentPort = try LoopbackPort.free()
            let relay = ModelRelay(agentPort: agentPort) { role, output in
                guard role == "reviewer", case .object(var fields) = output else { return output }
                fields["risk"] = .object(["score": .number(92), "reason": .string(Self.reason)])
                return .object(fields)
            }
            try await relay.run { baseURL in
                let environment = [
                    "META_BUILDER_OPENAI_BASE_URL": baseURL, "META_BUILDER_OPENAI_API_KEY": "sk-relay-test-key",
                    "META_BUILDER_MODEL_PRICES": "\(ModelRelay.model)=0.0004/0.0016",
                ]
                try await RunMesh.with(agentPort: agentPort, environment: environment) { mesh in
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
        }
    }
}
