import Foundation

/// Calls the agent-service's internal execute endpoint on behalf of the current request's
/// principal (a service token carries it), with the request's deadline and trace.
public struct AgentClient: Sendable {
    private let http: HTTPClient
    private let baseURL: String

    /// Creates a client for the agent-service at `baseURL`.
    public init(http: HTTPClient, baseURL: String) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Runs one agent; the same idempotency key returns the recorded execution (so the call is
    /// safe to retry on UNAVAILABLE).
    public func execute<Input: Encodable & Sendable, Output: Decodable>(
        _ role: AgentRole,
        input: Input,
        idempotencyKey: String,
        provider: String? = nil,
        as output: Output.Type
    ) async throws -> (output: Output, execution: AgentExecutionResult) {
        let encoded = try JSONValue(parsing: JSONEncoder().encode(input))
        let request = AgentExecutionRequest(idempotencyKey: idempotencyKey, input: encoded, provider: provider)
        let result: AgentExecutionResult = try await http.call(
            "POST", "\(baseURL)/internal/v1/agents/\(role.rawValue)/execute",
            body: request, idempotent: true, as: AgentExecutionResult.self
        )
        do {
            return (try result.output(as: Output.self), result)
        } catch {
            throw http.contractViolation(peer: "agent-service", url: "\(baseURL)/internal/v1/agents/\(role.rawValue)/execute", "the output of \(role.rawValue) is not its documented type: \(error)")
        }
    }

    /// Cancels the executions in flight of the caller's tenant whose idempotency keys start with
    /// `keyPrefix` (their subprocesses are killed) and waits until they ended; how many it cancelled.
    @discardableResult
    public func cancel(keyPrefix: String) async throws -> Int {
        struct Request: Encodable, Sendable { var keyPrefix: String; enum CodingKeys: String, CodingKey { case keyPrefix = "key_prefix" } }
        struct Answer: Decodable { var cancelled: Int }
        return try await http.call("POST", "\(baseURL)/internal/v1/executions/cancel", body: Request(keyPrefix: keyPrefix), idempotent: true, as: Answer.self).cancelled
    }

    /// Removes a run's sandbox (workspaces and preview schema); a failed run's may be kept for
    /// debugging when the agent-service is configured so. Returns what was done
    /// (`kept`, `removed_workspaces`, `dropped_schema`).
    @discardableResult
    public func cleanSandbox(run: String, failed: Bool) async throws -> JSONValue {
        struct Request: Encodable, Sendable { var failed: Bool }
        return try await http.call("POST", "\(baseURL)/internal/v1/sandboxes/\(run)/cleanup", body: Request(failed: failed), idempotent: true, as: JSONValue.self)
    }
}
