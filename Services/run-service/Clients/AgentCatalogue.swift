import Foundation
import Shared

/// The providers the agent-service runs and its templates' version (its `GET /agents`), read
/// for a run's fingerprint: what its agents will build with.
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
        var templateVersion: String

        enum CodingKeys: String, CodingKey {
            case providers
            case templateVersion = "template_version"
        }
    }

    /// What a run asking for provider `requested` (nil: the default) builds with: the provider,
    /// its model and the scaffold templates' version; FAILED_PRECONDITION when the agent-service
    /// does not offer the provider.
    func ground(provider requested: String?) async throws -> (provider: String, model: String, templateVersion: String) {
        let catalogue = try await http.call("GET", "\(baseURL)/api/meta/v2/agents", as: Catalogue.self)
        guard let provider = catalogue.providers.first(where: { offered in requested.map { offered.name == $0 } ?? offered.isDefault }) else {
            throw WireError(.failedPrecondition, "the agent-service offers no provider '\(requested ?? "default")'")
        }
        return (provider.name, provider.model, catalogue.templateVersion)
    }
}
