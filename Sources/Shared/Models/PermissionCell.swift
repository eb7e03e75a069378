/// One cell of a spec's permission matrix: what a role may do to an entity's rows, and the words
/// of the description it comes from — so that a user can see why, and correct the text.
public struct PermissionCell: Codable, Sendable, Equatable {
    /// The role.
    public var role: String
    /// The entity.
    public var entity: String
    /// The action.
    public var action: CRUDAction
    /// `all` or `own` rows.
    public var scope: RoleSpec.Scope
    /// The clause that grants it, as read ("couriers see only their own parcels"), or how it was
    /// decided when no clause did ("default: roles read what they are not told about").
    public var source: String

    /// Creates a cell.
    public init(role: String, entity: String, action: CRUDAction, scope: RoleSpec.Scope, source: String) {
        self.role = role
        self.entity = entity
        self.action = action
        self.scope = scope
        self.source = source
    }
}
