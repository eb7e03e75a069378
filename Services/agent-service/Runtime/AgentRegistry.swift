import Shared

/// The eight roles and their agents. Roles without a deterministic implementation yet answer
/// UNIMPLEMENTED.
struct AgentRegistry: Sendable {
    private let agents: [AgentRole: RoleAgent]

    /// The planning agents of issue "agent-service I".
    init() {
        let architect = ProductArchitect()
        let designer = SystemDesigner()
        let security = SecurityCompliance()
        let reviewer = Reviewer()
        let agents: [RoleAgent] = [
            .typed(.productArchitect, input: ArchitectInput.self, output: FormalSpec.self) { try architect.design($0) },
            .typed(.systemDesigner, input: DesignerInput.self, output: ScaffoldPlan.self) { try designer.design($0) },
            .typed(.securityCompliance, input: SecurityInput.self, output: ScaffoldPlan.self) { security.review($0) },
            .typed(.reviewer, input: RunSummary.self, output: PullRequestBody.self) { reviewer.review($0) },
        ]
        self.agents = Dictionary(uniqueKeysWithValues: agents.map { ($0.role, $0) })
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
}
