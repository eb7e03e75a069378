import ArgumentParser

/// `mbctl spec`: create, list and show specs (spec-service).
struct SpecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Create, list and show specs.",
        subcommands: [SpecCreateCommand.self, SpecListCommand.self, SpecGetCommand.self]
    )
}
