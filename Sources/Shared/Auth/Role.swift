/// A user's role within a tenant.
public enum Role: String, Codable, Sendable, CaseIterable {
    case owner, admin, member, viewer
}
