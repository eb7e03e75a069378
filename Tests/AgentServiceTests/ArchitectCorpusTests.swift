import Foundation
import Testing
@testable import AgentService
import Shared

/// The offline Product Architect over the corpus of descriptions written as people write them
/// (`ArchitectCorpus/`, format in `docs/architect-corpus.md`): precision and recall per dimension,
/// printed, and a failure when any falls below its floor. `ARCHITECT_CORPUS_VERBOSE=1` prints every
/// case's disagreements.
@Suite struct ArchitectCorpusTests {
    /// The goal for every figure.
    static let goal = 0.95
    /// The floors in force while the architect is brought up to the goal: each is the figure last
    /// measured, rounded down, so that no change makes the reading worse. Raise them as it improves.
    static let floors: [CorpusDimension: Double] = [
        .entities: 0.96, .fields: 0.96, .types: 0.96, .relations: 0.94, .roles: 0.96, .permissions: 0.96, .pii: 0.95,
    ]

    @Test func corpusIsLargeAndVaried() throws {
        let cases = try CorpusCase.all()
        #expect(cases.count >= 60)
        #expect(Set(cases.map(\.style)).isSuperset(of: ["paragraph", "bullets", "table", "terse", "verbose"]))
        #expect(Set(cases.map(\.domain)).count >= 40)
    }

    @Test func architectReadsTheCorpus() throws {
        let cases = try CorpusCase.all()
        var totals: [CorpusDimension: CorpusTally] = [:]
        let verbose = ProcessInfo.processInfo.environment["ARCHITECT_CORPUS_VERBOSE"] == "1"
        var failures: [String] = []
        for corpusCase in cases {
            let spec: FormalSpec
            do {
                spec = try ProductArchitect().design(ArchitectInput(title: corpusCase.id, description: corpusCase.description, mode: .freeform))
            } catch {
                failures.append("\(corpusCase.id): \(error)")
                for dimension in CorpusDimension.allCases { totals[dimension] = (totals[dimension] ?? CorpusTally()) + CorpusTally(expected: 1) }
                continue
            }
            let score = CorpusScorer(spec: spec, expected: corpusCase)
            for (dimension, tally) in score.tallies { totals[dimension] = (totals[dimension] ?? CorpusTally()) + tally }
            if verbose, !score.misses.isEmpty {
                print("\(corpusCase.id):\n  " + score.misses.sorted().joined(separator: "\n  "))
            }
        }
        print(Self.table(totals, cases: cases.count))
        #expect(failures.isEmpty, "descriptions refused: \(failures)")
        for dimension in CorpusDimension.allCases {
            let tally = totals[dimension] ?? CorpusTally()
            let floor = Self.floors[dimension] ?? Self.goal
            #expect(tally.precision >= floor, "\(dimension.rawValue) precision \(tally.precision) < \(floor)")
            #expect(tally.recall >= floor, "\(dimension.rawValue) recall \(tally.recall) < \(floor)")
        }
    }

    /// The figures as a Markdown table (the form docs/architect.md quotes).
    static func table(_ totals: [CorpusDimension: CorpusTally], cases: Int) -> String {
        var lines = ["Architect corpus: \(cases) descriptions", "| dimension | precision | recall | agreed | produced | expected |", "|---|---|---|---|---|---|"]
        for dimension in CorpusDimension.allCases {
            let tally = totals[dimension] ?? CorpusTally()
            lines.append("| \(dimension.rawValue) | \(percent(tally.precision)) | \(percent(tally.recall)) | \(tally.agreed) | \(tally.produced) | \(tally.expected) |")
        }
        return lines.joined(separator: "\n")
    }

    private static func percent(_ value: Double) -> String {
        String(format: "%.1f %%", value * 100)
    }
}
