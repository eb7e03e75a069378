import ArgumentParser
import Shared

/// `mbctl run start SPEC`: builds the spec's latest plan (planning it first when it has none).
struct RunStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a run of a spec's latest plan.",
        discussion: "With --wait: until the run ends or waits for a person; exit 0 succeeded or awaiting approval, 2 failed, 3 rejected, 4 cancelled, 6 paused at a cap (awaiting_budget: mbctl run extend)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The spec's id.")
    var spec: String

    @Flag(help: "Wait until the run ends or waits for a person (approval, a larger budget).")
    var wait = false

    @Option(help: "Evaluations allowed (1…the configured limit).")
    var maxIterations: Int?

    @Option(help: "Tokens the agents may spend.")
    var tokenBudget: Int?

    @Option(help: "Seconds the run may take from its first claim.")
    var timeout: Int?

    @Option(help: "Build this plan (an id) instead of the latest.")
    var plan: String?

    @Option(help: "A local git repository to build on (under the repositories root).")
    var baseRepository: String?

    @Option(help: "Diagnostic: a documented fault Codegen injects to show the fix loop (missing_column, wrong_route).")
    var fault: String?

    @Option(help: "Idempotency-Key: the same key and body return the first run.")
    var idempotencyKey: String?

    func run() async throws {
        let context = try global.context()
        var body: [String: JSONValue] = [:]
        if let maxIterations { body["max_iterations"] = .number(Double(maxIterations)) }
        if let tokenBudget { body["token_budget"] = .number(Double(tokenBudget)) }
        if let timeout { body["timeout_s"] = .number(Double(timeout)) }
        if let plan { body["plan_id"] = .string(plan) }
        if let baseRepository { body["base_repository"] = .string(baseRepository) }
        if let fault { body["fault"] = .string(fault) }
        if wait { body["wait"] = .bool(true) }
        // The server answers a waiting start shortly before the request's deadline (at most its
        // maximum); the follower takes over when the run has not settled by then.
        var answer = try await context.client.call(
            .startRun, [spec], body: .object(body), headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [],
            timeout: wait ? .seconds(900) : .seconds(60)
        )
        var run = answer.json
        let console = context.console
        let id = run["id"].text
        if wait, !RunView.isSettled(run) {
            if !console.json { console.note("run \(id) is \(run["status"].text); following it") }
            run = try await RunFollower(client: context.client, console: console, printsEvents: false).follow(id, stopEvents: RunView.settlingEvents, until: RunView.isSettled)
            answer = try await context.client.call(.getRun, [id])
            run = answer.json
        }
        if console.json {
            console.raw(answer)
        } else if wait {
            RunView(run: run, console: console).print()
        } else {
            console.line("Started run \(console.styled(id, .bold)) (\(console.state(run["status"].text)), plan v\(run["plan_version"].text))")
            console.note("follow: mbctl run watch \(id)")
        }
        try RunView.exit(with: run)
    }
}
