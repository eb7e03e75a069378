import ArgumentParser

/// `mbctl run`: start, list, show, cancel, extend and follow build runs (run-service).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start, list, show, watch, cancel and extend runs; their diff, report and artifacts.",
        subcommands: [
            RunStartCommand.self, RunListCommand.self, RunGetCommand.self, RunCancelCommand.self, RunExtendCommand.self, RunWatchCommand.self,
            RunDiffCommand.self, RunReportCommand.self, RunArtifactsCommand.self,
        ]
    )
}
