import Foundation
import Shared

/// The run-side figures of `GET /analytics` over the runs created in the window: how they came
/// out, and what the ended ones (succeeded, failed, cancelled, rejected) took. Computed by
/// Postgres (`AnalyticsRepository`); rates are 0–1, rounded to 4 places, seconds to milliseconds.
struct RunAnalytics: Sendable, Encodable, PostgresRowDecodable {
    /// How many runs are in each outcome.
    struct Outcomes: Sendable, Encodable {
        /// The failed runs, in all and by failure reason.
        struct Failed: Sendable, Encodable {
            var total: Int
            /// Runs per failure reason, listing only the reasons that occurred.
            var byReason: [String: Int]

            private enum CodingKeys: String, CodingKey {
                case total
                case byReason = "by_reason"
            }
        }

        /// Every run created in the window.
        var total: Int
        var succeeded: Int
        var failed: Failed
        var cancelled: Int
        var rejected: Int
        var awaitingApproval: Int
        /// Runs paused at a cap, waiting for a larger budget.
        var awaitingBudget: Int
        /// Runs neither ended nor waiting for a person (queued to finalizing).
        var inProgress: Int
        /// Runs in a terminal state: the denominator of the rates and means below.
        var ended: Int

        private enum CodingKeys: String, CodingKey {
            case total, succeeded, failed, cancelled, rejected, ended
            case awaitingApproval = "awaiting_approval"
            case awaitingBudget = "awaiting_budget"
            case inProgress = "in_progress"
        }
    }

    /// Run duration (first claim to end, pauses at a budget left out) over the ended runs that
    /// started.
    struct Duration: Sendable, Encodable {
        /// Percentiles in seconds; null when no ended run started.
        var p50: Double?
        var p95: Double?
        /// How many runs the percentiles are over.
        var runs: Int

        private enum CodingKeys: String, CodingKey {
            case p50, p95, runs
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(p50, forKey: .p50)
            try container.encode(p95, forKey: .p95)
            try container.encode(runs, forKey: .runs)
        }
    }

    var runs: Outcomes
    /// Succeeded ÷ ended runs; 0 when none ended.
    var successRate: Double
    var durationSeconds: Duration
    /// Mean iterations of the ended runs; null when none ended.
    var meanIterations: Double?
    /// Share of the ended runs that needed more than one iteration; 0 when none ended.
    var autofixRate: Double
    /// Tokens spent by every run in the window, ended or not.
    var tokensSpent: Int

    init(row: PostgresRow) throws {
        let reasons: String = try row.decode("failed_by_reason")
        runs = Outcomes(
            total: try row.decode("total"),
            succeeded: try row.decode("succeeded"),
            failed: .init(total: try row.decode("failed"), byReason: try JSONDecoder().decode([String: Int].self, from: Data(reasons.utf8))),
            cancelled: try row.decode("cancelled"),
            rejected: try row.decode("rejected"),
            awaitingApproval: try row.decode("awaiting_approval"),
            awaitingBudget: try row.decode("awaiting_budget"),
            inProgress: try row.decode("in_progress"),
            ended: try row.decode("ended")
        )
        successRate = try row.decode("success_rate")
        durationSeconds = Duration(p50: try row.decode("duration_p50"), p95: try row.decode("duration_p95"), runs: try row.decode("timed_runs"))
        meanIterations = try row.decode("mean_iterations")
        autofixRate = try row.decode("autofix_rate")
        tokensSpent = try row.decode("tokens_spent")
    }

    private enum CodingKeys: String, CodingKey {
        case runs
        case successRate = "success_rate"
        case durationSeconds = "duration_seconds"
        case meanIterations = "mean_iterations"
        case autofixRate = "autofix_rate"
        case tokensSpent = "tokens_spent"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runs, forKey: .runs)
        try container.encode(successRate, forKey: .successRate)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(meanIterations, forKey: .meanIterations)
        try container.encode(autofixRate, forKey: .autofixRate)
        try container.encode(tokensSpent, forKey: .tokensSpent)
    }
}
