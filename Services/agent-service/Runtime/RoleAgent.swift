import Foundation
import Shared

/// One role agent, type-erased to JSON at its edges: it decodes its typed input, runs its
/// deterministic implementation, and checks any output (its own or a model's) by decoding it
/// into its typed output.
struct RoleAgent: Sendable {
    /// The role.
    let role: AgentRole
    /// Runs the deterministic implementation on raw input.
    let runDeterministic: @Sendable (JSONValue) async throws -> JSONValue
    /// Checks that a JSON value is a valid output (decodes into the output type); returns it normalised.
    let normaliseOutput: @Sendable (JSONValue) throws -> JSONValue
    /// Checks that raw input decodes into the input type.
    let validateInput: @Sendable (JSONValue) throws -> Void

    /// Wraps typed input/output and a deterministic implementation.
    static func typed<Input: Decodable & Sendable, Output: Codable & Sendable>(
        _ role: AgentRole,
        input: Input.Type,
        output: Output.Type,
        run: @escaping @Sendable (Input) async throws -> Output
    ) -> RoleAgent {
        RoleAgent(
            role: role,
            runDeterministic: { raw in try AgentJSON.encode(try await run(try AgentJSON.decode(Input.self, from: raw, field: "input"))) },
            normaliseOutput: { raw in try AgentJSON.encode(try AgentJSON.decode(Output.self, from: raw, field: "output")) },
            validateInput: { raw in _ = try AgentJSON.decode(Input.self, from: raw, field: "input") }
        )
    }
}

/// JSON conversions between `JSONValue` and typed values, with errors naming the field.
enum AgentJSON {
    /// Decodes a typed value; a mismatch is INVALID_ARGUMENT naming `prefix.path`.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, field prefix: String) throws -> T {
        do {
            return try WireJSONDecoder.decode(type, from: try JSONEncoder().encode(value))
        } catch var error as WireError {
            error.details = error.details.map { .init(field: $0.field.map { "\(prefix).\($0)" } ?? prefix, reason: $0.reason) }
            if let field = error.details.first?.field, let reason = error.details.first?.reason {
                error.message = "invalid field '\(field)': \(reason)"
            }
            throw error
        }
    }

    /// Encodes a typed value as JSON (sorted keys: equal values give equal text).
    static func encode(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: text(value))
    }

    /// Canonical JSON text of a value.
    static func text(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }
}
