import Foundation
import Shared

/// One step of a run as the build loop reads it back: a finished step is replayed from its
/// output, a step left running by a worker that died is called again with the same key, and a
/// step the time cap interrupted is called again, once the run is extended, as its next attempt.
struct StepRecord: Sendable, PostgresRowDecodable {
    /// Where a step stands.
    enum Status: String, Sendable {
        case running, succeeded, failed, cancelled
        /// Cut short when the run's time ran out; the run paused (`awaiting_budget`).
        case interrupted
    }

    let id: UUID
    let iteration: Int
    let role: AgentRole
    /// 1, or more for a step called again after an interrupted attempt.
    let attempt: Int
    let stepKey: String
    let status: Status
    /// The ceiling it holds on the run's ledger while running.
    let reservedTokens: Int
    let output: JSONValue?

    /// The columns `init(row:)` reads.
    static let columns: SQL = "id, iteration, role, attempt, step_key, status, reserved_tokens, output::text AS output"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        iteration = try row.decode("iteration")
        guard let role = AgentRole(rawValue: try row.decode("role")) else { throw PostgresDecodingError(type: "AgentRole", column: "role") }
        self.role = role
        attempt = try row.decode("attempt")
        stepKey = try row.decode("step_key")
        guard let status = Status(rawValue: try row.decode("status")) else { throw PostgresDecodingError(type: "StepRecord.Status", column: "status") }
        self.status = status
        reservedTokens = try row.decode("reserved_tokens")
        output = try row.decode("output", as: JSONText?.self).map { try $0.decode(JSONValue.self) }
    }

    /// Which step a row is: what the journal needs to finish it.
    struct Identity: Sendable {
        let id: UUID
        let iteration: Int
        let role: AgentRole
    }

    /// This step's identity.
    var identity: Identity { Identity(id: id, iteration: iteration, role: role) }

    /// The step's unique key, also its agent execution's `Idempotency-Key`: one per
    /// (run, iteration, role, attempt), so a retry or a takeover never runs the work twice. The
    /// first attempt's key has no suffix.
    static func key(run: UUID, iteration: Int, role: AgentRole, attempt: Int = 1) -> String {
        let key = "run:\(run.lowercaseText):\(iteration):\(role.rawValue)"
        return attempt == 1 ? key : "\(key):attempt-\(attempt)"
    }

    /// The prefix of every step key of a run (what cancelling its executions matches).
    static func keyPrefix(run: UUID) -> String {
        "run:\(run.lowercaseText):"
    }
}
