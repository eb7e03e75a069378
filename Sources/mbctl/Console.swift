import Foundation

/// Where mbctl writes: standard output for results (human text or the API's JSON), standard
/// error for failures and progress notes. Colours only on a terminal, never with `NO_COLOR`.
struct Console: Sendable {
    /// ANSI styles mbctl uses.
    enum Style: String, Sendable {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36"
    }

    /// Whether results are the API's JSON.
    let json: Bool
    /// Whether standard output gets colours.
    let colours: Bool

    /// A console for `--json` or human output; colours when standard output is a terminal and
    /// `NO_COLOR` is unset (any value, even empty, turns them off).
    init(json: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.json = json
        colours = !json && isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// `text` in `style` when colours are on.
    func styled(_ text: String, _ style: Style) -> String {
        colours ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// A run or gate state coloured by how it went.
    func state(_ status: String) -> String {
        switch status {
        case "succeeded", "approved", "passed": styled(status, .green)
        case "failed", "rejected", "cancelled", "expired", "withdrawn": styled(status, .red)
        case "awaiting_approval", "awaiting_budget", "pending", "missing": styled(status, .yellow)
        default: styled(status, .cyan)
        }
    }

    /// Writes a line to standard output. When the reader has gone (`mbctl … | head`: a closed
    /// pipe, SIGPIPE being ignored for the sockets' sake), mbctl ends quietly with success, as a
    /// filter in a pipeline does.
    func line(_ text: String = "") {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            exit(EXIT_SUCCESS)
        }
    }

    /// Writes the API's JSON as received.
    func raw(_ answer: APIClient.Answer) {
        let text = answer.text
        line(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    /// Writes a note to standard error (progress, hints): it never mixes into `--json` output.
    func note(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Writes aligned columns; `style` colours a cell after it was padded.
    func table(_ headers: [String], _ rows: [[String]], style: (Int, String) -> String? = { _, _ in nil }) {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func render(_ cells: [String], header: Bool) -> String {
            cells.enumerated().map { index, cell in
                let padded = index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                if header { return styled(padded, .bold) }
                guard let coloured = style(index, cell) else { return padded }
                return coloured + String(repeating: " ", count: padded.count - cell.count)
            }.joined(separator: "  ")
        }
        line(render(headers, header: true))
        for row in rows { line(render(row, header: false)) }
    }

    /// Writes `label: value` lines with the labels aligned.
    func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (label, value) in pairs {
            line(styled((label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0), .bold) + " " + value)
        }
    }
}
