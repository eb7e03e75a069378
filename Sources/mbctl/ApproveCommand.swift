import ArgumentParser

/// `mbctl approve RUN -m …`: approves the run's open gate (owner, admin).
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a run waiting for approval.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var decision: GateDecision

    func run() async throws {
        try await decision.decide(.approveRun, global)
    }
}
