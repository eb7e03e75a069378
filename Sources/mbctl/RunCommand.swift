import ArgumentParser

/// `mbctl run`: start, list, show, cancel, extend, regenerate, replay and follow build runs (run-service).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start, list, show, watch, cancel, extend, regenerate and replay runs; their diff, report and artifacts.",
        subcommands: [
            RunStartCommand.self, RunListCommand.self, RunGetCommand.self, RunCancelCommand.self, RunExtendCommand.self, RunRegenerateCommand.self, RunReplayCommand.self, RunWatchCommand.self,
            RunDiffCommand.self, RunReportCommand.self, RunArtifactsCommand.self,
        ]
    )
}
