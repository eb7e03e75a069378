import ArgumentParser

/// `mbctl reject RUN -m …`: rejects the run's open gate; the run ends `rejected` and its
/// preview resources are rolled back.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a run waiting for approval (-m is required).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var decision: GateDecision

    func validate() throws {
        guard let message = decision.message, !message.isEmpty else { throw ValidationError("reject needs a reason: -m '…'") }
    }

    func run() async throws {
        try await decision.decide(.rejectRun, global)
    }
}
