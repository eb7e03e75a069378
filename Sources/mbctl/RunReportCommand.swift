import ArgumentParser
import Shared

/// `mbctl run report RUN`: the QA Evaluator's report: tests, smoke flow, golden tasks, rollback.
struct RunReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Show the evaluation report of the latest iteration (or --iteration N).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "The iteration (default: the latest).")
    var iteration: Int?

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.runReport, [runID], query: [("iteration", iteration.map(String.init))])
        let console = context.console
        if console.json { return console.raw(answer) }
        let report = answer.json
        let passed = report["passed"]?.boolean ?? (report["tests_failed"]?.integer == 0 && report["checks_failed"]?.integer == 0)
        console.fields([
            ("iteration", report["iteration"].text),
            ("verdict", console.state(passed ? "passed" : "failed") + ", score \(report["score"].text)/100"),
            ("tests", "\(report["tests_passed"].text) passed, \(report["tests_failed"].text) failed"),
            ("checks", "\(report["checks_passed"].text) passed, \(report["checks_failed"].text) failed"),
        ])
        let checks = (report["checks"]?.items ?? []).map { ($0["name"].text, $0["status"].text) }
        if !checks.isEmpty {
            console.line()
            console.table(["CHECK", "STATUS"], Self.grouped(checks).map { [$0.0, $0.1] }) { column, cell in column == 1 ? console.state(cell) : nil }
        }
        let failing = report["failing_files"]?.items ?? []
        if !failing.isEmpty {
            console.line()
            console.line(console.styled("Failing files", .bold))
            for file in failing { console.line("  \(file.text)") }
        }
    }

    /// The checks with the golden tasks (one per acceptance criterion, `golden:AC-n`) that passed
    /// folded into one row, `golden tasks (47 of 47)`; a golden task that did not pass keeps its row.
    static func grouped(_ checks: [(String, String)]) -> [(String, String)] {
        let golden = checks.filter { $0.0.hasPrefix("golden:") }
        let passed = golden.filter { $0.1 == "passed" }
        guard passed.count > 1 else { return checks }
        var rows: [(String, String)] = []
        for check in checks where !(check.0.hasPrefix("golden:") && check.1 == "passed") {
            rows.append(check)
        }
        let at = rows.firstIndex { $0.0.hasPrefix("golden:") || $0.0.hasPrefix("rollback:") } ?? rows.count
        rows.insert(("golden tasks (\(passed.count) of \(golden.count))", "passed"), at: at)
        return rows
    }
}
