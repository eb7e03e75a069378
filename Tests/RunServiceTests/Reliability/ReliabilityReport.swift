import Foundation
import Shared
import Testing

/// What one reliability suite found: the outcome of each of its checks (an invariant, a matrix)
/// and its figures. `finish()` fails the test for every broken check, prints the results and
/// appends them to the report file of `scripts/reliability`, which sums the figures of all
/// suites into its table.
struct ReliabilityReport: Sendable {
    /// One check: its name and, when it failed, what broke it.
    struct Check: Sendable {
        let name: String
        let failure: String?
    }

    /// The suite, e.g. `chaos`.
    let suite: String
    let settings: ReliabilitySettings
    private(set) var checks: [Check] = []
    /// Figures by name: counts are summed across suites, lists (of seconds) are joined.
    private(set) var figures: [String: JSONValue] = [:]

    init(suite: String, settings: ReliabilitySettings) {
        self.suite = suite
        self.settings = settings
    }

    /// Records a check that holds when `failures` is empty (each failure is one line of why not).
    mutating func check(_ name: String, failures: [String]) {
        let shown = failures.prefix(20).joined(separator: "; ") + (failures.count > 20 ? "; and \(failures.count - 20) more" : "")
        checks.append(Check(name: name, failure: failures.isEmpty ? nil : shown))
    }

    /// Records a count.
    mutating func count(_ name: String, _ value: Int) {
        figures[name] = .number(Double(value))
    }

    /// Records a list of durations in seconds.
    mutating func seconds(_ name: String, _ values: [Double]) {
        figures[name] = .array(values.map { .number(($0 * 1000).rounded() / 1000) })
    }

    /// Fails the test for each broken check, prints every outcome and appends the report to the
    /// report file (when there is one).
    func finish(sourceLocation: SourceLocation = #_sourceLocation) throws {
        for check in checks {
            print("reliability: [\(suite)] \(check.failure == nil ? "pass" : "FAIL") \(check.name)\(check.failure.map { ": \($0)" } ?? "")")
            if let failure = check.failure {
                Issue.record("\(suite): \(check.name): \(failure) (seed \(settings.seed))", sourceLocation: sourceLocation)
            }
        }
        guard let path = settings.reportPath else { return }
        let line: JSONValue = .object([
            "suite": .string(suite),
            "size": .string(settings.size.rawValue),
            "seed": .number(Double(settings.seed)),
            "checks": .array(checks.map { .object(["name": .string($0.name), "passed": .bool($0.failure == nil), "failure": $0.failure.map(JSONValue.string) ?? .null]) }),
            "figures": .object(figures),
        ])
        var data = try JSONEncoder().encode(line)
        data.append(UInt8(ascii: "\n"))
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }
}
