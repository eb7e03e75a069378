/// The body of `GET /analytics`: the window, the run-service's own figures over the runs
/// created in it (outcomes, rates, durations, iterations, tokens, per-role steps, cost per
/// working app), the tenant's monthly budgets with this month's usage, and the agent-service's
/// per-role statistics under their own key.
struct AnalyticsReport: Sendable, Encodable {
    var window: AnalyticsWindow
    var runs: RunAnalytics
    var roles: [RoleAnalytics]
    var cost: CostAnalytics
    var budget: TenantBudget
    var agentService: AgentServiceFigures

    private enum CodingKeys: String, CodingKey {
        case window, roles, cost, budget
        case agentService = "agent_service"
    }

    /// The run figures sit at the top level beside the window, the roles and the agent part.
    func encode(to encoder: any Encoder) throws {
        try runs.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(window, forKey: .window)
        try container.encode(roles, forKey: .roles)
        try container.encode(cost, forKey: .cost)
        try container.encode(budget, forKey: .budget)
        try container.encode(agentService, forKey: .agentService)
    }
}
