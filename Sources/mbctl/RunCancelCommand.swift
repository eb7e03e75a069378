import ArgumentParser
import Shared

/// `mbctl run cancel RUN`: stops a run that has not ended.
struct RunCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run that has not ended.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.cancelRun, [runID])
        if context.console.json { return context.console.raw(answer) }
        context.console.line("Cancelled run \(context.console.styled(runID, .bold)) (\(context.console.state(answer.json["status"].text)))")
    }
}
