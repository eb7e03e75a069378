import Foundation
import Shared

/// What the run proved about the generated app's isolation, as its manifest states it: the QA
/// Evaluator's checks of the running app in the last evaluation — the golden tasks of the plan's
/// isolation criteria (another tenant's rows answer 404 and stay out of lists), and of its RBAC
/// criteria with the permission probe of every role (each refused what the matrix denies) — and
/// what confined the generated code while it was evaluated. Whoever receives the ZIP reads here
/// what was proven; `proven` is true only when such checks ran and none failed.
struct IsolationEvidence: Codable, Sendable, Equatable {
    /// The results of one kind of proof.
    struct Proof: Codable, Sendable, Equatable {
        /// The checks, by name (`golden:<criterion>`, `golden:permissions:<role>`).
        var checks: [String] = []
        var passed = 0
        var failed = 0
        var skipped = 0

        /// Checks of this kind ran, and none failed.
        var proven: Bool { passed > 0 && failed == 0 }

        enum CodingKeys: String, CodingKey {
            case checks, passed, failed, skipped, proven
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            checks = try container.decode([String].self, forKey: .checks)
            passed = try container.decode(Int.self, forKey: .passed)
            failed = try container.decode(Int.self, forKey: .failed)
            skipped = try container.decode(Int.self, forKey: .skipped)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(checks, forKey: .checks)
            try container.encode(passed, forKey: .passed)
            try container.encode(failed, forKey: .failed)
            try container.encode(skipped, forKey: .skipped)
            try container.encode(proven, forKey: .proven)
        }

        mutating func add(_ check: EvalSummary.Check) {
            checks.append(check.name)
            switch check.status {
            case "passed": passed += 1
            case "failed": failed += 1
            default: skipped += 1
            }
        }
    }

    /// Checks that one tenant cannot see or change another's rows.
    var crossTenant: Proof
    /// Checks that a role is refused what it may not do.
    var roleDenial: Proof
    /// What confined the generated code (isolation, network, uid, limits); nil when the report
    /// did not say.
    var sandbox: JSONValue?

    enum CodingKeys: String, CodingKey {
        case sandbox
        case crossTenant = "cross_tenant"
        case roleDenial = "role_denial"
    }

    /// The evidence of the last evaluation `report` of `plan` (whose acceptance criteria say
    /// which golden task checks what).
    init(report: EvalSummary, plan: JSONValue) {
        var kinds: [String: String] = [:]
        if case .array(let criteria)? = plan["spec"]?["acceptance_criteria"] {
            for criterion in criteria {
                if let id = criterion["id"]?.stringValue, let kind = criterion["kind"]?.stringValue { kinds["golden:\(id)"] = kind }
            }
        }
        crossTenant = Proof()
        roleDenial = Proof()
        for check in report.checks {
            if kinds[check.name] == "isolation" {
                crossTenant.add(check)
            } else if kinds[check.name] == "rbac" || check.name.hasPrefix("golden:permissions:") {
                roleDenial.add(check)
            }
        }
        sandbox = report.sandbox
    }
}
