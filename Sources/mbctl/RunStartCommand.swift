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

    @OptionGroup var caps: CapOptions

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
        var body = caps.fields
        if let plan { body["plan_id"] = .string(plan) }
        if let baseRepository { body["base_repository"] = .string(baseRepository) }
        if let fault { body["fault"] = .string(fault) }
        try await StartedRun.start(.startRun, [spec], body: body, idempotencyKey: idempotencyKey, wait: wait, context: context) { run, id, status in
            "Started run \(id) (\(status), plan v\(run["plan_version"].text))"
        }
    }
}
