import Shared

/// Where a build run stands (DESIGN.md): `queued → generating → applying → evaluating →
/// (fixing → applying → evaluating)* → reviewing → [awaiting_approval →] finalizing →
/// succeeded`, or `rejected`, `cancelled`, `failed`. Terminal states absorb: nothing leaves them.
enum RunStatus: String, Sendable, CaseIterable, Codable {
    case queued, generating, applying, evaluating, fixing, reviewing
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

    /// The loop's forward moves.
    private static let loop: [RunStatus: Set<RunStatus>] = [
        .queued: [.generating],
        .generating: [.applying],
        .applying: [.evaluating],
        .evaluating: [.fixing, .reviewing],
        .fixing: [.applying],
        .reviewing: [.awaitingApproval, .finalizing],
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
