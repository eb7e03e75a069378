import ArgumentParser
import Foundation
import Shared

/// `mbctl analytics`: the tenant's build figures over a window — outcomes, and what each working
/// app cost (tokens, provider cost, build time), in all and per month.
struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Show the tenant's runs over a window and what each working app cost (tokens, USD, build time), per month.",
        discussion: "A working app is a run that succeeded. 'per working app' divides everything the window's runs spent (failed ones included) by the working apps."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "First instant counted (RFC 3339; default 30 days before --to).")
    var from: String?

    @Option(help: "First instant no longer counted (RFC 3339; default now).")
    var to: String?

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.analytics, query: [("from", from), ("to", to)])
        let console = context.console
        if console.json { return console.raw(answer) }
        let figures = answer.json
        let runs = figures["runs"] ?? .null
        console.fields([
            ("window", "\(figures.at("window", "from").text) … \(figures.at("window", "to").text)"),
            ("runs", "\(runs["total"].text): \(runs["succeeded"].text) succeeded, \(runs.at("failed", "total").text) failed, \(runs["cancelled"].text) cancelled, \(runs["rejected"].text) rejected, \(runs["awaiting_approval"].text) awaiting approval, \(runs["awaiting_budget"].text) paused at a cap, \(runs["in_progress"].text) in progress"),
            ("success rate", Self.percent(figures["success_rate"]?.number)),
        ])
        let cost = figures["cost"] ?? .null
        console.line()
        let groups = [("window", cost)] + (cost["months"]?.items ?? []).map { ($0["month"].text, $0) }
        console.table(
            ["PERIOD", "RUNS", "WORKING APPS", "SPENT USD", "USD / APP", "TOKENS / APP", "BUILD S / APP", "MEAN APP USD"],
            groups.map { name, group in
                [
                    name, group["runs"].text, group["working_apps"].text, Self.usd(group.at("spent", "cost_usd")?.number),
                    Self.usd(group.at("per_working_app", "cost_usd")?.number), Self.amount(group.at("per_working_app", "tokens")?.number),
                    Self.amount(group.at("per_working_app", "build_seconds")?.number), Self.usd(group.at("working_app_mean", "cost_usd")?.number),
                ]
            }
        )
    }

    /// `0.375` as `37.5 %`; `-` without a value.
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f %%", $0 * 100) } ?? "-"
    }

    /// A USD amount with 4 decimals; `-` without one.
    static func usd(_ value: Double?) -> String {
        value.map { String(format: "%.4f", $0) } ?? "-"
    }

    /// A count or duration with at most one decimal; `-` without one.
    static func amount(_ value: Double?) -> String {
        value.map { $0.rounded() == $0 ? RunView.grouped(Int($0)) : String(format: "%.1f", $0) } ?? "-"
    }
}
