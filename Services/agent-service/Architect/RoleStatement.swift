import Shared

/// One permission sentence about roles: "sales reps see only their own deals".
struct RoleStatement: Sendable, Equatable {
    /// What the verb grants.
    enum Grant: Sendable, Equatable {
        /// see, view, read, access, work on: read.
        case visibility
        /// read-only access.
        case readOnly
        /// manage, administer, full access: all four actions.
        case manage
        /// edit, update, modify, change: read and update.
        case edit
        /// create, add, submit, write, book: create and read.
        case create
        /// delete, remove: read and delete.
        case delete
        /// approve, reject, assign, close, resolve: read and update.
        case decide
    }

    /// The roles (snake_case).
    var roles: [String]
    /// What is granted.
    var grants: [Grant]
    /// `own` or `all`.
    var scope: RoleSpec.Scope
    /// The entities; empty with `everything` for "see all" / "manage everything".
    var entities: [String]
    /// Whether the statement covers every entity.
    var everything: Bool
    /// Whether it takes rights away ("cannot delete").
    var negated: Bool
    /// The field that decides ownership, when the text says so ("assigned to them" → `assignee`).
    var ownerHint: String?
    /// The words it was read from ("couriers see only their own parcels").
    var source: String
}
