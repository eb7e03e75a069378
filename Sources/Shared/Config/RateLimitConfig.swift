/// Per-tenant hourly limits, one per action.
public struct RateLimitConfig: Sendable {
    /// Limit per window, by rate-limited action.
    public var limits: [RateLimitedAction: Int]
    /// `META_BUILDER_RATE_LIMIT_WINDOW_SECONDS`: window length (default 3600).
    public var windowSeconds: Int

    /// Creates the settings explicitly.
    public init(limits: [RateLimitedAction: Int] = RateLimitedAction.defaultLimits, windowSeconds: Int = 3600) {
        self.limits = limits
        self.windowSeconds = windowSeconds
    }

    /// Reads `META_BUILDER_RATE_LIMIT_SPECS`, `_PLANS`, `_RUNS`, `_APPROVALS`, `_EXTENSIONS`
    /// (defaults 20, 20, 10, 50, 30).
    public init(reader: ConfigReader) throws {
        var limits: [RateLimitedAction: Int] = [:]
        for action in RateLimitedAction.allCases {
            limits[action] = try reader.int(action.configKey, default: RateLimitedAction.defaultLimits[action]!, range: 1...1_000_000)
        }
        self.init(limits: limits, windowSeconds: try reader.int("META_BUILDER_RATE_LIMIT_WINDOW_SECONDS", default: 3600, range: 1...86_400))
    }

    /// The limit of an action.
    public func limit(for action: RateLimitedAction) -> Int {
        limits[action] ?? RateLimitedAction.defaultLimits[action]!
    }
}

/// The actions that count against a tenant's hourly quota.
public enum RateLimitedAction: String, Sendable, CaseIterable, Hashable {
    case specs, plans, runs, approvals
    /// Raising the caps of runs paused at a budget.
    case extensions

    /// DESIGN.md defaults (and 30 extensions an hour).
    public static let defaultLimits: [RateLimitedAction: Int] = [.specs: 20, .plans: 20, .runs: 10, .approvals: 50, .extensions: 30]

    /// The environment key of this action's limit.
    public var configKey: String { "META_BUILDER_RATE_LIMIT_\(rawValue.uppercased())" }
}
