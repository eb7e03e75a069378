import ArgumentParser
import Shared

/// `mbctl run diff RUN`: the unified diff an iteration applied, coloured on a terminal.
struct RunDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Show the diff of the latest iteration (or --iteration N).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "The iteration (default: the latest).")
    var iteration: Int?

    @Flag(help: "Only the files with their added and deleted lines.")
    var stat = false

    func run() async throws {
        let context = try global.context()
        let console = context.console
        let query = [("iteration", iteration.map(String.init))]
        if console.json || stat {
            let answer = try await context.client.call(.runDiff, [runID], query: query, headers: [("Accept", "application/json")])
            if console.json { return console.raw(answer) }
            let rows = (answer.json["files"]?.items ?? []).map { ["+\($0["additions"].text)", "-\($0["deletions"].text)", $0["path"].text] }
            console.table(["ADDED", "DELETED", "FILE"], rows) { column, cell in column == 0 ? console.styled(cell, .green) : column == 1 ? console.styled(cell, .red) : nil }
            console.line("iteration \(answer.json["iteration"].text) (\(answer.json["role"].text)): \(rows.count) files, +\(answer.json["additions"].text) -\(answer.json["deletions"].text)")
            return
        }
        let answer = try await context.client.call(.runDiff, [runID], query: query, headers: [("Accept", "text/x-diff")])
        for line in answer.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(answer.text.hasSuffix("\n") ? 1 : 0) {
            console.line(Self.colour(String(line), console))
        }
    }

    /// A diff line in the colours of `git diff`.
    static func colour(_ line: String, _ console: Console) -> String {
        if line.hasPrefix("+++") || line.hasPrefix("---") || line.hasPrefix("diff ") || line.hasPrefix("index ") { return console.styled(line, .bold) }
        if line.hasPrefix("@@") { return console.styled(line, .cyan) }
        if line.hasPrefix("+") { return console.styled(line, .green) }
        if line.hasPrefix("-") { return console.styled(line, .red) }
        return line
    }
}
