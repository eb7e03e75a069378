import Shared

/// Where a build run stands (DESIGN.md): `queued → generating → applying → evaluating →
/// (fixing → applying → evaluating)* → reviewing → [awaiting_approval →] finalizing →
/// succeeded`, or `rejected`, `cancelled`, `failed`. A run that reaches a cap while building waits
/// in `awaiting_budget` until its cap is raised (it is `queued` again) or it ends. Terminal states
/// absorb: nothing leaves them.
enum RunStatus: String, Sendable, CaseIterable, Codable {
    case queued, generating, applying, evaluating, fixing, reviewing
    case awaitingBudget = "awaiting_budget"
    case awaitingApproval = "awaiting_approval"
    case finalizing, succeeded, rejected, cancelled, failed

    /// True for the states a run ends in.
    var isTerminal: Bool {
        switch self {
        case .succeeded, .rejected, .cancelled, .failed: true
        default: false
        }
    }

    /// Whether a run in this state may move to `next`. Every state that is not terminal may be
    /// cancelled or fail; the rest follows the loop.
    func canMove(to next: RunStatus) -> Bool {
        guard !isTerminal else { return false }
        if next == .cancelled || next == .failed { return true }
        return Self.loop[self, default: []].contains(next)
    }

    /// True for the states in which a run waits for a person (a larger budget, a decision) and
    /// no worker builds it.
    var waitsForAPerson: Bool { self == .awaitingBudget || self == .awaitingApproval }

    /// The loop's forward moves; every building state may pause at a cap.
    private static let loop: [RunStatus: Set<RunStatus>] = [
        .queued: [.generating, .awaitingBudget],
        .generating: [.applying, .awaitingBudget],
        .applying: [.evaluating, .awaitingBudget],
        .evaluating: [.fixing, .reviewing, .awaitingBudget],
        .fixing: [.applying, .awaitingBudget],
        .reviewing: [.awaitingApproval, .finalizing, .awaitingBudget],
        .awaitingBudget: [.queued],
        .awaitingApproval: [.finalizing, .rejected],
        .finalizing: [.succeeded],
    ]
}

extension RunStatus: PostgresCodable {
    var postgresText: String { rawValue }

    init(postgresText: String) throws {
        guard let status = RunStatus(rawValue: postgresText) else { throw PostgresDecodingError(type: "RunStatus") }
        self = status
    }
}
