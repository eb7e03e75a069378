import ArgumentParser
import Foundation
import Shared

/// `mbctl spec create`: a spec from free text (`--text`) or a guided form (`--file`).
struct SpecCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a spec from free text or a guided form.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The spec's title.")
    var title: String

    @Option(help: "What to build, in free text.")
    var text: String?

    @Option(help: "A guided form as JSON (the `form` object of POST /specs).")
    var file: String?

    @Option(name: .customLong("criterion"), help: "An acceptance criterion (repeatable).")
    var criteria: [String] = []

    @Option(help: "A git repository to build on (under the agent-service's repositories root).")
    var targetRepository: String?

    @Option(help: "Idempotency-Key: the same key and body return the first result.")
    var idempotencyKey: String?

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text and --file") }
    }

    func run() async throws {
        let context = try global.context()
        var body: [String: JSONValue] = ["title": .string(title)]
        if let text {
            body["mode"] = .string("freeform")
            body["description"] = .string(text)
        } else if let file {
            body["mode"] = .string("guided")
            body["form"] = try Self.readForm(file)
        }
        if !criteria.isEmpty { body["acceptance_criteria"] = .array(criteria.map(JSONValue.string)) }
        if let targetRepository { body["target_repository"] = .string(targetRepository) }
        let answer = try await context.client.call(
            .createSpec, body: .object(body), headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
        )
        if context.console.json { return context.console.raw(answer) }
        let spec = answer.json
        context.console.line("Created spec \(context.console.styled(spec["id"].text, .bold)) “\(spec["title"].text)” (\(spec["mode"].text), \(context.console.state(spec["status"].text)))")
        context.console.note("next: mbctl plan \(spec["id"].text)   or   mbctl run start \(spec["id"].text) --wait")
    }

    /// The guided form in `path`, parsed.
    static func readForm(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIFailure.usage("cannot read \(path)") }
        guard let form = try? JSONDecoder().decode(JSONValue.self, from: data), case .object = form else {
            throw CLIFailure.usage("\(path) is not a JSON object (a guided form)")
        }
        return form
    }
}
