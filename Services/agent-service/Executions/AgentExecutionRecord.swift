import Foundation
import Shared

/// One row of `agent_executions`.
struct AgentExecutionRecord: PostgresRowDecodable, Sendable {
    var id: UUID
    var role: AgentRole
    var requestHash: String
    var status: String
    var output: JSONValue?
    var error: WireError.Detail?
    var errorCode: StatusCode?
    var usage: AgentUsage
    var createdAt: Date

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        guard let role = AgentRole(rawValue: try row.decode("role", as: String.self)) else {
            throw PostgresDecodingError(type: "AgentRole", column: "role")
        }
        self.role = role
        requestHash = try row.decode("request_hash")
        status = try row.decode("status")
        output = try row.decode("output", as: JSONText?.self).map { try $0.decode(JSONValue.self) }
        let errorBody = try row.decode("error", as: JSONText?.self).map { try $0.decode(StoredError.self) }
        error = errorBody.map { .init(reason: $0.message) }
        errorCode = errorBody?.code
        usage = AgentUsage(
            promptTokens: try row.decode("prompt_tokens"),
            completionTokens: try row.decode("completion_tokens"),
            costEstimateUSD: try row.decode("cost_estimate_usd"),
            durationMilliseconds: try row.decode("duration_ms"),
            cacheHit: try row.decode("cache_hit"),
            provider: try row.decode("provider"),
            model: try row.decode("model")
        )
        createdAt = try row.decode("created_at")
    }

    /// The recorded failure as stored.
    struct StoredError: Codable {
        var code: StatusCode
        var message: String
    }

    /// The result to return for this record.
    func result(replayed: Bool) throws -> AgentExecutionResult {
        if status == "failed", let errorCode {
            throw WireError(errorCode, error?.reason ?? "the recorded execution failed")
        }
        guard status == "succeeded", let output else {
            throw WireError(.aborted, "an execution with this idempotency key is still running", retryAfter: 1)
        }
        return AgentExecutionResult(executionID: ResourceID(id), role: role, output: output, usage: usage, replayed: replayed, createdAt: createdAt)
    }
}
