import ArgumentParser

/// `mbctl run replay RUN`: re-executes an ended run from its recording and checks every step.
struct RunReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay an ended run from its recording: every step again, each output checked against the recorded one.",
        discussion: "Steps a model answered are answered from the recording (no provider call). With --wait: exit 0 when every step was reproduced, 2 with the first step that diverged (replay_diverged) and the lines that differ."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run to replay.")
    var runID: String

    @Flag(help: "Wait until the replay ends.")
    var wait = false

    @Option(help: "Idempotency-Key: the same key returns the first replay.")
    var idempotencyKey: String?

    func run() async throws {
        let context = try global.context()
        try await StartedRun.start(.replayRun, [runID], body: [:], idempotencyKey: idempotencyKey, wait: wait, context: context) { _, id, status in
            "Started replay \(id) of run \(runID) (\(status))"
        }
    }
}
