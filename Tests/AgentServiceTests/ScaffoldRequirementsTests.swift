import Foundation
import Testing
@testable import AgentService

/// The generated scaffold's Python requirements against the project's virtualenv, which the QA
/// Evaluator runs every scaffold with (scripts/install-deps installs `requirements-dev.txt`).
@Suite struct ScaffoldRequirementsTests {
    @Test func everyScaffoldPinIsInTheProjectRequirementsAtTheSameVersion() throws {
        let files = try ScaffoldRenderer().render(try SystemDesigner().design(DesignerInput(spec: CRMFixture.spec)))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let project = Self.pins(try String(contentsOf: root.appendingPathComponent("requirements-dev.txt"), encoding: .utf8))
        let runtime = Self.pins(try #require(files["requirements.txt"]))
        let development = Self.pins(try #require(files["requirements-dev.txt"]))
        for (package, version) in runtime.merging(development, uniquingKeysWith: { $1 }) {
            #expect(project[package] == version, "the scaffold pins \(package)==\(version)")
        }
        #expect(runtime["gunicorn"] != nil, "the production command's server is a runtime requirement")
        #expect(runtime["pytest"] == nil && development["pytest"] != nil, "pytest only for development")
    }

    /// Package (lower-cased, extras dropped) → version of the `name==version` lines of a
    /// requirements file; comments and `-r` includes skipped.
    static func pins(_ text: String) -> [String: String] {
        var pins: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let requirement = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
            guard !requirement.isEmpty, !requirement.hasPrefix("-"), let range = requirement.range(of: "==") else { continue }
            let package = requirement[..<range.lowerBound].split(separator: "[")[0].lowercased()
            pins[package] = String(requirement[range.upperBound...])
        }
        return pins
    }
}
