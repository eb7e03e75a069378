import Shared

/// The agent-service's part of `GET /analytics`: its per-role statistics (`GET /agents`), or,
/// when it could not be asked, a marker saying so — the run-service's own figures are answered
/// either way, so an agent-service outage never takes the whole answer down.
enum AgentServiceFigures: Sendable, Encodable {
    /// The agent-service answered.
    case available([AgentCatalogue.RoleStatistics])
    /// The call failed with this code (UNAVAILABLE, DEADLINE_EXCEEDED, …).
    case unavailable(StatusCode)

    /// What a client is told about an unavailable agent-service, by code (never the peer's own
    /// message, which may name internal addresses).
    private static func message(for code: StatusCode) -> String {
        switch code {
        case .unavailable: "the agent-service could not be reached"
        case .deadlineExceeded: "the agent-service did not answer in time"
        default: "the agent-service's answer could not be used"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case available, roles, error
    }

    private struct Failure: Encodable {
        var code: StatusCode
        var message: String
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .available(let roles):
            try container.encode(true, forKey: .available)
            try container.encode(roles, forKey: .roles)
        case .unavailable(let code):
            try container.encode(false, forKey: .available)
            try container.encode(Failure(code: code, message: Self.message(for: code)), forKey: .error)
        }
    }
}
