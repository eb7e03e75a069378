import Foundation
import Shared

/// The body of `POST /internal/v1/gates`: `{"run_id": "<uuid>", "iteration": <whole number ≥ 1>}`.
struct GateRequest: Sendable {
    let run: UUID
    let iteration: Int

    /// The keys a body may carry.
    static let shape: JSONShape = .object(["run_id": .scalar, "iteration": .scalar])

    /// Parses a body strictly; INVALID_ARGUMENT naming the field (unknown fields included).
    init(parsing data: Data) throws {
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try Self.shape.check(raw)
        guard case .string(let text)? = raw["run_id"], let run = UUID(text: text) else {
            throw WireError.invalidArgument(field: "run_id", raw["run_id"] == nil ? "is required" : "must be a UUID")
        }
        guard case .number(let number)? = raw["iteration"], number == number.rounded(.towardZero), (1...Double(Int32.max)).contains(number) else {
            throw WireError.invalidArgument(field: "iteration", raw["iteration"] == nil ? "is required" : "must be a whole number from 1 to \(Int32.max)")
        }
        self.run = run
        iteration = Int(number)
    }
}
