/// How a tenant's gates are decided: how many approvals close one, whether the run's creator may
/// be one of them, and how long a gate waits before it expires. The configuration holds the
/// defaults; a tenant's row in `policies` overrides them. A gate copies its policy when it opens.
struct ApprovalPolicy: Sendable, Equatable {
    /// Approvals by different reviewers that approve a gate (1–10).
    var requiredApprovals: Int
    /// Whether the run's creator may approve their own run.
    var selfApprovalAllowed: Bool
    /// Hours a gate stays pending before it expires (1–8760).
    var gateTTLHours: Int

    /// The bounds the schema enforces.
    static let requiredApprovalsRange = 1...10
    static let gateTTLHoursRange = 1...8760
}
