import Foundation
import Shared
import Testing
@testable import AgentService

/// Paths a caller supplies are confined: QA's and the Auto-Fixer's workspace must be the
/// iteration's own tree under the workspace root, and a base repository must be a git work tree
/// under the repositories root; `..`, absolute paths elsewhere and symlinks out are refused.
@Suite struct PathConfinementTests {
    private func failure(_ registry: AgentRegistry, _ role: AgentRole, _ input: some Encodable) async -> WireError? {
        do {
            _ = try await registry.agent(for: role).runDeterministic(try AgentJSON.encode(input))
            return nil
        } catch {
            return error as? WireError
        }
    }

    private func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    private func temporary(_ name: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent(name).path }

    /// A directory shaped like a prepared workspace: an app package in a git repository with one commit.
    private func preparedTree(at path: String) async throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let tree = GitWorkspace(path: path)
        try await tree.git(["init", "--quiet"])
        try await tree.write(["app/__init__.py": "", "BASE.txt": "base tree\n"])
        try await tree.git(["add", "--all"])
        try await tree.git(["commit", "--quiet", "-m", "base"])
    }

    private func plan() throws -> ScaffoldPlan { try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec)) }

    @Test func qaRefusesAnyWorkspaceButItsRunsIteration() async throws {
        let sandbox = try AgentTestEnvironment.sandbox()
        let registry = try AgentTestEnvironment.registry(sandbox: sandbox)
        let workspaces = ScaffoldWorkspace(root: sandbox.workspaceRoot)
        let (run, other, linked, outsideName) = (unique("confine"), unique("confine-other"), unique("confine-link"), unique("mb-outside"))
        let outside = temporary(outsideName)
        defer {
            for path in ["\(sandbox.workspaceRoot)/\(run)", "\(sandbox.workspaceRoot)/\(other)", "\(sandbox.workspaceRoot)/\(linked)", outside] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        try await preparedTree(at: workspaces.path(run: run, iteration: 1))
        try await preparedTree(at: workspaces.path(run: other, iteration: 1))
        try await preparedTree(at: outside)
        try FileManager.default.createDirectory(atPath: "\(sandbox.workspaceRoot)/\(linked)", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: workspaces.path(run: linked, iteration: 1), withDestinationPath: outside)
        let claims = [
            (run, "\(sandbox.workspaceRoot)/\(run)/1/../../\(other)/1"),
            (run, workspaces.path(run: other, iteration: 1)),
            (run, "\(sandbox.workspaceRoot)/\(run)/1/../../../\(outsideName)"),
            (run, outside),
            (run, "/etc"),
            (linked, workspaces.path(run: linked, iteration: 1)),
        ]
        for (runID, claimed) in claims {
            let error = await failure(registry, .qaEvaluator, QAInput(runID: runID, iteration: 1, plan: try plan(), workspace: claimed, timeoutSeconds: 30))
            #expect(error?.code == .invalidArgument, "\(claimed)")
            #expect(error?.details.first?.field == "input.workspace", "\(claimed)")
        }
    }

    @Test func autoFixerRefusesAnyWorkspaceButTheReportsIteration() async throws {
        let sandbox = try AgentTestEnvironment.sandbox()
        let registry = try AgentTestEnvironment.registry(sandbox: sandbox)
        let workspaces = ScaffoldWorkspace(root: sandbox.workspaceRoot)
        let (run, other, outsideName) = (unique("confine-fix"), unique("confine-fix-other"), unique("mb-outside"))
        let outside = temporary(outsideName)
        defer {
            for path in ["\(sandbox.workspaceRoot)/\(run)", "\(sandbox.workspaceRoot)/\(other)", outside] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        try await preparedTree(at: workspaces.path(run: run, iteration: 1))
        try await preparedTree(at: workspaces.path(run: run, iteration: 2))
        try await preparedTree(at: workspaces.path(run: other, iteration: 1))
        try await preparedTree(at: outside)
        let failing = EvaluationStep(name: "pytest", passed: false, duration: .zero, output: "1 failed", files: ["app/__init__.py"])
        let report = EvalReport(runID: run, iteration: 1, checks: [failing], testsPassed: 0, testsFailed: 1)
        for claimed in [outside, workspaces.path(run: other, iteration: 1), workspaces.path(run: run, iteration: 2), "\(sandbox.workspaceRoot)/\(run)/1/../../../\(outsideName)"] {
            let error = await failure(registry, .autoFixer, FixerInput(plan: try plan(), report: report, workspace: claimed))
            #expect(error?.code == .invalidArgument, "\(claimed)")
            #expect(error?.details.first?.field == "input.workspace", "\(claimed)")
        }
        let badRun = await failure(registry, .autoFixer, FixerInput(plan: try plan(), report: EvalReport(runID: "../\(run)", iteration: 1, checks: [failing], testsPassed: 0, testsFailed: 1), workspace: workspaces.path(run: run, iteration: 1)))
        #expect(badRun?.details.first?.field == "input.report.run_id")
    }

    @Test func baseRepositoryMustBeAGitRepositoryUnderTheRepositoriesRoot() async throws {
        let root = temporary(unique("mb-repositories"))
        let outsideName = unique("mb-outside")
        let outside = temporary(outsideName)
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: outside)
        }
        try await preparedTree(at: root + "/crm-base")
        try await preparedTree(at: outside)
        try FileManager.default.createDirectory(atPath: root + "/not-a-repository", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/linked", withDestinationPath: outside)
        let registry = try AgentTestEnvironment.registry(sandbox: try AgentTestEnvironment.sandbox(repositoriesRoot: root))

        for base in ["crm-base", root + "/crm-base", root + "/./crm-base/"] {
            let output = try await registry.agent(for: .codegenEngineer).runDeterministic(try AgentJSON.encode(CodegenInput(plan: try plan(), baseRepository: base)))
            let generated = try AgentJSON.decode(CodegenOutput.self, from: output, field: "output")
            #expect(generated.diff.contains("diff --git a/app/resources/deals.py"), "\(base)")
            #expect(!generated.diff.contains("BASE.txt"), "the base tree's own files are left alone")
        }
        for base in [outside, "../\(outsideName)", "crm-base/../../\(outsideName)", "linked", "not-a-repository", root, "", "https://example.com/crm.git", "/"] {
            let error = await failure(registry, .codegenEngineer, CodegenInput(plan: try plan(), baseRepository: base))
            #expect(error?.code == .invalidArgument, "'\(base)'")
            #expect(error?.details.first?.field == "input.base_repository", "'\(base)'")
        }
        let devOps = await failure(registry, .devOps, DevOpsInput(runID: unique("confine-devops"), iteration: 1, diff: "", baseRepository: outside))
        #expect(devOps?.code == .invalidArgument)
        #expect(devOps?.details.first?.field == "input.base_repository")

        let withoutRoot = try AgentTestEnvironment.registry()
        let disabled = await failure(withoutRoot, .codegenEngineer, CodegenInput(plan: try plan(), baseRepository: root + "/crm-base"))
        #expect(disabled?.code == .failedPrecondition)
        #expect(disabled?.message.contains("META_BUILDER_REPOSITORIES_ROOT") == true)
    }
}
