/// What Security/Compliance adds to a plan: access rules, isolation, PII handling, limits,
/// audit, and the risk assessment that decides whether a human must approve.
public struct SecurityReview: Codable, Sendable, Equatable {
    /// Role × entity permissions.
    public var rbacMatrix: [RBACEntry]
    /// Row-level-security policy per tenant table.
    public var rlsPolicies: [RLSPolicy]
    /// How each PII field is handled.
    public var piiHandling: [PIIHandling]
    /// Rate limits of the generated API.
    public var rateLimits: [RateLimitRule]
    /// The audit trail.
    public var audit: AuditTrail
    /// The risk score and its flags.
    public var risk: RiskAssessment

    /// Creates a review.
    public init(rbacMatrix: [RBACEntry], rlsPolicies: [RLSPolicy], piiHandling: [PIIHandling], rateLimits: [RateLimitRule], audit: AuditTrail, risk: RiskAssessment) {
        self.rbacMatrix = rbacMatrix
        self.rlsPolicies = rlsPolicies
        self.piiHandling = piiHandling
        self.rateLimits = rateLimits
        self.audit = audit
        self.risk = risk
    }

    enum CodingKeys: String, CodingKey {
        case audit, risk
        case rbacMatrix = "rbac_matrix"
        case rlsPolicies = "rls_policies"
        case piiHandling = "pii_handling"
        case rateLimits = "rate_limits"
    }

    /// One cell of the RBAC matrix.
    public struct RBACEntry: Codable, Sendable, Equatable {
        public var role: String
        public var entity: String
        public var actions: [CRUDAction]
        public var scope: RoleSpec.Scope

        /// Creates an entry.
        public init(role: String, entity: String, actions: [CRUDAction], scope: RoleSpec.Scope) {
            self.role = role
            self.entity = entity
            self.actions = actions
            self.scope = scope
        }
    }

    /// The policy of one table.
    public struct RLSPolicy: Codable, Sendable, Equatable {
        public var table: String
        public var policy: String
        public var forced: Bool

        /// Creates a policy.
        public init(table: String, policy: String, forced: Bool = true) {
            self.table = table
            self.policy = policy
            self.forced = forced
        }
    }

    /// How one PII field is protected.
    public struct PIIHandling: Codable, Sendable, Equatable {
        public var entity: String
        public var field: String
        public var atRest: String
        public var inLogs: String

        /// Creates an entry.
        public init(entity: String, field: String, atRest: String = "encrypted", inLogs: String = "redacted") {
            self.entity = entity
            self.field = field
            self.atRest = atRest
            self.inLogs = inLogs
        }

        enum CodingKeys: String, CodingKey {
            case entity, field
            case atRest = "at_rest"
            case inLogs = "in_logs"
        }
    }

    /// A limit of the generated API.
    public struct RateLimitRule: Codable, Sendable, Equatable {
        public var scope: String
        public var limit: Int
        public var windowSeconds: Int

        /// Creates a rule.
        public init(scope: String, limit: Int, windowSeconds: Int) {
            self.scope = scope
            self.limit = limit
            self.windowSeconds = windowSeconds
        }

        enum CodingKeys: String, CodingKey {
            case scope, limit
            case windowSeconds = "window_seconds"
        }
    }

    /// The audit trail of the generated app.
    public struct AuditTrail: Codable, Sendable, Equatable {
        public var table: String
        public var trackedTables: [String]
        public var filledBy: String

        /// Creates the description.
        public init(table: String, trackedTables: [String], filledBy: String = "triggers") {
            self.table = table
            self.trackedTables = trackedTables
            self.filledBy = filledBy
        }

        enum CodingKeys: String, CodingKey {
            case table
            case trackedTables = "tracked_tables"
            case filledBy = "filled_by"
        }
    }
}

/// A 0–100 risk score made of explicit, documented factors (docs/risk-assessment.md).
public struct RiskAssessment: Codable, Sendable, Equatable {
    /// The score: the sum of the flags' weights, capped at 100.
    public var score: Int
    /// `low` (< 40), `medium` (< 70) or `high`.
    public var level: String
    /// One flag per factor present.
    public var flags: [RiskFlag]

    /// Creates an assessment from its flags.
    public init(flags: [RiskFlag]) {
        self.flags = flags
        self.score = min(100, flags.reduce(0) { $0 + $1.weight })
        self.level = score >= 70 ? "high" : score >= 40 ? "medium" : "low"
    }
}

/// One risk factor found in a plan.
public struct RiskFlag: Codable, Sendable, Equatable {
    /// The factor's stable name, e.g. `pii_present`.
    public var factor: String
    /// Its weight in the score.
    public var weight: Int
    /// What in the plan raised it.
    public var detail: String

    /// Creates a flag.
    public init(factor: String, weight: Int, detail: String) {
        self.factor = factor
        self.weight = weight
        self.detail = detail
    }
}
