import Foundation

/// One worker's hold on one run: until its lease expires on the database clock, and with the
/// fencing number every write of the run checks (`RunQueue.fence`).
struct RunClaim: Sendable, Equatable {
    /// The run.
    let runID: UUID
    /// Its tenant: the worker does the run's work inside this tenant's transactions.
    let tenantID: UUID
    /// The claiming worker.
    let owner: String
    /// Bumped by every claim: a worker holding an older number has lost the run.
    let fencing: Int64
    /// How many times the run was claimed (more than one: a takeover).
    let claims: Int
}

/// The run's claim is gone: its lease expired and another worker may hold it. The worker that
/// gets this stops working on the run and writes nothing more.
struct LostClaim: Error, CustomStringConvertible {
    /// The run.
    let runID: UUID

    var description: String { "the claim on run \(runID.lowercaseText) was lost" }
}
