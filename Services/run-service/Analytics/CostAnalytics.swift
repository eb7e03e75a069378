import Foundation
import Shared

/// What the runs created in the window cost, and what each working app cost: `cost` in
/// `GET /analytics`. A working app is a run that succeeded (its tests passed and it was
/// delivered). Everything the window's runs spent — failed, cancelled and paused runs included —
/// is divided by the working apps (`per_working_app`); `working_app_mean` is what a succeeded
/// run spent itself. The same by calendar month (UTC) of creation. Build seconds run from the
/// first claim until the run was reviewed, ended or paused, pauses at a budget left out; a run
/// still building counts its tokens and cost so far and its time once it stops.
struct CostAnalytics: Sendable, Encodable {
    /// Tokens, provider cost (USD, as the agent-service estimated it by model price) and build
    /// seconds.
    struct Spend: Sendable, Encodable, Equatable {
        var tokens: Double
        var costUSD: Double
        var buildSeconds: Double

        private enum CodingKeys: String, CodingKey {
            case tokens
            case costUSD = "cost_usd"
            case buildSeconds = "build_seconds"
        }

        /// This spend divided by `count` (nil when there is nothing to divide by), rounded.
        func per(_ count: Int) -> Spend? {
            guard count > 0 else { return nil }
            return Spend(tokens: Self.round(tokens / Double(count), 1), costUSD: Self.round(costUSD / Double(count), 6), buildSeconds: Self.round(buildSeconds / Double(count), 3))
        }

        static func round(_ value: Double, _ places: Int) -> Double {
            let scale = pow(10, Double(places))
            return (value * scale).rounded() / scale
        }
    }

    /// One group of runs: the window, or a month of it.
    struct Group: Sendable, Encodable {
        /// `YYYY-MM` for a month; nil for the whole window.
        var month: String?
        var runs: Int
        var workingApps: Int
        var spent: Spend
        var perWorkingApp: Spend?
        var workingAppMean: Spend?

        private enum CodingKeys: String, CodingKey {
            case month, runs, spent
            case workingApps = "working_apps"
            case perWorkingApp = "per_working_app"
            case workingAppMean = "working_app_mean"
        }

        init(row: PostgresRow) throws {
            month = try row.decode("month")
            runs = try row.decode("runs")
            workingApps = try row.decode("working_apps")
            spent = Spend(tokens: try row.decode("tokens"), costUSD: try row.decode("cost_usd"), buildSeconds: try row.decode("build_seconds"))
            perWorkingApp = spent.per(workingApps)
            workingAppMean = workingApps == 0 ? nil : Spend(
                tokens: try row.decode("mean_tokens"), costUSD: try row.decode("mean_cost_usd"), buildSeconds: try row.decode("mean_build_seconds")
            )
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            if let month { try container.encode(month, forKey: .month) }
            try container.encode(runs, forKey: .runs)
            try container.encode(workingApps, forKey: .workingApps)
            try container.encode(spent, forKey: .spent)
            try container.encode(perWorkingApp, forKey: .perWorkingApp)
            try container.encode(workingAppMean, forKey: .workingAppMean)
        }
    }

    var total: Group
    var months: [Group]

    private enum CodingKeys: String, CodingKey {
        case months
    }

    /// The window's figures at the top, its months under `months`.
    func encode(to encoder: any Encoder) throws {
        try total.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(months, forKey: .months)
    }

    /// The figures from the rows of `query` (the window's row first, then each month's).
    init(rows: [PostgresRow]) throws {
        let groups = try rows.map(Group.init(row:))
        guard let total = groups.first(where: { $0.month == nil }) else { throw PostgresDecodingError(type: "CostAnalytics") }
        self.total = total
        months = groups.filter { $0.month != nil }
    }

    /// One row for the window (`month` null) and one per month of creation, oldest first.
    static func query(_ window: AnalyticsWindow) -> SQL {
        """
        WITH windowed AS (
            SELECT status = 'succeeded' AS working, tokens_spent, cost_usd,
                   to_char(date_trunc('month', created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
                   coalesce(greatest(0, extract(epoch FROM coalesce(built_at, finished_at, paused_at) - started_at)::float8 - paused_seconds), 0)
                       AS build_seconds
            FROM runs WHERE created_at >= \(window.from)::timestamptz AND created_at < \(window.to)::timestamptz
        )
        SELECT month, count(*) AS runs, count(*) FILTER (WHERE working) AS working_apps,
               coalesce(sum(tokens_spent), 0)::float8 AS tokens,
               round(coalesce(sum(cost_usd), 0)::numeric, 6)::float8 AS cost_usd,
               round(coalesce(sum(build_seconds), 0)::numeric, 3)::float8 AS build_seconds,
               round(avg(tokens_spent) FILTER (WHERE working), 1)::float8 AS mean_tokens,
               round((avg(cost_usd) FILTER (WHERE working))::numeric, 6)::float8 AS mean_cost_usd,
               round((avg(build_seconds) FILTER (WHERE working))::numeric, 3)::float8 AS mean_build_seconds
        FROM windowed
        GROUP BY GROUPING SETS ((), (month))
        ORDER BY month NULLS FIRST
        """
    }
}
