import Foundation
import Shared

/// One role agent, type-erased to JSON at its edges: it decodes its typed input, runs its
/// deterministic implementation, and checks a model's output by decoding it into its typed
/// output and holding it to the role's constraints for that input.
struct RoleAgent: Sendable {
    /// The role.
    let role: AgentRole
    /// True for roles whose work is executing things (DevOps, QA Evaluator): they always run
    /// their real implementation, whatever provider a call asks for; a model never stands in.
    let alwaysDeterministic: Bool
    /// Runs the deterministic implementation on raw input.
    let runDeterministic: @Sendable (JSONValue) async throws -> JSONValue
    /// Checks that a model's JSON output is valid for the raw input (decodes into the output
    /// type and meets the role's constraints); returns it normalised.
    let normaliseOutput: @Sendable (_ output: JSONValue, _ input: JSONValue) throws -> JSONValue
    /// Checks that raw input decodes into the input type.
    let validateInput: @Sendable (JSONValue) throws -> Void

    /// Wraps typed input/output and a deterministic implementation; `constrain` holds a model's
    /// output to what the role may produce for that input (it throws what is wrong).
    static func typed<Input: Decodable & Sendable, Output: Codable & Sendable>(
        _ role: AgentRole,
        input: Input.Type,
        output: Output.Type,
        alwaysDeterministic: Bool = false,
        constrain: (@Sendable (Output, Input) throws -> Void)? = nil,
        run: @escaping @Sendable (Input) async throws -> Output
    ) -> RoleAgent {
        RoleAgent(
            role: role,
            alwaysDeterministic: alwaysDeterministic,
            runDeterministic: { raw in try AgentJSON.encode(try await run(try AgentJSON.decode(Input.self, from: raw, field: "input"))) },
            normaliseOutput: { raw, rawInput in
                let output = try AgentJSON.decode(Output.self, from: raw, field: "output")
                if let constrain { try constrain(output, try AgentJSON.decode(Input.self, from: rawInput, field: "input")) }
                return try AgentJSON.encode(output)
            },
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
        try JSONValue(parsing: text(value))
    }

    /// Canonical JSON text of a value.
    static func text(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }
}
