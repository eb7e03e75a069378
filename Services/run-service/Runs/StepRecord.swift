import Foundation
import Shared

/// One step of a run as the build loop reads it back: a finished step is replayed from its
/// output, a step left running by a worker that died is called again with the same key.
struct StepRecord: Sendable, PostgresRowDecodable {
    /// Where a step stands.
    enum Status: String, Sendable {
        case running, succeeded, failed, cancelled
    }

    let id: UUID
    let iteration: Int
    let role: AgentRole
    let stepKey: String
    let status: Status
    /// The ceiling it holds on the run's ledger while running.
    let reservedTokens: Int
    let output: JSONValue?

    /// The columns `init(row:)` reads.
    static let columns: SQL = "id, iteration, role, step_key, status, reserved_tokens, output::text AS output"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        iteration = try row.decode("iteration")
        guard let role = AgentRole(rawValue: try row.decode("role")) else { throw PostgresDecodingError(type: "AgentRole", column: "role") }
        self.role = role
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
    /// (run, iteration, role), so a retry or a takeover never runs the work twice.
    static func key(run: UUID, iteration: Int, role: AgentRole) -> String {
        "run:\(run.lowercaseText):\(iteration):\(role.rawValue)"
    }

    /// The prefix of every step key of a run (what cancelling its executions matches).
    static func keyPrefix(run: UUID) -> String {
        "run:\(run.lowercaseText):"
    }
}
