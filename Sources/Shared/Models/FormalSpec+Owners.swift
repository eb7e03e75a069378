extension EntitySpec {
    /// The owner field read as a path; nil when rows are not owned.
    public var ownerPath: OwnerPath? { ownerField.map(OwnerPath.init) }

    /// Whether the table gets an owner column that no field declares (`<owner_field> text NOT
    /// NULL`): a single-segment owner field that is not one of the fields. A path never adds one.
    public var hasImplicitOwnerColumn: Bool {
        guard let path = ownerPath, !path.goesThroughParent else { return false }
        return !fields.contains { $0.name == path.first }
    }

    /// The reference field an owner path goes through (its first segment); nil for a
    /// single-segment owner field or none.
    public var ownerParentField: FieldSpec? {
        guard let path = ownerPath, path.goesThroughParent else { return nil }
        return fields.first { $0.name == path.first }
    }
}

extension FormalSpec {
    /// The problems of the entities' owner fields and of `own` scopes, each naming its JSON path
    /// under `prefix` (`spec.entities[2].owner_field`); empty when every owner field resolves.
    public func ownershipProblems(at prefix: String) -> [WireError.Detail] {
        var problems: [WireError.Detail] = []
        for (index, entity) in entities.enumerated() {
            guard let path = entity.ownerPath else { continue }
            let field = "\(prefix).entities[\(index)].owner_field"
            if path.goesThroughParent || entity.fields.contains(where: { $0.name == path.first }) {
                if let problem = path.problem(from: entity.name, field: ownerLookup) {
                    problems.append(.init(field: field, reason: problem))
                }
            } else if !GuidedFormValidator.isValidName(path.first) {
                problems.append(.init(field: field, reason: "'\(path)' must be a field name or a dotted path of field names like 'appointment.patient'"))
            } else if GuidedFormValidator.impliedFields.contains(path.first) {
                problems.append(.init(field: field, reason: "'\(path)' is a column every table has; it cannot hold the owner"))
            }
        }
        for (i, role) in roles.enumerated() {
            for j in role.permissions.indices {
                let field = "\(prefix).roles[\(i)].permissions[\(j)]"
                problems += permissionOwnershipProblems(of: role, at: j, field: field)
            }
        }
        return problems
    }

    /// The problems of the scope and owner path of `role`'s permission `index`, under `field`
    /// (`spec.roles[1].permissions[0]`).
    private func permissionOwnershipProblems(of role: RoleSpec, at index: Int, field: String) -> [WireError.Detail] {
        let permission = role.permissions[index]
        guard let entity = entity(named: permission.entity) else { return [] }
        let earlier = role.permissions.prefix(index).filter { $0.entity == entity.name && $0.scope == .own }.compactMap { $0.ownerPath ?? entity.ownerField }
        guard let problem = PermissionOwnership.problem(
            role: role.name, entity: entity.name, isOwn: permission.scope == .own, ownerPath: permission.ownerPath,
            ownerField: entity.ownerField, earlier: earlier, field: ownerLookup
        ) else { return [] }
        return [.init(field: "\(field).\(problem.key)", reason: problem.reason)]
    }

    /// The path that decides which rows of `entity` are `role`'s own: the owner path of its `own`
    /// permission on the entity, else the entity's owner field; nil when rows are not owned.
    public func ownerPath(of role: String, on entity: EntitySpec) -> OwnerPath? {
        let permission = roles.first { $0.name == role }?.permissions.first { $0.entity == entity.name && $0.scope == .own && $0.ownerPath != nil }
        return permission?.ownerPath.map(OwnerPath.init) ?? entity.ownerPath
    }

    /// Every distinct path that decides owned rows of `entity`: its owner field and the owner
    /// paths of permissions on it.
    public func ownerPaths(of entity: EntitySpec) -> [OwnerPath] {
        var paths = entity.ownerPath.map { [$0] } ?? []
        for permission in roles.flatMap(\.permissions) where permission.entity == entity.name {
            if let text = permission.ownerPath, !paths.contains(OwnerPath(text)) { paths.append(OwnerPath(text)) }
        }
        return paths
    }

    /// Where `entity`'s owner path ends: the entity holding its last segment, that segment's name
    /// and its field (nil for the implicit owner column); nil when rows are not owned or a segment
    /// before the last is no reference to a known entity.
    public func ownerEnd(of entity: EntitySpec) -> (holder: EntitySpec, name: String, field: FieldSpec?)? {
        ownerEnd(of: entity, along: entity.ownerPath)
    }

    /// Where `path`, read from `entity`, ends (see `ownerEnd(of:)`).
    public func ownerEnd(of entity: EntitySpec, along path: OwnerPath?) -> (holder: EntitySpec, name: String, field: FieldSpec?)? {
        guard let path, let last = path.segments.last else { return nil }
        var holder = entity
        for name in path.segments.dropLast() {
            guard let next = holder.fields.first(where: { $0.name == name && $0.type == .reference })?.references.flatMap(self.entity(named:)) else { return nil }
            holder = next
        }
        return (holder, last, holder.fields.first { $0.name == last })
    }

    /// The entity whose rows own `entity`'s rows: the one the last segment of its owner path
    /// references; nil when the owner is a user id or rows are not owned.
    public func ownerRowEntity(of entity: EntitySpec) -> EntitySpec? {
        ownerRowEntity(of: entity, along: entity.ownerPath)
    }

    /// The entity whose rows own `entity`'s rows along `path` (see `ownerRowEntity(of:)`).
    public func ownerRowEntity(of entity: EntitySpec, along path: OwnerPath?) -> EntitySpec? {
        guard let field = ownerEnd(of: entity, along: path)?.field, field.type == .reference else { return nil }
        return field.references.flatMap(self.entity(named:))
    }

    /// Throws INVALID_ARGUMENT naming the first ownership problem, with every problem in `details`.
    public func validateOwnership(at prefix: String) throws {
        let problems = ownershipProblems(at: prefix)
        guard let first = problems.first else { return }
        let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
        throw WireError(.invalidArgument, "invalid field '\(first.field ?? prefix)': \(first.reason)\(more)", details: problems)
    }

    /// A field of an entity as an owner path sees it: a declared field, or the entity's implicit
    /// owner column (a string).
    private func ownerLookup(_ entityName: String, _ name: String) -> OwnerPath.Field? {
        guard let entity = entity(named: entityName) else { return nil }
        if let field = entity.fields.first(where: { $0.name == name }) {
            return OwnerPath.Field(type: field.type, references: field.references, pii: field.pii)
        }
        return entity.hasImplicitOwnerColumn && entity.ownerField == name ? OwnerPath.Field(type: .string) : nil
    }
}
