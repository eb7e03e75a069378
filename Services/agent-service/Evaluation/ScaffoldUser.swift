import Foundation

/// Someone acting on a generated app: a user id (the token's `sub`), a tenant and a role.
struct ScaffoldUser: Sendable, Equatable {
    /// The user id. Where rows are owned through a reference (a patient owning appointments),
    /// it is the id of that user's row.
    var sub: String
    /// The tenant.
    var tenant: UUID
    /// A role of the app's spec.
    var role: String
}
