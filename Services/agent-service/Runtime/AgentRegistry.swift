import Logging
import Shared

/// The eight roles and their agents.
struct AgentRegistry: Sendable {
    private let agents: [AgentRole: RoleAgent]
    /// The version (sha256) of the scaffold templates Codegen and the Auto-Fixer render.
    let templateVersion: String

    /// The eight agents; the build-loop agents need the sandbox settings, and the QA Evaluator an
    /// `HTTPClient.external` client for calls into the generated app (never one with the mesh's token).
    init(sandbox: SandboxConfig, previewKey: PreviewKey, http: HTTPClient, logger: Logger) throws {
        let renderer = try ScaffoldRenderer()
        let repositories = BaseRepositories(root: sandbox.repositoriesRoot)
        let codegen = CodegenEngineer(renderer: renderer, repositories: repositories)
        let devOps = DevOpsEngineer(sandbox: sandbox, previewKey: previewKey, repositories: repositories, logger: logger)
        let evaluator = QAEvaluator(sandbox: sandbox, previewKey: previewKey, http: http, logger: logger)
        let fixer = AutoFixer(renderer: renderer, workspaces: ScaffoldWorkspace(root: sandbox.workspaceRoot))
        let architect = ProductArchitect()
        let designer = SystemDesigner()
        let security = SecurityCompliance()
        let reviewer = Reviewer()
        let agents: [RoleAgent] = [
            .typed(.productArchitect, input: ArchitectInput.self, output: FormalSpec.self) { try architect.design($0) },
            .typed(.systemDesigner, input: DesignerInput.self, output: ScaffoldPlan.self) { try designer.design($0) },
            .typed(.securityCompliance, input: SecurityInput.self, output: ScaffoldPlan.self) { security.review($0) },
            .typed(.reviewer, input: RunSummary.self, output: PullRequestBody.self) { reviewer.review($0) },
            .typed(.codegenEngineer, input: CodegenInput.self, output: CodegenOutput.self, constrain: CodegenEngineer.checkModelOutput) { try await codegen.generate($0) },
            .typed(.devOps, input: DevOpsInput.self, output: DevOpsOutput.self, alwaysDeterministic: true) { try await devOps.prepare($0) },
            .typed(.qaEvaluator, input: QAInput.self, output: EvalReport.self, alwaysDeterministic: true) { try await evaluator.evaluate($0) },
            .typed(.autoFixer, input: FixerInput.self, output: FixerOutput.self, constrain: AutoFixer.checkModelFix) { try await fixer.fix($0) },
        ]
        self.agents = Dictionary(uniqueKeysWithValues: agents.map { ($0.role, $0) })
        templateVersion = renderer.version
    }

    /// The agent of a role; UNIMPLEMENTED when it has none yet.
    func agent(for role: AgentRole) throws -> RoleAgent {
        guard let agent = agents[role] else {
            throw WireError(.unimplemented, "role '\(role.rawValue)' has no implementation yet")
        }
        return agent
    }

    /// Whether a role is implemented.
    func isImplemented(_ role: AgentRole) -> Bool { agents[role] != nil }

    /// Which of the providers `names` really run `role`: none for an unimplemented role, only the
    /// deterministic one for the roles that execute things.
    func providers(for role: AgentRole, among names: [String]) -> [String] {
        guard let agent = agents[role] else { return [] }
        return agent.alwaysDeterministic ? names.filter { $0 == DeterministicProvider.providerName } : names
    }
}
