import Foundation
import Shared

/// The providers the agent-service runs (its `GET /agents`), read for a run's fingerprint: which
/// provider and model its agents will use.
struct AgentCatalogue: Sendable {
    let http: HTTPClient
    let baseURL: String

    private struct Catalogue: Decodable {
        struct Provider: Decodable {
            var name: String
            var model: String
            var isDefault: Bool

            enum CodingKeys: String, CodingKey {
                case name, model
                case isDefault = "default"
            }
        }
        var providers: [Provider]
    }

    /// The provider a run asking for `requested` (nil: the default) gets, and its model;
    /// FAILED_PRECONDITION when the agent-service does not offer it.
    func provider(_ requested: String?) async throws -> (name: String, model: String) {
        let catalogue = try await http.call("GET", "\(baseURL)/api/meta/v2/agents", as: Catalogue.self)
        guard let provider = catalogue.providers.first(where: { offered in requested.map { offered.name == $0 } ?? offered.isDefault }) else {
            throw WireError(.failedPrecondition, "the agent-service offers no provider '\(requested ?? "default")'")
        }
        return (provider.name, provider.model)
    }
}
