import Foundation
import Testing
@testable import AgentService
import Shared

/// The offline Product Architect over the corpus of descriptions written as people write them
/// (`ArchitectCorpus/`, format in `docs/architect-corpus.md`): precision and recall per dimension,
/// printed, and a failure when any falls below the goal. `ARCHITECT_CORPUS_VERBOSE=1` prints every
/// case's disagreements.
@Suite struct ArchitectCorpusTests {
    /// The goal for every figure.
    static let goal = 0.95

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
            #expect(tally.precision >= Self.goal, "\(dimension.rawValue) precision \(tally.precision) < \(Self.goal)")
            #expect(tally.recall >= Self.goal, "\(dimension.rawValue) recall \(tally.recall) < \(Self.goal)")
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
