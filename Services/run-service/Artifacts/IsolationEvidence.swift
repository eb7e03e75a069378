import Foundation
import Shared

/// What the run proved about the generated app's isolation, as its manifest states it: the
/// results of the app's own cross-tenant tests and role-denial tests in the last evaluation (by
/// test file), and what confined the generated code while it was evaluated. Whoever receives the
/// ZIP reads here what was proven; `proven` is true only when such tests ran and none failed.
struct IsolationEvidence: Codable, Sendable, Equatable {
    /// The results of one kind of proof.
    struct Proof: Codable, Sendable, Equatable {
        var files: [String] = []
        var passed = 0
        var failed = 0
        var skipped = 0

        /// Tests of this kind ran, and none failed.
        var proven: Bool { passed > 0 && failed == 0 }

        enum CodingKeys: String, CodingKey {
            case files, passed, failed, skipped, proven
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            files = try container.decode([String].self, forKey: .files)
            passed = try container.decode(Int.self, forKey: .passed)
            failed = try container.decode(Int.self, forKey: .failed)
            skipped = try container.decode(Int.self, forKey: .skipped)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(files, forKey: .files)
            try container.encode(passed, forKey: .passed)
            try container.encode(failed, forKey: .failed)
            try container.encode(skipped, forKey: .skipped)
            try container.encode(proven, forKey: .proven)
        }
    }

    /// Tests that one tenant cannot see or change another's rows.
    var crossTenant: Proof
    /// Tests that a role is refused what it may not do (and the app's database role what it may not).
    var roleDenial: Proof
    /// What confined the generated code (isolation, network, uid, limits); nil when the report
    /// did not say.
    var sandbox: JSONValue?

    enum CodingKeys: String, CodingKey {
        case sandbox
        case crossTenant = "cross_tenant"
        case roleDenial = "role_denial"
    }

    /// The evidence of the last evaluation `report`.
    init(report: EvalSummary) {
        crossTenant = Proof()
        roleDenial = Proof()
        for result in report.testFiles {
            switch Self.kind(of: result.file) {
            case .crossTenant?: Self.add(result, to: &crossTenant)
            case .roleDenial?: Self.add(result, to: &roleDenial)
            case nil: continue
            }
        }
        sandbox = report.sandbox
    }

    private enum Kind { case crossTenant, roleDenial }

    /// Which proof a test file gives, by its name: `…isolation…`/`…tenant…` are cross-tenant
    /// tests; `…rbac…`, `…permission…`, `…privilege…`, `…role…`, `…access…`, `…denial…` role denials.
    private static func kind(of file: String) -> Kind? {
        let name = (file.split(separator: "/").last.map(String.init) ?? file).lowercased()
        if name.range(of: "isolation|tenant", options: .regularExpression) != nil { return .crossTenant }
        if name.range(of: "rbac|permission|privilege|role|access|denial", options: .regularExpression) != nil { return .roleDenial }
        return nil
    }

    private static func add(_ result: EvalSummary.TestFile, to proof: inout Proof) {
        proof.files.append(result.file)
        proof.passed += result.passed
        proof.failed += result.failed
        proof.skipped += result.skipped
    }
}
