import Foundation
import Shared

/// What Security/Compliance receives.
struct SecurityInput: Codable, Sendable {
    /// The designer's plan.
    var plan: ScaffoldPlan
    /// The original description, scanned for external integrations.
    var description: String?
    /// The target repository, when the scaffold goes into an existing one.
    var targetRepository: String?

    enum CodingKeys: String, CodingKey {
        case plan, description
        case targetRepository = "target_repository"
    }
}

/// Adds the security review to a plan: RBAC matrix, a forced RLS policy per tenant table, PII
/// handling (encrypted at rest, redacted in logs), rate limits, the audit trail, and the risk
/// assessment whose factors and weights are documented in docs/risk-assessment.md.
struct SecurityCompliance {
    /// The documented risk factors and their weights.
    enum Factor: String, CaseIterable {
        case piiPresent = "pii_present"
        case governmentID = "government_id"
        case financialAccount = "financial_account"
        case compensation
        case healthData = "health_data"
        case biometricData = "biometric_data"
        case childrenData = "children_data"
        case credentials
        case financialData = "financial_data"
        case manyToMany = "many_to_many"
        case rowOwnership = "row_ownership_rules"
        case existingRepository = "existing_repository"
        case authModelChange = "auth_model_change"
        case destructiveMigration = "destructive_migration"
        case externalIntegrations = "external_integrations"
        case entityCount = "entity_count"

        /// The weight added to the score when the factor is present.
        var weight: Int {
            switch self {
            case .piiPresent: 20
            case .governmentID, .financialAccount, .compensation, .healthData, .biometricData, .childrenData, .credentials:
                SecurityCompliance.approvalThreshold - Factor.piiPresent.weight
            case .financialData: 10
            case .manyToMany: 10
            case .rowOwnership: 10
            case .existingRepository: 15
            case .authModelChange: 15
            case .destructiveMigration: 25
            case .externalIntegrations: 15
            case .entityCount: 15 // the cap; 3 points per entity beyond 3
            }
        }

        /// The factor of a sensitive-data category (same name).
        init(_ category: SensitiveDataCategory) {
            switch category {
            case .governmentID: self = .governmentID
            case .financialAccount: self = .financialAccount
            case .compensation: self = .compensation
            case .health: self = .healthData
            case .biometric: self = .biometricData
            case .children: self = .childrenData
            case .credentials: self = .credentials
            }
        }
    }

    /// The default approval threshold (`META_BUILDER_APPROVAL_THRESHOLD`): one sensitive-data
    /// category with the personal data it implies reaches it.
    static let approvalThreshold = 70

    /// Words that mean the app talks to outside systems.
    static let integrationWords = ["stripe", "paypal", "payment gateway", "webhook", "slack", "twilio", "sms", "send email", "sends email", "email notification", "mailchimp", "salesforce", "hubspot", "third-party", "third party", "external api", "oauth", "google calendar", "zapier"]

    /// Reviews the plan and returns it with `security` filled in.
    func review(_ input: SecurityInput) -> ScaffoldPlan {
        var plan = input.plan
        let spec = plan.spec
        let tables = [SQLSchemaWriter.authUsersTable] + spec.entities.map(\.plural) + spec.relations.filter { $0.kind == .manyToMany }.map(\.via)
        plan.security = SecurityReview(
            rbacMatrix: spec.roles.flatMap { role in
                role.permissions.map { SecurityReview.RBACEntry(role: role.name, entity: $0.entity, actions: $0.actions, scope: $0.scope) }
            },
            rlsPolicies: (["audit_log"] + tables).map {
                SecurityReview.RLSPolicy(table: $0, policy: "USING (\(SQLSchemaWriter.tenantPredicate)) WITH CHECK (\(SQLSchemaWriter.tenantPredicate))")
            },
            piiHandling: spec.entities.flatMap { entity in entity.piiFields.map { SecurityReview.PIIHandling(entity: entity.name, field: $0) } },
            rateLimits: [
                SecurityReview.RateLimitRule(scope: "tenant:read", limit: 600, windowSeconds: 60),
                SecurityReview.RateLimitRule(scope: "tenant:write", limit: 120, windowSeconds: 60),
            ],
            audit: SecurityReview.AuditTrail(table: "audit_log", trackedTables: tables),
            risk: assess(plan, description: input.description ?? "", targetRepository: input.targetRepository)
        )
        return plan
    }

    /// Scores the plan: one flag per factor present.
    func assess(_ plan: ScaffoldPlan, description: String, targetRepository: String?) -> RiskAssessment {
        let spec = plan.spec
        var flags: [RiskFlag] = []
        func flag(_ factor: Factor, _ detail: String, weight: Int? = nil) {
            flags.append(RiskFlag(factor: factor.rawValue, weight: weight ?? factor.weight, detail: detail))
        }
        let classifier = SensitiveDataClassifier(entities: spec.entities, roleNames: spec.roles.map(\.name), description: description)
        let sensitive = spec.entities.flatMap { entity in
            entity.fields.compactMap { field in classifier.category(of: field, in: entity.name).map { (category: $0, field: "\(entity.name).\(field.name)") } }
        }
        let pii = spec.entities.flatMap { entity in
            entity.fields.filter { field in field.pii || sensitive.contains { $0.field == "\(entity.name).\(field.name)" } }.map { "\(entity.name).\($0.name)" }
        }
        if !pii.isEmpty { flag(.piiPresent, "PII fields: \(pii.joined(separator: ", "))") }
        for category in SensitiveDataCategory.allCases {
            let fields = sensitive.filter { $0.category == category }.map(\.field)
            if !fields.isEmpty { flag(Factor(category), "\(category.label): \(fields.joined(separator: ", "))") }
        }
        let money = spec.entities.flatMap { entity in entity.fields.filter { $0.type == .money }.map { "\(entity.name).\($0.name)" } }
        if !money.isEmpty { flag(.financialData, "money fields: \(money.joined(separator: ", "))") }
        let joins = spec.relations.filter { $0.kind == .manyToMany }
        if !joins.isEmpty { flag(.manyToMany, "many-to-many: \(joins.map { "\($0.from)↔\($0.to)" }.joined(separator: ", "))") }
        let owned = spec.roles.flatMap { role in role.permissions.filter { $0.scope == .own }.map { "\(role.name) on \($0.entity)" } }
        if !owned.isEmpty { flag(.rowOwnership, "own-row rules: \(owned.joined(separator: ", "))") }
        if let targetRepository, !targetRepository.isEmpty {
            flag(.existingRepository, "migrations run on the existing repository \(targetRepository)")
            if !spec.roles.isEmpty { flag(.authModelChange, "roles \(spec.roles.map(\.name).joined(separator: ", ")) change the repository's access model") }
        }
        let destructive = plan.migrations.filter { $0.up.range(of: #"(?m)(^|;)\s*(DROP|TRUNCATE)\b|ALTER\s+TABLE\s+\w+\s+DROP"#, options: [.regularExpression, .caseInsensitive]) != nil }
        if !destructive.isEmpty { flag(.destructiveMigration, "destructive forward migrations: \(destructive.map(\.name).joined(separator: ", "))") }
        let lowered = description.lowercased()
        let integrations = Self.integrationWords.filter { lowered.contains($0) }
        if !integrations.isEmpty { flag(.externalIntegrations, "external integrations mentioned: \(integrations.joined(separator: ", "))") }
        if spec.entities.count > 3 {
            flag(.entityCount, "\(spec.entities.count) entities", weight: min(Factor.entityCount.weight, (spec.entities.count - 3) * 3))
        }
        return RiskAssessment(flags: flags)
    }
}
