import Shared

/// The approval-service's own configuration, read once at start-up.
struct ApprovalSettings: Sendable, Equatable {
    /// The policy of tenants without a row of their own:
    /// `META_BUILDER_APPROVAL_REQUIRED` (1), `META_BUILDER_APPROVAL_SELF_ALLOWED` (false),
    /// `META_BUILDER_APPROVAL_TTL_HOURS` (72).
    var defaultPolicy: ApprovalPolicy
    /// `META_BUILDER_APPROVAL_SWEEP_MS` (5000): how often expired gates are looked for.
    var sweepInterval: Duration

    /// The design's numbers.
    init(defaultPolicy: ApprovalPolicy = ApprovalPolicy(requiredApprovals: 1, selfApprovalAllowed: false, gateTTLHours: 72), sweepInterval: Duration = .seconds(5)) {
        self.defaultPolicy = defaultPolicy
        self.sweepInterval = sweepInterval
    }

    /// Reads the settings from the environment; a value out of range names its key.
    init(reader: ConfigReader) throws {
        let defaults = ApprovalSettings()
        self.init(
            defaultPolicy: ApprovalPolicy(
                requiredApprovals: try reader.int("META_BUILDER_APPROVAL_REQUIRED", default: defaults.defaultPolicy.requiredApprovals, range: ApprovalPolicy.requiredApprovalsRange),
                selfApprovalAllowed: try reader.bool("META_BUILDER_APPROVAL_SELF_ALLOWED", default: defaults.defaultPolicy.selfApprovalAllowed),
                gateTTLHours: try reader.int("META_BUILDER_APPROVAL_TTL_HOURS", default: defaults.defaultPolicy.gateTTLHours, range: ApprovalPolicy.gateTTLHoursRange)
            ),
            sweepInterval: .milliseconds(try reader.int("META_BUILDER_APPROVAL_SWEEP_MS", default: 5000, range: 100...3_600_000))
        )
    }
}
