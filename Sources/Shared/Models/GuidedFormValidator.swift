import Foundation
/// Checks a guided form before anything is stored or planned: every problem is INVALID_ARGUMENT
/// naming the field by its path, e.g. `form.entities[1].fields[0].references`.
public enum GuidedFormValidator {
    /// The pattern names must follow.
    public static let namePattern = "^[a-z][a-z0-9_]{0,62}$"

    /// Throws on the first problem found, in document order.
    public static func validate(_ form: GuidedForm) throws {
        guard !form.entities.isEmpty else { throw WireError.invalidArgument(field: "form.entities", "must list at least one entity") }
        guard form.entities.count <= 50 else { throw WireError.invalidArgument(field: "form.entities", "must list at most 50 entities") }
        let entityNames = Set(form.entities.map(\.name))
        var seenEntities = Set<String>()
        for (i, entity) in form.entities.enumerated() {
            let path = "form.entities[\(i)]"
            try checkName(entity.name, field: "\(path).name")
            guard seenEntities.insert(entity.name).inserted else {
                throw WireError.invalidArgument(field: "\(path).name", "duplicate entity name '\(entity.name)'")
            }
            guard !entity.fields.isEmpty else { throw WireError.invalidArgument(field: "\(path).fields", "must list at least one field") }
            var seenFields = Set<String>()
            for (j, field) in entity.fields.enumerated() {
                let fieldPath = "\(path).fields[\(j)]"
                try checkName(field.name, field: "\(fieldPath).name")
                guard !["id", "tenant_id", "created_at", "updated_at"].contains(field.name) else {
                    throw WireError.invalidArgument(field: "\(fieldPath).name", "'\(field.name)' is added automatically")
                }
                guard seenFields.insert(field.name).inserted else {
                    throw WireError.invalidArgument(field: "\(fieldPath).name", "duplicate field name '\(field.name)' in entity '\(entity.name)'")
                }
                guard let type = FieldType(rawValue: field.type) else {
                    throw WireError.invalidArgument(field: "\(fieldPath).type", "unknown type '\(field.type)'; allowed: \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if type == .enum, (field.values ?? []).isEmpty {
                    throw WireError.invalidArgument(field: "\(fieldPath).values", "an enum field needs at least one value")
                }
                if type == .reference {
                    guard let target = field.references else {
                        throw WireError.invalidArgument(field: "\(fieldPath).references", "a reference field must name the entity it references")
                    }
                    guard entityNames.contains(target) else {
                        throw WireError.invalidArgument(field: "\(fieldPath).references", "references unknown entity '\(target)'")
                    }
                } else if field.references != nil {
                    throw WireError.invalidArgument(field: "\(fieldPath).references", "only reference fields may reference an entity")
                }
            }
            if let owner = entity.ownerField, !seenFields.contains(owner), (try? checkName(owner, field: "")) == nil {
                throw WireError.invalidArgument(field: "\(path).owner_field", "'\(owner)' is not a valid field name")
            }
        }
        for (i, relation) in (form.relations ?? []).enumerated() {
            let path = "form.relations[\(i)]"
            guard ["one_to_many", "many_to_many"].contains(relation.kind) else {
                throw WireError.invalidArgument(field: "\(path).kind", "must be one_to_many or many_to_many")
            }
            for (side, name) in [("from", relation.from), ("to", relation.to)] where !entityNames.contains(name) {
                throw WireError.invalidArgument(field: "\(path).\(side)", "references unknown entity '\(name)'")
            }
        }
        var seenRoles = Set<String>()
        for (i, role) in (form.roles ?? []).enumerated() {
            let path = "form.roles[\(i)]"
            try checkName(role.name, field: "\(path).name")
            guard seenRoles.insert(role.name).inserted else { throw WireError.invalidArgument(field: "\(path).name", "duplicate role name '\(role.name)'") }
            for (j, permission) in role.permissions.enumerated() {
                let permissionPath = "\(path).permissions[\(j)]"
                guard entityNames.contains(permission.entity) else {
                    throw WireError.invalidArgument(field: "\(permissionPath).entity", "references unknown entity '\(permission.entity)'")
                }
                for (k, action) in permission.actions.enumerated() where CRUDAction(rawValue: action) == nil {
                    throw WireError.invalidArgument(field: "\(permissionPath).actions[\(k)]", "unknown action '\(action)'; allowed: create, read, update, delete")
                }
                if let scope = permission.scope, RoleSpec.Scope(rawValue: scope) == nil {
                    throw WireError.invalidArgument(field: "\(permissionPath).scope", "must be 'all' or 'own'")
                }
            }
        }
    }

    private static func checkName(_ name: String, field: String) throws {
        guard name.range(of: namePattern, options: .regularExpression) != nil else {
            throw WireError.invalidArgument(field: field, "'\(name)' must be snake_case: a lowercase letter, then letters, digits or underscores")
        }
    }
}
