import ArgumentParser
import Shared

/// `mbctl audit`: the tenant's audit trail from all four services (owner, admin).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the tenant's audit trail from all four services.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var page: PageOptions

    @Option(help: "Only records of this service (spec-service, run-service, agent-service, approval-service).")
    var service: String?

    @Option(help: "Only records about this kind of resource (spec, plan, run, gate, …).")
    var resourceType: String?

    @Option(help: "Only records about this resource.")
    var resourceID: String?

    @Option(help: "Only records of this actor.")
    var actor: String?

    @Option(help: "Only records of this action.")
    var action: String?

    @Option(help: "Only records at or after this time (RFC 3339).")
    var since: String?

    @Option(help: "Only records before this time (RFC 3339).")
    var until: String?

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.audit, query: page.query + [
            ("service", service), ("resource_type", resourceType), ("resource_id", resourceID),
            ("actor", actor), ("action", action), ("since", since), ("until", until),
        ])
        let console = context.console
        if console.json { return console.raw(answer) }
        let rows = (answer.json["records"]?.items ?? []).map { record in
            [record["at"].text, record["service"].text, record["actor"].text, record["action"].text, "\(record["resource_type"].text) \(record["resource_id"].text)"]
        }
        console.table(["AT", "SERVICE", "ACTOR", "ACTION", "RESOURCE"], rows)
        page.hint(answer, console)
    }
}
