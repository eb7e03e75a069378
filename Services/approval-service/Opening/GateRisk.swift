import Shared

/// Why a gate's run needs a person: the run's score against the threshold, the plan's own score
/// and flags (Security/Compliance's factors), and what building raised it by.
struct GateRisk: Codable, Sendable, Equatable {
    var score: Int
    var planScore: Int
    var threshold: Int
    /// What building found (`factor: detail`), from the run.
    var reasons: [String]
    /// The plan's risk flags.
    var flags: [RiskFlag]

    enum CodingKeys: String, CodingKey {
        case score, threshold, reasons, flags
        case planScore = "plan_score"
    }
}
