import Hummingbird
import Logging
import Metrics
import Shared

/// `GET /api/meta/v2/analytics`: the caller's tenant's build figures over a time window (the
/// last 30 days unless `from`/`to` are given), from the run-service's own runs and steps, with
/// the agent-service's per-role statistics beside them. When the agent-service cannot be asked,
/// the answer still comes, with that part marked unavailable: the run figures are this
/// service's own and stay right, and a dashboard should not go dark with a peer.
struct AnalyticsController: Sendable {
    let repository: AnalyticsRepository
    let agents: AgentCatalogue
    /// Answers given without the agent-service's part.
    let agentUnavailable: Counter

    /// The longest the answer waits for the agent-service (the request's deadline may be shorter).
    static let agentTimeout = Duration.seconds(5)

    /// A controller reading `pool` and asking the agent-service through `agents`.
    init(pool: PostgresPool, agents: AgentCatalogue, metrics: MetricsRegistry) {
        repository = AnalyticsRepository(pool: pool)
        self.agents = agents
        agentUnavailable = Counter(label: "meta_builder_analytics_agent_unavailable_total", factory: metrics.factory)
    }

    /// Registers the route.
    func register(_ routes: ServiceRoutes) {
        routes.api.get("analytics") { request, context in try await analytics(request, context) }
    }

    /// `GET /analytics?from=…&to=…`: the run figures (one round trip) while the agent-service
    /// is asked for its part.
    private func analytics(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .readAnalytics)
        let query = request.uri.queryParameters
        let window = try AnalyticsWindow(from: query["from"].map(String.init), to: query["to"].map(String.init))
        async let agentPart = agentFigures(logger: context.logger)
        let figures = try await repository.figures(tenant: context.tenantID, window: window)
        let budget = try await repository.pool.withTenant(context.tenantID) { session in try await TenantBudget.read(on: session) }
        let report = AnalyticsReport(window: window, runs: figures.runs, roles: figures.roles, cost: figures.cost, budget: budget, agentService: await agentPart)
        return JSONCoding.response(try JSONCoding.encode(report), status: 200)
    }

    /// The agent-service's per-role statistics, or the code of why they could not be had.
    private func agentFigures(logger: Logger) async -> AgentServiceFigures {
        do {
            return .available(try await agents.roleStatistics(deadline: Deadline.after(Self.agentTimeout).earliest(RequestScope.current?.deadline)))
        } catch {
            let code = (error as? WireError)?.code ?? (error is CancellationError ? .cancelled : .unknown)
            if code != .cancelled {
                agentUnavailable.increment()
                // Unreachable or slow is an outage; any other failure is a broken contract.
                let level: Logger.Level = [.unavailable, .deadlineExceeded].contains(code) ? .warning : .error
                logger.log(level: level, "analytics answered without the agent-service", metadata: ["peer": "agent-service", "error.code": .string(code.rawValue)])
            }
            return .unavailable(code)
        }
    }
}
