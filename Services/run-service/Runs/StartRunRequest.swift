import Foundation
import Shared

/// The body of `POST /specs/{id}/runs` (every field optional; an empty body starts a run with
/// the spec's latest plan and the configured defaults), validated field by field.
struct StartRunRequest: Codable, Sendable, Equatable {
    var planID: String?
    var maxIterations: Int?
    var tokenBudget: Int?
    var timeoutSeconds: Int?
    var costBudgetUSD: Double?
    var provider: String?
    var baseRepository: String?
    var wait: Bool?
    /// A documented fault Codegen injects on purpose (`missing_column`, `wrong_route`): a
    /// diagnostic that shows the evaluate → fix loop on a real failure.
    var fault: String?

    enum CodingKeys: String, CodingKey {
        case provider, wait, fault
        case planID = "plan_id"
        case maxIterations = "max_iterations"
        case tokenBudget = "token_budget"
        case timeoutSeconds = "timeout_s"
        case costBudgetUSD = "cost_budget_usd"
        case baseRepository = "base_repository"
    }

    /// The keys a body may carry.
    static let shape: JSONShape = .object([
        "plan_id": .scalar, "max_iterations": .scalar, "token_budget": .scalar, "timeout_s": .scalar,
        "cost_budget_usd": .scalar, "provider": .scalar, "base_repository": .scalar, "wait": .scalar, "fault": .scalar,
    ])

    /// The faults Codegen knows.
    static let faults: Set<String> = ["missing_column", "wrong_route"]

    /// What a validated request asks for, defaults filled in.
    struct Options: Sendable, Equatable {
        var planID: UUID?
        var maxIterations: Int
        var tokenBudget: Int
        var timeoutSeconds: Int
        /// USD; nil: none.
        var costBudgetUSD: Double?
        var provider: String?
        var baseRepository: String?
        var wait: Bool
        var fault: String?
    }

    /// Decodes strictly (unknown fields refused; an empty body is `{}`) and validates against the
    /// settings. Also returns the raw document, whose hash keys idempotent replays.
    static func parse(_ data: Data, settings: RunSettings) throws -> (options: Options, raw: JSONValue) {
        let body = data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? Data("{}".utf8) : data
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: body)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        return (try WireJSONDecoder.decode(StartRunRequest.self, from: body).validated(settings), raw)
    }

    /// The largest cost budget a run may have (USD).
    static let maximumCostBudgetUSD = 1_000_000.0

    /// A cost budget as asked (nil: none), or INVALID_ARGUMENT naming `cost_budget_usd`.
    static func costBudget(_ value: Double?) throws -> Double? {
        guard let value else { return nil }
        guard value.isFinite, value > 0, value <= maximumCostBudgetUSD else {
            throw WireError.invalidArgument(field: "cost_budget_usd", "must be more than 0 and at most \(Int(maximumCostBudgetUSD)) (USD)")
        }
        return value
    }

    /// The options, or INVALID_ARGUMENT naming the first offending field.
    func validated(_ settings: RunSettings) throws -> Options {
        func cap(_ value: Int?, _ field: String, _ cap: RunSettings.Cap) throws -> Int {
            guard let value else { return cap.defaultValue }
            guard (1...cap.maximum).contains(value) else {
                throw WireError.invalidArgument(field: field, "must be from 1 to \(cap.maximum)")
            }
            return value
        }
        var plan: UUID?
        if let planID {
            guard let id = UUID(text: planID) else { throw WireError.invalidArgument(field: "plan_id", "must be a plan id (a UUID)") }
            plan = id
        }
        if let provider, !settings.providers.contains(provider) {
            throw WireError.invalidArgument(field: "provider", "must be one of \(settings.providers.sorted().joined(separator: ", "))")
        }
        if let baseRepository {
            guard !baseRepository.isEmpty, baseRepository.count <= 500 else {
                throw WireError.invalidArgument(field: "base_repository", "must be 1-500 characters")
            }
            guard !baseRepository.contains("://") else {
                throw WireError.invalidArgument(field: "base_repository", "must name a local git repository under the repositories root (remote URLs are not cloned)")
            }
        }
        if let fault, !Self.faults.contains(fault) {
            throw WireError.invalidArgument(field: "fault", "must be one of \(Self.faults.sorted().joined(separator: ", "))")
        }
        return Options(
            planID: plan,
            maxIterations: try cap(maxIterations, "max_iterations", settings.iterations),
            tokenBudget: try cap(tokenBudget, "token_budget", settings.tokenBudget),
            timeoutSeconds: try cap(timeoutSeconds, "timeout_s", settings.timeoutSeconds),
            costBudgetUSD: try Self.costBudget(costBudgetUSD),
            provider: provider,
            baseRepository: baseRepository,
            wait: wait ?? false,
            fault: fault
        )
    }
}
