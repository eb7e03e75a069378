import Foundation

/// Checks a guided form before anything is stored or planned, and reports every problem with the
/// JSON path of the offending field (`form.entities[1].fields[0].type`). Names are not
/// normalised: they must already match `^[a-z][a-z0-9_]*$`, so what the user wrote is what the
/// spec says. The spec-service validates with it at create time and the architect again at
/// planning time, so both apply the same rules.
public enum GuidedFormValidator {
    /// Most entities a form (or a description) may have.
    public static let maximumEntities = 50
    /// Most fields an entity may have.
    public static let maximumFields = 100
    /// Columns every generated table has, which a form must not list.
    public static let impliedFields: Set<String> = ["id", "tenant_id", "tenant", "created_at", "updated_at"]

    /// Throws INVALID_ARGUMENT naming the first problem, with every problem in `details`.
    public static func validate(_ form: GuidedForm) throws {
        let problems = problems(in: form)
        guard let first = problems.first else { return }
        let more = problems.count > 1 ? " (and \(problems.count - 1) more problem\(problems.count > 2 ? "s" : ""))" : ""
        throw WireError(.invalidArgument, "invalid guided form: \(first.field ?? "form"): \(first.reason)\(more)", details: problems)
    }

    /// Whether a name is snake_case: a lowercase ASCII letter, then lowercase letters, digits or `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter, first.isLowercase else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    /// The problems of a form, in the order of the form; empty when it is valid.
    public static func problems(in form: GuidedForm) -> [WireError.Detail] {
        var problems: [WireError.Detail] = []
        func report(_ field: String, _ reason: String) { problems.append(.init(field: field, reason: reason)) }
        if form.entities.isEmpty { report("form.entities", "add at least one entity") }
        if form.entities.count > maximumEntities {
            report("form.entities", "has \(form.entities.count) entities; at most \(maximumEntities) are supported")
        }
        let entityNames = form.entities.map(\.name)
        for (i, entity) in form.entities.enumerated() {
            let path = "form.entities[\(i)]"
            checkName(entity.name, at: "\(path).name", report: report)
            if let first = entityNames.firstIndex(of: entity.name), first < i, !entity.name.isEmpty {
                report("\(path).name", "duplicates form.entities[\(first)].name '\(entity.name)'")
            }
            if entity.fields.isEmpty { report("\(path).fields", "an entity needs at least one field") }
            if entity.fields.count > maximumFields {
                report("\(path).fields", "has \(entity.fields.count) fields; at most \(maximumFields) are supported")
            }
            let fieldNames = entity.fields.map(\.name)
            for (j, field) in entity.fields.enumerated() {
                let fieldPath = "\(path).fields[\(j)]"
                checkName(field.name, at: "\(fieldPath).name", report: report)
                if impliedFields.contains(field.name) {
                    report("\(fieldPath).name", "'\(field.name)' is implied on every entity; leave it out")
                }
                if let first = fieldNames.firstIndex(of: field.name), first < j, !field.name.isEmpty {
                    report("\(fieldPath).name", "duplicates \(path).fields[\(first)].name '\(field.name)'")
                }
                checkField(field, at: fieldPath, entityNames: entityNames, report: report)
            }
            if let owner = entity.ownerField {
                let ownerPath = OwnerPath(owner)
                if !ownerPath.goesThroughParent, !fieldNames.contains(owner) {
                    report("\(path).owner_field", "'\(owner)' is not a field of \(entity.name); name one of: \(fieldNames.joined(separator: ", "))")
                } else if let problem = ownerPath.problem(from: entity.name, field: { ownerLookup(form, $0, $1) }) {
                    report("\(path).owner_field", problem)
                }
            }
        }
        for (i, relation) in (form.relations ?? []).enumerated() {
            checkRelation(relation, at: "form.relations[\(i)]", form: form, report: report)
        }
        checkRoles(form, report: report)
        return problems
    }

    /// A field of a form's entity as an owner path sees it.
    private static func ownerLookup(_ form: GuidedForm, _ entityName: String, _ name: String) -> OwnerPath.Field? {
        guard let field = form.entities.first(where: { $0.name == entityName })?.fields.first(where: { $0.name == name }) else { return nil }
        return OwnerPath.Field(type: FieldType(rawValue: field.type), references: field.references, pii: field.pii ?? false)
    }

    private static func checkName(_ name: String, at path: String, report: (String, String) -> Void) {
        if name.isEmpty {
            report(path, "is empty")
        } else if !isValidName(name) {
            report(path, "'\(name)' must be snake_case matching ^[a-z][a-z0-9_]*$, e.g. 'first_name'")
        }
    }

    private static func checkField(_ field: GuidedForm.Field, at path: String, entityNames: [String], report: (String, String) -> Void) {
        guard let type = FieldType(rawValue: field.type) else {
            report("\(path).type", "unknown type '\(field.type)'; allowed: \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
            return
        }
        if type == .enum {
            let values = field.values ?? []
            if values.isEmpty { report("\(path).values", "an enum field needs at least one value") }
            if values.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) { report("\(path).values", "values must not be empty") }
            if Set(values).count != values.count { report("\(path).values", "values must not repeat") }
        } else if field.values != nil {
            report("\(path).values", "only enum fields take values")
        }
        if type == .reference {
            if let target = field.references, !target.isEmpty {
                if !entityNames.contains(target) {
                    report("\(path).references", "references unknown entity '\(target)'; known: \(entityNames.joined(separator: ", "))")
                }
            } else {
                report("\(path).references", "a reference field needs 'references' naming an entity")
            }
        } else if field.references != nil {
            report("\(path).references", "only reference fields take 'references'")
        }
    }

    private static func checkRelation(_ relation: GuidedForm.Relation, at path: String, form: GuidedForm, report: (String, String) -> Void) {
        let names = form.entities.map(\.name)
        guard let kind = RelationSpec.Kind(rawValue: relation.kind) else {
            report("\(path).kind", "unknown kind '\(relation.kind)'; allowed: many_to_many, one_to_many")
            return
        }
        if !names.contains(relation.from) { report("\(path).from", "unknown entity '\(relation.from)'; known: \(names.joined(separator: ", "))") }
        if !names.contains(relation.to) { report("\(path).to", "unknown entity '\(relation.to)'; known: \(names.joined(separator: ", "))") }
        guard kind == .oneToMany, names.contains(relation.from), names.contains(relation.to) else { return }
        let referencing = form.entities.first { $0.name == relation.to }?.fields.contains {
            $0.type == FieldType.reference.rawValue && $0.references == relation.from
        } ?? false
        if !referencing {
            report("\(path).kind", "one_to_many relations come from reference fields: add a field of type reference with references '\(relation.from)' to entity '\(relation.to)'")
        }
    }

    private static func checkRoles(_ form: GuidedForm, report: (String, String) -> Void) {
        let roles = form.roles ?? []
        let names = roles.map(\.name)
        for (i, role) in roles.enumerated() {
            let path = "form.roles[\(i)]"
            checkName(role.name, at: "\(path).name", report: report)
            if let first = names.firstIndex(of: role.name), first < i, !role.name.isEmpty {
                report("\(path).name", "duplicates form.roles[\(first)].name '\(role.name)'")
            }
            for (j, permission) in role.permissions.enumerated() {
                let permissionPath = "\(path).permissions[\(j)]"
                guard let entity = form.entities.first(where: { $0.name == permission.entity }) else {
                    report("\(permissionPath).entity", "unknown entity '\(permission.entity)'; known: \(form.entities.map(\.name).joined(separator: ", "))")
                    continue
                }
                let allowed = CRUDAction.allCases.map(\.rawValue)
                if permission.actions.isEmpty {
                    report("\(permissionPath).actions", "name at least one action of: \(allowed.joined(separator: ", "))")
                }
                for (k, action) in permission.actions.enumerated() where CRUDAction(rawValue: action) == nil {
                    report("\(permissionPath).actions[\(k)]", "unknown action '\(action)'; allowed: \(allowed.joined(separator: ", "))")
                }
                let own = RoleSpec.Scope.own.rawValue
                if let scope = permission.scope, RoleSpec.Scope(rawValue: scope) == nil {
                    report("\(permissionPath).scope", "unknown scope '\(scope)'; allowed: all, own")
                }
                let earlier = role.permissions.prefix(j).filter { $0.entity == entity.name && $0.scope == own }.compactMap { $0.ownerPath ?? entity.ownerField }
                if let problem = PermissionOwnership.problem(
                    role: role.name, entity: entity.name, isOwn: permission.scope == own, ownerPath: permission.ownerPath,
                    ownerField: entity.ownerField, earlier: earlier, field: { ownerLookup(form, $0, $1) }
                ) {
                    report("\(permissionPath).\(problem.key)", problem.reason)
                }
            }
        }
    }
}
