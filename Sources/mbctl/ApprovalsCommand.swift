import ArgumentParser
import Shared

/// `mbctl approvals [GATE]`: the tenant's approval gates, or one gate with its rollback plan.
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approvals", abstract: "List approval gates, or show one with its rollback plan.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var page: PageOptions

    @Argument(help: "A gate's id: show that gate.")
    var gate: String?

    @Option(help: "Only gates in this status (pending, approved, rejected, expired).")
    var status: String?

    func run() async throws {
        let context = try global.context()
        let console = context.console
        if let gate {
            let answer = try await context.client.call(.getApproval, [gate])
            if console.json { return console.raw(answer) }
            return GateView(gate: answer.json, console: console).print()
        }
        let answer = try await context.client.call(.listApprovals, query: page.query + [("status", status)])
        if console.json { return console.raw(answer) }
        let gates = answer.json["approvals"]?.items ?? []
        let rows = gates.map { gate in
            [
                gate["id"].text, gate["run_id"].text, gate["status"].text, gate["risk_score"].text,
                "\(gate["approvals"].text)/\(gate["required_approvals"].text)", gate.at("rollback", "status").text, gate["title"].text,
            ]
        }
        console.table(["GATE", "RUN", "STATUS", "RISK", "APPROVALS", "ROLLBACK", "TITLE"], rows) { column, cell in
            column == 2 || column == 5 ? console.state(cell) : nil
        }
        page.hint(answer, console)
        if let pending = gates.first(where: { $0["status"]?.stringValue == "pending" }) {
            console.note("decide: mbctl approve \(pending["run_id"].text) -m '…'   or   mbctl reject \(pending["run_id"].text) -m '…'   (details: mbctl approvals \(pending["id"].text))")
        }
    }
}
