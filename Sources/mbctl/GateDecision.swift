import ArgumentParser
import Shared

/// What `approve` and `reject` share: the run, the comment, and the call.
struct GateDecision: ParsableArguments {
    @Argument(help: "The run's id.")
    var runID: String

    @Option(name: [.short, .customLong("message")], help: "The comment recorded with the decision (required to reject).")
    var message: String?

    @Option(help: "Idempotency-Key: a retry with the same key records one decision.")
    var idempotencyKey: String?

    /// Decides the run's open gate and prints the gate as it stands.
    func decide(_ operation: APIOperation, _ global: GlobalOptions) async throws {
        let context = try global.context()
        var body: [String: JSONValue] = [:]
        if let message { body["comment"] = .string(message) }
        let answer = try await context.client.call(operation, [runID], body: .object(body), headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
        let console = context.console
        if console.json { return console.raw(answer) }
        let gate = answer.json
        let verb = operation == .approveRun ? "Approved" : "Rejected"
        console.line("\(verb) run \(console.styled(runID, .bold)): gate \(gate["id"].text) is \(console.state(gate["status"].text)) (\(gate["approvals"].text) of \(gate["required_approvals"].text) approvals)")
        console.note("follow: mbctl run watch \(runID)")
    }
}
