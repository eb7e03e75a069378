/// The eight role agents of the build loop.
public enum AgentRole: String, Codable, Sendable, CaseIterable {
    case productArchitect = "product_architect"
    case systemDesigner = "system_designer"
    case securityCompliance = "security_compliance"
    case codegenEngineer = "codegen_engineer"
    case qaEvaluator = "qa_evaluator"
    case autoFixer = "auto_fixer"
    case devOps = "devops"
    case reviewer = "reviewer"

    /// What the role does.
    public var summary: String {
        switch self {
        case .productArchitect: "Free text or a guided form → formal spec: entities, fields, relations, roles, acceptance criteria, PII flags."
        case .systemDesigner: "Formal spec → ScaffoldPlan: stack, files, migrations (up/down), endpoints, seed, environment, CI."
        case .securityCompliance: "Adds RBAC, row-level security, PII handling, rate limits and audit; scores the risk."
        case .codegenEngineer: "ScaffoldPlan (+ base tree) → unified diff."
        case .qaEvaluator: "Runs the scaffold's tests, smoke flow, golden tasks and rollback check → EvalReport."
        case .autoFixer: "Failing EvalReport → diff touching only the failing files."
        case .devOps: "Applies the diff in a workspace, migrates and seeds a preview schema."
        case .reviewer: "Run summary → pull-request body (summary, files, migrations, risks, tests, rollback)."
        }
    }
}
