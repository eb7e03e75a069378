import ArgumentParser
import Shared

/// `mbctl run regenerate RUN`: regenerates a succeeded run's branch as a merge with your edits.
struct RunRegenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regenerate",
        abstract: "Regenerate a succeeded run: its new generation merged with your edits of its branch onto a new branch.",
        discussion: "The run's own generated commit is the merge base; edits that do not overlap the generator's changes survive, overlapping ones are committed with conflict markers, and the pull request lists both sides and the conflicts. --spec generates from a revised spec. With --wait: exit as run start --wait does."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run to regenerate.")
    var runID: String

    @Option(help: "Generate from this spec (a revision) instead of the run's.")
    var spec: String?

    @Flag(help: "Wait until the new run ends or waits for a person.")
    var wait = false

    @OptionGroup var caps: CapOptions

    @Option(help: "Idempotency-Key: the same key and body return the first run.")
    var idempotencyKey: String?

    func run() async throws {
        let context = try global.context()
        var body = caps.fields
        if let spec { body["spec_id"] = .string(spec) }
        try await StartedRun.start(.regenerateRun, [runID], body: body, idempotencyKey: idempotencyKey, wait: wait, context: context) { _, id, status in
            "Started run \(id) regenerating \(runID) (\(status))"
        }
    }
}
