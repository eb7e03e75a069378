import Foundation

/// The verified caller of a request: a user of a tenant, possibly reached through another
/// service of the mesh (then `callingService` names it).
public struct Principal: Sendable, Equatable {
    /// The user id (`sub`).
    public let userID: String
    /// The tenant (`tid`).
    public let tenantID: UUID
    /// The user's role in that tenant.
    public let role: Role
    /// The service that called on the user's behalf, when the request came with a service token.
    public let callingService: String?

    /// Creates a principal.
    public init(userID: String, tenantID: UUID, role: Role, callingService: String? = nil) {
        self.userID = userID
        self.tenantID = tenantID
        self.role = role
        self.callingService = callingService
    }

    /// True when the request came from another service with a service token.
    public var isService: Bool { callingService != nil }
}
