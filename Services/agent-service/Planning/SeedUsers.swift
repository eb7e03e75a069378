import Shared

/// An account of the generated app's built-in issuer that its seed creates (`seed/users.json`).
struct SeedUser: Encodable, Equatable {
    /// The account's id: the `sub` of its tokens.
    let id: String
    /// The sign-in name: the role's name.
    let username: String
    /// The role its tokens carry.
    let role: String
}

/// The seed's accounts, one per role, and the owners of the seed rows, chosen together so that a
/// token of any seed account sees seed rows: where a role sees only its own rows, some of them
/// are its account's.
enum SeedUsers {
    /// One account per role, in the spec's order, each with an id of its own. Where the role sees
    /// only its own rows of an entity owned through a reference (a patient owning appointments),
    /// the account's id is the id of a seed row of the referenced entity (the first roles owning
    /// through it get its seed rows in turn); otherwise an id derived from the role's name.
    static func users(for spec: FormalSpec) -> [SeedUser] {
        var given: [String: Int] = [:]
        return spec.roles.map { role in
            var id = SystemDesigner.seedID("user:\(role.name)", 1)
            if let target = ownerRowEntity(of: role, in: spec), given[target, default: 0] < SystemDesigner.seedRowsPerEntity {
                given[target, default: 0] += 1
                id = SystemDesigner.seedID(target, given[target, default: 0])
            }
            return SeedUser(id: id, username: role.name, role: role.name)
        }
    }

    /// The owner values of seed row `index` (from 1) of `entity`, by column: for each of its
    /// columns that ends an owner path (its own owner column or field, or the field a child's path
    /// ends at), the id of the account of a role that sees only its own rows through it, taking
    /// turns. An owner column nobody's scope goes through is given any account in turn; a
    /// reference keeps its seed value when no owning account is one of the referenced rows, or
    /// when it is unique (row i already points at the referenced row i).
    static func ownerValues(ofRow index: Int, of entity: EntitySpec, in spec: FormalSpec) -> [String: JSONValue] {
        let users = users(for: spec)
        var values: [String: JSONValue] = [:]
        for name in ownerEndNames(of: entity, in: spec) {
            let field = entity.fields.first { $0.name == name }
            let owning = spec.roles.indices.filter { roleIndex in
                let role = spec.roles[roleIndex].name
                return spec.roles[roleIndex].permissions.contains { permission in
                    guard permission.scope == .own, let owned = spec.entity(named: permission.entity),
                          let end = spec.ownerEnd(of: owned, along: spec.ownerPath(of: role, on: owned)) else { return false }
                    return end.holder.name == entity.name && end.name == name
                }
            }.map { users[$0].id }
            if let field, field.type == .reference, let target = field.references {
                // A unique reference already points row i at the referenced row i, account i's.
                guard !field.unique else { continue }
                let rows = Set((1...SystemDesigner.seedRowsPerEntity).map { SystemDesigner.seedID(target, $0) })
                let candidates = owning.filter(rows.contains)
                if !candidates.isEmpty { values["\(name)_id"] = .string(candidates[(index - 1) % candidates.count]) }
            } else {
                let candidates = owning.isEmpty ? users.map(\.id) : owning
                // A unique owner column takes each account once; rows beyond keep their own values.
                guard field?.unique != true || index <= candidates.count else { continue }
                values[name] = .string(candidates.isEmpty ? "seed-user-\(index)" : candidates[(index - 1) % candidates.count])
            }
        }
        return values
    }

    /// The names of `entity`'s columns that end an owner path: its own single-segment owner field
    /// (or implicit column) and the last segments of the paths (owner fields and permissions'
    /// owner paths) of entities reaching it.
    private static func ownerEndNames(of entity: EntitySpec, in spec: FormalSpec) -> [String] {
        var names: [String] = []
        for other in spec.entities {
            for path in spec.ownerPaths(of: other) {
                if let end = spec.ownerEnd(of: other, along: path), end.holder.name == entity.name, !names.contains(end.name) {
                    names.append(end.name)
                }
            }
        }
        return names
    }

    /// The entity whose seed rows a role's account is one of: the target of the reference that
    /// ends the role's owner path of the first entity it sees only its own rows of, if a reference.
    private static func ownerRowEntity(of role: RoleSpec, in spec: FormalSpec) -> String? {
        role.permissions.lazy.filter { $0.scope == .own }
            .compactMap { permission in
                spec.entity(named: permission.entity).flatMap { spec.ownerRowEntity(of: $0, along: spec.ownerPath(of: role.name, on: $0)) }
            }
            .first?.name
    }
}
