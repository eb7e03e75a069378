import Foundation
import Shared
import Testing
@testable import AgentService

/// The QA Evaluator within its time limit: a hung test fails on its own and the other checks
/// still run; when the whole evaluation runs out of time the report still comes back, with what
/// finished kept and the rest failed as not run.
@Suite struct QATimeLimitTests {
    private let registry: AgentRegistry

    init() throws {
        registry = try AgentTestEnvironment.registry()
    }

    private func run<Output: Decodable>(_ role: AgentRole, _ input: some Encodable, as type: Output.Type) async throws -> Output {
        let output = try await registry.agent(for: role).runDeterministic(try AgentJSON.encode(input))
        return try AgentJSON.decode(Output.self, from: output, field: "output")
    }

    /// A small CRM scaffold prepared by DevOps, with a test that never returns in the contacts suite.
    private func hungWorkspace(run: String) async throws -> (ScaffoldPlan, DevOpsOutput) {
        let spec = try ProductArchitect().design(ArchitectInput(title: "CRM", description: "A CRM with contacts that have a name and an email.", mode: .freeform))
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let generated = try await self.run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let prepared = try await self.run(.devOps, DevOpsInput(runID: run, iteration: 1, diff: generated.diff), as: DevOpsOutput.self)
        #expect(prepared.ready)
        let suite = URL(fileURLWithPath: prepared.workspace + "/tests/test_contacts.py")
        let hanging = "\n\ndef test_hangs_forever():\n    import time\n    time.sleep(3600)\n"
        try (try String(contentsOf: suite, encoding: .utf8) + hanging).write(to: suite, atomically: true, encoding: .utf8)
        return (plan, prepared)
    }

    @Test func aHungTestFailsOnItsOwnAndTheOtherChecksStillRun() async throws {
        let run = "hung-\(UUID().uuidString.prefix(8).lowercased())"
        let (plan, prepared) = try await hungWorkspace(run: run)
        let started = ContinuousClock.now
        let report = try await self.run(.qaEvaluator, QAInput(runID: run, iteration: 1, plan: plan, workspace: prepared.workspace, timeoutSeconds: 45), as: EvalReport.self)
        #expect(ContinuousClock.now - started < .seconds(60), "the evaluation kept to its bound")
        let pytest = try #require(report.checks.first { $0.name == "pytest" })
        #expect(pytest.status == "failed")
        #expect(pytest.outputTail.contains("FAILED tests/test_contacts.py::test_hangs_forever"), "\(pytest.outputTail)")
        #expect(pytest.outputTail.contains("Timeout"))
        #expect(report.testsFailed == 1)
        #expect(report.testsPassed > 5, "the rest of the suite ran")
        #expect(report.failingFiles.contains("app/resources/contacts.py"), "\(report.failingFiles)")
        #expect(report.checks.first { $0.name == "compile" }?.passed == true)
        #expect(report.checks.first { $0.name == "smoke" }?.passed == true, "\(report.checks.map { "\($0.name): \($0.status) \($0.outputTail.suffix(300))" })")
        #expect(report.checks.first { $0.name == "rollback:up" }?.passed == true)
        #expect(!report.passed)
    }

    @Test func anEvaluationOutOfTimeStillReportsWhatFinished() async throws {
        let run = "timeout-\(UUID().uuidString.prefix(8).lowercased())"
        let (plan, prepared) = try await hungWorkspace(run: run)
        let started = ContinuousClock.now
        let report = try await self.run(.qaEvaluator, QAInput(runID: run, iteration: 1, plan: plan, workspace: prepared.workspace, timeoutSeconds: 2), as: EvalReport.self)
        #expect(ContinuousClock.now - started < .seconds(20), "the evaluation kept to its bound")
        #expect(!report.passed)
        #expect(report.checks.first?.name == "compile")
        #expect(report.checks.contains { $0.name == "pytest" && $0.status == "failed" })
        let rollback = try #require(report.checks.first { $0.name == "rollback:up" })
        #expect(rollback.status == "failed")
        #expect(rollback.outputTail.contains("time limit"))
        #expect(report.checks.last?.name == "rollback:up", "every check is in the report: \(report.checks.map(\.name))")
    }
}
