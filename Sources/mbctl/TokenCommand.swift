import ArgumentParser

/// `mbctl token`: development tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Development tokens.", subcommands: [TokenIssueCommand.self])
}
