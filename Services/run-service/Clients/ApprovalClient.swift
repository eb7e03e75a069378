import Foundation
import Shared

/// The approval-service's internal API as the run-service uses it, acting for the run's creator:
/// ask for a run's gate, and read the gates of a run (to reconcile a decision whose event was lost).
struct ApprovalClient: Sendable {
    let http: HTTPClient
    let baseURL: String

    /// One gate as the reconciler needs it.
    struct Gate: Decodable, Sendable {
        var id: ResourceID
        var iteration: Int
        /// `pending`, `approved`, `rejected` or `expired`.
        var status: String
        var decisionReason: String?
        var decidedBy: String?

        enum CodingKeys: String, CodingKey {
            case id, iteration, status
            case decisionReason = "decision_reason"
            case decidedBy = "decided_by"
        }
    }

    private struct Gates: Decodable {
        var gates: [Gate]
    }

    private struct GateRequest: Encodable, Sendable {
        var runID: String
        var iteration: Int

        enum CodingKeys: String, CodingKey {
            case iteration
            case runID = "run_id"
        }
    }

    /// Asks for the gate of `run`'s iteration (idempotent: the approval-service opens it once).
    func requestGate(run: UUID, iteration: Int) async throws {
        _ = try await http.call("POST", "\(baseURL)/internal/v1/gates", body: GateRequest(runID: run.lowercaseText, iteration: iteration), idempotent: true, as: JSONValue.self)
    }

    /// The gates of `run`.
    func gates(of run: UUID) async throws -> [Gate] {
        try await http.call("GET", "\(baseURL)/internal/v1/gates?run_id=\(run.lowercaseText)", as: Gates.self).gates
    }
}
