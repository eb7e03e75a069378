import Shared

/// The permission matrix of a spec: every (role, entity, action, scope) cell with the clause that
/// grants it, or the rule that decided it when no clause did.
enum PermissionMatrix {
    /// Sources of cells no clause granted.
    static let administrator = "an administrator's name: every action on every entity"
    static let addedAdmin = "added: no described role can do everything"
    static let defaultRoles = "no roles were described: the default roles"
    static let unmentioned = "not mentioned for this role: it reads what it is not told about"
    static let guidedForm = "the guided form"

    /// The cells of `roles`, in role, entity and action order.
    static func cells(roles: [RoleSpec], statements: [RoleStatement], guided: Bool) -> [PermissionCell] {
        let describedRoles = roles.contains { !$0.inferred }
        return roles.flatMap { role in
            role.permissions.flatMap { permission in
                permission.actions.map { action in
                    PermissionCell(role: role.name, entity: permission.entity, action: action, scope: permission.scope,
                                   source: guided ? guidedForm : source(role: role, entity: permission.entity, action: action, scope: permission.scope,
                                                                        statements: statements, describedRoles: describedRoles))
                }
            }
        }
    }

    /// The clauses that grant one cell, joined; else the rule that decided it.
    static func source(role: RoleSpec, entity: String, action: CRUDAction, scope: RoleSpec.Scope, statements: [RoleStatement], describedRoles: Bool) -> String {
        let granting = statements.filter { statement in
            statement.roles.contains(role.name) && !statement.negated
                && (statement.everything || statement.entities.contains(entity) && statement.scope == scope)
                && RolePlanner.actions(for: statement.grants).contains(action)
        }
        var clauses: [String] = []
        for statement in granting where !clauses.contains(statement.source) { clauses.append(statement.source) }
        if !clauses.isEmpty { return clauses.joined(separator: " · ") }
        if role.inferred { return describedRoles ? addedAdmin : defaultRoles }
        if RoleNames.isAdministrator(role.name) { return administrator }
        return unmentioned
    }
}
