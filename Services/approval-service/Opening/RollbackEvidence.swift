/// Whether the run's rollback was verified, from the reviewed evaluation's checks named
/// `rollback:down` (the down migrations ran and left nothing behind) and `rollback:up` (the up
/// migrations ran again): both passed → `passed`; either failed → `failed`; otherwise (absent,
/// or skipped) → `missing`. Only a gate whose evidence is `passed` can be approved.
struct RollbackEvidence: Codable, Sendable, Equatable {
    /// The verdict.
    enum Status: String, Codable, Sendable {
        case passed, failed, missing
    }

    /// One rollback check as the evaluation reported it; its output's tail only when it did not pass.
    struct Check: Codable, Sendable, Equatable {
        var name: String
        var status: String
        var outputTail: String?

        enum CodingKeys: String, CodingKey {
            case name, status
            case outputTail = "output_tail"
        }
    }

    var status: Status
    /// The rollback checks found, in the report's order.
    var checks: [Check]

    /// The names of the checks that make up the evidence.
    static let checkNames = ["rollback:down", "rollback:up"]

    /// The evidence of a report's checks.
    init(_ checks: [RunServiceClient.Report.Check]) {
        let found = checks.filter { Self.checkNames.contains($0.name) }
        self.checks = found.map { Check(name: $0.name, status: $0.status, outputTail: $0.status == "passed" ? nil : $0.outputTail) }
        let statuses = Self.checkNames.map { name in found.last { $0.name == name }?.status }
        if statuses.contains("failed") {
            status = .failed
        } else if statuses.allSatisfy({ $0 == "passed" }) {
            status = .passed
        } else {
            status = .missing
        }
    }
}
