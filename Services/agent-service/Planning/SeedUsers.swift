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
    /// One account per role, in the spec's order. Where the role sees only its own rows of an
    /// entity owned through a reference (a patient owning appointments), the account's id is the
    /// id of the first seed row of the referenced entity, which the seed rows point at;
    /// otherwise an id of its own.
    static func users(for spec: FormalSpec) -> [SeedUser] {
        spec.roles.map { role in
            let ownerRowEntity = role.permissions.lazy.filter { $0.scope == .own }
                .compactMap { spec.entity(named: $0.entity).flatMap { ownerEnd(of: $0, in: spec)?.field } }
                .first { $0.type == .reference }?.references
            let id = ownerRowEntity.map { SystemDesigner.seedID($0, 1) } ?? SystemDesigner.seedID("user:\(role.name)", 1)
            return SeedUser(id: id, username: role.name, role: role.name)
        }
    }

    /// The owner column's value of seed row `index` (from 1) of an entity whose owner is a column
    /// of its own (a string field or the implicit column): the account of a role that sees only
    /// its own rows of it or of rows owned through it, taking turns; of any role when none does.
    static func owner(ofRow index: Int, of entity: EntitySpec, in spec: FormalSpec) -> String {
        let users = users(for: spec)
        let owning = spec.roles.indices.filter { roleIndex in
            spec.roles[roleIndex].permissions.contains { permission in
                permission.scope == .own && spec.entity(named: permission.entity).flatMap { ownerEnd(of: $0, in: spec)?.holder.name } == entity.name
            }
        }
        let candidates = owning.isEmpty ? Array(users.indices) : owning
        guard !candidates.isEmpty else { return "seed-user-\(index)" }
        return users[candidates[(index - 1) % candidates.count]].id
    }

    /// The entity holding the last segment of `entity`'s owner path and that segment's field
    /// (nil for the implicit owner column); nil when rows are not owned or the path is broken.
    private static func ownerEnd(of entity: EntitySpec, in spec: FormalSpec) -> (holder: EntitySpec, field: FieldSpec?)? {
        guard let path = entity.ownerPath else { return nil }
        var holder = entity
        for name in path.segments.dropLast() {
            guard let next = holder.fields.first(where: { $0.name == name })?.references.flatMap(spec.entity(named:)) else { return nil }
            holder = next
        }
        return (holder, holder.fields.first { $0.name == path.segments.last })
    }
}
