import Foundation
import Shared

/// An OpenAI-compatible `POST /chat/completions` over the Shared libcurl client.
struct ChatCompletionClient: Sendable {
    /// One chat message.
    struct Message: Codable, Sendable {
        var role: String
        var content: String
    }

    /// The reply's text and token usage.
    struct Completion: Sendable {
        var content: String
        var promptTokens: Int
        var completionTokens: Int
        var model: String
    }

    private struct RequestBody: Encodable {
        struct Format: Encodable { let type = "json_object" }
        let model: String
        let messages: [Message]
        let temperature: Double
        let responseFormat = Format()

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature
            case responseFormat = "response_format"
        }
    }

    private struct ResponseBody: Decodable {
        struct Choice: Decodable {
            struct ChoiceMessage: Decodable { let content: String? }
            let message: ChoiceMessage
        }
        struct Usage: Decodable {
            let promptTokens: Int
            let completionTokens: Int
            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
            }
        }
        let model: String?
        let choices: [Choice]
        let usage: Usage?
    }

    /// An `HTTPClient.external` client: the provider sees its API key and nothing of the mesh.
    let http: HTTPClient
    let baseURL: String
    let apiKey: String?
    let timeout: Duration

    private static let notConfigured = WireError(.failedPrecondition, "the openai provider is not configured: META_BUILDER_OPENAI_API_KEY is not set", details: [.init(field: "provider", reason: "no API key is configured for openai")])

    /// FAILED_PRECONDITION when no API key is configured (nothing is sent without one).
    func checkConfigured() throws {
        guard apiKey != nil else { throw Self.notConfigured }
    }

    /// Sends the conversation; provider failures become wire errors (429 → RESOURCE_EXHAUSTED,
    /// 5xx → UNAVAILABLE, timeout → DEADLINE_EXCEEDED, a redirect → FAILED_PRECONDITION). The
    /// key goes only into the header.
    func complete(model: String, messages: [Message]) async throws -> Completion {
        let body = try JSONEncoder().encode(RequestBody(model: model, messages: messages, temperature: 0))
        guard let apiKey else { throw Self.notConfigured }
        let headers = [("Content-Type", "application/json"), ("Authorization", "Bearer \(apiKey)")]
        let url = baseURL.hasSuffix("/") ? baseURL + "chat/completions" : baseURL + "/chat/completions"
        // A completion has no side effects, so 503s may be retried.
        let request = HTTPClientRequest(method: "POST", url: url, headers: headers, body: body, isIdempotent: true)
        let deadline = Deadline.after(timeout).earliest(RequestScope.current?.deadline)
        let response = try await http.send(request, deadline: deadline)
        if (300..<400).contains(response.status) {
            // Not followed (the HTTP client follows none): a provider's redirect could point
            // anywhere, the platform's own network included.
            throw WireError(.failedPrecondition, "model provider answered with a redirect (HTTP \(response.status)), which is not followed: set META_BUILDER_OPENAI_BASE_URL to the final address")
        }
        if let error = response.wireError {
            switch error.code {
            case .resourceExhausted:
                throw WireError(.resourceExhausted, "model provider rate limit reached", retryAfter: error.retryAfter ?? 1)
            case .unauthenticated, .permissionDenied:
                throw WireError(.failedPrecondition, "model provider rejected the configured API key")
            case .unavailable, .internal, .unknown:
                throw WireError(.unavailable, "model provider unavailable (HTTP \(response.status))", retryAfter: error.retryAfter ?? 1)
            default:
                throw WireError(.unavailable, "model provider answered HTTP \(response.status)")
            }
        }
        guard let decoded = try? JSONDecoder().decode(ResponseBody.self, from: response.body),
              let content = decoded.choices.first?.message.content
        else { throw WireError(.unavailable, "model provider answered with an unreadable completion") }
        return Completion(
            content: content,
            promptTokens: decoded.usage?.promptTokens ?? TokenEstimate.of(messages.map(\.content).joined()),
            completionTokens: decoded.usage?.completionTokens ?? TokenEstimate.of(content),
            model: decoded.model ?? model
        )
    }
}
