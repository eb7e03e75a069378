/// What a reviewer decides on a gate (stored in `decisions.decision`).
enum Decision: String, Sendable {
    case approve, reject

    /// The word the API and the events use for a gate closed this way.
    var outcome: String {
        switch self {
        case .approve: "approved"
        case .reject: "rejected"
        }
    }
}
