import Foundation
import Shared

/// The body of `POST /runs/{id}/replay`: nothing, or `{"wait": true}` (a replay takes the
/// replayed run's plan copy, caps and ground; nothing else may be asked).
enum ReplayRunRequest {
    /// The keys a body may carry.
    static let shape: JSONShape = .object(["wait": .scalar])

    /// Whether the answer waits for the replay to settle; INVALID_ARGUMENT naming a bad field.
    static func parse(_ data: Data) throws -> Bool {
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return false }
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object(let fields) = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        switch fields["wait"] {
        case nil: return false
        case .bool(let wait)?: return wait
        default: throw WireError.invalidArgument(field: "wait", "must be true or false")
        }
    }
}
