/// The services mbctl talks to: each public operation belongs to one of them, and each has a
/// base URL (the gateway's, or the service's own).
enum Service: String, CaseIterable, Sendable {
    /// spec-service: specs and plans.
    case spec
    /// run-service: runs, their events, diffs, reports and artifacts.
    case run
    /// approval-service: gates, decisions and the audit trail.
    case approval

    /// The environment variable that overrides this service's URL (the name the services use
    /// for their peers).
    var environmentKey: String { "META_BUILDER_\(rawValue.uppercased())_URL" }
}
