/// Everything a caller can be allowed to do, across the four services.
public enum Action: String, Sendable, CaseIterable {
    case createSpec = "spec.create"
    case readSpec = "spec.read"
    case planSpec = "spec.plan"
    case startRun = "run.start"
    case cancelRun = "run.cancel"
    case extendRun = "run.extend"
    case manageBudget = "budget.manage"
    case readRun = "run.read"
    case readAnalytics = "analytics.read"
    case decideApproval = "approval.decide"
    case readApproval = "approval.read"
    case manageApprovalPolicy = "approval.policy.manage"
    case readAudit = "audit.read"
    case readAgents = "agents.read"
}

/// The one role-based access table of DESIGN.md: owner/admin create specs and start/cancel runs;
/// member also plans; viewer reads only; approve/reject, raising a paused run's caps and setting
/// the tenant's monthly budgets need owner/admin.
public enum RBAC {
    /// Action → roles allowed.
    public static let table: [Action: Set<Role>] = [
        .createSpec: [.owner, .admin],
        .planSpec: [.owner, .admin, .member],
        .readSpec: [.owner, .admin, .member, .viewer],
        .startRun: [.owner, .admin],
        .cancelRun: [.owner, .admin],
        .extendRun: [.owner, .admin],
        .manageBudget: [.owner, .admin],
        .readRun: [.owner, .admin, .member, .viewer],
        .readAnalytics: [.owner, .admin, .member, .viewer],
        .decideApproval: [.owner, .admin],
        .readApproval: [.owner, .admin, .member, .viewer],
        .manageApprovalPolicy: [.owner, .admin],
        .readAudit: [.owner, .admin],
        .readAgents: [.owner, .admin, .member, .viewer],
    ]

    /// Whether a role may perform an action.
    public static func allows(_ role: Role, _ action: Action) -> Bool {
        table[action]?.contains(role) ?? false
    }

    /// Throws PERMISSION_DENIED unless the principal's role may perform the action.
    public static func authorize(_ principal: Principal, _ action: Action) throws {
        guard allows(principal.role, action) else {
            throw WireError(.permissionDenied, "role '\(principal.role.rawValue)' may not perform \(action.rawValue)")
        }
    }
}
