import Shared

/// Reads a validated guided form into a `DraftSpec`. Fields keep the form's names, types and
/// flags; explicit roles are used as written (scope defaults to `all`, actions in CRUD order);
/// many-to-many relations are kept; one-to-many relations follow from reference fields.
struct GuidedFormReader {
    /// Creates a reader.
    init() {}

    /// The draft of a form that `GuidedFormValidator` accepted.
    func read(_ form: GuidedForm, title: String) -> DraftSpec {
        var draft = DraftSpec(title: title)
        draft.usesArchetypes = false
        for (index, entity) in form.entities.enumerated() {
            var draftEntity = DraftEntity(name: entity.name, position: index)
            draftEntity.ownerField = entity.ownerField
            for field in entity.fields {
                guard let type = FieldType(rawValue: field.type) else { continue }
                draftEntity.fields.append(DraftField(
                    name: field.name, type: type, required: field.required ?? false, unique: field.unique ?? false,
                    pii: field.pii, values: field.values, references: field.references,
                    holdsUserID: field.name == entity.ownerField && type == .string
                ))
            }
            draft.entities.append(draftEntity)
        }
        for relation in form.relations ?? [] where relation.kind == RelationSpec.Kind.manyToMany.rawValue {
            draft.addManyToMany(relation.from, relation.to)
        }
        if let roles = form.roles, !roles.isEmpty {
            let entityOwners = Dictionary(form.entities.map { ($0.name, $0.ownerField) }) { first, _ in first }
            draft.explicitRoles = roles.map { role in
                RoleSpec(name: role.name, permissions: role.permissions.map { permission in
                    let actions = Set(permission.actions.compactMap(CRUDAction.init(rawValue:)))
                    return RoleSpec.Permission(
                        entity: permission.entity,
                        actions: CRUDAction.allCases.filter(actions.contains),
                        scope: permission.scope.flatMap(RoleSpec.Scope.init(rawValue:)) ?? .all,
                        ownerPath: permission.ownerPath == entityOwners[permission.entity] ? nil : permission.ownerPath
                    )
                })
            }
        }
        return draft
    }
}
