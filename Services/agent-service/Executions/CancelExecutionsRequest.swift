import Foundation
import Shared

/// The body of `POST /internal/v1/executions/cancel`: which of the caller's executions in flight
/// to cancel, by the start of their idempotency key (`run:<run id>:` for every step of a run).
struct CancelExecutionsRequest: Codable, Sendable {
    /// The idempotency keys to cancel start with this, 1-200 characters.
    var keyPrefix: String

    enum CodingKeys: String, CodingKey {
        case keyPrefix = "key_prefix"
    }

    /// The longest prefix: as long as an idempotency key.
    static let maxKeyPrefixLength = 200

    /// The keys a body may carry.
    static let shape: JSONShape = .object(["key_prefix": .scalar])

    /// Decodes strictly (unknown fields and control characters are refused) and validates:
    /// INVALID_ARGUMENT naming the field otherwise.
    static func parse(_ data: Data) throws -> CancelExecutionsRequest {
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        let request = try WireJSONDecoder.decode(CancelExecutionsRequest.self, from: data)
        guard (1...maxKeyPrefixLength).contains(request.keyPrefix.count) else {
            throw WireError.invalidArgument(field: "key_prefix", "must be 1-\(maxKeyPrefixLength) characters")
        }
        return request
    }
}
